// One SQL connection, SQLite or PostgreSQL. SQL is written once with $1, $2 … placeholders (the
// SQLite side rewrites them); the dialects differ only in migrations, in a few DDL words and in
// the bulk path (prepared INSERT in SQLite, COPY in PostgreSQL).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sanad::store {

enum class Dialect { sqlite, postgres };

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A parameter or a cell: NULL, an integer or text.
using Value = std::variant<std::monostate, int64_t, std::string>;
inline Value null_if_empty(const std::string& s) {
  return s.empty() ? Value{} : Value{s};
}

class ResultRow {
 public:
  virtual ~ResultRow() = default;
  virtual bool is_null(int col) const = 0;
  virtual std::string text(int col) const = 0;  // "" for NULL
  // The same without a copy, valid until the next row.
  virtual std::string_view view(int col) const = 0;
  virtual int64_t i64(int col) const = 0;  // 0 for NULL
};
using RowFn = std::function<void(const ResultRow&)>;

class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;
  virtual void exec_script(std::string_view sql) = 0;  // several statements, no parameters
  virtual int64_t execute(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  virtual void query(std::string_view sql, const std::vector<Value>& params, const RowFn& fn) = 0;
  // The same for a result of millions of rows: on PostgreSQL the rows are handed over as they
  // arrive instead of the whole result first being held in memory (gigabytes for the nation).
  virtual void query_large(std::string_view sql, const std::vector<Value>& params,
                           const RowFn& fn) {
    query(sql, params, fn);
  }
  // Appends rows to a table as fast as the backend can (COPY on PostgreSQL). `next_row` may be
  // called on another thread than the caller's (one call at a time, in order): it makes values
  // and does not use the database.
  virtual void bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           const std::function<bool(std::vector<Value>&)>& next_row) = 0;
  virtual void begin() = 0;
  // Begins a transaction that reads the database as it stood when it began, whatever others
  // write meanwhile (PostgreSQL: repeatable read; SQLite: a deferred transaction, one snapshot of
  // the WAL, taking no write lock). Temporary tables may be written in it.
  virtual void begin_read() = 0;
  // A second connection reading what this transaction reads (PostgreSQL: its snapshot exported
  // to a read-only transaction of the other), for reading two tables at once on two server
  // processes; nullptr when the backend has none or no transaction is open. Used by one thread
  // at a time; closed (its transaction rolled back) when destroyed.
  virtual std::unique_ptr<Db> reader_beside() { return nullptr; }
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual bool in_transaction() = 0;
  // Takes a lock that only one process holds at a time for `key` (advisory lock / write lock),
  // released at the end of the transaction.
  virtual void lock_job(int64_t key) = 0;

  std::optional<int64_t> scalar_i64(std::string_view sql, const std::vector<Value>& params = {});
  std::optional<std::string> scalar_text(std::string_view sql,
                                         const std::vector<Value>& params = {});
};

// Opens "sqlite:PATH", a plain file path, or "postgresql://…" / "postgres://…".
std::unique_ptr<Db> open_db(const std::string& url);
std::unique_ptr<Db> open_sqlite(const std::string& path);
std::unique_ptr<Db> open_postgres(const std::string& conninfo);
bool is_postgres_url(std::string_view url);

// Commits when asked, rolls back when it goes out of scope otherwise.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) { db_.begin(); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.rollback();
      } catch (...) {
      }
    }
  }
  void commit() {
    db_.commit();
    done_ = true;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Db& db_;
  bool done_ = false;
};

// Several statements reading one state of the database (a snapshot of the registry read table
// by table). Nothing when a transaction is already open: it is the caller's. Ends by a rollback:
// it keeps nothing.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db), own_(!db.in_transaction()) {
    if (own_) db_.begin_read();
  }
  ~ReadTransaction() {
    if (own_) {
      try {
        db_.rollback();
      } catch (...) {
      }
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Db& db_;
  bool own_;
};

}  // namespace sanad::store
