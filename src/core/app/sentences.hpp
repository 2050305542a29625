// The sentences the application says to people, in English (the CLI, reports, logs) and in
// Arabic and French (the web app): catalogues of English templates with their translations.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/app/refusal.hpp"
#include "kernel/vocab.hpp"

namespace sanad::app {

// A template has {} for each value in order; a translation may name them {0}, {1}… to reorder.
struct Sentence {
  std::string_view en, ar, fr;
};

// A template with {} replaced by the values in order, {0}, {1}… by the one numbered.
std::string fill_template(std::string_view tmpl, const std::vector<std::string>& values);
// The sentence whose English is `en` in `lang`, its values filled; nothing when not listed.
std::optional<std::string> say(std::span<const Sentence> list, std::string_view en,
                               const std::vector<std::string>& values, Lang lang);
bool listed(std::span<const Sentence> list, std::string_view en);
// Whether every translation places only values its English has: as many {}, or numbered ones
// ({0}, {1}…) below their count.
bool translations_complete(std::span<const Sentence> list);

// Refuses with the sentence `en` of `list` filled with `values`: its English, and its Arabic and
// French where the list has them (English otherwise).
[[noreturn]] void refuse_from(std::span<const Sentence> list, std::string_view en,
                              const std::vector<std::string>& values = {});

}  // namespace sanad::app
