// Persistence of import requests: rows of an import that named a record of another scope, kept
// for that scope to accept or refuse (app/requests.hpp decides who may, and what accepting
// writes). Reads and writes rows; decides nothing.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.hpp"
#include "kernel/ids.hpp"

namespace sanad::store {

struct ImportRequestRow {
  int64_t id = 0;
  std::string kind;         // transfer, household_link
  std::string massar;       // the pupil the row names
  std::string school_code;  // the school of the scope that asks
  std::string payee_cin;    // a link: the household asked for
  std::string school_year;  // a transfer: the year of the enrolment asked for
  std::string payload;      // JSON: the row as it would have been written
  std::string state = "pending";
  std::string requested_by, requested_at, origin, file;
  int64_t file_row = 0;
  std::string decided_by, decided_at, note;
  std::vector<std::string> holders;  // the schools whose scope decides
};

class RequestStore {
 public:
  explicit RequestStore(Store& st) : db_(st.db()) {}

  // Files these requests. One already pending for the same kind, pupil, asking school and
  // household is refreshed (its row, file and holders) rather than doubled. The caller holds the
  // transaction.
  MergeCounts put(const std::vector<ImportRequestRow>& rows);

  // A request, with its holders.
  std::optional<ImportRequestRow> get(int64_t id);
  // Requests newest first: `incoming` those one of whose holders lies in the scope, otherwise
  // those asked by a school of the scope; `state` empty for every state.
  std::vector<ImportRequestRow> list(const Scope& scope, bool incoming, const std::string& state,
                                     int64_t limit);
  // Counts of pending requests received and sent by the scope.
  std::pair<int64_t, int64_t> pending_counts(const Scope& scope);
  // Moves a pending request to `state`; false when it was no longer pending.
  bool decide(int64_t id, const std::string& state, const std::string& by, const std::string& at,
              const std::string& note);

 private:
  void read_holders(std::vector<ImportRequestRow>& rows);
  Db& db_;
};

}  // namespace sanad::store
