// Import requests: rows of an import that named a record of another scope (app/import_scope.hpp),
// kept for that scope to decide.
//  - A transfer: the pupil is enrolled this school year in another school. An account of that
//    school's scope accepts — his enrolment there is marked transferred to the asking school
//    from a date (default today, within the year), and the asking school's enrolment is written
//    as its row gave it; his identity stays as recorded — or refuses, with a note.
//  - A household link: the pupil is to be linked to a payee whose children attend other schools.
//    An account of one of those schools' scope accepts (the link is written; the payee's name,
//    phone and RAMED stay as recorded) or refuses.
// Deciding needs the import right and a scope holding one of the request's holders; following
// one's own requests needs the import right and a scope holding the asking school. The asking
// side never learns which school holds the pupil, nor anything of the household but what its
// own row said. Each decision is one transaction and one audit entry (with what it changed).
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/app/access.hpp"
#include "core/app/refusal.hpp"
#include "core/store/store.hpp"
#include "kernel/records.hpp"
#include "kernel/vocab.hpp"
#include "registry/store/requests.hpp"

namespace sanad::app {

// The rows a request keeps, as JSON (its payload).
nlohmann::json pupil_json(const Pupil& p);
nlohmann::json enrolment_json(const Enrolment& e);
nlohmann::json household_json(const Household& h);
nlohmann::json membership_json(const Membership& m);

enum class RequestBox { incoming, outgoing };

struct RequestView {
  int64_t id = 0;
  std::string kind, state;  // transfer | household_link; pending | accepted | refused
  std::string massar, school_year;
  std::string asking_school, asking_school_ar, asking_school_fr;
  Pupil pupil;          // incoming: as recorded; outgoing: as the row gave it
  Enrolment asked;      // a transfer: the enrolment asked for
  Household household;  // a link: the payee as the row gave it
  std::string relation;
  std::string requested_by, requested_at, file;
  int64_t file_row = 0;
  std::string decided_by, decided_at, note;
  bool may_decide = false;  // pending, and the principal holds one of its holders
};

// The requests a principal receives (incoming) or sent (outgoing), newest first, in `state`
// (empty: every state). Nothing when the role has no import right.
std::optional<std::vector<RequestView>> list_requests(store::Store& st, const Principal& p,
                                                      RequestBox box, const std::string& state,
                                                      int64_t limit = 200);
// Pending requests received and sent, for a badge.
std::pair<int64_t, int64_t> pending_requests(store::Store& st, const Principal& p);

struct RequestDecision {
  bool accept = false;
  std::string note;       // required to refuse
  std::string left_date;  // a transfer: when he left the holding school (ISO; default today, or
                          // the year's last day when the year is over)
  std::string today;      // ISO; empty: the system's date
};
// Decides a request. Nothing when it does not exist or the principal may not decide it (the same
// answer for both); a Refusal when it is no longer pending, a refusal has no note, the date is
// not within the year, or the pupil is no longer enrolled in a school of the principal's scope.
std::optional<RequestView> decide_request(store::Store& st, const Principal& p, int64_t id,
                                          const RequestDecision& d, const std::string& origin);

std::string render_request_refusal(std::string_view templ, const std::vector<std::string>& values,
                                   Lang lang);
bool request_sentences_complete();

}  // namespace sanad::app
