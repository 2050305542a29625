#include "core/app/school_checks.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "core/app/sentences.hpp"
#include "kernel/text.hpp"

namespace sanad::app {
namespace {

// clang-format off
constexpr std::array kSentences = {
  Sentence{"say what is wrong: a flag needs a note", "بيّن الخطأ: الإشعار يحتاج إلى ملاحظة",
           "dites ce qui ne va pas : un signalement demande une note"},
  Sentence{"{} school(s) flagged errors: {}; correct the registry and recompute",
           "{} مؤسسة أشعرت بأخطاء: {}؛ صحّح السجل وأعد الحساب",
           "{} établissement(s) ont signalé des erreurs : {} ; corrigez le registre et recalculez"},
  Sentence{"{} of {} schools have not confirmed their list yet",
           "{} من أصل {} مؤسسة لم تؤكد لائحتها بعد",
           "{} établissements sur {} n'ont pas encore confirmé leur liste"},
};
// clang-format on

}  // namespace

bool school_check_sentences_complete() {
  return translations_complete(kSentences);
}

SchoolChecks::SchoolChecks(store::Store& st, std::string program, std::string subject, int64_t id)
    : st_(st),
      table_(st.db()),
      program_(std::move(program)),
      subject_(std::move(subject)),
      id_(id) {}

void SchoolChecks::answer(const SchoolPart& school, bool confirmed, const std::string& note,
                          const Actor& who) {
  const std::string said = trim(note);
  if (!confirmed && said.empty()) refuse_from(kSentences, "say what is wrong: a flag needs a note");
  table_.put(subject_, id_,
             {school.id, school.code, confirmed ? "confirmed" : "flagged", said, who.name,
              store::now_iso()});
  st_.audit({who.name, who.origin,
             program_ + (confirmed ? " school confirmed" : " school flagged errors"),
             fmt::format("{} {}", subject_, id_),
             nlohmann::json{{"school", school.code}, {"note", said}}.dump()});
}

std::vector<store::SchoolCheckRow> SchoolChecks::answers() {
  return table_.of(subject_, id_);
}

void SchoolChecks::clear() {
  table_.clear(subject_, id_);
}

void SchoolChecks::require_confirmed(const std::vector<SchoolPart>& taking_part) {
  std::map<int64_t, store::SchoolCheckRow> checks;
  for (auto& k : answers()) checks.emplace(k.school_id, std::move(k));
  std::vector<std::string> flagged;
  int64_t missing = 0;
  for (const auto& school : taking_part) {
    auto k = checks.find(school.id);
    if (k == checks.end())
      ++missing;
    else if (k->second.state == "flagged")
      flagged.push_back(fmt::format("{} ({})", k->second.school_code, k->second.note));
  }
  if (!flagged.empty())
    refuse_from(kSentences, "{} school(s) flagged errors: {}; correct the registry and recompute",
                {std::to_string(flagged.size()), fmt::format("{}", fmt::join(flagged, "; "))});
  if (missing)
    refuse_from(kSentences, "{} of {} schools have not confirmed their list yet",
                {std::to_string(missing), std::to_string(taking_part.size())});
}

}  // namespace sanad::app
