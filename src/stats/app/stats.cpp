#include "stats/app/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/app/versioned.hpp"
#include "core/module.hpp"
#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"

namespace sanad::app {

using nlohmann::json;
using stats::Field;

namespace {

const char* kKinds[] = {"count", "sum", "schools", "census", "census_weight"};
const char* kQuantities[] = {"absence_days", "unjustified_days", "days_enrolled"};
const char* kDirections[] = {"higher", "lower", "neutral"};

// The programs' sources of facts as the modules declare them, without rows (what a definition is
// checked against).
stats::SourceFacts source_of(const FactSource& fs) {
  stats::SourceFacts s;
  s.name = std::string(fs.name);
  s.has_sex = fs.shape.sex;
  s.has_level = fs.shape.level;
  s.at_schools = fs.shape.at_schools;
  for (const auto& f : fs.shape.fields) {
    s.field_names.push_back(f.name);
    s.field_values.push_back(f.values);
  }
  s.quantity_names = fs.shape.quantities;
  s.fields.resize(s.field_names.size());
  s.quantities.resize(s.quantity_names.size());
  return s;
}

// The programs' sources of facts, and the pupils' values they give as the source "".
const std::vector<stats::SourceFacts>& source_shapes() {
  static const std::vector<stats::SourceFacts> shapes = [] {
    std::vector<stats::SourceFacts> out;
    stats::SourceFacts pupils;
    for (const Module* m : modules()) {
      for (const auto& fs : m->facts) out.push_back(source_of(fs));
      for (const auto& a : m->pupil_attributes) {
        pupils.field_names.emplace_back(a.name);
        pupils.field_values.push_back(a.values);
      }
    }
    out.push_back(std::move(pupils));
    return out;
  }();
  return shapes;
}

json measure_json(const stats::Measure& m) {
  json j{{"kind", kKinds[static_cast<int>(m.kind)]}};
  json where = json::object();
  const stats::SourceFacts* src = nullptr;
  for (const auto& s : source_shapes())
    if (s.name == m.source) src = &s;
  for (const auto& [name, mask] : m.where) {
    json values = json::array();
    auto f = src ? src->field(name) : std::nullopt;
    if (f)
      for (std::size_t i = 0; i < src->field_values[*f].size(); ++i)
        if (mask & (1u << i)) values.push_back(src->field_values[*f][i]);
    where[name] = values;
  }
  if (!where.empty()) j["where"] = where;
  if (!m.source.empty()) {
    j["source"] = m.source;
    if (m.kind == stats::MeasureKind::sum) j["sum"] = m.source_quantity;
    return j;
  }
  if (m.kind == stats::MeasureKind::sum) j["quantity"] = kQuantities[static_cast<int>(m.quantity)];
  if (!m.census.empty()) j["census"] = m.census;
  json filter = json::object();
  for (const auto& [f, mask] : m.filter) {
    if (f == Field::age) continue;
    json values = json::array();
    const auto& all = stats::field_values(f);
    for (std::size_t i = 0; i < all.size(); ++i)
      if (mask & (1u << i)) values.push_back(all[i]);
    filter[std::string(stats::field_name(f))] = values;
  }
  if (!filter.empty()) j["filter"] = filter;
  if (m.filter.count(Field::age)) j["age"] = {m.age_min, m.age_max};
  return j;
}

[[noreturn]] void bad(const std::string& where, const std::string& why) {
  throw StatsError(fmt::format("{}: {}", where, why));
}

std::string text_of(const json& j, const std::string& key, const std::string& where,
                    bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) bad(where + key, "missing");
    return "";
  }
  if (!it->is_string()) bad(where + key, "must be text");
  return it->get<std::string>();
}

template <std::size_t N>
int pick(const char* (&names)[N], const std::string& v, const std::string& where) {
  for (std::size_t i = 0; i < N; ++i)
    if (v == names[i]) return static_cast<int>(i);
  std::string all;
  for (auto* n : names) all += (all.empty() ? "" : ", ") + std::string(n);
  bad(where, fmt::format("\"{}\" is not one of {}", v, all));
}

