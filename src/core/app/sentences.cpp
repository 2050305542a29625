#include "core/app/sentences.hpp"

namespace sanad::app {

std::string fill_template(std::string_view tmpl, const std::vector<std::string>& values) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      if (next < values.size()) out += values[next++];
      ++i;
    } else if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 1] >= '0' && tmpl[i + 1] <= '9' &&
               tmpl[i + 2] == '}') {
      auto k = static_cast<std::size_t>(tmpl[i + 1] - '0');
      if (k < values.size()) out += values[k];
      i += 2;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

bool listed(std::span<const Sentence> list, std::string_view en) {
  for (const auto& s : list)
    if (s.en == en) return true;
  return false;
}

std::optional<std::string> say(std::span<const Sentence> list, std::string_view en,
                               const std::vector<std::string>& values, Lang lang) {
  for (const auto& s : list)
    if (s.en == en) return fill_template(lang == Lang::ar ? s.ar : s.fr, values);
  return std::nullopt;
}

bool translations_complete(std::span<const Sentence> list) {
  // The values an English template has; a translation has as many {}, or numbers them ({0}…)
  // within that count (it may then leave one out).
  auto fits = [](std::string_view en, std::string_view t) {
    std::size_t values = 0, plain = 0;
    bool numbered = false;
    for (std::size_t i = 0; i + 1 < en.size(); ++i) values += en[i] == '{' && en[i + 1] == '}';
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i] != '{') continue;
      if (t[i + 1] == '}') {
        ++plain;
      } else if (t[i + 1] >= '0' && t[i + 1] <= '9' && i + 2 < t.size() && t[i + 2] == '}') {
        numbered = true;
        if (static_cast<std::size_t>(t[i + 1] - '0') >= values) return false;
      }
    }
    return numbered ? plain == 0 : plain == values;
  };
  for (const auto& s : list)
    if (!fits(s.en, s.ar) || !fits(s.en, s.fr)) return false;
  return true;
}

void refuse_from(std::span<const Sentence> list, std::string_view en,
                 const std::vector<std::string>& values) {
  std::string english = fill_template(en, values);
  auto ar = say(list, en, values, Lang::ar), fr = say(list, en, values, Lang::fr);
  throw Refusal(english, ar.value_or(english), fr.value_or(english));
}

}  // namespace sanad::app
