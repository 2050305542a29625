#include "kernel/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace sanad {

char32_t utf8_next(std::string_view s, std::size_t& i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = 0;
  char32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k < len; ++k) {
    unsigned char cc = b(i + k);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range values are invalid.
  static const char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool utf8_valid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // A whole file is checked: ASCII eight bytes at a time, two-byte sequences (Arabic) here,
    // the rest by the decoder.
    if (i + 8 <= n) {
      uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {  // below 0xC2 would be an overlong form
      if (i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
        i += 2;
        continue;
      }
      return false;
    }
    const std::size_t before = i;
    // A literal U+FFFD is valid (3 bytes); a decoding error advances by one byte.
    if (utf8_next(s, i) == 0xFFFD && i - before != 3) return false;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) utf8_next(s, i);
  return n;
}

static bool is_space_byte(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  for (;;) {
    if (a < b && is_space_byte(s[a])) {
      ++a;
    } else if (a + 1 < b && static_cast<unsigned char>(s[a]) == 0xC2 &&
               static_cast<unsigned char>(s[a + 1]) == 0xA0) {
      a += 2;  // no-break space
    } else {
      break;
    }
  }
  for (;;) {
    if (b > a && is_space_byte(s[b - 1])) {
      --b;
    } else if (b >= a + 2 && static_cast<unsigned char>(s[b - 2]) == 0xC2 &&
               static_cast<unsigned char>(s[b - 1]) == 0xA0) {
      b -= 2;
    } else {
      break;
    }
  }
  return std::string(s.substr(a, b - a));
}

std::string markup_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  return o;
}

std::string ascii_upper(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return r;
}

namespace {

// Latin letters with diacritics (Latin-1 supplement and Latin Extended-A subset) → base letters.
const char* latin_base(char32_t cp) {
  switch (cp) {
    case U'à':
    case U'á':
    case U'â':
    case U'ã':
    case U'ä':
    case U'å':
    case U'À':
    case U'Á':
    case U'Â':
    case U'Ã':
    case U'Ä':
    case U'Å':
    case U'ā':
    case U'Ā':
      return "a";
    case U'ç':
    case U'Ç':
    case U'č':
    case U'Č':
      return "c";
    case U'è':
    case U'é':
    case U'ê':
    case U'ë':
    case U'È':
    case U'É':
    case U'Ê':
    case U'Ë':
    case U'ē':
    case U'Ē':
      return "e";
    case U'ì':
    case U'í':
    case U'î':
    case U'ï':
    case U'Ì':
    case U'Í':
    case U'Î':
    case U'Ï':
    case U'ī':
    case U'Ī':
      return "i";
    case U'ñ':
    case U'Ñ':
      return "n";
    case U'ò':
    case U'ó':
    case U'ô':
    case U'õ':
    case U'ö':
    case U'Ò':
    case U'Ó':
    case U'Ô':
    case U'Õ':
    case U'Ö':
    case U'ō':
    case U'Ō':
      return "o";
    case U'ù':
    case U'ú':
    case U'û':
    case U'ü':
    case U'Ù':
    case U'Ú':
    case U'Û':
    case U'Ü':
    case U'ū':
    case U'Ū':
      return "u";
    case U'ý':
    case U'ÿ':
    case U'Ý':
    case U'Ÿ':
      return "y";
    case U'œ':
    case U'Œ':
      return "oe";
    case U'æ':
    case U'Æ':
      return "ae";
    case U'ß':
      return "ss";
    default:
      return nullptr;
  }
}

bool is_arabic_mark(char32_t cp) {
  return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || (cp >= 0x0610 && cp <= 0x061A) ||
         (cp >= 0x06D6 && cp <= 0x06ED) || cp == 0x0640 /* tatweel */;
}

bool is_separator(char32_t cp) {
  if (cp <= 0x20 || cp == 0x7F) return true;
  if (cp < 0x80) {
    return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
  }
  return cp == 0xA0 || cp == 0x060C /* ، */ || cp == 0x061B /* ؛ */ || cp == 0x061F ||
         cp == 0x066B || cp == 0x066C || cp == 0x06D4 || (cp >= 0x2000 && cp <= 0x206F) ||
         cp == 0x200F || cp == 0xFEFF || cp == 0x00AB || cp == 0x00BB;
}

}  // namespace