stats::Measure measure_from(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where, "must be an object");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "kind" && it.key() != "quantity" && it.key() != "census" &&
        it.key() != "filter" && it.key() != "age" && it.key() != "source" && it.key() != "where" &&
        it.key() != "sum")
      bad(where + "." + it.key(), "unknown field");
  stats::Measure m;
  m.kind = static_cast<stats::MeasureKind>(
      pick(kKinds, text_of(j, "kind", where + ".", true), where + ".kind"));
  m.source = text_of(j, "source", where + ".", false);
  // A program's facts, or the pupils ("": the values the programs give them): "where" names their
  // fields, "sum" a source's quantity.
  const stats::SourceFacts* src = nullptr;
  for (const auto& s : source_shapes())
    if (s.name == m.source) src = &s;
  if (!src) bad(where + ".source", fmt::format("no source of facts \"{}\"", m.source));
  if (!m.source.empty() && m.kind == stats::MeasureKind::sum)
    m.source_quantity = text_of(j, "sum", where + ".", true);
  auto keep_where = [&](const std::string& name, const json& values, const std::string& at) {
    auto f = src->field(name);
    if (!f)
      bad(at, fmt::format("{} has no such field ({})", m.source.empty() ? "a pupil" : m.source,
                          fmt::format("{}", fmt::join(src->field_names, ", "))));
    if (!values.is_array() || values.empty()) bad(at, "must be a list of values");
    uint32_t mask = 0;
    const auto& all = src->field_values[*f];
    for (const auto& v : values) {
      auto pos =
          v.is_string() ? std::find(all.begin(), all.end(), v.get<std::string>()) : all.end();
      if (pos == all.end()) bad(at, fmt::format("{} is not a value of {}", v.dump(), name));
      mask |= 1u << (pos - all.begin());
    }
    m.where[name] = mask;
  };
  if (auto w = j.find("where"); w != j.end()) {
    if (!w->is_object()) bad(where + ".where", "must be an object");
    for (auto it = w->begin(); it != w->end(); ++it)
      keep_where(it.key(), *it, where + ".where." + it.key());
  }
  if (m.kind == stats::MeasureKind::sum && m.source.empty())
    m.quantity = static_cast<stats::Quantity>(
        pick(kQuantities, text_of(j, "quantity", where + ".", true), where + ".quantity"));
  m.census = text_of(j, "census", where + ".", false);
  if (auto f = j.find("filter"); f != j.end()) {
    if (!f->is_object()) bad(where + ".filter", "must be an object");
    for (auto it = f->begin(); it != f->end(); ++it) {
      auto field = stats::parse_field(it.key());
      if (!field && m.source.empty() && src->field(it.key())) {
        // Written before the programs gave pupils their values ("filter": {"tayssir": …}).
        keep_where(it.key(), *it, where + ".filter." + it.key());
        continue;
      }
      if (!field || *field == Field::age)
        bad(where + ".filter." + it.key(),
            "unknown field (row, sex, milieu, level, cycle, status, outcome)");
      if (!it->is_array() || it->empty())
        bad(where + ".filter." + it.key(), "must be a list of values");
      uint32_t mask = 0;
      const auto& all = stats::field_values(*field);
      for (const auto& v : *it) {
        if (!v.is_string()) bad(where + ".filter." + it.key(), "values must be text");
        auto pos = std::find(all.begin(), all.end(), v.get<std::string>());
        if (pos == all.end())
          bad(where + ".filter." + it.key(),
              fmt::format("\"{}\" is not a value of {}", v.get<std::string>(), it.key()));
        mask |= 1u << (pos - all.begin());
      }
      m.filter[*field] = mask;
    }
  }
  if (auto a = j.find("age"); a != j.end()) {
    if (!a->is_array() || a->size() != 2 || !(*a)[0].is_number_integer() ||
        !(*a)[1].is_number_integer())
      bad(where + ".age", "must be [min, max] in whole years");
    auto lo = (*a)[0].get<int64_t>(), hi = (*a)[1].get<int64_t>();
    if (lo < 0 || hi > 120 || lo > hi) bad(where + ".age", "must be 0 ≤ min ≤ max ≤ 120");
    m.filter[Field::age] = 0;
    m.age_min = static_cast<uint8_t>(lo);
    m.age_max = static_cast<uint8_t>(hi);
  }
  return m;
}

}  // namespace

