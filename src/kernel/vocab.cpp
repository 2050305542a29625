#include "kernel/vocab.hpp"

#include <algorithm>

#include "kernel/text.hpp"

namespace sanad {

std::optional<Lang> parse_lang(std::string_view s) {
  if (s == "ar") return Lang::ar;
  if (s == "fr") return Lang::fr;
  return std::nullopt;
}

static std::string key_of(std::string_view s) {
  std::string n = normalize_name(s);
  n.erase(std::remove(n.begin(), n.end(), ' '), n.end());
  return n;
}

Vocabulary::Vocabulary(std::string_view name, std::vector<Term> terms)
    : name_(name), terms_(std::move(terms)) {
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    const Term& t = terms_[i];
    keys_.emplace_back(key_of(t.code), i);
    keys_.emplace_back(key_of(t.ar), i);
    keys_.emplace_back(key_of(t.fr), i);
    for (auto a : t.aliases) keys_.emplace_back(key_of(a), i);
  }
}

std::optional<std::string_view> Vocabulary::parse(std::string_view text) const {
  std::string k = key_of(text);
  if (k.empty()) return std::nullopt;
  for (const auto& [key, i] : keys_)
    if (key == k) return terms_[i].code;
  return std::nullopt;
}

std::string_view Vocabulary::label(std::string_view code, Lang lang) const {
  for (const auto& t : terms_)
    if (t.code == code) return lang == Lang::ar ? t.ar : t.fr;
  return code;
}

bool Vocabulary::has(std::string_view code) const {
  return std::any_of(terms_.begin(), terms_.end(), [&](const Term& t) { return t.code == code; });
}

std::string Vocabulary::codes() const {
  std::string r;
  for (const auto& t : terms_) {
    if (!r.empty()) r += ", ";
    r += t.code;
  }
  return r;
}

const Vocabulary& levels() {
  static const Vocabulary v(
      "level",
      {
          {"PS", "التعليم الأولي", "PS", {"préscolaire", "prescolaire", "أولي", "الأولي"}},
          {"1AP",
           "الأول ابتدائي",
           "1AP",
           {"السنة الأولى ابتدائي", "1ere annee primaire", "1 AP", "CP"}},
          {"2AP", "الثاني ابتدائي", "2AP", {"السنة الثانية ابتدائي", "2eme annee primaire", "CE1"}},
          {"3AP", "الثالث ابتدائي", "3AP", {"السنة الثالثة ابتدائي", "3eme annee primaire", "CE2"}},
          {"4AP", "الرابع ابتدائي", "4AP", {"السنة الرابعة ابتدائي", "4eme annee primaire", "CM1"}},
          {"5AP", "الخامس ابتدائي", "5AP", {"السنة الخامسة ابتدائي", "5eme annee primaire", "CM2"}},
          {"6AP", "السادس ابتدائي", "6AP", {"السنة السادسة ابتدائي", "6eme annee primaire"}},
          {"1AC",
           "الأولى إعدادي",
           "1AC",
           {"السنة الأولى إعدادي", "الأولى ثانوي إعدادي", "1ere annee college"}},
          {"2AC",
           "الثانية إعدادي",
           "2AC",
           {"السنة الثانية إعدادي", "الثانية ثانوي إعدادي", "2eme annee college"}},
          {"3AC",
           "الثالثة إعدادي",
           "3AC",
           {"السنة الثالثة إعدادي", "الثالثة ثانوي إعدادي", "3eme annee college"}},
          {"TC", "الجذع المشترك", "TC", {"جذع مشترك", "tronc commun"}},
          {"1BAC", "الأولى باكالوريا", "1BAC", {"الأولى بكالوريا", "1ere annee bac", "1 BAC"}},
          {"2BAC", "الثانية باكالوريا", "2BAC", {"الثانية بكالوريا", "2eme annee bac", "2 BAC"}},
      });
  return v;
}

const Vocabulary& cycles() {
  static const Vocabulary v(
      "cycle", {
                   {"prescolaire", "أولي", "préscolaire", {"التعليم الأولي", "PS"}},
                   {"primaire",
                    "ابتدائي",
                    "primaire",
                    {"الابتدائي", "التعليم الابتدائي", "primary", "ecole"}},
                   {"college",
                    "إعدادي",
                    "collège",
                    {"الإعدادي", "ثانوي إعدادي", "الثانوي الإعدادي", "lower secondary"}},
                   {"lycee",
                    "تأهيلي",
                    "lycée",
                    {"التأهيلي", "ثانوي تأهيلي", "الثانوي التأهيلي", "upper secondary"}},
               });
  return v;
}

