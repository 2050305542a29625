// A record's life as one typed table: its states and the moves between them. A program's cycle,
// the statistics' reported values, and the programs to come (a complaint, a grant application,
// a kit delivery) each declare theirs once; the use case asks it whether a move may be made, the
// SQL CHECK of the state column is tested against it, the web shows its states' labels.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sanad::app {

struct Move {
  std::string_view name;               // what is asked: "submit", "approved" …
  std::vector<std::string_view> from;  // the states it may be asked in
  std::string_view to;                 // the state it leads to
  bool needs_note = false;             // a move that says why (a return, a refusal)
};

class Workflow {
 public:
  Workflow(std::string_view name, std::vector<std::string_view> states, std::vector<Move> moves);
  std::string_view name() const { return name_; }
  // Every state, the first where a record starts.
  const std::vector<std::string_view>& states() const { return states_; }
  std::string_view first() const { return states_.front(); }
  const std::vector<Move>& moves() const { return moves_; }
  bool has(std::string_view state) const;
  const Move* move(std::string_view name) const;
  // Where `move` takes a record that is in `from`; nothing when it may not be made there.
  std::optional<std::string_view> next(std::string_view move, std::string_view from) const;
  // The states `move` may be asked in, joined ("draft or returned").
  std::string from_text(std::string_view move) const;
  // Whether every move names only states of the workflow, and every state but the first is
  // reached by a move (a test keeps each workflow so).
  bool consistent() const;

 private:
  std::string_view name_;
  std::vector<std::string_view> states_;
  std::vector<Move> moves_;
};

}  // namespace sanad::app
