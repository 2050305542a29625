// The core's persistence: one class over the Db interface, whose two implementations are SQLite
// and PostgreSQL — the migrations, the territory down to its schools, accounts and sessions, the
// audit log. Each part keeps its own tables in a store of its own over the same Db (the
// registry's pupils: registry/store/registry_store.hpp). A store reads and writes records; it
// decides nothing about them (validation and rules live in domain/ and app/).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store/db.hpp"
#include "kernel/ids.hpp"
#include "kernel/records.hpp"

namespace sanad::store {

// A record already there that a write changed: which, and its fields before and after.
struct RecordChange {
  std::string kind;    // pupil, enrolment, membership, absence, school, household
  std::string record;  // the record's natural key: code Massar, GRESA code, payee CIN
  std::string part;    // within it: "YEAR SCHOOL" of an enrolment, the day of an absence
  std::string fields;  // JSON: {"column": [before, after], …}
};

struct MergeCounts {
  int64_t inserted = 0, updated = 0, unchanged = 0;
  int64_t deleted = 0;  // rows a file replacing a period no longer lists
  int64_t total() const { return inserted + updated + unchanged; }
  std::vector<RecordChange> changes;  // one per updated row of the registry's lists
};

struct AuditEntry {
  std::string actor, origin, action, subject, detail;
};

struct AuditRecord {
  int64_t id = 0;
  std::string at, actor, origin, action, subject, detail;
};

// The result of checking the audit log's hash chain.
struct AuditCheck {
  int64_t entries = 0;
  std::optional<int64_t> broken_at;  // the first entry whose hash does not follow
  std::string reason;
};

struct UserRow {
  int64_t id = 0;
  std::string login, full_name, role, scope_code, password_hash;
  bool disabled = false;
  std::string created_at, updated_at;
};

struct SessionRow {
  std::string token_hash;
  int64_t user_id = 0;
  std::string csrf, origin, created_at, expires_at;
};

class Store {
 public:
  explicit Store(std::unique_ptr<Db> db);
  static Store open(const std::string& url) { return Store(open_db(url)); }

  Db& db() { return *db_; }
  Dialect dialect() const { return db_->dialect(); }

  // Migrations, compiled into the program, applied in this order:
  //  - the history, numbered per dialect (core/store/migrations/{sqlite,postgres}/NNN_name.sql),
  //    recorded by their file name: every change up to the parts' own migrations;
  //  - then each part's own (src/PART/migrations/NNN_name.sql for both dialects, or
  //    NNN_name.sqlite.sql and NNN_name.postgres.sql where they differ), one number for both
  //    dialects, recorded as "PART/NNN_name" (core, registry, stats, modules/NAME …): the core's
  //    first, then the registry's, the statistics', and the modules' by name.
  std::vector<std::string> pending_migrations();
  // Applies what is pending (when `through` is given, e.g. "013", only the history up to that
  // number: an upgrade is tested from an earlier schema); returns what was applied.
  std::vector<std::string> migrate(std::string_view through = {});
  bool initialized();  // all migrations applied

  // Territory. Regions, provinces and communes are reference data, replaced on load; a
  // directorate and a commune's directorate, once set, are the academy's to edit and are kept.
  MergeCounts put_regions(const std::vector<Region>& rows);
  MergeCounts put_provinces(const std::vector<Province>& rows);
  MergeCounts put_directorates(const std::vector<Directorate>& rows);
  MergeCounts put_communes(const std::vector<Commune>& rows);
  std::vector<Region> regions();
  std::vector<Province> provinces();
  std::vector<Directorate> directorates(const Scope& scope);
  std::vector<Commune> communes(const Scope& scope);
  bool scope_exists(const Scope& scope);

  // Schools (the leaves of the territory, every account's scope is one of its nodes) and the
  // school years: upserts by natural key that count what was inserted, updated and left as it was.
  MergeCounts put_schools(const std::vector<School>& rows);
  std::vector<School> schools(const Scope& scope);
  void ensure_school_years(const std::vector<std::string>& codes);
  std::vector<std::string> school_years();  // codes, oldest first

  int64_t count(const std::string& table);
  // The nodes from the nation down to this one (nation, region, directorate, commune, school),
  // or nothing when the node does not exist.
  std::optional<std::vector<Scope>> ancestry(const Scope& node);

  // Accounts and sessions.
  std::optional<UserRow> user_by_login(const std::string& login);
  std::optional<UserRow> user_by_id(int64_t id);
  std::vector<UserRow> users();
  int64_t insert_user(const UserRow& u);
  void update_user(const UserRow& u);
  void put_session(const SessionRow& s);
  std::optional<SessionRow> session(const std::string& token_hash);
  void delete_session(const std::string& token_hash);
  void delete_sessions_of(int64_t user_id);
  void delete_expired_sessions(const std::string& now);
  void add_login_failure(const std::string& login, const std::string& origin,
                         const std::string& network, const std::string& at);
  int64_t login_failures_since(const std::string& login, const std::string& since);
  int64_t login_failures_from(const std::string& origin, const std::string& since);
  int64_t login_failures_from_network(const std::string& network, const std::string& since);
  void clear_login_failures(const std::string& login);

  // The audit log: append-only, each entry's hash covers the previous entry's hash and its own
  // fields, so an altered or deleted entry breaks the chain.
  // With `changes`, what the audited write changed: kept beside the entry (the history of each
  // record) and covered by it (their count and SHA-256 are added to its detail).
  void audit(const AuditEntry& e, const std::vector<RecordChange>& changes = {});
  // The changes of a record, newest first, with the audit entry of each.
  std::vector<std::pair<AuditRecord, RecordChange>> record_history(
      const std::vector<std::string>& kinds, const std::string& record, int64_t limit);
  // "id:hash" of the newest audit entry ("0:" when none): it moves with every audited change.
  // Inside a RequestView it is read once and kept (until this store writes an audit entry).
  std::string audit_head();
  // The newest entry ("id:hash", "0:" when none) among those whose action is none of `actions`
  // and whose action and subject begin with none of `prefixes`.
  std::string audit_head_ignoring(const std::vector<std::string>& actions,
                                  const std::vector<std::string>& prefixes);
  // One request's view of the audit head: the caches that compare it (sessions, scopes, school
  // indexes) ask it several times a request, the database once.
  class RequestView {
   public:
    explicit RequestView(Store& st) : st_(st) { st_.head_memo_on_ = true; }
    ~RequestView() {
      st_.head_memo_on_ = false;
      st_.head_memo_.reset();
    }
    RequestView(const RequestView&) = delete;
    RequestView& operator=(const RequestView&) = delete;

   private:
    Store& st_;
  };
  // With an anchor (an earlier audit_head(), "id:hash", kept outside the database), the entry it
  // names must still be there with that hash: the chain alone cannot tell that its last entries
  // were deleted, nor that the whole log was rewritten with new hashes.
  AuditCheck verify_audit(const std::string& anchor = "");
  std::vector<AuditRecord> audit_of(const std::string& subject, int64_t limit);
  // The latest entries, newest first, optionally only those whose subject starts with a prefix.
  std::vector<AuditRecord> audit_latest(const std::string& subject_prefix, int64_t limit);

 private:
  void seal_audit();  // hashes the entries written before the chain existed
  std::unique_ptr<Db> db_;
  bool head_memo_on_ = false;
  std::optional<std::string> head_memo_;
};

std::string now_iso();                         // UTC, seconds: 2026-11-23T10:15:00Z
std::string sha256_hex(const std::string& s);  // lower-case hex

}  // namespace sanad::store
