// The parts' own migrations (core/store/store.hpp): one number for both dialects — a file for
// both, or one per dialect, never both kinds — each number once per part.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "core/store/embedded.hpp"

namespace {

TEST(Migrations, EachPartNumbersItsMigrationsOnceForBothDialects) {
  // part → number → the files of that number
  std::map<std::string, std::map<std::string, std::set<std::string>>> parts;
  for (std::size_t i = 0; i < sanad::embedded::file_count; ++i) {
    std::string p(sanad::embedded::files[i].path);
    const auto at = p.find("/migrations/");
    if (p.rfind("src/", 0) != 0 || at == std::string::npos || p.rfind("src/core/store/", 0) == 0)
      continue;
    const std::string part = p.substr(4, at - 4), file = p.substr(at + 12);
    ASSERT_GE(file.size(), 5u) << p;
    EXPECT_TRUE(std::isdigit(file[0]) && std::isdigit(file[1]) && std::isdigit(file[2]) &&
                file[3] == '_')
        << p << ": a migration's name begins with its number, NNN_";
    parts[part][file.substr(0, 3)].insert(file);
  }
  ASSERT_TRUE(parts.count("core")) << "the core's own migrations are embedded";
  ASSERT_TRUE(parts.count("registry"));
  for (const auto& [part, numbers] : parts)
    for (const auto& [number, files] : numbers) {
      SCOPED_TRACE(part + "/" + number);
      std::set<std::string> names, kinds;
      for (const auto& f : files) {
        const auto dot = f.find('.');
        names.insert(f.substr(0, dot));
        kinds.insert(f.substr(dot));
      }
      EXPECT_EQ(names.size(), 1u) << "one migration per number";
      const bool both = kinds == std::set<std::string>{".sql"};
      const bool each = kinds == std::set<std::string>{".sqlite.sql", ".postgres.sql"};
      EXPECT_TRUE(both || each) << "a file for both dialects, or one for each";
    }
}

}  // namespace
