// A fresh, initialised registry on SQLite or PostgreSQL for each test. PostgreSQL comes from
// SANAD_TEST_PG (set by scripts/with-postgres.sh, which `make test` uses); each test gets its
// own schema.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/app/territory.hpp"
#include "core/store/store.hpp"
#include "registry/app/import.hpp"

namespace sanad::testing {

class Backend {
 public:
  // Returns false (after GTEST_SKIP or a failure) when PostgreSQL is not available.
  bool open(const std::string& kind) {
    static std::atomic<int> counter{0};
    std::string id = std::to_string(getpid()) + "_" + std::to_string(counter++);
    if (kind == "sqlite") {
      path_ = (std::filesystem::temp_directory_path() / ("sanad_test_" + id + ".db")).string();
      url_ = path_;
    } else {
      const char* pg = std::getenv("SANAD_TEST_PG");
      if (!pg || !*pg) return false;
      admin_ = store::open_postgres(pg);
      schema_ = "t_" + id;
      admin_->execute("CREATE SCHEMA " + schema_);
      url_ = std::string(pg) + "?options=-csearch_path%3D" + schema_;
    }
    return true;
  }
  std::unique_ptr<store::Store> store(bool init = true) {
    auto st = std::make_unique<store::Store>(store::open_db(url_));
    if (init) app::init_database(*st, "test");
    return st;
  }
  const std::string& url() const { return url_; }
  ~Backend() {
    if (!path_.empty())
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
    if (admin_) admin_->execute("DROP SCHEMA " + schema_ + " CASCADE");
  }

 private:
  std::string url_, path_, schema_;
  std::unique_ptr<store::Db> admin_;
};

inline bool pg_required() {
  const char* r = std::getenv("SANAD_REQUIRE_PG");
  return r && *r == '1';
}

// Fixture for tests that run on both backends.
class BothBackends : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!backend_.open(GetParam())) {
      if (pg_required()) FAIL() << "SANAD_TEST_PG is not set (run through make test)";
      GTEST_SKIP() << "PostgreSQL not available (SANAD_TEST_PG unset)";
    }
    st_ = backend_.store();
  }
  store::Store& st() { return *st_; }
  // Imports example files (tests/data/examples) that must be valid; true when all were written.
  bool import_examples(const std::vector<std::pair<app::ListKind, std::string>>& files) {
    app::ImportOptions o;
    o.actor = "test";
    o.today = "2026-11-23";
    for (const auto& [kind, name] : files)
      if (!app::import_file(*st_, kind, std::string(SANAD_EXAMPLES_DIR) + "/" + name, o).written)
        return false;
    return true;
  }
  Backend backend_;
  std::unique_ptr<store::Store> st_;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& i) {
  return i.param;
}

}  // namespace sanad::testing
