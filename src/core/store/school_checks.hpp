// The school_checks table: each school's answer (confirmed or flagged, with a note) on a
// program's record (`subject` names the kind, "tayssir cycle"; `subject_id` the record). Reads
// and writes rows in the caller's transaction; decides nothing (core/app/school_checks.hpp does).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/store/db.hpp"

namespace sanad::store {

struct SchoolCheckRow {
  int64_t school_id = 0;
  std::string school_code, state, note, checked_by, checked_at;
};

class SchoolChecksTable {
 public:
  explicit SchoolChecksTable(Db& db) : db_(db) {}
  // Replaces the school's answer on the record.
  void put(const std::string& subject, int64_t subject_id, const SchoolCheckRow& c);
  // Every answer on the record, by school code.
  std::vector<SchoolCheckRow> of(const std::string& subject, int64_t subject_id);
  void clear(const std::string& subject, int64_t subject_id);

 private:
  Db& db_;
};

}  // namespace sanad::store
