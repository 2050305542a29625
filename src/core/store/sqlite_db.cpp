#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "core/store/db.hpp"

namespace sanad::store {
namespace {

// $1 → ?1, leaving quoted text alone.
std::string rewrite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      c = '?';
    }
    out.push_back(c);
  }
  return out;
}

class SqliteRow final : public ResultRow {
 public:
  explicit SqliteRow(sqlite3_stmt* s) : s_(s) {}
  bool is_null(int c) const override { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string text(int c) const override { return std::string(view(c)); }
  std::string_view view(int c) const override {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }
  int64_t i64(int c) const override { return sqlite3_column_int64(s_, c); }

 private:
  sqlite3_stmt* s_;
};

class SqliteDb final : public Db {
 public:
  explicit SqliteDb(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw DbError(fmt::format("cannot open the database {}: {}", path, msg));
    }
    sqlite3_busy_timeout(db_, 30000);
    exec_script(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;");
  }
  ~SqliteDb() override {
    for (auto& [k, s] : cache_) sqlite3_finalize(s);
    if (db_) sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  void exec_script(std::string_view sql) override {
    char* err = nullptr;
    std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw DbError(msg);
    }
  }

  int64_t execute(std::string_view sql, const std::vector<Value>& params) override {
    sqlite3_stmt* s = prepare(sql);
    bind(s, params);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) fail(s, sql);
    sqlite3_reset(s);
    return sqlite3_changes64(db_);
  }

  void query(std::string_view sql, const std::vector<Value>& params, const RowFn& fn) override {
    sqlite3_stmt* s = prepare(sql);
    bind(s, params);
    SqliteRow row(s);
    int rc;
    try {
      while ((rc = sqlite3_step(s)) == SQLITE_ROW) fn(row);
    } catch (...) {
      sqlite3_reset(s);
      throw;
    }
    if (rc != SQLITE_DONE) fail(s, sql);
    sqlite3_reset(s);
  }

