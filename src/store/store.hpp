// The registry's persistence: one class over the Db interface, whose two implementations are
// SQLite and PostgreSQL. It reads and writes records; it decides nothing about them (validation
// and rules live in domain/ and app/).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/ids.hpp"
#include "domain/registry.hpp"
#include "store/db.hpp"

namespace sanad::store {

struct MergeCounts {
  int64_t inserted = 0, updated = 0, unchanged = 0;
  int64_t total() const { return inserted + updated + unchanged; }
};

struct AuditEntry {
  std::string actor, origin, action, subject, detail;
};

class Store {
 public:
  explicit Store(std::unique_ptr<Db> db);
  static Store open(const std::string& url) { return Store(open_db(url)); }

  Db& db() { return *db_; }
  Dialect dialect() const { return db_->dialect(); }

  // Migrations: numbered SQL files per dialect, compiled into the program.
  std::vector<std::string> pending_migrations();
  std::vector<std::string> migrate();  // applies what is pending, returns their names
  bool initialized();                  // all migrations applied

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

  // Schools, pupils, enrolments, households, absences: upserts by natural key that count what
  // was inserted, updated and left as it was.
  MergeCounts put_schools(const std::vector<School>& rows);
  std::vector<School> schools(const Scope& scope);
  void ensure_school_years(const std::vector<std::string>& codes);
  MergeCounts put_pupils(const std::vector<Pupil>& rows);
  MergeCounts put_enrolments(const std::vector<Enrolment>& rows);
  // Pupils and their enrolments together (the enrolments find their pupils without a lookup).
  std::pair<MergeCounts, MergeCounts> put_roster(const std::vector<Pupil>& pupils,
                                                 const std::vector<Enrolment>& enrolments);
  MergeCounts put_households(const std::vector<Household>& rows);
  MergeCounts put_memberships(const std::vector<Membership>& rows);
  MergeCounts put_absences(const std::vector<Absence>& rows);

  // Which of these codes Massar have no pupil (order of the input, each once).
  std::vector<std::string> unknown_pupils(const std::vector<std::string>& massar);

  // Lists, in a stable order, filtered by scope.
  void each_enrolment(const Scope& scope, const std::string& year,
                      const std::function<void(const Pupil&, const Enrolment&)>& fn);
  void each_membership(const Scope& scope,
                       const std::function<void(const Household&, const Membership&)>& fn);
  void each_absence(const Scope& scope, const std::function<void(const Absence&)>& fn);

  int64_t count(const std::string& table);

  void audit(const AuditEntry& e);

 private:
  std::unique_ptr<Db> db_;
};

}  // namespace sanad::store