std::string definition_to_json(const stats::Definition& d) {
  json j{{"code", d.code},
         {"name_ar", d.name_ar},
         {"name_fr", d.name_fr},
         {"unit", d.unit},
         {"numerator", measure_json(d.numerator)},
         {"factor", d.factor},
         {"direction", kDirections[static_cast<int>(d.direction)]},
         {"personal", d.personal}};
  if (d.denominator) j["denominator"] = measure_json(*d.denominator);
  json dis = json::array();
  for (auto f : d.disaggregations) dis.push_back(std::string(stats::field_name(f)));
  j["disaggregations"] = dis;
  return j.dump();
}

stats::Definition definition_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw StatsError(fmt::format("definition: not JSON ({})", e.what()));
  }
  if (!j.is_object()) bad("definition", "must be an object");
  static const std::set<std::string> known{
      "code",   "name_ar",   "name_fr",         "unit",    "numerator", "denominator",
      "factor", "direction", "disaggregations", "personal"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) bad(it.key(), "unknown field");
  stats::Definition d;
  d.code = text_of(j, "code", "", true);
  d.name_ar = text_of(j, "name_ar", "", true);
  d.name_fr = text_of(j, "name_fr", "", true);
  d.unit = text_of(j, "unit", "", false);
  if (!j.contains("numerator")) bad("numerator", "missing");
  d.numerator = measure_from(j["numerator"], "numerator");
  if (j.contains("denominator")) d.denominator = measure_from(j["denominator"], "denominator");
  if (j.contains("factor")) {
    if (!j["factor"].is_number()) bad("factor", "must be a number");
    d.factor = j["factor"].get<double>();
  }
  if (j.contains("direction"))
    d.direction = static_cast<stats::Direction>(
        pick(kDirections, text_of(j, "direction", "", true), "direction"));
  if (j.contains("personal")) {
    if (!j["personal"].is_boolean()) bad("personal", "must be true or false");
    d.personal = j["personal"].get<bool>();
  }
  if (j.contains("disaggregations")) {
    if (!j["disaggregations"].is_array()) bad("disaggregations", "must be a list");
    for (const auto& v : j["disaggregations"]) {
      auto f = v.is_string() ? stats::parse_field(v.get<std::string>()) : std::nullopt;
      if (!f) bad("disaggregations", "values are sex, milieu, level, cycle");
      d.disaggregations.push_back(*f);
    }
  }
  auto problems = stats::validate(d, source_shapes());
  if (!problems.empty()) bad("definition " + d.code, problems.front());
  return d;
}

std::vector<stats::Definition> module_indicators() {
  std::vector<stats::Definition> out;
  for (const Module* m : modules())
    if (!m->indicators.empty())
      for (const auto& def : json::parse(m->indicators))
        out.push_back(definition_from_json(def.dump()));
  return out;
}

std::vector<stats::Definition> catalogue(store::Store& st) {
  auto out = stats::builtin_catalogue();
  for (auto& d : module_indicators()) out.push_back(std::move(d));
  for (const auto& row : store::StatsStore(st).definitions()) {
    try {
      out.push_back(definition_from_json(row.body));
    } catch (const StatsError&) {
      // A definition written by an older version that this one refuses: left out, not fatal.
    }
  }
  return out;
}

void define_indicator(store::Store& st, const stats::Definition& d, const Actor& who) {
  auto problems = stats::validate(d, source_shapes());
  if (!problems.empty()) throw StatsError(problems.front());
  for (const auto& b : stats::builtin_catalogue())
    if (b.code == d.code) throw StatsError(fmt::format("{} is a built-in indicator", d.code));
  for (const auto& b : module_indicators())
    if (b.code == d.code) throw StatsError(fmt::format("{} is a built-in indicator", d.code));
  store::Transaction tx(st.db());
  store::StatsStore ss(st);
  std::string before;
  for (const auto& r : ss.definitions())
    if (r.code == d.code) before = r.body;
  std::string body = definition_to_json(d);
  ss.put_definition({d.code, body, who.name, store::now_iso()});
  st.audit({who.name, who.origin, before.empty() ? "indicator.define" : "indicator.redefine",
            "indicator:" + d.code, json{{"before", before}, {"after", body}}.dump()});
  tx.commit();
}

