#include "stats/domain/indicators.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "kernel/parallel.hpp"
#include "kernel/vocab.hpp"

namespace sanad::stats {

namespace {

const std::vector<std::string>& level_codes() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto& t : levels().terms()) out.emplace_back(t.code);
    out.emplace_back("unknown");
    return out;
  }();
  return v;
}

}  // namespace

int cycle_of_level_index(int level) {
  if (level < 0 || level >= kUnknownLevel) return 4;
  auto c = cycle_of_level(level_codes()[static_cast<std::size_t>(level)]);
  const auto& cs = field_values(Field::cycle);
  for (std::size_t i = 0; i + 1 < cs.size(); ++i)
    if (cs[i] == c) return static_cast<int>(i);
  return 4;
}

const std::vector<std::string>& field_values(Field f) {
  static const std::vector<std::string> row{"current", "cohort"}, sex{"M", "F"},
      milieu{"urban", "rural"}, cycle{"prescolaire", "primaire", "college", "lycee", "unknown"},
      status{"enrolled", "repeating", "left", "transferred"},
      outcome{"promoted", "repeated", "dropped", "transferred", "completed", "none"}, age{};
  switch (f) {
    case Field::row:
      return row;
    case Field::sex:
      return sex;
    case Field::milieu:
      return milieu;
    case Field::level:
      return level_codes();
    case Field::cycle:
      return cycle;
    case Field::status:
      return status;
    case Field::outcome:
      return outcome;
    case Field::age:
      return age;
  }
  return age;
}

std::string_view field_name(Field f) {
  static const char* names[] = {"row",   "sex",    "milieu",  "level",
                                "cycle", "status", "outcome", "age"};
  return names[static_cast<int>(f)];
}

std::optional<Field> parse_field(std::string_view name) {
  for (int i = 0; i < kFieldCount; ++i)
    if (field_name(static_cast<Field>(i)) == name) return static_cast<Field>(i);
  return std::nullopt;
}

// --- tree ----------------------------------------------------------------------------------------

void Tree::seal() {
  index_.clear();
  children_.assign(code.size(), {});
  for (std::size_t i = 0; i < code.size(); ++i) {
    index_.emplace(std::make_pair(kind[i], code[i]), static_cast<int32_t>(i));
    if (parent[i] != kNone)
      children_[static_cast<std::size_t>(parent[i])].push_back(static_cast<int32_t>(i));
  }
}

int32_t Tree::find(NodeKind k, const std::string& c) const {
  auto it = index_.find({k, k == NodeKind::nation ? std::string() : c});
  return it == index_.end() ? kNone : it->second;
}

const std::vector<int32_t>& Tree::children(int32_t node) const {
  static const std::vector<int32_t> none;
  if (node < 0 || static_cast<std::size_t>(node) >= children_.size()) return none;
  return children_[static_cast<std::size_t>(node)];
}

bool Tree::under(int32_t node, int32_t ancestor) const {
  for (int32_t n = node; n != kNone; n = parent[static_cast<std::size_t>(n)])
    if (n == ancestor) return true;
  return false;
}

// --- catalogue -----------------------------------------------------------------------------------

namespace {

uint32_t bits(Field f, std::initializer_list<std::string_view> values) {
  const auto& all = field_values(f);
  uint32_t m = 0;
  for (auto v : values)
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i] == v) m |= 1u << i;
  return m;
}

Measure count(std::map<Field, uint32_t> filter) {
  Measure m;
  m.filter = std::move(filter);
  return m;
}

Measure current(std::map<Field, uint32_t> more = {}) {
  more[Field::row] = bits(Field::row, {"current"});
  return count(std::move(more));
}

Measure sum(Quantity q) {
  Measure m = current();
  m.kind = MeasureKind::sum;
  m.quantity = q;
  return m;
}

Measure cohort(std::initializer_list<std::string_view> outcomes) {
  return count({{Field::row, bits(Field::row, {"cohort"})},
                {Field::outcome, bits(Field::outcome, outcomes)}});
}

