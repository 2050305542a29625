// What is wrong with a Tayssir policy, in Arabic and French (the web app), beside the engine's
// English: each problem's English template with its translations. A template missing here shows
// in English everywhere; a unit test checks that every template the engine uses is here.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "app/import.hpp"
#include "app/tayssir.hpp"

namespace sanad::app {
namespace {

struct Sentence {
  std::string_view en, ar, fr;
};

// clang-format off
constexpr std::array kSentences = {
  Sentence{"the policy needs a code of 1 to 64 characters",
           "تحتاج السياسة إلى رمز من 1 إلى 64 حرفا",
           "la politique doit avoir un code de 1 à 64 caractères"},
  Sentence{"the code \"{}\" may hold only letters, digits, '-', '_' and '.'",
           "الرمز «{}» لا يقبل إلا الحروف والأرقام و'-' و'_' و'.'",
           "le code « {} » ne peut contenir que des lettres, des chiffres, '-', '_' et '.'"},
  Sentence{"school year \"{}\" is not written like 2025-2026",
           "السنة الدراسية «{}» لا تُكتب على شكل 2025-2026",
           "l'année scolaire « {} » ne s'écrit pas comme 2025-2026"},
  Sentence{"the program has no name",
           "البرنامج بدون اسم",
           "le programme n'a pas de nom"},
  Sentence{"month \"{}\" is not written like 2025-09",
           "الشهر «{}» لا يُكتب على شكل 2025-09",
           "le mois « {} » ne s'écrit pas comme 2025-09"},
  Sentence{"month {} is outside the school year {}",
           "الشهر {} خارج السنة الدراسية {}",
           "le mois {} est hors de l'année scolaire {}"},
  Sentence{"months must be listed once each, in order ({} after {})",
           "يجب ذكر كل شهر مرة واحدة وبالترتيب ({} بعد {})",
           "les mois se listent une fois chacun, dans l'ordre ({} après {})"},
  Sentence{"the policy covers no month",
           "السياسة لا تشمل أي شهر",
           "la politique ne couvre aucun mois"},
  Sentence{"unknown level \"{}\" (levels: {})",
           "مستوى غير معروف «{}» (المستويات: {})",
           "niveau inconnu « {} » (niveaux : {})"},
  Sentence{"the amount for {} is negative",
           "المبلغ الخاص بـ {} سالب",
           "le montant de {} est négatif"},
  Sentence{"the policy covers no level",
           "السياسة لا تشمل أي مستوى",
           "la politique ne couvre aucun niveau"},
  Sentence{"no absence threshold for the cycle {}",
           "لا توجد عتبة غياب للسلك {}",
           "pas de seuil d'absence pour le cycle {}"},
  Sentence{"unknown cycle \"{}\" in the absence thresholds",
           "سلك غير معروف «{}» في عتبات الغياب",
           "cycle inconnu « {} » dans les seuils d'absence"},
  Sentence{"the absence threshold of {} must be 0 to 31 days",
           "يجب أن تكون عتبة الغياب في {} بين 0 و31 يوما",
           "le seuil d'absence de {} doit être de 0 à 31 jours"},
  Sentence{"the household cap must be 0 (none) to 20 children",
           "يجب أن يكون سقف الأسرة بين 0 (بدون سقف) و20 طفلا",
           "le plafond par ménage doit être de 0 (aucun) à 20 enfants"},
  Sentence{"unknown cycle \"{}\" in a targeting rule",
           "سلك غير معروف «{}» في قاعدة استهداف",
           "cycle inconnu « {} » dans une règle de ciblage"},
  Sentence{"unknown milieu \"{}\" in a targeting rule",
           "وسط غير معروف «{}» في قاعدة استهداف",
           "milieu inconnu « {} » dans une règle de ciblage"},
  Sentence{"\"{}\" is not a commune code",
           "«{}» ليس رمز جماعة",
           "« {} » n'est pas un code de commune"},
  Sentence{"the threshold of {} is not a number",
           "عتبة {} ليست عددا",
           "le seuil de {} n'est pas un nombre"},
  Sentence{"levels of the cycle {} are covered but no rule targets a commune for it",
           "مستويات السلك {} مشمولة لكن لا توجد قاعدة تستهدف جماعات له",
           "des niveaux du cycle {} sont couverts mais aucune règle ne cible de commune pour lui"},
  Sentence{"a transfer period needs a short code",
           "تحتاج فترة التحويل إلى رمز قصير",
           "une période de transfert doit avoir un code court"},
  Sentence{"the transfer period {} is defined twice",
           "فترة التحويل {} معرفة مرتين",
           "la période de transfert {} est définie deux fois"},
  Sentence{"the transfer period {} pays no month",
           "فترة التحويل {} لا تؤدي أي شهر",
           "la période de transfert {} ne paie aucun mois"},
  Sentence{"the transfer period {} pays {}, a month the policy does not cover",
           "فترة التحويل {} تؤدي {}، وهو شهر لا تشمله السياسة",
           "la période de transfert {} paie {}, un mois que la politique ne couvre pas"},
  Sentence{"the transfer periods {} and {} overlap on {}",
           "فترتا التحويل {} و{} تتداخلان في {}",
           "les périodes de transfert {} et {} se chevauchent sur {}"},
  Sentence{"the policy has no transfer period",
           "السياسة بدون فترة تحويل",
           "la politique n'a aucune période de transfert"},
};
// clang-format on

// What is wrong with a field of a policy's JSON.
// clang-format off
constexpr std::array kFieldWhy = {
  Sentence{"must be an object", "يجب أن يكون كائنا (object)", "doit être un objet"},
  Sentence{"is missing", "غير موجود", "est absent"},
  Sentence{"must be text", "يجب أن يكون نصا", "doit être un texte"},
  Sentence{"must be true or false", "يجب أن يكون true أو false", "doit être true ou false"},
  Sentence{"must be a whole number", "يجب أن يكون عددا صحيحا", "doit être un nombre entier"},
  Sentence{"must be a list", "يجب أن يكون لائحة", "doit être une liste"},
  Sentence{"is not a field of a policy", "ليس حقلا من حقول السياسة", "n'est pas un champ d'une politique"},
  Sentence{"must be a number", "يجب أن يكون عددا", "doit être un nombre"},
  Sentence{"must map levels to centimes", "يجب أن يربط المستويات بالسنتيمات", "doit associer des niveaux à des centimes"},
  Sentence{"must be a whole number of centimes", "يجب أن يكون عددا صحيحا من السنتيمات", "doit être un nombre entier de centimes"},
  Sentence{"must map cycles to days", "يجب أن يربط الأسلاك بالأيام", "doit associer des cycles à des jours"},
  Sentence{"must be a whole number of days", "يجب أن يكون عددا صحيحا من الأيام", "doit être un nombre entier de jours"},
  Sentence{"must be 0 to 31", "يجب أن يكون بين 0 و31", "doit être de 0 à 31"},
  Sentence{"must be 0 (no cap) to 20", "يجب أن يكون بين 0 (بدون سقف) و20", "doit être de 0 (sans plafond) à 20"},
  Sentence{"must be largest_amount, youngest or oldest",
           "يجب أن يكون largest_amount أو youngest أو oldest",
           "doit être largest_amount, youngest ou oldest"},
};
// clang-format on

}  // namespace

std::string render_field_problem(std::string_view path, std::string_view why, Lang lang) {
  for (const auto& s : kFieldWhy)
    if (s.en == why)
      return fill_reason(lang == Lang::ar ? "السياسة: الحقل {} {}" : "politique : le champ {} {}",
                         {std::string(path), std::string(lang == Lang::ar ? s.ar : s.fr)});
  return fmt::format("policy: {} {}", path, why);
}

bool policy_problem_listed(std::string_view templ) {
  for (const auto& s : kSentences)
    if (s.en == templ) return true;
  return false;
}

std::string render_problem(const tayssir::Problem& p, Lang lang) {
  for (const auto& s : kSentences)
    if (s.en == p.templ) return fill_reason(lang == Lang::ar ? s.ar : s.fr, p.args);
  return p.message;
}

}  // namespace sanad::app
