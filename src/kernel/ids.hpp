// Natural identifiers of the registry and their formats.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sanad {

// Code Massar: one letter and nine digits by default (D166027860). Input is trimmed and
// upper-cased before the check.
bool valid_massar(std::string_view code);
// CIN: one or two letters then digits (C569158, CB541194).
bool valid_cin(std::string_view cin);
// GRESA school code: opaque, 4 to 12 letters or digits.
bool valid_school_code(std::string_view code);
// A Moroccan phone number: 0[5-7] and 8 digits, or +212/00212 and 9 digits. Spaces, dots and
// dashes are removed; the result is the national form 06xxxxxxxx.
std::optional<std::string> normalize_phone(std::string_view phone);
// RAMED card or receipt number: letters, digits, '-' and '/', at most 32.
bool valid_ramed(std::string_view ramed);

// The territory tree: nation → region (academy) → directorate → commune → school.
enum class NodeKind { nation, region, directorate, commune, school };
struct Scope {
  NodeKind kind = NodeKind::nation;
  std::string code;  // empty for the nation
  static Scope nation() { return {}; }
};
// "MA" or "" → nation; "03" → region; "03.531" → directorate; "03.531.01.05" → commune;
// anything else that is a valid school code → school.
std::optional<Scope> parse_scope(std::string_view text);
std::string_view node_kind_name(NodeKind k);

bool valid_region_code(std::string_view c);
bool valid_province_code(std::string_view c);
bool valid_commune_code(std::string_view c);

}  // namespace sanad