const std::vector<Field> kAll{Field::sex, Field::milieu, Field::level, Field::cycle};

}  // namespace

std::vector<Definition> builtin_catalogue() {
  std::vector<Definition> c;
  auto add = [&](std::string code, std::string ar, std::string fr, std::string unit, Measure num,
                 std::optional<Measure> den, double factor, Direction dir, std::vector<Field> dis) {
    Definition d;
    d.code = std::move(code);
    d.name_ar = std::move(ar);
    d.name_fr = std::move(fr);
    d.unit = std::move(unit);
    d.numerator = std::move(num);
    d.denominator = std::move(den);
    d.factor = factor;
    d.direction = dir;
    d.disaggregations = std::move(dis);
    c.push_back(std::move(d));
  };
  const auto N = Direction::neutral, H = Direction::higher, L = Direction::lower;
  const Measure promoted_repeated_dropped = cohort({"promoted", "repeated", "dropped"});

  add("PUPILS", "عدد التلاميذ", "Effectif des élèves", "pupils", current(), std::nullopt, 1, N,
      kAll);
  add("GIRLS", "عدد التلميذات", "Effectif des filles", "pupils",
      current({{Field::sex, bits(Field::sex, {"F"})}}), std::nullopt, 1, N,
      {Field::milieu, Field::level, Field::cycle});
  add("GPI", "مؤشر التكافؤ بين الجنسين", "Indice de parité entre les sexes", "ratio",
      current({{Field::sex, bits(Field::sex, {"F"})}}),
      current({{Field::sex, bits(Field::sex, {"M"})}}), 1, N,
      {Field::milieu, Field::level, Field::cycle});
  add("RURAL_SHARE", "نسبة التلاميذ بالوسط القروي", "Part des élèves en milieu rural", "%",
      current({{Field::milieu, bits(Field::milieu, {"rural"})}}), current(), 100, N,
      {Field::sex, Field::level, Field::cycle});
  add("ABSENCE_RATE", "نسبة الغياب", "Taux d'absence", "%", sum(Quantity::absence_days),
      sum(Quantity::days_enrolled), 100, L, kAll);
  add("UNJUSTIFIED_ABSENCE_RATE", "نسبة الغياب غير المبرر", "Taux d'absence non justifiée", "%",
      sum(Quantity::unjustified_days), sum(Quantity::days_enrolled), 100, L, kAll);
  add("LEFT_IN_YEAR_RATE", "نسبة المنقطعين خلال السنة", "Taux d'abandon en cours d'année", "%",
      current({{Field::status, bits(Field::status, {"left"})}}), current(), 100, L, kAll);
  add("REPEATERS_SHARE", "نسبة المكررين", "Part des redoublants", "%",
      current({{Field::status, bits(Field::status, {"repeating"})}}), current(), 100, L, kAll);
  add("DROPOUT_RATE", "نسبة الانقطاع عن الدراسة", "Taux d'abandon scolaire", "%",
      cohort({"dropped"}), promoted_repeated_dropped, 100, L, kAll);
  add("REPETITION_RATE", "نسبة التكرار", "Taux de redoublement", "%", cohort({"repeated"}),
      promoted_repeated_dropped, 100, L, kAll);
  add("PROMOTION_RATE", "نسبة الانتقال", "Taux de promotion", "%", cohort({"promoted"}),
      promoted_repeated_dropped, 100, H, kAll);
  Measure schools;
  schools.kind = MeasureKind::schools;
  add("SCHOOLS", "عدد المؤسسات", "Nombre d'établissements", "schools", schools, std::nullopt, 1, N,
      {Field::milieu});
  c.back().personal = false;
  add("PUPILS_PER_SCHOOL", "متوسط عدد التلاميذ بالمؤسسة", "Élèves par établissement", "ratio",
      current(), schools, 1, N, {Field::milieu});
  Measure aged = current();
  aged.filter[Field::age] = 0;  // a range, below
  aged.age_min = 6;
  aged.age_max = 11;
  add("PUPILS_6_11", "التلاميذ البالغون 6–11 سنة", "Élèves de 6 à 11 ans", "pupils", aged,
      std::nullopt, 1, N, {Field::sex, Field::milieu});
  Measure census;
  census.kind = MeasureKind::census;
  census.census = "schooling_rate_6_to_11";
  Measure weight = census;
  weight.kind = MeasureKind::census_weight;
  add("CENSUS_SCHOOLING_RATE_6_11", "نسبة تمدرس الأطفال 6–11 سنة (الإحصاء)",
      "Taux de scolarisation des 6–11 ans (recensement)", "%", census, weight, 1, H,
      {Field::milieu});
  c.back().personal = false;
  return c;
}

