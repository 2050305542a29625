#include "core/store/school_checks.hpp"

namespace sanad::store {

void SchoolChecksTable::put(const std::string& subject, int64_t subject_id,
                            const SchoolCheckRow& c) {
  db_.execute("DELETE FROM school_checks WHERE subject = $1 AND subject_id = $2 AND school_id = $3",
              {subject, subject_id, c.school_id});
  db_.execute(
      "INSERT INTO school_checks (subject, subject_id, school_id, state, note, checked_by, "
      "checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {subject, subject_id, c.school_id, c.state, c.note, c.checked_by, c.checked_at});
}

std::vector<SchoolCheckRow> SchoolChecksTable::of(const std::string& subject, int64_t subject_id) {
  std::vector<SchoolCheckRow> out;
  db_.query(
      "SELECT k.school_id, sc.code, k.state, k.note, k.checked_by, k.checked_at FROM "
      "school_checks k JOIN schools sc ON sc.id = k.school_id WHERE k.subject = $1 AND "
      "k.subject_id = $2 ORDER BY sc.code",
      {subject, subject_id}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)});
      });
  return out;
}

void SchoolChecksTable::clear(const std::string& subject, int64_t subject_id) {
  db_.execute("DELETE FROM school_checks WHERE subject = $1 AND subject_id = $2",
              {subject, subject_id});
}

}  // namespace sanad::store
