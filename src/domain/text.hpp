// Text helpers: UTF-8 decoding and the one normalizer used for search and duplicate detection.
#pragma once
#include <string>
#include <string_view>

namespace sanad {

// Decodes one code point at s[i], advancing i. Invalid bytes decode as U+FFFD, one byte each.
char32_t utf8_next(std::string_view s, std::size_t& i);
void utf8_append(std::string& out, char32_t cp);
bool utf8_valid(std::string_view s);
std::size_t utf8_length(std::string_view s);

std::string trim(std::string_view s);
std::string ascii_upper(std::string_view s);

// Normalized form of a name, for search and duplicate detection (the name as entered is kept
// beside it). Arabic: hamza carriers → bare letters (أ إ آ ٱ → ا, ؤ → و, ئ → ي, ء dropped),
// ة → ه, ى → ي, Persian forms → Arabic, diacritics and tatweel removed, Arabic-Indic digits →
// ASCII. Latin: lower case, accents removed. Any run of spaces or punctuation → one space.
std::string normalize_name(std::string_view s);

// A coarser key for Latin transliterations: normalize_name, then doubled letters collapsed
// ("Mohammed" and "Mohamed" meet).
std::string latin_key(std::string_view s);

}  // namespace sanad
