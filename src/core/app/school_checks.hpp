// Schools confirming or flagging their part of what a program prepared for them before it moves
// on — a Tayssir cycle's lists today, a kits forecast or a grants ranking tomorrow: one answer per
// school and record, the latest kept, each in the audit log; the record moves on only when every
// school taking part has confirmed and none has flagged an error. The program says which schools
// take part and when answers are taken (its record's state); this class keeps the answers and the
// rule. Calls run in the caller's transaction; refusals throw app::Refusal in three languages.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/app/actor.hpp"
#include "core/store/school_checks.hpp"
#include "core/store/store.hpp"

namespace sanad::app {

struct SchoolPart {
  int64_t id = 0;
  std::string code;
};

class SchoolChecks {
 public:
  // `program` words the audit entries ("tayssir" → "tayssir school confirmed"); `subject` names
  // the record's kind ("tayssir cycle"), which with `id` is the entries' subject.
  SchoolChecks(store::Store& st, std::string program, std::string subject, int64_t id);

  // The school's answer: confirmed, or flagged with a note saying what is wrong (refused
  // without one). The school is one of those taking part (the program checked it).
  void answer(const SchoolPart& school, bool confirmed, const std::string& note, const Actor& who);
  // Every answer, by school code.
  std::vector<store::SchoolCheckRow> answers();
  // Forgets every answer (the record was made again: the schools check it anew).
  void clear();
  // Refuses, naming them, while a school taking part flagged an error, then while one has not
  // answered.
  void require_confirmed(const std::vector<SchoolPart>& taking_part);

 private:
  store::Store& st_;
  store::SchoolChecksTable table_;
  std::string program_, subject_;
  int64_t id_;
};

// Whether every sentence the checks say is translated (a unit test keeps it so).
bool school_check_sentences_complete();

}  // namespace sanad::app
