// What Tayssir says when it refuses, in Arabic and French (the web app) beside the English (the
// CLI): a policy's problems, a wrong field of its JSON, and the use cases' other refusals, each an
// English template with its translations; and why an adjustment line was made (the lists). A
// template missing here shows in English everywhere; unit tests check that every template the
// engine and the use cases use is here.
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/app/sentences.hpp"
#include "modules/tayssir/app/tayssir.hpp"

namespace sanad::app {
namespace {

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
  Sentence{"RAMED will be required in every commune: the policy exempts none (the communes covered "
           "up to 2017-18 can be imported from a file of their codes)",
           "ستُشترط بطاقة راميد في كل الجماعات: لا تعفي السياسة أي جماعة (يمكن استيراد الجماعات "
           "المشمولة إلى غاية 2017-2018 من ملف برموزها)",
           "la carte RAMED sera exigée dans toutes les communes : la politique n'en exempte aucune "
           "(les communes couvertes jusqu'en 2017-18 peuvent être importées d'un fichier de leurs codes)"},
  Sentence{"a condition of a targeting rule names no indicator",
           "شرط في قاعدة استهداف لا يذكر أي مؤشر",
           "une condition d'une règle de ciblage ne nomme aucun indicateur"},
  Sentence{"the absence threshold of {} must be 0 to 200 sessions",
           "يجب أن تكون عتبة الغياب في {} بين 0 و200 حصة",
           "le seuil d'absence de {} doit être de 0 à 200 séances"},
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
  Sentence{"must be day or session", "يجب أن يكون day (يوم) أو session (حصة)", "doit être day (jour) ou session (séance)"},
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

// The other refusals of Tayssir's use cases (states, rights, missing records).
// clang-format off
constexpr std::array kRefusals = {
  Sentence{"policy: not valid JSON ({})", "السياسة: ليست JSON صالحا ({})", "politique : JSON invalide ({})"},
  Sentence{"no policy {}", "لا توجد سياسة {}", "pas de politique {}"},
  Sentence{"{}: {}", "{}: {}", "{} : {}"},
  Sentence{"{}, row {}, column {}: \"{}\" is not the code of a commune of the territory",
           "{}، السطر {}، العمود {}: «{}» ليس رمز جماعة من التراب",
           "{}, ligne {}, colonne {} : « {} » n'est pas le code d'une commune du territoire"},
  Sentence{"{} lists no commune code", "{} لا يتضمن أي رمز جماعة", "{} ne contient aucun code de commune"},
  Sentence{"policy {} already exists", "السياسة {} موجودة من قبل", "la politique {} existe déjà"},
  Sentence{"\"{}\" is not a school year written like 2026-2027",
           "«{}» ليست سنة دراسية مكتوبة على شكل 2026-2027",
           "« {} » n'est pas une année scolaire écrite comme 2026-2027"},
  Sentence{"policy {} is frozen: a cycle computed with it has left the draft state; copy it to change the rules",
           "السياسة {} مجمدة: دورة حُسبت بها تجاوزت مرحلة المسودة؛ انسخها لتغيير القواعد",
           "la politique {} est figée : un cycle calculé avec elle a quitté l'état de brouillon ; copiez-la pour changer les règles"},
  Sentence{"a policy's school year cannot change; copy it for another year",
           "لا يمكن تغيير السنة الدراسية لسياسة؛ انسخها لسنة أخرى",
           "l'année scolaire d'une politique ne change pas ; copiez-la pour une autre année"},
  Sentence{"too many distinct levels in the registry", "عدد المستويات المختلفة في السجل كبير جدا",
           "trop de niveaux différents dans le registre"},
  Sentence{"policy {} has no transfer period {} (periods: {})",
           "السياسة {} ليس فيها فترة التحويل {} (الفترات: {})",
           "la politique {} n'a pas de période de transfert {} (périodes : {})"},
  Sentence{"no cycle {}", "لا توجد دورة {}", "pas de cycle {}"},
  Sentence{"a cycle is computed for a directorate, a region or the nation",
           "تُحسب الدورة لمديرية أو جهة أو على المستوى الوطني",
           "un cycle se calcule pour une direction, une région ou le pays"},
  Sentence{"no such territory: {}", "مجال ترابي غير موجود: {}", "territoire inconnu : {}"},
  Sentence{"cycle {} is {}: schools check a draft", "الدورة {} في حالة {}: المؤسسات تراجع المسودة فقط",
           "le cycle {} est {} : les établissements vérifient un brouillon"},
  Sentence{"school {} has no pupil in cycle {}", "المؤسسة {} ليس لها أي تلميذ في الدورة {}",
           "l'établissement {} n'a aucun élève dans le cycle {}"},
  Sentence{"a cycle is exported by writing its payment file (export-payments)",
           "تُصدَّر الدورة بكتابة ملف الأداء الخاص بها (export-payments)",
           "un cycle s'exporte en écrivant son fichier de paiement (export-payments)"},
  Sentence{"unknown state {} (checked, approved, closed, or draft to send a checked cycle back)",
           "حالة غير معروفة {} (checked أو approved أو closed، أو draft لإرجاع دورة مراجَعة)",
           "état inconnu {} (checked, approved, closed, ou draft pour renvoyer un cycle vérifié)"},
  Sentence{"cycle {} is {}; it must be {} to become {}", "الدورة {} في حالة {}؛ يجب أن تكون {} لتصبح {}",
           "le cycle {} est {} ; il doit être {} pour devenir {}"},
  Sentence{"a review is of a pupil or a payee", "المراجعة تخص تلميذا أو مستفيدا",
           "une revue porte sur un élève ou un allocataire"},
  Sentence{"the decision is same or distinct", "القرار إما same أو distinct",
           "la décision est same ou distinct"},
  Sentence{"a pair needs two different codes", "الزوج يحتاج إلى رمزين مختلفين",
           "une paire demande deux codes différents"},
  Sentence{"no pupil {}", "لا يوجد تلميذ {}", "pas d'élève {}"},
  Sentence{"no household with payee CIN {}", "لا توجد أسرة بمستفيد رقم بطاقته {}",
           "pas de ménage dont l'allocataire a la CIN {}"},
  Sentence{"cycle {} is a draft: the school flags the error and the cycle is recomputed",
           "الدورة {} مسودة: تُشعر المؤسسة بالخطأ ويُعاد حساب الدورة",
           "le cycle {} est un brouillon : l'établissement signale l'erreur et le cycle est recalculé"},
  Sentence{"pupil {} is not in cycle {}", "التلميذ {} ليس في الدورة {}", "l'élève {} n'est pas dans le cycle {}"},
  Sentence{"the level {} has no amount in policy {}: nothing to pay",
           "المستوى {} بدون مبلغ في السياسة {}: لا شيء للأداء",
           "le niveau {} n'a pas de montant dans la politique {} : rien à payer"},
  Sentence{"{} was already paid in cycle {}", "{} أُدي من قبل في الدورة {}", "{} a déjà été payé dans le cycle {}"},
  Sentence{"{} is not a month of period {} ({})", "{} ليس من أشهر الفترة {} ({})",
           "{} n'est pas un mois de la période {} ({})"},
  Sentence{"no month left to pay for this pupil in that period",
           "لم يبق أي شهر للأداء لهذا التلميذ في تلك الفترة",
           "plus aucun mois à payer pour cet élève dans cette période"},
  Sentence{"no school {}", "لا توجد مؤسسة {}", "pas d'établissement {}"},
  Sentence{"cycle {} was already exported for payment (file sha256 {}); a cycle is paid once",
           "الدورة {} صُدّرت للأداء من قبل (الملف sha256 {})؛ الدورة تؤدى مرة واحدة",
           "le cycle {} a déjà été exporté pour paiement (fichier sha256 {}) ; un cycle se paie une fois"},
  Sentence{"cycle {} is {}: only an approved cycle is exported",
           "الدورة {} في حالة {}: لا تُصدَّر إلا دورة مصادق عليها",
           "le cycle {} est {} : seul un cycle approuvé s'exporte"},
  Sentence{"cycle {} is {} now: it was exported by someone else (sha256 {}); a cycle is paid once",
           "الدورة {} أصبحت في حالة {}: صدّرها شخص آخر (sha256 {})؛ الدورة تؤدى مرة واحدة",
           "le cycle {} est maintenant {} : quelqu'un d'autre l'a exporté (sha256 {}) ; un cycle se paie une fois"},
  Sentence{"the two policies are of different school years ({} and {})",
           "السياستان من سنتين دراسيتين مختلفتين ({} و{})",
           "les deux politiques sont d'années scolaires différentes ({} et {})"},
  Sentence{"a what-if runs on a directorate, a region or the nation",
           "تُجرى المحاكاة على مديرية أو جهة أو على المستوى الوطني",
           "une simulation porte sur une direction, une région ou le pays"},
};
// Why an adjustment line was made (the values: periods, cycle ids, months as letters P/F/L/-,
// absence days, decisions said in the list's language, an appeal's note as written).
constexpr std::array kAdjustmentReasons = {
  Sentence{"appeal #{} upheld ({} {}): {}",
           "تظلم رقم {} مقبول ({} {}): {}",
           "recours n° {} accepté ({} {}) : {}"},
  Sentence{"{}: not in the paid cycle, now {} ({})",
           "{}: لم يكن في الدورة المؤداة، والآن {} ({})",
           "{} : absent du cycle payé, maintenant {} ({})"},
  Sentence{"{}: no longer in the registry of this directorate",
           "{}: لم يعد في سجل هذه المديرية",
           "{} : ne figure plus au registre de cette direction"},
  Sentence{"{}: back to the months paid ({}); the adjustments made since ({} MAD) no longer apply",
           "{}: عودة إلى الأشهر المؤداة ({})؛ التسويات التي تلتها ({} درهم) لم تعد سارية",
           "{} : retour aux mois payés ({}) ; les régularisations faites depuis ({} MAD) ne s'appliquent plus"},
  Sentence{"{}: decision {} → {}",
           "{}: القرار من {} إلى {}",
           "{} : décision {} → {}"},
  Sentence{"{}: months {} → {}, absence days {} → {}",
           "{}: الأشهر من {} إلى {}، أيام الغياب من {} إلى {}",
           "{} : mois {} → {}, jours d'absence {} → {}"},
  Sentence{"{} (cycle #{}): the household's net was {} MAD, nothing was paid; recovered here",
           "{} (الدورة رقم {}): كان صافي الأسرة {} درهم فلم يؤد لها شيء؛ يُسترجع هنا",
           "{} (cycle n° {}) : le solde du ménage était de {} MAD, rien ne lui a été payé ; récupéré ici"},
};
// What two records flagged for review have in common (tayssir::Suspect::why).
constexpr std::array kSuspectWhy = {
  Sentence{"same Arabic name and birth date, same household",
           "نفس الاسم بالعربية وتاريخ الازدياد، في نفس الأسرة",
           "même nom en arabe et même date de naissance, même ménage"},
  Sentence{"same Arabic name and birth date, other households",
           "نفس الاسم بالعربية وتاريخ الازدياد، في أسرتين مختلفتين",
           "même nom en arabe et même date de naissance, deux ménages"},
  Sentence{"same French name and birth date, same household",
           "نفس الاسم بالفرنسية وتاريخ الازدياد، في نفس الأسرة",
           "même nom en français et même date de naissance, même ménage"},
  Sentence{"same French name and birth date, other households",
           "نفس الاسم بالفرنسية وتاريخ الازدياد، في أسرتين مختلفتين",
           "même nom en français et même date de naissance, deux ménages"},
  Sentence{"same payee name, CIN one character apart, same commune",
           "نفس اسم المستفيد ورقم بطاقة يختلف بحرف واحد، في نفس الجماعة",
           "même nom d'allocataire, CIN à un caractère près, même commune"},
};
// clang-format on

}  // namespace

std::string render_suspect_why(std::string_view why, Lang lang) {
  return say(kSuspectWhy, why, {}, lang).value_or(std::string(why));
}

bool suspect_why_listed(std::string_view why) {
  return listed(kSuspectWhy, why);
}

std::string month_state_label(char c, bool ar) {
  switch (c) {
    case 'P':
      return ar ? "مستحق" : "payé";
    case 'F':
      return ar ? "ضائع (غياب)" : "perdu (absences)";
    case 'L':
      return ar ? "غادر" : "parti";
    case 'T':
      return ar ? "في مؤسسة أخرى (انتقال)" : "dans un autre établissement (transfert)";
  }
  return "";
}

AdjustmentReason adjustment_reason(std::string_view templ, const std::vector<std::string>& values,
                                   const std::vector<int>& decisions,
                                   const std::vector<int>& month_states) {
  nlohmann::json d = {{"template", templ}, {"values", values}};
  if (!decisions.empty()) d["decisions"] = decisions;
  if (!month_states.empty()) d["month_states"] = month_states;
  return {fill_template(templ, values), d.dump()};
}

std::string render_adjustment_reason(const store::AdjustmentRow& a, Lang lang) {
  auto d = nlohmann::json::parse(a.reason_detail, nullptr, false);
  if (!d.is_object() || !d.contains("template") || !d["template"].is_string() ||
      !d.contains("values") || !d["values"].is_array())
    return a.reason;
  std::vector<std::string> values;
  for (const auto& v : d["values"])
    values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  if (auto it = d.find("decisions"); it != d.end() && it->is_array())
    for (const auto& i : *it)
      if (i.is_number_integer() && i.get<int64_t>() >= 0 &&
          i.get<int64_t>() < static_cast<int64_t>(values.size())) {
        auto& v = values[static_cast<std::size_t>(i.get<int64_t>())];
        if (auto r = tayssir::parse_reason(v))
          v = std::string(tayssir::reason_label(*r, lang == Lang::ar));
      }
  // A period's months as letters (PPFL) said as words, in order: "payé, payé, perdu (absences),
  // parti"; a month not due ('-') says so.
  if (auto it = d.find("month_states"); it != d.end() && it->is_array())
    for (const auto& i : *it)
      if (i.is_number_integer() && i.get<int64_t>() >= 0 &&
          i.get<int64_t>() < static_cast<int64_t>(values.size())) {
        auto& v = values[static_cast<std::size_t>(i.get<int64_t>())];
        std::string words;
        for (char c : v) {
          std::string w = month_state_label(c, lang == Lang::ar);
          if (w.empty())
            w = c == '-' ? (lang == Lang::ar ? "غير مستحق" : "non dû") : std::string(1, c);
          words += (words.empty() ? "" : lang == Lang::ar ? "، " : ", ") + w;
        }
        v = words;
      }
  return say(kAdjustmentReasons, d["template"].get<std::string>(), values, lang).value_or(a.reason);
}

bool adjustment_reason_listed(std::string_view templ) {
  return listed(kAdjustmentReasons, templ);
}

bool refusal_listed(std::string_view templ) {
  return listed(kRefusals, templ);
}

std::string render_refusal(std::string_view templ, const std::vector<std::string>& values,
                           Lang lang, const std::string& english) {
  return say(kRefusals, templ, values, lang).value_or(english);
}

bool translations_complete() {
  return app::translations_complete(kSentences) && app::translations_complete(kFieldWhy) &&
         app::translations_complete(kRefusals) && app::translations_complete(kAdjustmentReasons);
}

std::string render_field_problem(std::string_view path, std::string_view why, Lang lang) {
  if (auto said = say(kFieldWhy, why, {}, lang))
    return fill_template(lang == Lang::ar ? "السياسة: الحقل {} {}" : "politique : le champ {} {}",
                         {std::string(path), *said});
  return fmt::format("policy: {} {}", path, why);
}

bool policy_problem_listed(std::string_view templ) {
  return listed(kSentences, templ);
}

std::string render_problem(const tayssir::Problem& p, Lang lang) {
  return say(kSentences, p.templ, p.args, lang).value_or(p.message);
}

}  // namespace sanad::app