std::string normalize_name(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = utf8_next(s, i);
    if (is_separator(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (is_arabic_mark(cp)) continue;
    switch (cp) {
      case 0x0623:
      case 0x0625:
      case 0x0622:
      case 0x0671:
      case 0x0672:
      case 0x0673:
        cp = 0x0627;  // alef with hamza or madda → alef
        break;
      case 0x0624:
        cp = 0x0648;
        break;  // ؤ → و
      case 0x0626:
        cp = 0x064A;
        break;  // ئ → ي
      case 0x0621:
        continue;  // lone hamza
      case 0x0629:
        cp = 0x0647;
        break;  // ة → ه
      case 0x0649:
        cp = 0x064A;
        break;  // ى → ي
      case 0x06CC:
        cp = 0x064A;
        break;  // Persian yeh
      case 0x06A9:
        cp = 0x0643;
        break;  // keheh → kaf
      case 0x06AF:
        cp = 0x0643;
        break;  // gaf (Moroccan g) → kaf
      case 0x06A4:
        cp = 0x0641;
        break;  // veh → feh
      default:
        break;
    }
    if (cp >= 0x0660 && cp <= 0x0669) cp = U'0' + (cp - 0x0660);
    if (cp >= 0x06F0 && cp <= 0x06F9) cp = U'0' + (cp - 0x06F0);
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (cp >= 'A' && cp <= 'Z') {
      out.push_back(static_cast<char>(cp - 'A' + 'a'));
    } else if (const char* base = latin_base(cp)) {
      out += base;
    } else {
      utf8_append(out, cp);
    }
  }
  return out;
}

std::string latin_key(std::string_view s) {
  std::string n = normalize_name(s);
  std::string out;
  out.reserve(n.size());
  for (char c : n) {
    if (!out.empty() && out.back() == c && c >= 'a' && c <= 'z') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace sanad

namespace sanad {
namespace {

std::vector<std::u32string> words32(std::string_view s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t c = utf8_next(s, i);
    if (c == U' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

int edit_distance(std::u32string_view a, std::u32string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Names are short: three rows on the stack, the heap only for long words.
  constexpr std::size_t kShort = 32;
  std::array<int, 3 * (kShort + 1)> stack{};
  std::vector<int> heap;
  int* base = stack.data();
  if (m > kShort) {
    heap.resize(3 * (m + 1));
    base = heap.data();
  }
  std::span<int> prev2(base, m + 1), prev(base + m + 1, m + 1), cur(base + 2 * (m + 1), m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

namespace {
uint64_t letter_bits(std::u32string_view w) {
  uint64_t b = 0;
  for (char32_t c : w) b |= uint64_t{1} << (c & 63);
  return b;
}

NameWords to_words(std::vector<std::u32string> words) {
  NameWords out;
  out.reserve(words.size());
  for (auto& w : words) out.emplace_back(std::move(w));
  return out;
}
}  // namespace

namespace {
// The bits set in x, counted up to 3 (enough to compare with the edits allowed, at most 2):
// a few instructions where a full count is a library call on the baseline x86-64.
int few_bits(uint64_t x) {
  int n = 0;
  while (x != 0 && n < 3) {
    x &= x - 1;
    ++n;
  }
  return n;
}

// Whether x has at most A (0, 1 or 2) bits set: few_bits(x) <= A without a branch, for the scan
// of every name of a table, where the branches of few_bits were mispredicted.
template <int A>
inline unsigned fits(uint64_t x) {  // 1 or 0, to be combined without branches
  if constexpr (A == 0) return x == 0;
  const uint64_t one_less = x & (x - 1);
  if constexpr (A == 1) return one_less == 0;
  return (one_less & (one_less - 1)) == 0;
}

// The edits a query word may differ by: one from 4 letters, two from 7.
int allowed_edits(std::size_t letters) {
  return letters >= 7 ? 2 : letters >= 4 ? 1 : 0;
}

// The scoring of name_match over any list of words: letters(i) gives the letters of the name's
// i-th word as bits, text(i) its text (asked only when the letters leave a chance).
template <typename Letters, typename Text>
int match_words(const NameWords& q, std::size_t n, Letters letters, Text text) {
  if (q.empty()) return 0;
  int total = 0;
  for (const auto& qw : q) {
    const std::u32string& w = qw.text;
    const int wsize = static_cast<int>(w.size());
    const int allowed = allowed_edits(w.size());
    int best = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t bits = letters(i);
      // Letters of one word missing from the other each cost an edit (a lower bound), and an
      // equal word or a word this one begins has all its letters.
      const int missing = few_bits(qw.letters & ~bits);
      if (missing > allowed) continue;
      const std::u32string_view x = text(i);
      const int xsize = static_cast<int>(x.size());
      if (missing == 0) {
        if (xsize == wsize && x == w) {
          best = 3;
          break;
        }
        if (wsize >= 2 && xsize > wsize && x.substr(0, w.size()) == w) {
          best = std::max(best, 2);
          continue;
        }
      }
      if (allowed > 0 && best < 1 && xsize - wsize <= allowed && wsize - xsize <= allowed &&
          few_bits(bits & ~qw.letters) <= allowed && edit_distance(w, x) <= allowed)
        best = 1;
    }
    if (best == 0) return 0;
    total += best;
  }
  return total;
}
}  // namespace

NameWord::NameWord(std::u32string t) : text(std::move(t)), letters(letter_bits(text)) {}

int name_match(std::string_view query_norm, std::string_view name_norm) {
  auto q = name_words(query_norm);
  if (q.empty()) return 0;
  return name_match(q, name_words(name_norm));
}

NameWords name_words(std::string_view norm) {
  return to_words(words32(norm));
}

int name_match(const NameWords& q, const NameWords& n) {
  return match_words(
      q, n.size(), [&](std::size_t i) { return n[i].letters; },
      [&](std::size_t i) { return std::u32string_view(n[i].text); });
}

void NameTable::add(std::string_view norm) {
  Parts p{{0, 0, 0}};
  std::size_t k = 0;
  for (auto& w : words32(norm)) {
    word_letters_.push_back(letter_bits(w));
    word_text_.push_back({static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(w.size())});
    p.part[std::min<std::size_t>(k++, 2)] |= word_letters_.back();
    text_ += w;
  }
  first_.push_back(static_cast<uint32_t>(word_letters_.size()));
  parts_.push_back(p);
}

// Whether a query word with the letters m, allowed A edits, may match a word of a name with these
// parts: any match needs a word with no letter of m missing (equal, or begun by the query word),
// or with at most A missing and at most A more (a misspelling). The first two parts are single
// words and take both tests; the rest, letters of several words together, only the first.
namespace {
template <int A>
unsigned may_match(uint64_t m, const uint64_t (&part)[3]) {
  const uint64_t a = part[0], b = part[1];
  return fits<0>(m & ~a) | (fits<A>(m & ~a) & fits<A>(a & ~m)) | fits<0>(m & ~b) |
         (fits<A>(m & ~b) & fits<A>(b & ~m)) | fits<A>(m & ~part[2]);
}
}  // namespace

std::vector<int> NameTable::match_all(const NameWords& q) const {
  const std::size_t n = size();
  std::vector<int> score(n, q.empty() ? 0 : 1);
  // First the parts of every name against each query word, in one branch-free pass per word
  // (about one name in fifty survives it), then the words of the names left.
  const Parts* parts = parts_.data();
  for (const auto& qw : q) {
    const uint64_t m = qw.letters;
    auto pass = [&]<int A>() {
      for (std::size_t i = 0; i < n; ++i)
        score[i] &= static_cast<int>(sanad::may_match<A>(m, parts[i].part));
    };
    switch (allowed_edits(qw.text.size())) {
      case 0:
        pass.template operator()<0>();
        break;
      case 1:
        pass.template operator()<1>();
        break;
      default:
        pass.template operator()<2>();
        break;
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (score[i] != 0) score[i] = match_words_of(q, i);
  return score;
}

int NameTable::match_words_of(const NameWords& q, std::size_t name) const {
  const uint32_t from = first_[name];
  const uint64_t* bits = word_letters_.data() + from;
  const auto* pos = word_text_.data() + from;
  const char32_t* text = text_.data();
  return match_words(
      q, first_[name + 1] - from, [&](std::size_t i) { return bits[i]; },
      [&](std::size_t i) { return std::u32string_view(text + pos[i].first, pos[i].second); });
}

}  // namespace sanad
