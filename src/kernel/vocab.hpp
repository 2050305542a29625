// The closed vocabularies of the registry (levels, cycles, sex, status, …): a stable code inside,
// Arabic and French labels for people, and the spellings met in real files.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sanad {

enum class Lang { ar, fr };
std::optional<Lang> parse_lang(std::string_view s);

struct Term {
  std::string_view code, ar, fr;
  std::vector<std::string_view> aliases;
};

class Vocabulary {
 public:
  Vocabulary(std::string_view name, std::vector<Term> terms);
  // The code of the term written as text (its code, a label or an alias; case, accents,
  // hamza forms and spacing do not matter), or nothing.
  std::optional<std::string_view> parse(std::string_view text) const;
  std::string_view label(std::string_view code, Lang lang) const;
  bool has(std::string_view code) const;
  const std::vector<Term>& terms() const { return terms_; }
  std::string_view name() const { return name_; }
  std::string codes() const;  // "a, b, c" for error messages

 private:
  std::string_view name_;
  std::vector<Term> terms_;
  std::vector<std::pair<std::string, std::size_t>> keys_;
};

const Vocabulary& levels();
const Vocabulary& cycles();
const Vocabulary& sexes();
const Vocabulary& enrolment_statuses();
const Vocabulary& relations();
const Vocabulary& milieus();
const Vocabulary& sectors();
const Vocabulary& yes_no();  // codes "1" and "0"

// The cycle a level belongs to ("1AP" → "primaire").
std::string_view cycle_of_level(std::string_view level);
// Levels in teaching order, and a level's rank in it (for sorting).
int level_rank(std::string_view level);

// "primaire+college" ↔ {"primaire","college"}; accepts +, /, |, comma and Arabic comma.
std::optional<std::vector<std::string>> parse_cycles(std::string_view text);
std::string join_cycles(const std::vector<std::string>& cycles, Lang lang);

}  // namespace sanad