std::optional<std::size_t> SourceFacts::field(const std::string& n) const {
  for (std::size_t i = 0; i < field_names.size(); ++i)
    if (field_names[i] == n) return i;
  return std::nullopt;
}

std::optional<std::size_t> SourceFacts::quantity(const std::string& n) const {
  for (std::size_t i = 0; i < quantity_names.size(); ++i)
    if (quantity_names[i] == n) return i;
  return std::nullopt;
}

std::vector<std::string> validate(const Definition& d, const std::vector<SourceFacts>& sources) {
  std::vector<std::string> out;
  auto code_ok = !d.code.empty() && d.code.size() <= 40 &&
                 std::all_of(d.code.begin(), d.code.end(), [](char ch) {
                   return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
                 });
  if (!code_ok) out.push_back("code: 1 to 40 capital letters, digits or _");
  if (d.name_ar.empty()) out.push_back("name_ar: missing");
  if (d.name_fr.empty()) out.push_back("name_fr: missing");
  if (!std::isfinite(d.factor) || d.factor <= 0) out.push_back("factor: must be above 0");
  for (auto f : d.disaggregations)
    if (f != Field::sex && f != Field::milieu && f != Field::level && f != Field::cycle)
      out.push_back(fmt::format("disaggregations: {} is not one of sex, milieu, level, cycle",
                                field_name(f)));
  auto check = [&](const Measure& m, const char* which) {
    if ((m.kind == MeasureKind::census || m.kind == MeasureKind::census_weight) && m.census.empty())
      out.push_back(fmt::format("{}: census measure without an indicator name", which));
    if (m.age_min > m.age_max) out.push_back(fmt::format("{}: age range is empty", which));
    for (const auto& [f, mask] : m.filter)
      if (f != Field::age && mask == 0)
        out.push_back(fmt::format("{}: filter on {} keeps no value", which, field_name(f)));
    if (m.source.empty()) {  // the pupils: kept by the values the programs give them
      if (!m.source_quantity.empty())
        out.push_back(fmt::format("{}: \"sum\" is for a source's facts", which));
      const SourceFacts* given = nullptr;
      for (const auto& s : sources)
        if (s.name.empty()) given = &s;
      for (const auto& [name, mask] : m.where)
        if (!given || !given->field(name))
          out.push_back(fmt::format("{}: no program gives pupils a value {}", which, name));
        else if (mask == 0)
          out.push_back(fmt::format("{}: where on {} keeps no value", which, name));
      return;
    }
    if (m.kind != MeasureKind::count && m.kind != MeasureKind::sum)
      out.push_back(fmt::format("{}: a source's facts are counted or summed", which));
    if (!m.filter.empty())
      out.push_back(
          fmt::format("{}: a source's facts are kept by \"where\", not \"filter\"", which));
    const SourceFacts* src = nullptr;
    for (const auto& s : sources)
      if (s.name == m.source) src = &s;
    if (!src) {
      std::string names;
      for (const auto& s : sources)
        if (!s.name.empty()) names += (names.empty() ? "" : ", ") + s.name;
      out.push_back(fmt::format("{}: no source of facts {} (sources: {})", which, m.source,
                                names.empty() ? "none" : names));
      return;
    }
    for (const auto& [name, mask] : m.where) {
      auto f = src->field(name);
      if (!f)
        out.push_back(fmt::format("{}: {} has no field {} (fields: {})", which, m.source, name,
                                  fmt::join(src->field_names, ", ")));
      else if (mask == 0)
        out.push_back(fmt::format("{}: where on {} keeps no value", which, name));
    }
    if (m.kind == MeasureKind::sum && !src->quantity(m.source_quantity))
      out.push_back(fmt::format("{}: {} has no quantity {} (quantities: {})", which, m.source,
                                m.source_quantity, fmt::join(src->quantity_names, ", ")));
    for (auto f : d.disaggregations)
      if ((f == Field::sex && !src->has_sex) ||
          ((f == Field::level || f == Field::cycle) && !src->has_level) ||
          (f == Field::milieu && !src->at_schools))
        out.push_back(
            fmt::format("disaggregations: the facts of {} have no {}", m.source, field_name(f)));
  };
  check(d.numerator, "numerator");
  if (d.denominator) check(*d.denominator, "denominator");
  return out;
}