// --- snapshot ------------------------------------------------------------------------------------

namespace {

std::string previous_year(const std::string& year) {
  int s = school_year_start(year);
  return fmt::format("{}-{}", s - 1, s);
}

int level_index(const std::string& code) {
  const auto& all = stats::field_values(Field::level);
  for (std::size_t i = 0; i + 1 < all.size(); ++i)
    if (all[i] == code) return static_cast<int>(i);
  return stats::kUnknownLevel;
}

}  // namespace

int32_t node_of(const stats::Tree& t, const Scope& s) {
  return t.find(s.kind, s.code);
}

Scope scope_of(const stats::Tree& t, int32_t node) {
  return {t.kind[static_cast<std::size_t>(node)], t.code[static_cast<std::size_t>(node)]};
}

std::shared_ptr<const StatsSnapshot> compute_stats(store::Store& st, const std::string& year,
                                                   int threads) {
  auto t0 = std::chrono::steady_clock::now();
  auto out = std::make_shared<StatsSnapshot>();
  StatsSnapshot& s = *out;
  s.year = year;
  store::StatsStore ss(st);
  stats::Tree& t = s.tree;
  auto add = [&](NodeKind k, const std::string& code, int32_t parent, uint8_t rural,
                 int64_t population) {
    t.code.push_back(code);
    t.kind.push_back(k);
    t.parent.push_back(parent);
    t.rural.push_back(rural);
    t.population.push_back(population);
    return static_cast<int32_t>(t.code.size() - 1);
  };
  auto named = [&](int32_t n, const std::string& ar, const std::string& fr) {
    s.name_ar.resize(t.size());
    s.name_fr.resize(t.size());
    s.name_ar[static_cast<std::size_t>(n)] = ar;
    s.name_fr[static_cast<std::size_t>(n)] = fr;
  };
  named(add(NodeKind::nation, "", stats::kNone, 0, 0), "المغرب", "Maroc");
  std::map<std::string, int32_t> region, directorate, commune;
  for (const auto& r : st.regions()) {
    region[r.code] = add(NodeKind::region, r.code, 0, 0, 0);
    named(region[r.code], r.name_ar, r.name_fr);
  }
  for (const auto& d : st.directorates(Scope::nation())) {
    auto p = region.find(d.region_code);
    directorate[d.code] =
        add(NodeKind::directorate, d.code, p == region.end() ? 0 : p->second, 0, 0);
    named(directorate[d.code], d.name_ar, d.name_fr);
  }
  for (const auto& c : st.communes(Scope::nation())) {
    auto p = directorate.find(c.directorate_code);
    commune[c.code] = add(NodeKind::commune, c.code, p == directorate.end() ? 0 : p->second,
                          c.milieu == "rural", c.population);
    named(commune[c.code], c.name_ar, c.name_fr);
  }
  std::unordered_map<int64_t, int32_t> school;
  ss.each_school([&](const store::StatsSchoolRow& r) {
    auto p = commune.find(r.commune_code);
    if (p == commune.end()) return;
    int32_t n = add(NodeKind::school, r.code, p->second, r.milieu == "rural", 0);
    named(n, r.name_ar, r.name_fr);
    school.emplace(r.id, n);
  });

  t.seal();
  s.has_school.assign(t.size(), 0);
  for (std::size_t n = t.size(); n-- > 0;)  // children come after their parents
    if (t.kind[n] == NodeKind::school || s.has_school[n]) {
      s.has_school[n] = 1;
      if (t.parent[n] != stats::kNone) s.has_school[static_cast<std::size_t>(t.parent[n])] = 1;
    }
  ss.each_indicator([&](const std::string& c, const std::string& name, double v) {
    auto it = commune.find(c);
    if (it == commune.end()) return;
    auto& col = s.census[name];
    col.resize(t.size(), std::numeric_limits<double>::quiet_NaN());
    col[static_cast<std::size_t>(it->second)] = v;
  });

  // The calendar of the year: days of lessons before each date, to count the days a pupil was
  // enrolled.
  const int start = school_year_start(year);
  Date from{start, 9, 1}, to{start + 1, 6, 30};
  if (auto dates = ss.school_year_dates(year)) {
    if (auto a = parse_iso_date(dates->first)) from = *a;
    if (auto b = parse_iso_date(dates->second)) to = *b;
  }
  std::vector<uint16_t> days_before;  // by day since `from`
  {
    uint16_t n = 0;
    for (int64_t d = from.days(); d <= to.days() + 1; ++d) {
      days_before.push_back(n);
      if (is_school_day(Date::from_days(d))) ++n;
    }
  }
  const uint16_t year_days = days_before.back();
  auto days_until = [&](const std::string& left) -> uint16_t {
    auto d = parse_iso_date(left);
    if (!d) return year_days;
    int64_t i = d->days() - from.days();
    if (i < 0) return 0;
    if (static_cast<std::size_t>(i) >= days_before.size()) return year_days;
    return days_before[static_cast<std::size_t>(i)];
  };

  std::unordered_map<int64_t, std::pair<uint16_t, uint16_t>> absences;
  ss.each_absence_total(from.iso(), to.iso(), [&](const store::StatsAbsenceRow& r) {
    absences[r.pupil_id] = {static_cast<uint16_t>(std::min<int64_t>(r.days, 65535)),
                            static_cast<uint16_t>(std::min<int64_t>(r.unjustified, 65535))};
  });
  // Facts: per pupil, the enrolment of the year that counts (the last one not marked
  // transferred, else the last), and the one of the year before with where it led.
  stats::Facts& f = s.facts;
  const std::string prev = previous_year(year);
  auto push = [&](const store::StatsEnrolmentRow& r, stats::Row row, stats::Outcome outcome) {
    auto sc = school.find(r.school_id);
    if (sc == school.end()) return;
    f.school.push_back(sc->second);
    f.row.push_back(static_cast<uint8_t>(row));
    f.sex.push_back(r.sex == "F" ? 1 : 0);
    f.level.push_back(static_cast<uint8_t>(level_index(r.level)));
    f.status.push_back(static_cast<uint8_t>(r.status == "repeating"     ? stats::Status::repeating
                                            : r.status == "left"        ? stats::Status::left
                                            : r.status == "transferred" ? stats::Status::transferred
                                                                        : stats::Status::enrolled));
    f.outcome.push_back(static_cast<uint8_t>(outcome));
    uint8_t age = 255;
    if (auto b = parse_iso_date(r.birth_date)) {
      int a = school_year_start(r.school_year) - b->year;
      if (a >= 0 && a < 255) age = static_cast<uint8_t>(a);
    }
    f.age.push_back(age);
    bool cur = row == stats::Row::current;
    auto ab = cur ? absences.find(r.pupil_id) : absences.end();
    f.quantity[0].push_back(ab == absences.end() ? 0 : ab->second.first);
    f.quantity[1].push_back(ab == absences.end() ? 0 : ab->second.second);
    f.quantity[2].push_back(cur ? (r.status == "left" ? days_until(r.left_date) : year_days) : 0);
    f.pupil_id.push_back(r.pupil_id);
  };
  std::vector<store::StatsEnrolmentRow> group;
  auto main_of = [&](const std::string& y) -> const store::StatsEnrolmentRow* {
    const store::StatsEnrolmentRow* pick = nullptr;
    for (const auto& r : group)
      if (r.school_year == y && r.status != "transferred") pick = &r;
    if (!pick)
      for (const auto& r : group)
        if (r.school_year == y) pick = &r;
    return pick;
  };
  auto flush = [&] {
    if (group.empty()) return;
    const auto* now = main_of(year);
    const auto* before = main_of(prev);
    if (now) push(*now, stats::Row::current, stats::Outcome::none);
    if (before) {
      stats::Outcome o;
      if (now) {
        int a = level_rank(before->level), b = level_rank(now->level);
        o = b > a ? stats::Outcome::promoted : stats::Outcome::repeated;
      } else if (before->status == "transferred") {
        o = stats::Outcome::transferred;
      } else if (before->level == "2BAC") {
        o = stats::Outcome::completed;
      } else {
        o = stats::Outcome::dropped;
      }
      push(*before, stats::Row::cohort, o);
    }
    group.clear();
  };
  ss.each_enrolment({prev, year}, [&](const store::StatsEnrolmentRow& r) {
    if (!group.empty() && group.front().pupil_id != r.pupil_id) flush();
    group.push_back(r);
  });
  flush();

  // The values the programs give the pupils of the year, on their current rows.
  for (const Module* m : modules())
    for (const auto& a : m->pupil_attributes) {
      std::unordered_map<int64_t, uint8_t> given;
      a.load(st, year, [&](int64_t pupil, uint8_t value) { given[pupil] = value; });
      std::vector<uint8_t> column(f.size(), 0);
      for (std::size_t r = 0; r < f.size(); ++r)
        if (f.row[r] == static_cast<uint8_t>(stats::Row::current))
          if (auto it = given.find(f.pupil_id[r]); it != given.end()) column[r] = it->second;
      f.attribute_names.emplace_back(a.name);
      f.attribute_values.push_back(a.values);
      f.attributes.push_back(std::move(column));
    }

  // The programs' facts of the year, placed on the tree.
  for (const Module* m : modules())
    for (const auto& fs : m->facts) {
      const FactRows rows = fs.load(st, year);
      stats::SourceFacts src = source_of(fs);
      src.fields.assign(src.field_names.size(), {});
      src.quantities.assign(src.quantity_names.size(), {});
      for (std::size_t r = 0; r < rows.size(); ++r) {
        int32_t n = stats::kNone;
        if (rows.school_id[r] > 0) {
          auto sc = school.find(rows.school_id[r]);
          if (sc != school.end()) n = sc->second;
        } else if (r < rows.place.size()) {
          n = t.find(rows.place[r].first, rows.place[r].second);
        }
        src.node.push_back(n);
        src.sex.push_back(r < rows.sex.size() && rows.sex[r] == 'F' ? 1 : 0);
        src.level.push_back(static_cast<uint8_t>(r < rows.level.size() ? level_index(rows.level[r])
                                                                       : stats::kUnknownLevel));
        for (std::size_t k = 0; k < src.fields.size(); ++k)
          src.fields[k].push_back(
              k < rows.fields.size() && r < rows.fields[k].size() ? rows.fields[k][r] : uint8_t{0});
        for (std::size_t q = 0; q < src.quantities.size(); ++q)
          src.quantities[q].push_back(q < rows.quantities.size() && r < rows.quantities[q].size()
                                          ? rows.quantities[q][r]
                                          : 0);
      }
      if (!rows.weight.empty()) src.weight = rows.weight;
      s.sources.push_back(std::move(src));
    }

  s.cube = std::make_unique<stats::Cube>(catalogue(st), s.tree);
  s.cube->compute(s.facts, s.census, threads, s.sources);
  s.computed_at = store::now_iso();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::vector<std::string> stats_years(store::Store& st) {
  return st.school_years();
}

std::shared_ptr<const StatsSnapshot> StatsCache::get(store::Store& st, const std::string& year,
                                                     bool allow_stale) {
  const std::string head = registry_version(st);
  std::unique_lock lock(mu_);
  for (;;) {
    auto& e = years_[year];
    if (e.snap && (e.head == head || allow_stale)) return e.snap;
    if (!e.computing) break;
    done_.wait(lock);  // someone computes this year: theirs will do
  }
  years_[year].computing = true;
  lock.unlock();
  std::shared_ptr<const StatsSnapshot> snap;
  try {
    snap = compute_stats(st, year);
  } catch (...) {
    lock.lock();
    years_[year].computing = false;
    done_.notify_all();
    throw;
  }
  lock.lock();
  years_[year] = {head, snap, false};
  done_.notify_all();
  return snap;
}

std::vector<std::string> StatsCache::years() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [y, e] : years_)
    if (e.snap) out.push_back(y);
  return out;
}

