#include "core/app/appeals.hpp"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "core/app/sentences.hpp"
#include "kernel/text.hpp"

namespace sanad::app {
namespace {

// clang-format off
constexpr std::array kSentences = {
  Sentence{"an appeal needs its grounds", "التظلم يحتاج إلى أسبابه", "un recours doit dire ses motifs"},
  Sentence{"the grounds are limited to 4000 characters", "الأسباب محدودة في 4000 حرف",
           "les motifs sont limités à 4000 caractères"},
  Sentence{"appeal #{} on this person and record is still open",
           "التظلم رقم {} بخصوص هذا الشخص وهذا الملف ما زال مفتوحا",
           "le recours n° {} sur cette personne et ce dossier est encore ouvert"},
  Sentence{"say why: a decision needs a note", "بيّن السبب: القرار يحتاج إلى ملاحظة",
           "dites pourquoi : une décision demande une note"},
  Sentence{"no appeal #{}", "لا يوجد تظلم رقم {}", "pas de recours n° {}"},
  Sentence{"appeal #{} was already decided ({})", "التظلم رقم {} تم البت فيه من قبل ({})",
           "le recours n° {} a déjà été tranché ({})"},
};
// clang-format on

}  // namespace

bool appeal_sentences_complete() {
  return translations_complete(kSentences);
}

void refuse_no_appeal(int64_t appeal) {
  refuse_from(kSentences, "no appeal #{}", {std::to_string(appeal)});
}

Appeals::Appeals(store::Store& st, std::string program, std::string subject)
    : st_(st), program_(std::move(program)), subject_(std::move(subject)) {}

const Workflow& Appeals::workflow() {
  static const Workflow w{
      "appeal",
      {"open", "upheld", "rejected"},
      {{"upheld", {"open"}, "upheld", true}, {"rejected", {"open"}, "rejected", true}}};
  return w;
}

std::string Appeals::grounds(const std::string& said) const {
  std::string g = trim(said);
  if (g.empty()) refuse_from(kSentences, "an appeal needs its grounds");
  if (said.size() > 4000) refuse_from(kSentences, "the grounds are limited to 4000 characters");
  return g;
}

void Appeals::none_open(std::optional<int64_t> open) const {
  if (open)
    refuse_from(kSentences, "appeal #{} on this person and record is still open",
                {std::to_string(*open)});
}

void Appeals::filed(int64_t subject_id, int64_t appeal, const std::string& pupil,
                    const std::string& grounds, const Actor& who) {
  st_.audit({who.name, who.origin, program_ + " appeal filed",
             fmt::format("{} {}", subject_, subject_id),
             nlohmann::json{{"appeal", appeal}, {"pupil", pupil}, {"grounds", grounds}}.dump()});
}

Appeals::Decision Appeals::decide(int64_t appeal, const std::string& state, bool upheld,
                                  const std::string& note) const {
  Decision d{appeal, upheld ? "upheld" : "rejected", trim(note)};
  if (d.note.empty()) refuse_from(kSentences, "say why: a decision needs a note");
  if (!workflow().next(d.state, state))
    refuse_from(kSentences, "appeal #{} was already decided ({})", {std::to_string(appeal), state});
  return d;
}

void Appeals::decided(int64_t subject_id, const Decision& d, nlohmann::json detail,
                      const Actor& who) {
  nlohmann::json entry{{"appeal", d.appeal}};
  entry.update(detail);
  entry["note"] = d.note;
  st_.audit({who.name, who.origin, program_ + " appeal " + d.state,
             fmt::format("{} {}", subject_, subject_id), entry.dump()});
}

}  // namespace sanad::app