// --- cube ----------------------------------------------------------------------------------------

bool Slice::matches(int cell) const {
  int level_ = cell % kLevels, sex_ = (cell / kLevels) % 2, milieu_ = cell / (2 * kLevels);
  if (sex >= 0 && sex != sex_) return false;
  if (milieu >= 0 && milieu != milieu_) return false;
  if (level >= 0 && level != level_) return false;
  if (cycle >= 0 && cycle != cycle_of_level_index(level_)) return false;
  return true;
}

Cube::Cube(std::vector<Definition> catalogue, const Tree& tree)
    : defs_(std::move(catalogue)), tree_(tree) {
  for (const auto& d : defs_) {
    auto n = measure_index(d.numerator);
    std::optional<std::size_t> den;
    if (d.denominator) den = measure_index(*d.denominator);
    def_measures_.emplace_back(n, den);
  }
}

std::size_t Cube::measure_index(const Measure& m) {
  for (std::size_t i = 0; i < measures_.size(); ++i)
    if (measures_[i] == m) return i;
  measures_.push_back(m);
  return measures_.size() - 1;
}

std::optional<std::size_t> Cube::indicator(const std::string& code) const {
  for (std::size_t i = 0; i < defs_.size(); ++i)
    if (defs_[i].code == code) return i;
  return std::nullopt;
}

Cube::AttributeKeep Cube::attribute_keep(const Measure& m, const Facts& f) {
  AttributeKeep out;
  for (const auto& [name, mask] : m.where) {
    std::size_t a = 0;
    while (a < f.attribute_names.size() && f.attribute_names[a] != name) ++a;
    out.emplace_back(a < f.attributes.size() ? &f.attributes[a] : nullptr, mask);
  }
  return out;
}

bool Cube::keeps(const Measure& m, const AttributeKeep& where, const Facts& f,
                 std::size_t r) const {
  for (const auto& [field, mask] : m.filter) {
    int v = 0;
    switch (field) {
      case Field::row:
        v = f.row[r];
        break;
      case Field::sex:
        v = f.sex[r];
        break;
      case Field::milieu:
        v = tree_.rural[static_cast<std::size_t>(f.school[r])];
        break;
      case Field::level:
        v = f.level[r];
        break;
      case Field::cycle:
        v = cycle_of_level_index(f.level[r]);
        break;
      case Field::status:
        v = f.status[r];
        break;
      case Field::outcome:
        v = f.outcome[r];
        break;
      case Field::age:
        if (f.age[r] == 255 || f.age[r] < m.age_min || f.age[r] > m.age_max) return false;
        continue;
    }
    if (!(mask & (1u << v))) return false;
  }
  for (const auto& [column, mask] : where)  // the programs' values for the pupil
    if (!column || !((mask >> (*column)[r]) & 1u)) return false;
  return true;
}

