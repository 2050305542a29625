// Every file the fuzzers kept (seeds and the inputs that once found a problem) must still be
// read or refused with a ReadError: no crash, no other exception.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/table.hpp"

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> files_in(const std::string& dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST(FuzzRegressions, CsvCorpus) {
  auto files = files_in(std::string(SANAD_FUZZ_CORPUS) + "/csv");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    // Read in one part and in several (as a large file is), the same rows or the same error.
    const std::string bytes = slurp(f);
    std::vector<std::string> seen;
    for (std::size_t parts : {1, 2, 3, 5}) {
      std::string out;
      try {
        for (const auto& row : sanad::io::read_csv_bytes(bytes, "f.csv", {}, parts).rows) {
          out += std::to_string(row.number) + ":";
          for (const auto c : row.cells) (out += std::to_string(c.size()) + "|") += c;
          out += "\n";
        }
      } catch (const sanad::io::ReadError& e) {
        out = std::string("error: ") + e.what();
      }
      seen.push_back(out);
    }
    for (std::size_t k = 1; k < seen.size(); ++k) EXPECT_EQ(seen[k], seen[0]) << k;
  }
}

TEST(FuzzRegressions, XlsxCorpus) {
  auto files = files_in(std::string(SANAD_FUZZ_CORPUS) + "/xlsx");
  ASSERT_FALSE(files.empty());
  int readable = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    try {
      sanad::io::read_xlsx_bytes(slurp(f), f.filename().string());
      ++readable;
    } catch (const sanad::io::ReadError&) {
    }
  }
  EXPECT_GT(readable, 0);  // the seeds are real workbooks
}
