#include "core/app/workflow.hpp"

#include <algorithm>

namespace sanad::app {

Workflow::Workflow(std::string_view name, std::vector<std::string_view> states,
                   std::vector<Move> moves)
    : name_(name), states_(std::move(states)), moves_(std::move(moves)) {}

bool Workflow::has(std::string_view state) const {
  return std::find(states_.begin(), states_.end(), state) != states_.end();
}

const Move* Workflow::move(std::string_view name) const {
  for (const auto& m : moves_)
    if (m.name == name) return &m;
  return nullptr;
}

std::optional<std::string_view> Workflow::next(std::string_view move_name,
                                               std::string_view from) const {
  const Move* m = move(move_name);
  if (!m || std::find(m->from.begin(), m->from.end(), from) == m->from.end()) return std::nullopt;
  return m->to;
}

std::string Workflow::from_text(std::string_view move_name) const {
  std::string out;
  if (const Move* m = move(move_name))
    for (std::size_t i = 0; i < m->from.size(); ++i) (out += i == 0 ? "" : " or ") += m->from[i];
  return out;
}

bool Workflow::consistent() const {
  if (states_.empty()) return false;
  for (const auto& m : moves_) {
    if (!has(m.to) || m.from.empty()) return false;
    for (auto f : m.from)
      if (!has(f)) return false;
  }
  for (std::size_t i = 1; i < states_.size(); ++i)
    if (std::none_of(moves_.begin(), moves_.end(),
                     [&](const Move& m) { return m.to == states_[i]; }))
      return false;
  return true;
}

}  // namespace sanad::app