  // Rows go in by statements of up to 100 rows each: a statement's setup (cursors on the table,
  // its indexes and the tables its foreign keys name) is paid once per batch, not once per row.
  // A constraint broken rolls the whole transaction back (OR ROLLBACK): a bulk write is part of
  // an all-or-nothing change anyway, and so a statement needs no journal of its own (given
  // foreign keys checked at commit, see migration 009).
  void bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                   const std::function<bool(std::vector<Value>&)>& next_row) override {
    const std::size_t nc = columns.size();
    std::string one = "(";
    for (std::size_t i = 0; i < nc; ++i) one += i ? ",?" : "?";
    one += ")";
    const std::string head =
        fmt::format("INSERT OR ROLLBACK INTO {} ({}) VALUES ", table, fmt::join(columns, ","));
    const auto max_vars =
        static_cast<std::size_t>(sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1));
    const std::size_t batch = std::max<std::size_t>(1, std::min<std::size_t>(100, max_vars / nc));
    sqlite3_stmt* single = prepare(head + one);
    sqlite3_stmt* many = nullptr;
    std::string many_sql;
    if (batch > 1) {
      many_sql = head;
      for (std::size_t r = 0; r < batch; ++r) many_sql += (r ? "," : "") + one;
      many = prepare(many_sql, /*tidy=*/false);  // `single` stays prepared
    }
    if (!many) {  // one column too many for two rows in a statement
      std::vector<Value> row;
      while (next_row(row)) {
        step_one(single, row, head + one);
        row.clear();
      }
      return;
    }
    // Rows come in chunks of statements. A large insert makes its next chunk on another core
    // while SQLite writes this one: making rows (the values of a row, a name's normalised form)
    // was a fifth of the writing.
    struct Chunk {
      std::vector<std::vector<Value>> rows;
      std::size_t n = 0;
      bool full = false, last = false;
    };
    const std::size_t chunk_rows = batch * 64;
    auto fill = [&](Chunk& c) {  // false when the rows are all made
      c.n = 0;
      for (; c.n < chunk_rows; ++c.n) {
        if (c.n == c.rows.size()) c.rows.emplace_back();  // a chunk grows as far as it is used
        auto& r = c.rows[c.n];
        r.clear();
        if (!next_row(r)) return false;
      }
      return true;
    };
    auto write = [&](const Chunk& c) {
      std::size_t r = 0;
      for (; r + batch <= c.n; r += batch) {
        sqlite3_clear_bindings(many);
        for (std::size_t k = 0; k < batch; ++k)
          bind_at(many, c.rows[r + k], static_cast<int>(k * nc));
        if (sqlite3_step(many) != SQLITE_DONE) fail(many, many_sql);
        sqlite3_reset(many);
      }
      for (; r < c.n; ++r) step_one(single, c.rows[r], head + one);
    };
    std::array<Chunk, 2> chunks;
    bool more = fill(chunks[0]);
    chunks[0].full = true;
    std::mutex m;
    std::condition_variable cv;
    bool stop = false;
    std::exception_ptr failed;
    std::thread maker;
    auto make = [&] {
      try {
        for (std::size_t k = 1;; ++k) {
          Chunk& c = chunks[k % 2];
          {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return !c.full || stop; });
            if (stop) return;
          }
          const bool rest = fill(c);
          {
            std::lock_guard lock(m);
            c.full = true;
            c.last = !rest;
          }
          cv.notify_all();
          if (!rest) return;
        }
      } catch (...) {
        std::lock_guard lock(m);
        failed = std::current_exception();
        cv.notify_all();
      }
    };
    if (more) {
      try {
        maker = std::thread(make);
      } catch (const std::system_error&) {  // no thread to be had
      }
    }
    if (!maker.joinable()) {  // a small insert, or no other thread: one chunk after the other
      write(chunks[0]);
      while (more) {
        more = fill(chunks[0]);
        write(chunks[0]);
      }
      return;
    }
    auto finish = [&] {
      {
        std::lock_guard lock(m);
        stop = true;
      }
      cv.notify_all();
      maker.join();
    };
    try {
      for (std::size_t k = 0;; ++k) {
        Chunk& c = chunks[k % 2];
        {
          std::unique_lock lock(m);
          cv.wait(lock, [&] { return c.full || failed; });
          if (!c.full) break;  // the rows could not all be made
        }
        write(c);
        bool last = false;
        {
          std::lock_guard lock(m);
          c.full = false;
          last = c.last;
        }
        cv.notify_all();
        if (last) break;
      }
    } catch (...) {
      finish();
      throw;
    }
    finish();
    if (failed) std::rethrow_exception(failed);
  }

  void begin() override { execute("BEGIN IMMEDIATE", {}); }
  void begin_read() override { execute("BEGIN DEFERRED", {}); }
  void commit() override { execute("COMMIT", {}); }
  void rollback() override { execute("ROLLBACK", {}); }
  bool in_transaction() override { return sqlite3_get_autocommit(db_) == 0; }
  void lock_job(int64_t) override {}  // BEGIN IMMEDIATE already holds the only write lock

 private:
  // `tidy`: finalize the idle statements prepared earlier on temporary tables.
  sqlite3_stmt* prepare(std::string_view sql, bool tidy = true) {
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    std::string rewritten = rewrite_placeholders(sql);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, rewritten.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) !=
        SQLITE_OK)
      throw DbError(fmt::format("{} (in: {})", sqlite3_errmsg(db_), sql.substr(0, 200)));
    // Statements on temporary tables are not cached: the table goes away.
    if (key.find("stage_") == std::string::npos) {
      cache_.emplace(std::move(key), s);
    } else {
      if (tidy)
        std::erase_if(temp_, [](sqlite3_stmt* t) {
          return !sqlite3_stmt_busy(t) && sqlite3_finalize(t) >= 0;
        });
      temp_.push_back(s);
    }
    return s;
  }

  void bind(sqlite3_stmt* s, const std::vector<Value>& params) {
    sqlite3_clear_bindings(s);
    bind_at(s, params, 0);
  }

  // Binds params to ?offset+1 … (the value must outlive the step).
  void bind_at(sqlite3_stmt* s, const std::vector<Value>& params, int offset) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = offset + static_cast<int>(i + 1);
      const Value& v = params[i];
      if (std::holds_alternative<int64_t>(v))
        sqlite3_bind_int64(s, idx, std::get<int64_t>(v));
      else if (std::holds_alternative<std::string>(v)) {
        const auto& t = std::get<std::string>(v);
        sqlite3_bind_text(s, idx, t.data(), static_cast<int>(t.size()),
                          SQLITE_STATIC);  // the value outlives the step
      } else
        sqlite3_bind_null(s, idx);
    }
  }

  void step_one(sqlite3_stmt* s, const std::vector<Value>& row, std::string_view sql) {
    bind(s, row);
    if (sqlite3_step(s) != SQLITE_DONE) fail(s, sql);
    sqlite3_reset(s);
  }

  [[noreturn]] void fail(sqlite3_stmt* s, std::string_view sql) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(s);
    throw DbError(fmt::format("{} (in: {})", msg, sql.substr(0, 200)));
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::vector<sqlite3_stmt*> temp_;
};

}  // namespace

std::unique_ptr<Db> open_sqlite(const std::string& path) {
  return std::make_unique<SqliteDb>(path);
}

}  // namespace sanad::store
