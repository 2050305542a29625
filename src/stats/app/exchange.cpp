#include "stats/app/exchange.hpp"

#include <bit>
#include <functional>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "core/io/table.hpp"
#include "kernel/vocab.hpp"
#include "stats/domain/disclosure.hpp"

namespace sanad::app {

namespace {

struct SliceCode {
  std::string sex = "_T", milieu = "_T", level = "_T";
  stats::Slice slice;
};

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// The slices exported for an indicator: the total, then one per value of each disaggregation.
std::vector<SliceCode> slices_of(const stats::Definition& d) {
  std::vector<SliceCode> out(1);
  for (auto f : d.disaggregations) {
    const auto& values = stats::field_values(f);
    std::size_t n = values.size() - (f == stats::Field::level || f == stats::Field::cycle ? 1 : 0);
    for (std::size_t i = 0; i < n; ++i) {
      SliceCode c;
      int v = static_cast<int>(i);
      switch (f) {
        case stats::Field::sex:
          c.sex = values[i];
          c.slice.sex = v;
          break;
        case stats::Field::milieu:
          c.milieu = i == 0 ? "U" : "R";
          c.slice.milieu = v;
          break;
        case stats::Field::level:
          c.level = values[i];
          c.slice.level = v;
          break;
        default:
          c.level = upper(values[i]);
          c.slice.cycle = v;
          break;
      }
      out.push_back(c);
    }
  }
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StatsError(fmt::format("{}: cannot read the file", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw StatsError(fmt::format("{}: cannot write the file", path));
}

// Observations in the order of the codelists: indicator, year, territory, sex, milieu, level.
void sort_obs(const sdmx::Dsd& dsd, std::vector<sdmx::Obs>& obs) {
  std::vector<std::map<std::string, std::size_t>> rank(dsd.dimensions.size());
  for (std::size_t d = 0; d < dsd.dimensions.size(); ++d) {
    const auto& cl = dsd.codelists[dsd.dimensions[d].codelist];
    for (std::size_t i = 0; i < cl.codes.size(); ++i) rank[d][cl.codes[i].id] = i;
  }
  auto key = [&](const sdmx::Obs& o) {
    std::vector<std::size_t> k;
    for (std::size_t d = 0; d < rank.size(); ++d) {
      k.push_back(rank[d][o.key[d]]);
      if (d == 0) k.push_back(static_cast<std::size_t>(std::stoul(o.time)));
    }
    return k;
  };
  std::vector<std::pair<std::vector<std::size_t>, std::size_t>> keyed;
  for (std::size_t i = 0; i < obs.size(); ++i) keyed.emplace_back(key(obs[i]), i);
  std::stable_sort(keyed.begin(), keyed.end());
  std::vector<sdmx::Obs> out;
  out.reserve(obs.size());
  for (const auto& [k, i] : keyed) out.push_back(std::move(obs[i]));
  obs = std::move(out);
}

}  // namespace

std::string area_id(NodeKind k, const std::string& code) {
  std::string c = code;
  for (auto& ch : c)
    if (ch == '.') ch = '_';
  switch (k) {
    case NodeKind::nation:
      return "MA";
    case NodeKind::region:
      return "R" + c;
    case NodeKind::directorate:
      return "D" + c;
    case NodeKind::commune:
      return "C" + c;
    case NodeKind::school:
      return "S" + c;
  }
  return c;
}

sdmx::Dsd exchange_dsd(store::Store& st) {
  sdmx::Dsd d;
  d.name_fr = "Indicateurs de l'éducation et de l'appui social (Sanad)";
  d.name_ar = "مؤشرات التربية والدعم الاجتماعي (سند)";
  sdmx::Codelist ind{"CL_INDICATOR", "Indicateurs", "المؤشرات", {}};
  for (const auto& def : catalogue(st))
    ind.codes.push_back({def.code, def.name_fr, def.name_ar, ""});
  sdmx::Codelist area{"CL_REF_AREA", "Territoire", "المجال الترابي", {}};
  area.codes.push_back({"MA", "Maroc", "المغرب", ""});
  for (const auto& r : st.regions())
    area.codes.push_back({area_id(NodeKind::region, r.code), r.name_fr, r.name_ar, "MA"});
  for (const auto& x : st.directorates(Scope::nation()))
    area.codes.push_back({area_id(NodeKind::directorate, x.code), x.name_fr, x.name_ar,
                          area_id(NodeKind::region, x.region_code)});
  for (const auto& c : st.communes(Scope::nation()))
    area.codes.push_back({area_id(NodeKind::commune, c.code), c.name_fr, c.name_ar,
                          area_id(NodeKind::directorate, c.directorate_code)});
  sdmx::Codelist sex{"CL_SEX",
                     "Sexe",
                     "الجنس",
                     {{"_T", "Total", "المجموع", ""},
                      {"M", "Masculin", "ذكور", ""},
                      {"F", "Féminin", "إناث", ""}}};
  sdmx::Codelist milieu{
      "CL_MILIEU",
      "Milieu",
      "الوسط",
      {{"_T", "Total", "المجموع", ""}, {"U", "Urbain", "حضري", ""}, {"R", "Rural", "قروي", ""}}};
  sdmx::Codelist level{
      "CL_LEVEL", "Niveau et cycle", "المستوى والسلك", {{"_T", "Total", "المجموع", ""}}};
  for (const auto& c : cycles().terms())
    level.codes.push_back({upper(std::string(c.code)), std::string(c.fr), std::string(c.ar), "_T"});
  for (const auto& l : levels().terms())
    level.codes.push_back({std::string(l.code), std::string(l.fr), std::string(l.ar),
                           upper(std::string(cycle_of_level(l.code)))});
  d.codelists = {
      ind, area, sex, milieu, level, sdmx::obs_status_codelist(), sdmx::conf_status_codelist()};
  d.dimensions = {{"INDICATOR", "Indicateur", "المؤشر", 0},
                  {"REF_AREA", "Territoire", "المجال الترابي", 1},
                  {"SEX", "Sexe", "الجنس", 2},
                  {"MILIEU", "Milieu", "الوسط", 3},
                  {"LEVEL", "Niveau ou cycle", "المستوى أو السلك", 4}};
  return d;
}

ExchangeData exchange_data(const sdmx::Dsd& d, const StatsSnapshot& s, int64_t threshold) {
  const auto& cube = *s.cube;
  const auto& t = s.tree;
  const auto& defs = cube.catalogue();
  std::set<std::string> known;
  for (const auto& c : d.codelists[0].codes) known.insert(c.id);
  // Exported: the nation, the regions, and the directorates and communes that have schools.
  const auto& has_school = s.has_school;
  auto exported = [&](std::size_t n) {
    return t.kind[n] == NodeKind::nation || t.kind[n] == NodeKind::region ||
           ((t.kind[n] == NodeKind::directorate || t.kind[n] == NodeKind::commune) &&
            has_school[n]);
  };

  // The cells: one per measure, exported node and slice met by some observation.
  std::vector<disclosure::Cell> cells;
  std::map<std::tuple<std::size_t, int32_t, int, int, int, int>, int32_t> cell_index;
  // A measure that keeps one sex (or milieu) is the same count as the measure without that
  // filter taken on that slice: GIRLS is PUPILS of the girls. Both must be one cell, or a total
  // published under one indicator would give back what the other withheld.
  std::map<std::size_t, std::tuple<std::size_t, int, int>> folded;  // m → (base, sex, milieu)
  for (std::size_t m = 0; m < cube.measures(); ++m) {
    const auto& ms = cube.measure(m);
    if (ms.kind != stats::MeasureKind::count && ms.kind != stats::MeasureKind::sum) continue;
    for (auto f : {stats::Field::sex, stats::Field::milieu}) {
      auto it = ms.filter.find(f);
      if (it == ms.filter.end() || std::popcount(it->second) != 1) continue;
      auto base = ms;
      base.filter.erase(f);
      for (std::size_t b = 0; b < cube.measures(); ++b)
        if (cube.measure(b) == base) {
          int v = std::countr_zero(it->second);
          folded[m] = {b, f == stats::Field::sex ? v : -1, f == stats::Field::milieu ? v : -1};
        }
    }
  }
  std::function<int32_t(std::size_t, int32_t, const stats::Slice&)> cell;
  cell = [&](std::size_t m, int32_t node, const stats::Slice& sl) -> int32_t {
    if (auto fo = folded.find(m); fo != folded.end()) {
      auto [base, sx, mi] = fo->second;
      if ((sx < 0 || sl.sex < 0) && (mi < 0 || sl.milieu < 0)) {
        stats::Slice s2 = sl;
        if (sx >= 0) s2.sex = sx;
        if (mi >= 0) s2.milieu = mi;
        return cell(base, node, s2);
      }
    }
    auto key = std::make_tuple(m, node, sl.sex, sl.milieu, sl.level, sl.cycle);
    auto it = cell_index.find(key);
    if (it != cell_index.end()) return it->second;
    auto [value, rows] = cube.measure_total(m, node, sl);
    const auto kind = cube.measure(m).kind;
    bool personal = kind == stats::MeasureKind::count || kind == stats::MeasureKind::sum;
    cells.push_back({value, rows, personal});
    auto id = static_cast<int32_t>(cells.size() - 1);
    cell_index.emplace(key, id);
    return id;
  };
  struct Pending {
    sdmx::Obs obs;
    int32_t num = -1, den = -1;
    bool personal = true;
  };
  std::vector<Pending> pending;
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (!known.count(defs[i].code)) continue;
    const auto [num_m, den_m] = cube.measures_of(i);
    auto sl = slices_of(defs[i]);
    for (std::size_t n = 0; n < t.size(); ++n) {
      if (!exported(n)) continue;
      const auto node = static_cast<int32_t>(n);
      for (const auto& sc : sl) {
        Pending p;
        p.obs.key = {defs[i].code, area_id(t.kind[n], t.code[n]), sc.sex, sc.milieu, sc.level};
        p.obs.time = s.year.substr(0, 4);
        auto f = cube.figure(i, node, sc.slice);
        p.obs.value = f.value;
        if (!f.value) p.obs.obs_status = "M";
        p.num = cell(num_m, node, sc.slice);
        if (den_m) p.den = cell(*den_m, node, sc.slice);
        p.personal = defs[i].personal;
        pending.push_back(std::move(p));
      }
    }
  }
  // The relations between cells: a node and its children, a total and its parts.
  std::vector<disclosure::Relation> rel;
  std::vector<std::pair<std::tuple<std::size_t, int32_t, int, int, int, int>, int32_t>> all(
      cell_index.begin(), cell_index.end());
  for (const auto& [key, id] : all) {
    auto [m, node, sx, mi, lv, cy] = key;
    stats::Slice sl{sx, mi, lv, cy};
    auto kids = t.children(node);
    disclosure::Relation r{id, {}};
    bool complete = !kids.empty();
    for (auto c : kids) {
      const auto ci = static_cast<std::size_t>(c);
      if (t.kind[ci] == NodeKind::school) {
        complete = false;  // schools are not published: no relation to protect
        break;
      }
      if (exported(ci)) r.parts.push_back(cell(m, c, sl));  // the others hold no pupil
    }
    if (complete) rel.push_back(r);
    if (sx < 0 && mi < 0 && lv < 0 && cy < 0) {
      rel.push_back({id, {cell(m, node, {0, -1, -1, -1}), cell(m, node, {1, -1, -1, -1})}});
      rel.push_back({id, {cell(m, node, {-1, 0, -1, -1}), cell(m, node, {-1, 1, -1, -1})}});
      disclosure::Relation by_cycle{id, {}};
      for (int c = 0; c < stats::kCycles; ++c)
        by_cycle.parts.push_back(cell(m, node, {-1, -1, -1, c}));
      rel.push_back(by_cycle);
    }
    if (cy >= 0 && sx < 0 && mi < 0) {
      disclosure::Relation by_level{id, {}};
      for (int l = 0; l < stats::kLevels; ++l)
        if (stats::cycle_of_level_index(l) == cy)
          by_level.parts.push_back(cell(m, node, {-1, -1, l, -1}));
      rel.push_back(by_level);
    }
  }
  auto conf = disclosure::protect(cells, rel, threshold);
  ExchangeData out;
  for (auto& p : pending) {
    auto worst = disclosure::Conf::free;
    for (int32_t c : {p.num, p.den})
      if (c >= 0 && p.personal) worst = std::max(worst, conf[static_cast<std::size_t>(c)]);
    if (worst != disclosure::Conf::free) {
      p.obs.value.reset();
      p.obs.obs_status = "M";
      if (worst == disclosure::Conf::primary) {
        p.obs.conf_status = "C";
        ++out.withheld_primary;
      } else {
        p.obs.conf_status = "D";
        ++out.withheld_secondary;
      }
    }
    out.obs.push_back(std::move(p.obs));
  }
  sort_obs(d, out.obs);
  return out;
}

ExportFiles export_exchange(store::Store& st, const StatsSnapshot& s, const std::string& dir,
                            const std::string& sdmx_schema_dir, int64_t threshold,
                            const Actor& who) {
  if (threshold < 1) throw StatsError("the suppression threshold must be 1 or more");
  std::filesystem::create_directories(dir);
  auto dsd = exchange_dsd(st);
  ExportFiles f;
  f.data = exchange_data(dsd, s, threshold);
  const std::string now = store::now_iso();
  const std::string base = (std::filesystem::path(dir) / "SANAD_").string();
  f.structure = base + "DSD.xml";
  f.schema = base + "DSD.xsd";
  f.data_xml = base + s.year + ".xml";
  f.data_csv = base + s.year + ".csv";
  write_file(f.structure, sdmx::structure_xml(dsd, now));
  write_file(f.schema, sdmx::data_schema(dsd, (std::filesystem::absolute(sdmx_schema_dir) /
                                               "SDMXDataStructureSpecificBase.xsd")
                                                  .string()));
  write_file(f.data_xml, sdmx::data_xml(dsd, f.data.obs, now));
  write_file(f.data_csv, sdmx::data_csv(dsd, f.data.obs));
  st.audit({who.name, who.origin, "exchange.export", "exchange:" + s.year,
            nlohmann::json{{"observations", f.data.obs.size()},
                           {"withheld", f.data.withheld_primary + f.data.withheld_secondary},
                           {"threshold", threshold},
                           {"files", {f.structure, f.data_xml, f.data_csv}}}
                .dump()});
  return f;
}

namespace {

void audit_import(store::Store& st, const Actor& who, const std::string& path,
                  const ImportSummary& sum) {
  st.audit({who.name, who.origin, "exchange.import", "exchange:" + sum.format,
            nlohmann::json{{"file", path},
                           {"inserted", sum.inserted},
                           {"updated", sum.updated},
                           {"unchanged", sum.unchanged}}
                .dump()});
}

// The census CSV (or XLSX) of indicators by commune, read with the registry's table reader
// (encodings, delimiters, limits on hostile files).
ImportSummary import_census(store::Store& st, const std::string& path, const Actor& who) {
  io::Table table;
  try {
    table = io::read_table(path);
  } catch (const io::ReadError& e) {
    throw StatsError(e.what());
  }
  std::set<std::string> communes;
  for (const auto& c : st.communes(Scope::nation())) communes.insert(c.code);
  struct Value {
    std::string commune, indicator;
    double value;
  };
  std::vector<Value> values;
  std::vector<std::string> head;
  std::map<std::string, std::size_t> col;
  static const std::set<std::string> labels{"code",    "code_digits", "level",
                                            "name_fr", "area",        "sex"};
  for (const auto& row : table.rows) {
    if (row.blank()) continue;
    const std::vector<std::string> f = row.cells.strings();
    if (head.empty()) {
      head = f;
      for (std::size_t i = 0; i < f.size(); ++i) col[f[i]] = i;
      for (const char* c : {"code", "level", "area", "sex"})
        if (!col.count(c))
          throw StatsError(fmt::format("{}: line {}: no column {}", path, row.number, c));
      continue;
    }
    auto get = [&](const char* c) {
      auto i = col[c];
      return i < f.size() ? f[i] : std::string();
    };
    if (get("level") != "commune" || get("area") != "total" || get("sex") != "all") continue;
    const std::string code = get("code");
    if (!communes.count(code))
      throw StatsError(
          fmt::format("{}: line {}: column code: no commune {}", path, row.number, code));
    for (std::size_t i = 0; i < head.size() && i < f.size(); ++i) {
      if (labels.count(head[i]) || f[i].empty()) continue;
      bool ok = false;
      double v = 0;
      try {
        std::size_t used = 0;
        v = std::stod(f[i], &used);
        ok = used == f[i].size() && std::isfinite(v);
      } catch (const std::exception&) {
      }
      if (!ok)
        throw StatsError(fmt::format("{}: line {}: column {}: \"{}\" is not a number", path,
                                     row.number, head[i], f[i]));
      values.push_back({code, head[i], v});
    }
  }
  if (head.empty()) throw StatsError(fmt::format("{}: the file is empty", path));
  ImportSummary sum{"census-csv"};
  store::Transaction tx(st.db());
  store::StatsStore ss(st);
  std::map<std::pair<std::string, std::string>, double> old;
  ss.each_indicator([&](const std::string& c, const std::string& i, double v) { old[{c, i}] = v; });
  for (const auto& v : values) {
    auto it = old.find({v.commune, v.indicator});
    if (it != old.end() && it->second == v.value) {
      ++sum.unchanged;
      continue;
    }
    ss.put_indicator(v.commune, v.indicator, v.value, std::filesystem::path(path).filename());
    (it == old.end() ? sum.inserted : sum.updated) += 1;
  }
  audit_import(st, who, path, sum);
  tx.commit();
  return sum;
}

}  // namespace

ImportSummary import_exchange(store::Store& st, const std::string& path, const Actor& who) {
  auto size = std::filesystem::exists(path) ? std::filesystem::file_size(path) : 0;
  if (size > 512u * 1024 * 1024)
    throw StatsError(fmt::format("{}: the file is larger than 512 MB", path));
  const std::string text = slurp(path);
  auto start = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  const bool xml = start != std::string::npos && text[start] == '<';
  const std::string first = text.substr(0, text.find('\n'));
  if (!xml && first.find("DATAFLOW") == std::string::npos) return import_census(st, path, who);
  auto dsd = exchange_dsd(st);
  std::vector<sdmx::Obs> obs;
  try {
    obs = xml ? sdmx::read_data_xml(dsd, text) : sdmx::read_data_csv(dsd, text);
  } catch (const sdmx::ReadError& e) {
    throw StatsError(fmt::format("{}: {}", path, e.what()));
  }
  ImportSummary sum{xml ? "sdmx-ml" : "sdmx-csv"};
  const std::string now = store::now_iso();
  store::Transaction tx(st.db());
  store::StatsStore ss(st);
  for (const auto& o : obs) {
    int y = std::stoi(o.time);
    char r = ss.put_observation({o.key[0], o.key[1], fmt::format("{}-{}", y, y + 1), o.key[2],
                                 o.key[3], o.key[4], o.value, o.obs_status, o.conf_status,
                                 std::filesystem::path(path).filename(), now});
    (r == 'i' ? sum.inserted : r == 'u' ? sum.updated : sum.unchanged) += 1;
  }
  audit_import(st, who, path, sum);
  tx.commit();
  return sum;
}

std::string received_csv(store::Store& st) {
  auto dsd = exchange_dsd(st);
  std::vector<sdmx::Obs> obs;
  for (const auto& r : store::StatsStore(st).observations("")) {
    sdmx::Obs o;
    o.key = {r.indicator, r.ref_area, r.sex, r.milieu, r.level};
    o.time = r.school_year.substr(0, 4);
    o.value = r.value;
    o.obs_status = r.obs_status;
    o.conf_status = r.conf_status;
    obs.push_back(o);
  }
  sort_obs(dsd, obs);
  return sdmx::data_csv(dsd, obs);
}

}  // namespace sanad::app
