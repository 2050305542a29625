// Statistical disclosure control for what leaves Sanad: a count of fewer people than a threshold
// is withheld (primary suppression), and further cells are withheld until no published total
// lets a withheld cell be found back by subtraction (secondary suppression). Pure code.
#pragma once
#include <cstdint>
#include <vector>

namespace sanad::disclosure {

enum class Conf : uint8_t { free, primary, secondary };

struct Cell {
  int64_t value = 0;     // what would be published (or what the figure is made of)
  int64_t people = 0;    // the people behind it
  bool personal = true;  // false: public data (census, schools), never withheld for itself
};

// An additive relation: cells[total] = Σ cells[parts].
struct Relation {
  int32_t total = 0;
  std::vector<int32_t> parts;
};

// Withholds every personal cell with 0 < people < threshold, then, while some relation has
// exactly one withheld cell, also withholds the other cell of that relation that costs least
// (the smallest positive part, else the total, else any part). Deterministic.
std::vector<Conf> protect(const std::vector<Cell>& cells, const std::vector<Relation>& relations,
                          int64_t threshold);

}  // namespace sanad::disclosure