// --- figures
// ---------------------------------------------------------------------------------------

stats::Slice parse_slice(const std::string& dimension, const std::string& value) {
  stats::Slice s;
  if (dimension.empty()) return s;
  auto f = stats::parse_field(dimension);
  if (!f || (*f != Field::sex && *f != Field::milieu && *f != Field::level && *f != Field::cycle))
    throw StatsError(
        fmt::format("dimension: \"{}\" is not sex, milieu, level or cycle", dimension));
  const auto& all = stats::field_values(*f);
  auto pos = std::find(all.begin(), all.end(), value);
  if (pos == all.end())
    throw StatsError(fmt::format("{}: \"{}\" is not one of its values", dimension, value));
  int i = static_cast<int>(pos - all.begin());
  switch (*f) {
    case Field::sex:
      s.sex = i;
      break;
    case Field::milieu:
      s.milieu = i;
      break;
    case Field::level:
      s.level = i;
      break;
    default:
      s.cycle = i;
      break;
  }
  return s;
}

std::vector<FigureRow> node_figures(const StatsSnapshot& s, int32_t node, bool disaggregate) {
  std::vector<FigureRow> out;
  const auto& defs = s.cube->catalogue();
  for (std::size_t i = 0; i < defs.size(); ++i) {
    out.push_back({defs[i].code, "", "", s.cube->figure(i, node)});
    if (!disaggregate) continue;
    for (auto f : defs[i].disaggregations) {
      const auto& values = stats::field_values(f);
      for (std::size_t v = 0; v + (f == Field::level || f == Field::cycle ? 1 : 0) < values.size();
           ++v) {
        std::string dim(stats::field_name(f));
        auto fig = s.cube->figure(i, node, parse_slice(dim, values[v]));
        if ((f == Field::level || f == Field::cycle) && fig.numerator_rows == 0 &&
            fig.denominator_rows == 0)
          continue;  // levels not taught here
        out.push_back({defs[i].code, dim, values[v], fig});
      }
    }
  }
  return out;
}

