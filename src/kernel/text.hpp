// Text helpers: UTF-8 decoding and the one normalizer used for search and duplicate detection.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sanad {

// Decodes one code point at s[i], advancing i. Invalid bytes decode as U+FFFD, one byte each.
char32_t utf8_next(std::string_view s, std::size_t& i);
void utf8_append(std::string& out, char32_t cp);
bool utf8_valid(std::string_view s);
std::size_t utf8_length(std::string_view s);

std::string trim(std::string_view s);
std::string ascii_upper(std::string_view s);
// Text for XML or HTML content and attribute values: & < > " escaped.
std::string markup_escape(std::string_view s);

// Normalized form of a name, for search and duplicate detection (the name as entered is kept
// beside it). Arabic: hamza carriers → bare letters (أ إ آ ٱ → ا, ؤ → و, ئ → ي, ء dropped),
// ة → ه, ى → ي, Persian forms → Arabic, diacritics and tatweel removed, Arabic-Indic digits →
// ASCII. Latin: lower case, accents removed. Any run of spaces or punctuation → one space.
std::string normalize_name(std::string_view s);

// A coarser key for Latin transliterations: normalize_name, then doubled letters collapsed
// ("Mohammed" and "Mohamed" meet).
std::string latin_key(std::string_view s);

}  // namespace sanad

namespace sanad {

// How well a search query matches a name, both already normalized (normalize_name): 0 when a
// word of the query matches no word of the name, otherwise a score, higher is better. A query
// word matches a name word when it is equal (3 points), begins it (2 points, from 2 letters),
// or is a misspelling of it (1 point): one edit for words of 4 to 6 letters, two from 7, an
// edit being a letter added, dropped, changed or two neighbours swapped.
int name_match(std::string_view query_norm, std::string_view name_norm);
// The same over names already split into words (code points) with their letters as bits (code
// point mod 64): for searching many names with one query, each name split once, and most word
// pairs told apart by a few integer operations before any comparison of letters.
struct NameWord {
  NameWord(std::u32string t);  // NOLINT: a word is its text
  std::u32string text;
  uint64_t letters = 0;
};
using NameWords = std::vector<NameWord>;
NameWords name_words(std::string_view norm);
int name_match(const NameWords& query, const NameWords& name);

// Many names packed in three flat arrays (words with their letters, the letters themselves, where
// each name begins), so that scanning thousands of names with one query reads memory in order.
class NameTable {
 public:
  // Adds a normalized name; names are numbered from 0 in the order they are added.
  void add(std::string_view norm);
  std::size_t size() const { return first_.size() - 1; }
  // name_match of the query against every name, in the order they were added.
  std::vector<int> match_all(const NameWords& query) const;

 private:
  int match_words_of(const NameWords& query, std::size_t name) const;
  std::vector<uint64_t> word_letters_;                    // per word
  std::vector<std::pair<uint32_t, uint32_t>> word_text_;  // per word: offset, size in text_
  std::vector<uint32_t> first_{0};  // name i has the words [first_[i], first_[i + 1])
  // Per name, the letters of its first two words and of the rest together, side by side with
  // the name's other names in one array: a query word that no part can match sets the name
  // aside without reaching for its words.
  struct Parts {
    uint64_t part[3];
  };
  std::vector<Parts> parts_;
  std::u32string text_;
};

// Edit distance (optimal string alignment) between two strings, in code points.
int edit_distance(std::u32string_view a, std::u32string_view b);

}  // namespace sanad
