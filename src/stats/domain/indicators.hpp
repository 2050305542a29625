// The indicator cube: a catalogue of indicators, each defined once as a numerator and an optional
// denominator (measures: counts or sums over the pupils of a year, with a filter; counts of
// schools; census values of communes weighted by their population), computed for every node of
// the territory and every disaggregation cell (milieu × sex × level) from a columnar snapshot in
// one pass over the pupils and one roll-up of the tree. Pure code over arrays.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kernel/ids.hpp"

namespace sanad::stats {

constexpr int32_t kNone = -1;

// --- the facts --------------------------------------------------------------------------------

// A fact row is a pupil of the year (row "current"), or a pupil of the year before seen from this
// year (row "cohort": where he went), counted at the school of that row.
enum class Field : uint8_t { row, sex, milieu, level, cycle, status, outcome, age };
constexpr int kFieldCount = 8;
enum class Row : uint8_t { current, cohort };
enum class Status : uint8_t { enrolled, repeating, left, transferred };
// What became of last year's pupil: promoted to a higher level, repeating the same level, not
// enrolled and not transferred (dropped), transferred out of the registry, or completed the last
// level (2BAC).
enum class Outcome : uint8_t { promoted, repeated, dropped, transferred, completed, none };
// Numeric columns a measure may sum.
enum class Quantity : uint8_t { absence_days, unjustified_days, days_enrolled };
constexpr int kQuantityCount = 3;

constexpr int kLevels = 14;  // the 13 levels of vocab::levels() in teaching order, then unknown
constexpr int kUnknownLevel = 13;
constexpr int kCycles = 5;               // prescolaire, primaire, college, lycee, unknown
constexpr int kCells = 2 * 2 * kLevels;  // milieu × sex × level
inline int cell_of(int milieu, int sex, int level) {
  return (milieu * 2 + sex) * kLevels + level;
}
int cycle_of_level_index(int level);  // 0..3, 4 for unknown
// The codes of a field's values ("F", "rural", "1AP", "dropped", …) and back.
const std::vector<std::string>& field_values(Field f);
std::optional<Field> parse_field(std::string_view name);
std::string_view field_name(Field f);

struct Facts {
  std::vector<int32_t> school;  // index of the school node in the Tree
  std::vector<uint8_t> row, sex, level, status, outcome, age;  // age 255: unknown
  // Values the programs give each pupil of the year (Tayssir: none, eligible, paid), by name:
  // the index of the value on the pupil's current row, 0 on a cohort row.
  std::vector<std::string> attribute_names;
  std::vector<std::vector<std::string>> attribute_values;
  std::vector<std::vector<uint8_t>> attributes;
  std::array<std::vector<uint16_t>, kQuantityCount> quantity;
  std::vector<int64_t> pupil_id;  // the registry's id, to list the pupils behind a figure
  std::size_t size() const { return school.size(); }
};

// A program's own facts (kernel/facts.hpp) placed on the tree: per row its node (kNone: not in
// the tree, not counted), sex (0 M, 1 F; 0 where the facts have none) and level index
// (kUnknownLevel where they have none), and its fields and quantities by name.
struct SourceFacts {
  std::string name;
  bool has_sex = false, has_level = false;
  bool at_schools = true;  // every row placed at a school (milieu is then the school's)
  std::vector<int32_t> node;
  std::vector<uint8_t> sex, level;
  std::vector<std::string> field_names;
  std::vector<std::vector<std::string>> field_values;
  std::vector<std::vector<uint8_t>> fields;
  std::vector<std::string> quantity_names;
  std::vector<std::vector<int64_t>> quantities;
  std::vector<int64_t> weight;  // facts per row (kernel/facts.hpp); empty: one each
  std::size_t size() const { return node.size(); }
  std::optional<std::size_t> field(const std::string& name) const;
  std::optional<std::size_t> quantity(const std::string& name) const;
};

// The territory: nodes in an order where a parent comes before its children. Filled column by
// column, then `seal()` builds the lookups (read-only afterwards, safe to share between threads).
struct Tree {
  std::vector<std::string> code;
  std::vector<NodeKind> kind;
  std::vector<int32_t> parent;      // kNone for the nation
  std::vector<uint8_t> rural;       // communes and schools
  std::vector<int64_t> population;  // communes (census), 0 elsewhere
  std::size_t size() const { return code.size(); }
  void seal();
  int32_t find(NodeKind k, const std::string& code) const;  // kNone when absent
  const std::vector<int32_t>& children(int32_t node) const;
  bool under(int32_t node, int32_t ancestor) const;