std::vector<int32_t> children_with_schools(const StatsSnapshot& s, int32_t node) {
  std::vector<int32_t> out;
  for (auto c : s.tree.children(node))
    if (s.has_school[static_cast<std::size_t>(c)]) out.push_back(c);
  return out;
}

std::vector<Ranked> rank_children(const StatsSnapshot& s, std::size_t indicator, int32_t node,
                                  const stats::Slice& slice, bool schools) {
  std::vector<Ranked> out;
  if (schools) {
    for (std::size_t i = 0; i < s.tree.size(); ++i) {
      auto n = static_cast<int32_t>(i);
      if (s.tree.kind[i] == NodeKind::school && s.tree.under(n, node))
        out.push_back({n, s.cube->figure(indicator, n, slice)});
    }
  } else {
    for (auto c : children_with_schools(s, node))
      out.push_back({c, s.cube->figure(indicator, c, slice)});
  }
  const auto dir = s.cube->catalogue()[indicator].direction;
  std::stable_sort(out.begin(), out.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.figure.value.has_value() != b.figure.value.has_value()) return a.figure.value.has_value();
    if (!a.figure.value) return false;
    return dir == stats::Direction::lower ? *a.figure.value < *b.figure.value
                                          : *a.figure.value > *b.figure.value;
  });
  return out;
}