const Vocabulary& sexes() {
  static const Vocabulary v(
      "sex", {
                 {"M", "ذكر", "M", {"G", "H", "garçon", "masculin", "male", "homme", "ذ"}},
                 {"F", "أنثى", "F", {"fille", "féminin", "female", "femme", "انثي", "أ"}},
             });
  return v;
}

const Vocabulary& enrolment_statuses() {
  static const Vocabulary v(
      "status",
      {
          {"enrolled",
           "متمدرس",
           "inscrit",
           {"مسجل", "متمدرسة", "scolarisé", "scolarise", "enrolled"}},
          {"transferred", "منتقل", "transféré", {"انتقال", "منتقلة", "mutation", "transferred"}},
          {"left",
           "منقطع",
           "parti",
           {"انقطاع", "منقطعة", "مغادر", "غادر", "abandon", "quitté", "left", "dropped out"}},
          {"repeating", "مكرر", "redoublant", {"مكررة", "تكرار", "redoublante", "repeating"}},
      });
  return v;
}

const Vocabulary& relations() {
  static const Vocabulary v(
      "relation",
      {
          {"father", "الأب", "père", {"أب", "pere", "father"}},
          {"mother", "الأم", "mère", {"أم", "mere", "mother"}},
          {"guardian", "الولي", "tuteur", {"ولي", "ولي الأمر", "الوصي", "tutrice", "guardian"}},
      });
  return v;
}

const Vocabulary& milieus() {
  static const Vocabulary v("milieu", {
                                          {"urban", "حضري", "urbain", {"الحضري", "urbaine", "U"}},
                                          {"rural", "قروي", "rural", {"القروي", "rurale", "R"}},
                                      });
  return v;
}

const Vocabulary& sectors() {
  static const Vocabulary v("sector",
                            {
                                {"public", "عمومي", "public", {"عمومية", "العمومي", "publique"}},
                                {"private", "خصوصي", "privé", {"خصوصية", "الخصوصي", "privée"}},
                            });
  return v;
}

const Vocabulary& yes_no() {
  static const Vocabulary v("yes/no",
                            {
                                {"1", "نعم", "oui", {"yes", "true", "o", "y", "x", "موجود"}},
                                {"0", "لا", "non", {"no", "false", "n", "غير موجود"}},
                            });
  return v;
}

std::string_view cycle_of_level(std::string_view level) {
  if (level == "PS") return "prescolaire";
  if (level.size() == 3 && level.substr(1) == "AP") return "primaire";
  if (level.size() == 3 && level.substr(1) == "AC") return "college";
  return "lycee";
}

int level_rank(std::string_view level) {
  const auto& t = levels().terms();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].code == level) return static_cast<int>(i);
  return static_cast<int>(t.size());
}

std::optional<std::vector<std::string>> parse_cycles(std::string_view text) {
  std::vector<std::string> out;
  // The Arabic comma (U+060C, two bytes) separates like '+'.
  std::string s;
  s.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i + 1 < text.size() && text[i] == '\xD8' && text[i + 1] == '\x8C') {
      s.push_back('+');
      ++i;
    } else {
      s.push_back(text[i]);
    }
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '+' || s[i] == '/' || s[i] == '|' || s[i] == ',') {
      std::string part = trim(std::string_view(s).substr(start, i - start));
      start = i + 1;
      if (part.empty()) continue;
      auto c = cycles().parse(part);
      if (!c) return std::nullopt;
      if (std::find(out.begin(), out.end(), *c) == out.end()) out.emplace_back(*c);
    }
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    auto rank = [](const std::string& c) {
      const auto& t = cycles().terms();
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i].code == c) return i;
      return t.size();
    };
    return rank(a) < rank(b);
  });
  return out;
}

std::string join_cycles(const std::vector<std::string>& cs, Lang lang) {
  std::string r;
  for (const auto& c : cs) {
    if (!r.empty()) r += '+';
    r += lang == Lang::ar ? cycles().label(c, Lang::ar) : std::string_view(c);
  }
  return r;
}

}  // namespace sanad