void Cube::compute(const Facts& facts, const Census& census, int threads,
                   const std::vector<SourceFacts>& sources) {
  const std::size_t nodes = tree_.size(), width = nodes * kCells;
  sums_.assign(measures_.size(), Sums{});
  for (auto& s : sums_) {
    s.value.assign(width, 0);
    s.rows.assign(width, 0);
  }
  // Pupils: each thread takes the schools of its share, so no two write the same slot.
  std::vector<std::size_t> fact_measures;
  for (std::size_t m = 0; m < measures_.size(); ++m)
    if ((measures_[m].kind == MeasureKind::count || measures_[m].kind == MeasureKind::sum) &&
        measures_[m].source.empty())
      fact_measures.push_back(m);
  std::vector<AttributeKeep> kept_by(measures_.size());
  for (auto m : fact_measures) kept_by[m] = attribute_keep(measures_[m], facts);
  auto work = [&](int part, int parts) {
    for (std::size_t r = 0; r < facts.size(); ++r) {
      const int32_t sc = facts.school[r];
      if (sc < 0 || sc % parts != part) continue;
      const int cell = cell_of(tree_.rural[static_cast<std::size_t>(sc)], facts.sex[r],
                               std::min<int>(facts.level[r], kUnknownLevel));
      const std::size_t slot =
          static_cast<std::size_t>(sc) * kCells + static_cast<std::size_t>(cell);
      for (auto m : fact_measures) {
        const Measure& ms = measures_[m];
        if (!keeps(ms, kept_by[m], facts, r)) continue;
        sums_[m].rows[slot] += 1;
        sums_[m].value[slot] +=
            ms.kind == MeasureKind::sum ? facts.quantity[static_cast<int>(ms.quantity)][r] : 1;
      }
    }
  };
  threads = std::max(1, threads);
  if (threads == 1) {
    work(0, 1);
  } else {
    run_in_parallel(static_cast<std::size_t>(threads),
                    [&](std::size_t t) { work(static_cast<int>(t), threads); });
  }
  // The programs' facts, each measure over its source's rows.
  for (std::size_t m = 0; m < measures_.size(); ++m) {
    const Measure& ms = measures_[m];
    if (ms.source.empty()) continue;
    const SourceFacts* src = nullptr;
    for (const auto& s : sources)
      if (s.name == ms.source) src = &s;
    if (!src) continue;
    std::vector<std::pair<std::size_t, uint32_t>> where;  // (field, values kept)
    bool known = true;
    for (const auto& [name, mask] : ms.where) {
      auto f = src->field(name);
      if (!f)
        known = false;
      else
        where.emplace_back(*f, mask);
    }
    auto q = src->quantity(ms.source_quantity);
    if (!known || (ms.kind == MeasureKind::sum && !q)) continue;
    for (std::size_t r = 0; r < src->size(); ++r) {
      const int32_t n = src->node[r];
      if (n < 0) continue;
      bool kept = true;
      for (const auto& [f, mask] : where)
        if (!((mask >> src->fields[f][r]) & 1u)) kept = false;
      if (!kept) continue;
      const int cell = cell_of(tree_.rural[static_cast<std::size_t>(n)], src->sex[r],
                               std::min<int>(src->level[r], kUnknownLevel));
      const std::size_t slot =
          static_cast<std::size_t>(n) * kCells + static_cast<std::size_t>(cell);
      const int64_t facts_here = src->weight.empty() ? 1 : src->weight[r];
      sums_[m].rows[slot] += facts_here;
      sums_[m].value[slot] += ms.kind == MeasureKind::sum ? src->quantities[*q][r] : facts_here;
    }
  }
  // Schools and census values of communes.
  for (std::size_t m = 0; m < measures_.size(); ++m) {
    const Measure& ms = measures_[m];
    if (ms.kind == MeasureKind::schools) {
      for (std::size_t n = 0; n < nodes; ++n)
        if (tree_.kind[n] == NodeKind::school) {
          auto slot =
              n * kCells + static_cast<std::size_t>(cell_of(tree_.rural[n], 0, kUnknownLevel));
          sums_[m].value[slot] += 1;
          sums_[m].rows[slot] += 1;
        }
    } else if (ms.kind == MeasureKind::census || ms.kind == MeasureKind::census_weight) {
      auto it = census.find(ms.census);
      if (it == census.end()) continue;
      for (std::size_t n = 0; n < nodes && n < it->second.size(); ++n) {
        double v = it->second[n];
        if (tree_.kind[n] != NodeKind::commune || std::isnan(v)) continue;
        auto slot =
            n * kCells + static_cast<std::size_t>(cell_of(tree_.rural[n], 0, kUnknownLevel));
        double pop = static_cast<double>(tree_.population[n]);
        sums_[m].value[slot] +=
            std::llround((ms.kind == MeasureKind::census ? v * pop : pop) * 1000.0);
        sums_[m].rows[slot] += 1;
      }
    }
  }
  // Roll-up: children come after their parents.
  for (std::size_t n = nodes; n-- > 0;) {
    int32_t p = tree_.parent[n];
    if (p == kNone) continue;
    for (auto& s : sums_)
      for (int c = 0; c < kCells; ++c) {
        s.value[static_cast<std::size_t>(p) * kCells + static_cast<std::size_t>(c)] +=
            s.value[n * kCells + static_cast<std::size_t>(c)];
        s.rows[static_cast<std::size_t>(p) * kCells + static_cast<std::size_t>(c)] +=
            s.rows[n * kCells + static_cast<std::size_t>(c)];
      }
  }
}