std::vector<int64_t> pupils_behind(const StatsSnapshot& s, std::size_t indicator, int32_t node,
                                   const stats::Slice& slice, bool denominator) {
  std::vector<int64_t> out;
  for (auto r : s.cube->rows_behind(s.facts, indicator, node, slice, denominator))
    out.push_back(s.facts.pupil_id[r]);
  return out;
}

// --- targets and reporting ---------------------------------------------------------------------

void set_target(store::Store& st, const store::TargetRow& t, const Actor& who) {
  if (!std::isfinite(t.baseline) || !std::isfinite(t.target))
    throw StatsError("baseline and target must be numbers");
  if (!parse_school_year(t.school_year)) throw StatsError("school year: expected 2025-2026");
  bool known = false;
  for (const auto& d : catalogue(st)) known = known || d.code == t.indicator;
  if (!known) throw StatsError(fmt::format("indicator {} is not in the catalogue", t.indicator));
  store::Transaction tx(st.db());
  store::StatsStore ss(st);
  std::string before;
  for (const auto& r : ss.targets(t.indicator))
    if (r.node_kind == t.node_kind && r.node_code == t.node_code && r.school_year == t.school_year)
      before = fmt::format("baseline {} target {}", r.baseline, r.target);
  auto row = t;
  row.set_by = who.name;
  row.set_at = store::now_iso();
  ss.put_target(row);
  st.audit(
      {who.name, who.origin, "indicator.target",
       fmt::format("indicator:{}:{}:{}:{}", t.indicator, t.node_kind, t.node_code, t.school_year),
       json{{"before", before},
            {"after", fmt::format("baseline {} target {}", t.baseline, t.target)}}
           .dump()});
  tx.commit();
}