 private:
  std::map<std::pair<NodeKind, std::string>, int32_t> index_;
  std::vector<std::vector<int32_t>> children_;
};

// Census indicators of communes by name: a value per tree node (NaN where absent; only commune
// nodes are read).
using Census = std::map<std::string, std::vector<double>>;

// --- the catalogue ------------------------------------------------------------------------------

enum class MeasureKind : uint8_t { count, sum, schools, census, census_weight };

struct Measure {
  MeasureKind kind = MeasureKind::count;
  Quantity quantity = Quantity::absence_days;  // sum
  std::string census;                          // census, census_weight: the indicator's name
  // Per field, the values kept (bit i = value i); absent: every value. Age is a range.
  std::map<Field, uint32_t> filter;
  uint8_t age_min = 0, age_max = 255;
  // Over a program's facts instead of the pupils (count or sum): the source's name, the values
  // kept per field of its own (bit i = value i), the quantity summed. Over the pupils (no source),
  // `where` keeps them by the values the programs give them (Facts::attribute_names).
  std::string source;
  std::map<std::string, uint32_t> where;
  std::string source_quantity;
  bool operator==(const Measure&) const = default;
};

enum class Direction : uint8_t { higher, lower, neutral };

struct Definition {
  std::string code, name_ar, name_fr, unit;  // unit: "pupils", "%", "ratio", "days", …
  Measure numerator;
  std::optional<Measure> denominator;
  double factor = 1;  // value = factor × numerator ÷ denominator
  Direction direction = Direction::neutral;
  std::vector<Field> disaggregations;  // among sex, milieu, level, cycle
  bool personal = true;  // counts of pupils: subject to suppression in what leaves Sanad
};

// The indicators Sanad ships; more are added as definitions (app/ reads them as JSON).
std::vector<Definition> builtin_catalogue();
// Problems of a definition, each a sentence naming the field; empty when it is sound. A measure
// over a source is checked against `sources` (its fields, values and quantities; the
// disaggregations its facts have); `where` over the pupils against the source named "" (the
// programs' values for pupils, as fields).
std::vector<std::string> validate(const Definition& d,
                                  const std::vector<SourceFacts>& sources = {});

// --- the cube -----------------------------------------------------------------------------------

// A part of the figures: every value of a dimension (-1) or one.
struct Slice {
  int sex = -1, milieu = -1, level = -1, cycle = -1;
  bool matches(int cell) const;
};

struct Figure {
  int64_t numerator = 0, denominator = 0;            // census measures: in thousandths
  int64_t numerator_rows = 0, denominator_rows = 0;  // pupils (or schools) behind each
  std::optional<double> value;                       // nothing when the denominator is 0
};

class Cube {
 public:
  Cube(std::vector<Definition> catalogue, const Tree& tree);
  // One pass over the facts (split over `threads`) and over each source's rows, then the roll-up
  // of the tree. A measure over a source not given counts nothing.
  void compute(const Facts& facts, const Census& census, int threads = 1,
               const std::vector<SourceFacts>& sources = {});

  const std::vector<Definition>& catalogue() const { return defs_; }
  std::optional<std::size_t> indicator(const std::string& code) const;
  Figure figure(std::size_t indicator, int32_t node, const Slice& slice = {}) const;
  const Tree& tree() const { return tree_; }
  // The rows of the facts behind an indicator's numerator at a node and slice (denominator
  // with `denominator` true), in the order of the facts.
  std::vector<std::size_t> rows_behind(const Facts& facts, std::size_t indicator, int32_t node,
                                       const Slice& slice, bool denominator) const;
  std::size_t measures() const { return measures_.size(); }
  const Measure& measure(std::size_t m) const { return measures_[m]; }
  // The measures of an indicator's numerator and denominator.
  const std::pair<std::size_t, std::optional<std::size_t>>& measures_of(std::size_t ind) const {
    return def_measures_[ind];
  }
  // A measure's total at a node and slice: its value and the rows (pupils, schools, communes)
  // behind it.
  std::pair<int64_t, int64_t> measure_total(std::size_t m, int32_t node, const Slice& s) const;

 private:
  struct Sums {
    std::vector<int64_t> value, rows;  // [node × kCells]
  };
  int64_t at(const std::vector<int64_t>& v, int32_t node, int cell) const {
    return v[static_cast<std::size_t>(node) * kCells + static_cast<std::size_t>(cell)];
  }
  std::size_t measure_index(const Measure& m);
  // A measure's `where` over the pupils' attributes, found once per measure: each column with
  // the values kept (a name the facts do not have: no column, which keeps no pupil).
  using AttributeKeep = std::vector<std::pair<const std::vector<uint8_t>*, uint32_t>>;
  static AttributeKeep attribute_keep(const Measure& m, const Facts& f);
  bool keeps(const Measure& m, const AttributeKeep& where, const Facts& f, std::size_t row) const;

  std::vector<Definition> defs_;
  const Tree& tree_;
  std::vector<Measure> measures_;
  std::vector<std::pair<std::size_t, std::optional<std::size_t>>> def_measures_;
  std::vector<Sums> sums_;
};

// Progress of an actual value from a baseline towards a target, bounded to [0, 1]; nothing when
// target equals baseline.
std::optional<double> progress(double actual, double baseline, double target);

}  // namespace sanad::stats
