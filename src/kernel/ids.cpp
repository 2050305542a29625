#include "kernel/ids.hpp"

#include "kernel/text.hpp"

namespace sanad {

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
static bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
static bool is_alnum(char c) {
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

bool valid_massar(std::string_view c) {
  if (c.size() != 10 || !is_upper(c[0])) return false;
  for (std::size_t i = 1; i < 10; ++i)
    if (!is_digit(c[i])) return false;
  return true;
}

bool valid_cin(std::string_view c) {
  std::size_t i = 0;
  while (i < c.size() && is_upper(c[i])) ++i;
  if (i < 1 || i > 2) return false;
  std::size_t digits = c.size() - i;
  if (digits < 3 || digits > 7) return false;
  for (; i < c.size(); ++i)
    if (!is_digit(c[i])) return false;
  return true;
}

bool valid_school_code(std::string_view c) {
  if (c.size() < 4 || c.size() > 12) return false;
  for (char ch : c)
    if (!is_alnum(ch)) return false;
  return true;
}

std::optional<std::string> normalize_phone(std::string_view phone) {
  std::string d;
  for (char c : phone) {
    if (c == ' ' || c == '.' || c == '-' || c == '(' || c == ')') continue;
    if (c == '+' && d.empty()) {
      d = "00";
      continue;
    }
    if (!is_digit(c)) return std::nullopt;
    d.push_back(c);
  }
  if (d.rfind("00212", 0) == 0)
    d = "0" + d.substr(5);
  else if (d.size() == 12 && d.rfind("212", 0) == 0)
    d = "0" + d.substr(3);
  else if (d.size() == 9 && (d[0] == '5' || d[0] == '6' || d[0] == '7'))
    d = "0" + d;
  if (d.size() != 10 || d[0] != '0' || d[1] < '5' || d[1] > '7') return std::nullopt;
  return d;
}

bool valid_ramed(std::string_view r) {
  if (r.empty() || r.size() > 32) return false;
  for (char c : r)
    if (!is_alnum(c) && c != '-' && c != '/') return false;
  return true;
}

static bool digits_n(std::string_view s, std::size_t lo, std::size_t hi) {
  if (s.size() < lo || s.size() > hi) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

bool valid_region_code(std::string_view c) {
  return digits_n(c, 2, 2);
}

bool valid_province_code(std::string_view c) {
  return c.size() == 6 && c[2] == '.' && digits_n(c.substr(0, 2), 2, 2) &&
         digits_n(c.substr(3), 3, 3);
}

bool valid_commune_code(std::string_view c) {
  // RR.PPP.CC.N or RR.PPP.CC.NN
  if (c.size() < 11 || c.size() > 12 || !valid_province_code(c.substr(0, 6))) return false;
  if (c[6] != '.' || c[9] != '.') return false;
  return digits_n(c.substr(7, 2), 2, 2) && digits_n(c.substr(10), 1, 2);
}

std::optional<Scope> parse_scope(std::string_view text) {
  std::string t = trim(text);
  if (t.empty() || t == "MA" || t == "ma") return Scope::nation();
  if (valid_region_code(t)) return Scope{NodeKind::region, t};
  if (valid_province_code(t)) return Scope{NodeKind::directorate, t};
  if (valid_commune_code(t)) return Scope{NodeKind::commune, t};
  std::string up = ascii_upper(t);
  if (valid_school_code(up)) return Scope{NodeKind::school, up};
  return std::nullopt;
}

std::string_view node_kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::nation:
      return "nation";
    case NodeKind::region:
      return "region";
    case NodeKind::directorate:
      return "directorate";
    case NodeKind::commune:
      return "commune";
    case NodeKind::school:
      return "school";
  }
  return "?";
}

}  // namespace sanad