std::pair<int64_t, int64_t> Cube::measure_total(std::size_t m, int32_t node,
                                                const Slice& slice) const {
  int64_t value = 0, rows = 0;
  if (sums_.empty() || node < 0 || static_cast<std::size_t>(node) >= tree_.size()) return {0, 0};
  Slice s = slice;
  if (measures_[m].kind != MeasureKind::count && measures_[m].kind != MeasureKind::sum)
    s = Slice{-1, slice.milieu, -1, -1};  // schools and communes have no sex or level
  for (int c = 0; c < kCells; ++c)
    if (s.matches(c)) {
      value += at(sums_[m].value, node, c);
      rows += at(sums_[m].rows, node, c);
    }
  return {value, rows};
}

Figure Cube::figure(std::size_t indicator, int32_t node, const Slice& slice) const {
  Figure f;
  const auto& [num, den] = def_measures_[indicator];
  std::tie(f.numerator, f.numerator_rows) = measure_total(num, node, slice);
  const double factor = defs_[indicator].factor;
  if (den) {
    std::tie(f.denominator, f.denominator_rows) = measure_total(*den, node, slice);
    if (f.denominator != 0)
      f.value = factor * static_cast<double>(f.numerator) / static_cast<double>(f.denominator);
  } else if (!sums_.empty()) {
    f.value = factor * static_cast<double>(f.numerator);
  }
  return f;
}

std::vector<std::size_t> Cube::rows_behind(const Facts& facts, std::size_t indicator, int32_t node,
                                           const Slice& slice, bool denominator) const {
  std::vector<std::size_t> out;
  const auto& [num, den] = def_measures_[indicator];
  if (denominator && !den) return out;
  const Measure& m = measures_[denominator ? *den : num];
  if ((m.kind != MeasureKind::count && m.kind != MeasureKind::sum) || !m.source.empty())
    return out;  // the pupils behind it: none behind a program's facts
  std::vector<uint8_t> inside(tree_.size(), 0);
  for (std::size_t n = 0; n < tree_.size(); ++n)
    inside[n] = tree_.kind[n] == NodeKind::school && tree_.under(static_cast<int32_t>(n), node);
  const AttributeKeep where = attribute_keep(m, facts);
  for (std::size_t r = 0; r < facts.size(); ++r) {
    const int32_t sc = facts.school[r];
    if (sc < 0 || !inside[static_cast<std::size_t>(sc)]) continue;
    int cell = cell_of(tree_.rural[static_cast<std::size_t>(sc)], facts.sex[r],
                       std::min<int>(facts.level[r], kUnknownLevel));
    if (slice.matches(cell) && keeps(m, where, facts, r)) out.push_back(r);
  }
  return out;
}

std::optional<double> progress(double actual, double baseline, double target) {
  if (target == baseline || !std::isfinite(actual)) return std::nullopt;
  double p = (actual - baseline) / (target - baseline);
  return std::clamp(p, 0.0, 1.0);
}

}  // namespace sanad::stats
