// Appeals against what a program decided about a person — a Tayssir line today, a grant refused
// or a kit not given tomorrow: filed with grounds on a record of the program, one open at a time
// per person and record, decided upheld or rejected with a note, each step in the audit log. The
// life of an appeal is one workflow (open → upheld | rejected) whose states the program's table
// admits (a test keeps them equal). What upholding does (months paid, a place given) is the
// program's: it keeps its appeals in its own table, beside that consequence, and calls these
// steps in its transaction. Refusals throw app::Refusal in three languages.
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/app/actor.hpp"
#include "core/app/workflow.hpp"
#include "core/store/store.hpp"

namespace sanad::app {

class Appeals {
 public:
  // `program` words the audit entries ("tayssir" → "tayssir appeal filed"); `subject` names the
  // record appealed against ("tayssir cycle"), which with its id is the entries' subject.
  Appeals(store::Store& st, std::string program, std::string subject);

  static const Workflow& workflow();

  // The grounds as they are kept (trimmed): refused when empty or over 4,000 characters.
  std::string grounds(const std::string& said) const;
  // Refuses while the person has an appeal open on the record (`open`: its number).
  void none_open(std::optional<int64_t> open) const;
  // The filing in the audit log: the appeal's number, the pupil (code Massar), the grounds.
  void filed(int64_t subject_id, int64_t appeal, const std::string& pupil,
             const std::string& grounds, const Actor& who);

  struct Decision {
    int64_t appeal = 0;
    std::string state, note;  // "upheld" or "rejected"; the note trimmed
  };
  // A decision on appeal `appeal`, now in `state`: refused without a note, or when it is no
  // longer open.
  Decision decide(int64_t appeal, const std::string& state, bool upheld,
                  const std::string& note) const;
  // The decision in the audit log, with what the program made of it (`detail`: the pupil, the
  // months, the amount…; the appeal's number and the note are added).
  void decided(int64_t subject_id, const Decision& d, nlohmann::json detail, const Actor& who);

 private:
  store::Store& st_;
  std::string program_, subject_;
};

// Refuses "no appeal #N" (a program looking an appeal up and finding none).
[[noreturn]] void refuse_no_appeal(int64_t appeal);
// Whether every sentence the appeals say is translated (a unit test keeps it so).
bool appeal_sentences_complete();

}  // namespace sanad::app