std::optional<double> progress_of(store::Store& st, const StatsSnapshot& s, std::size_t indicator,
                                  int32_t node) {
  const auto& d = s.cube->catalogue()[indicator];
  auto sc = scope_of(s.tree, node);
  for (const auto& t : store::StatsStore(st).targets(d.code))
    if (t.node_kind == node_kind_name(sc.kind) && t.node_code == sc.code &&
        t.school_year == s.year) {
      auto f = s.cube->figure(indicator, node);
      if (!f.value) return std::nullopt;
      return stats::progress(*f.value, t.baseline, t.target);
    }
  return std::nullopt;
}

const Workflow& report_workflow() {
  static const Workflow w{"indicator report",
                          {"draft", "submitted", "approved", "returned"},
                          {{"submit", {"draft", "returned"}, "submitted"},
                           {"approve", {"submitted"}, "approved"},
                           {"return", {"submitted"}, "returned", true}}};
  return w;
}

store::ReportRow report_value(store::Store& st, const StatsSnapshot& s, std::size_t indicator,
                              int32_t node, const std::string& action, const std::string& note,
                              const Actor& who) {
  const auto& d = s.cube->catalogue()[indicator];
  auto sc = scope_of(s.tree, node);
  const std::string kind(node_kind_name(sc.kind));
  store::Transaction tx(st.db());
  store::StatsStore ss(st);
  auto old = ss.report(d.code, kind, sc.code, s.year);
  const Workflow& flow = report_workflow();
  std::string from = old ? old->state : std::string(flow.first());
  auto next = flow.next(action, from);
  if (!next)
    throw StatsError(fmt::format("{} {} at {} {}: cannot {} a value that is {}", d.code, s.year,
                                 kind, sc.code, action, from));
  const std::string to(*next);
  if (flow.move(action)->needs_note && note.empty())
    throw StatsError("a value is returned with a note saying what to correct");
  store::ReportRow r;
  if (old) r = *old;
  r.indicator = d.code;
  r.node_kind = kind;
  r.node_code = sc.code;
  r.school_year = s.year;
  if (action == "submit") {
    auto f = s.cube->figure(indicator, node);
    r.value = f.value;
    r.numerator = f.numerator;
    r.denominator = f.denominator;
  }
  r.state = to;
  r.note = note;
  r.updated_by = who.name;
  r.updated_at = store::now_iso();
  ss.put_report(r);
  st.audit({who.name, who.origin, "indicator.report." + action,
            fmt::format("indicator:{}:{}:{}:{}", d.code, kind, sc.code, s.year),
            json{{"before", from},
                 {"after", to},
                 {"value", r.value ? json(*r.value) : json(nullptr)},
                 {"note", note}}
                .dump()});
  tx.commit();
  return r;
}

std::string format_figure(const stats::Definition& d, const stats::Figure& f) {
  if (!f.value) return "–";
  if (d.unit == "%") return fmt::format("{:.1f} %", *f.value);
  if (d.unit == "ratio") return fmt::format("{:.2f}", *f.value);
  return fmt::format("{:.0f}", *f.value);
}

}  // namespace sanad::app
