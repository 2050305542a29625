// A program's own facts for the statistics (a Tayssir line, and tomorrow a complaint, a voucher,
// a kit, a grant, a training session): one row each, placed in the territory, with the dimensions
// it has and fields and quantities of its own. A program fills one for a school year; the
// statistics count and sum its rows by territory, sex and level as they do pupils. Plain columns,
// every one of `size()` rows (or empty where the facts have no such dimension).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernel/ids.hpp"

namespace sanad {

// What the facts of a source have: sex, level, whether every row is at a school (so that its
// milieu is known), fields of their own (each a code among its values) and quantities a measure
// may sum (an amount in centimes, days).
struct FactShape {
  bool sex = false, level = false, at_schools = true;
  struct Field {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Field> fields;
  std::vector<std::string> quantities;
};

// The rows, column by column (every column `size()` long, or empty where the shape has no such
// dimension).
struct FactRows {
  // Where each row counts: a school (the registry's id), or, where `school_id` is 0, the node
  // `place` names (a commune, a directorate, a region). `place` may stay empty when every row
  // has a school.
  std::vector<int64_t> school_id;
  std::vector<std::pair<NodeKind, std::string>> place;
  std::vector<char> sex;           // 'M' or 'F'
  std::vector<std::string> level;  // a level code of vocab::levels()
  // In the order of the shape's fields (the index of the row's value) and quantities.
  std::vector<std::vector<uint8_t>> fields;
  std::vector<std::vector<int64_t>> quantities;
  // How many facts each row stands for, where a program sums its facts before giving them (rows
  // alike in every dimension and field, their quantities added): counted as that many. Empty:
  // one each.
  std::vector<int64_t> weight;

  std::size_t size() const { return school_id.size(); }
};

}  // namespace sanad
