// The columns of each list Sanad imports and exports: a key, the Arabic and French headings it
// exports under, and the other headings real files use. Import recognises all of them.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/write.hpp"
#include "kernel/vocab.hpp"

namespace sanad::app {

enum class ListKind {
  regions,
  provinces,
  directorates,
  communes,
  schools,
  pupils,
  households,
  absences
};
std::optional<ListKind> parse_list_kind(std::string_view s);
std::string_view list_kind_name(ListKind k);
std::string_view list_title(ListKind k, Lang lang);

struct Field {
  std::string_view key, heading_ar, heading_fr;
  std::vector<std::string_view> aliases;
  io::ColumnType type = io::ColumnType::text;
};

const std::vector<Field>& fields_of(ListKind kind);
// The key of the field a heading names, or nothing.
std::optional<std::string_view> field_for_heading(ListKind kind, std::string_view heading);

}  // namespace sanad::app
