// Files compiled into the program (see cmake/embed.cmake): territory data and migrations.
#pragma once
#include <cstddef>
#include <optional>
#include <string_view>

namespace sanad::embedded {
struct File {
  std::string_view path, data;
};
extern const File files[];
extern const std::size_t file_count;

inline std::optional<std::string_view> find(std::string_view path) {
  for (std::size_t i = 0; i < file_count; ++i)
    if (files[i].path == path) return files[i].data;
  return std::nullopt;
}
}  // namespace sanad::embedded
