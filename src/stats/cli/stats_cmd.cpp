// `sanad stats …`: the indicator catalogue and its figures.
#include "stats/cli/stats_cmd.hpp"

#include <fmt/format.h>

#include <fmt/ranges.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/app/refusal.hpp"
#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"
#include "stats/app/exchange.hpp"
#include "stats/app/stats.hpp"
#include "stats/app/stats_for.hpp"

namespace sanad::cli {

namespace {
constexpr int kUsage = 2, kDataErr = 65, kFail = 1;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw app::StatsError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string name_of(const stats::Definition& d, bool fr) {
  return fr ? d.name_fr : d.name_ar;
}

}  // namespace

StatsCommand::StatsCommand(CLI::App& cli) {
  root = cli.add_subcommand("stats", "indicators of the territory: figures, rankings, targets");
  root->require_subcommand(1);
  catalogue = root->add_subcommand("catalogue", "list the indicators and their definitions");
  catalogue->add_flag("--json", json, "each definition as JSON");
  catalogue->add_option("--lang", lang_s, "ar or fr")->capture_default_str();

  show = root->add_subcommand("show", "every indicator of a territory for a school year");
  show->add_option("--year", year, "school year")->capture_default_str();
  show->add_option("--scope", scope_s,
                   "a territory code (region, directorate, commune, school) or MA")
      ->capture_default_str();
  show->add_flag("--by", by, "also by sex, milieu, level and cycle where the indicator allows");
  show->add_flag("--json", json, "as JSON (numerators and denominators too)");
  show->add_option("--lang", lang_s, "ar or fr")->capture_default_str();
  show->add_option("--threads", threads, "threads for the computation")->capture_default_str();

  rank = root->add_subcommand("rank", "the children of a territory by an indicator, best first");
  rank->add_option("INDICATOR", indicator, "indicator code")->required();
  rank->add_option("--year", year, "school year")->capture_default_str();
  rank->add_option("--scope", scope_s, "the parent territory, or MA")->capture_default_str();
  rank->add_option("--dimension", dimension, "sex, milieu, level or cycle");
  rank->add_option("--value", value, "the value of the dimension (F, rural, 1AP, college…)");

  behind = root->add_subcommand("pupils", "the codes Massar behind a figure");
  behind->add_option("INDICATOR", indicator, "indicator code")->required();
  behind->add_option("--year", year, "school year")->capture_default_str();
  behind->add_option("--scope", scope_s, "territory code, or MA")->capture_default_str();
  behind->add_option("--dimension", dimension, "sex, milieu, level or cycle");
  behind->add_option("--value", value, "the value of the dimension");
  behind->add_flag("--denominator", denominator, "the pupils of the denominator instead");

  bench = root->add_subcommand(
      "bench",
      "time the cube alone: the year's snapshot loaded once, the whole catalogue computed for "
      "every node (nothing is written)");
  bench->add_option("--year", year, "school year")->capture_default_str();
  bench->add_option("--repeat", repeat, "computations, the best is reported")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  bench->add_option("--threads", threads, "threads for the computation")->capture_default_str();
  bench->add_option("--facts", facts_dir,
                    "also write the snapshot's facts (facts.csv) and the same aggregates as one "
                    "SQL query with GROUP BY ROLLUP (rollup.sql), for a baseline");

  define = root->add_subcommand("define", "add or change an indicator from a JSON definition");
  define->add_option("FILE", file, "definition (see `sanad stats catalogue --json`)")->required();

  target = root->add_subcommand("target", "set the baseline and target of an indicator");
  target->add_option("INDICATOR", indicator, "indicator code")->required();
  target->add_option("--scope", scope_s, "territory code, or MA")->required();
  target->add_option("--year", year, "school year")->capture_default_str();
  target->add_option("--baseline", baseline, "value at the start")->required();
  target->add_option("--target", target_v, "value to reach")->required();

  report = root->add_subcommand("report", "submit, approve or return a reported value");
  report->add_option("INDICATOR", indicator, "indicator code")->required();
  report->add_option("ACTION", action, "submit, approve or return")
      ->required()
      ->check(CLI::IsMember({"submit", "approve", "return"}));
  report->add_option("--scope", scope_s, "territory code, or MA")->required();
  report->add_option("--year", year, "school year")->capture_default_str();
  report->add_option("--note", note, "why (required to return)");
}

int StatsCommand::run(CommandContext& ctx) {
  store::Store& st = ctx.st;
  app::StatsFor S(st, ctx.caller(),
                  [&](const std::string& y) { return app::compute_stats(st, y, threads); });
  const bool fr = lang_s != "ar";
  auto year_ok = parse_school_year(year);
  if (!year_ok) {
    std::cerr << "sanad stats: --year " << year << " is not a school year like 2025-2026\n";
    return kUsage;
  }
  year = *year_ok;
  auto scope = parse_scope(scope_s);
  if (!scope) {
    std::cerr << "sanad stats: --scope " << scope_s << " is not a territory code\n";
    return kUsage;
  }
  try {
    if (*catalogue) {
      for (const auto& d : S.catalogue()) {
        if (json)
          std::cout << app::definition_to_json(d) << "\n";
        else
          std::cout << fmt::format("{}\t{}\t{}\n", d.code, d.unit, name_of(d, fr));
      }
      return 0;
    }
    if (*define) {
      auto d = app::definition_from_json(slurp(file));
      S.define(d);
      std::cout << fmt::format("indicator {} defined\n", d.code);
      return 0;
    }
    if (*target) {
      S.set_target(scope_s, year, indicator, baseline, target_v);
      std::cout << fmt::format("target of {} at {} for {}: {} → {}\n", indicator,
                               scope->code.empty() ? "MA" : scope->code, year, baseline, target_v);
      return 0;
    }
    if (*bench) {
      S.may_see_pupils();  // it writes the pupils' facts (--facts) beside its measure
      return run_bench(st);
    }
    auto at = S.at(scope_s, year);
    const auto& snap = at.snap;
    const int32_t node = at.node;
    auto find = [&]() -> std::optional<std::size_t> {
      auto i = snap->cube->indicator(indicator);
      if (!i) std::cerr << "sanad stats: no indicator " << indicator << " in the catalogue\n";
      return i;
    };
    if (*show) {
      auto rows = app::node_figures(*snap, node, by);
      if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : rows) {
          nlohmann::json o{{"indicator", r.indicator},
                           {"numerator", r.figure.numerator},
                           {"denominator", r.figure.denominator}};
          if (!r.dimension.empty()) o[r.dimension] = r.value;
          o["value"] = r.figure.value ? nlohmann::json(*r.figure.value) : nlohmann::json(nullptr);
          out.push_back(o);
        }
        std::cout << out.dump(1) << "\n";
        return 0;
      }
      std::size_t current = 0;
      for (auto r : snap->facts.row) current += r == 0;
      std::cerr << fmt::format(
          "{} pupils this year and {} of the year before, computed in {:.2f} s\n", current,
          snap->facts.size() - current, snap->seconds);
      for (const auto& r : rows) {
        const auto& d = snap->cube->catalogue()[*snap->cube->indicator(r.indicator)];
        std::cout << fmt::format("{}\t{}\t{}\t{}\n", r.indicator,
                                 r.dimension.empty() ? "total" : r.dimension + "=" + r.value,
                                 app::format_figure(d, r.figure),
                                 r.dimension.empty() ? name_of(d, fr) : "");
      }
      return 0;
    }
    if (*rank) {
      auto i = find();
      if (!i) return kUsage;
      const auto& d = snap->cube->catalogue()[*i];
      for (const auto& r : app::rank_children(*snap, *i, node, app::parse_slice(dimension, value)))
        std::cout << fmt::format("{}\t{}\n", snap->tree.code[static_cast<std::size_t>(r.node)],
                                 app::format_figure(d, r.figure));
      return 0;
    }
    if (*behind) {
      S.may_see_pupils();
      auto i = find();
      if (!i) return kUsage;
      auto ids =
          app::pupils_behind(*snap, *i, node, app::parse_slice(dimension, value), denominator);
      std::cout << fmt::format("{} pupil(s)\n", ids.size());
      return 0;
    }
    if (*report) {
      auto i = find();
      if (!i) return kUsage;
      auto r = S.report(scope_s, year, indicator, action, note);
      std::cout << fmt::format("{} {} at {}: {} ({})\n", indicator, year,
                               scope->code.empty() ? "MA" : scope->code, r.state,
                               r.value ? fmt::format("{}", *r.value) : "no value");
      return 0;
    }
  } catch (const app::StatsError& e) {
    std::cerr << "sanad stats: " << e.what() << "\n";
    return kDataErr;
  } catch (const app::Refusal& e) {
    std::cerr << "sanad stats: " << e.what() << "\n";
    return kDataErr;
  }
  return kFail;
}

namespace {

long peak_rss() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A measure's filter as an SQL condition over facts.csv's integer columns.
std::string sql_condition(const stats::Measure& m) {
  std::vector<std::string> parts;
  for (const auto& [field, mask] : m.filter) {
    if (field == stats::Field::age) {
      parts.push_back(fmt::format("age <> 255 AND age BETWEEN {} AND {}", m.age_min, m.age_max));
      continue;
    }
    std::string col =
        field == stats::Field::milieu ? "rural" : std::string(stats::field_name(field));
    std::vector<std::string> in;
    for (int v = 0; v < 32; ++v)
      if (mask & (1u << v)) in.push_back(std::to_string(v));
    parts.push_back(fmt::format("{} IN ({})", col, fmt::join(in, ", ")));
  }
  for (const auto& [name, mask] : m.where) {  // a value the programs give pupils: its column
    std::vector<std::string> in;
    for (int v = 0; v < 32; ++v)
      if (mask & (1u << v)) in.push_back(std::to_string(v));
    parts.push_back(fmt::format("{} IN ({})", name, fmt::join(in, ", ")));
  }
  return parts.empty() ? "TRUE" : fmt::format("{}", fmt::join(parts, " AND "));
}

}  // namespace

int StatsCommand::run_bench(store::Store& st) {
  using clock = std::chrono::steady_clock;
  auto secs = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
  auto t0 = clock::now();
  auto snap = app::compute_stats(st, year, threads);
  const double load = secs(clock::now() - t0);  // reading the registry and a first computation
  const long rss_loaded = peak_rss();
  stats::Cube cube(snap->cube->catalogue(), snap->tree);
  double best = 1e300;
  for (int64_t i = 0; i < repeat; ++i) {
    auto a = clock::now();
    cube.compute(snap->facts, snap->census, threads, snap->sources);
    best = std::min(best, secs(clock::now() - a));
  }
  // The national total of every measure over the facts (count and sum), to compare.
  std::vector<std::size_t> fact_measures;
  for (std::size_t m = 0; m < cube.measures(); ++m)
    if ((cube.measure(m).kind == stats::MeasureKind::count ||
         cube.measure(m).kind == stats::MeasureKind::sum) &&
        cube.measure(m).source.empty())  // over the pupils (a program's facts are not dumped)
      fact_measures.push_back(m);
  nlohmann::json totals = nlohmann::json::array();
  for (auto m : fact_measures) totals.push_back(cube.measure_total(m, 0, {}).first);
  std::size_t schools = 0;
  for (auto k : snap->tree.kind) schools += k == NodeKind::school;
  nlohmann::json out{{"facts", snap->facts.size()},
                     {"nodes", snap->tree.size()},
                     {"schools", schools},
                     {"measures", fact_measures.size()},
                     {"indicators", cube.catalogue().size()},
                     {"snapshot_s", load},
                     {"cube_s", best},
                     {"rss_loaded_kib", rss_loaded},
                     {"rss_kib", peak_rss()},
                     {"totals", totals}};
  if (!facts_dir.empty()) {
    std::filesystem::create_directories(facts_dir);
    std::ofstream f(facts_dir + "/facts.csv", std::ios::binary);
    const auto& t = snap->tree;
    const auto& F = snap->facts;
    f << "region,directorate,commune,school,rural,sex,level,cycle,row,status,outcome,age,";
    for (const auto& name : F.attribute_names) f << name << ",";  // Tayssir's: tayssir
    f << "q0,q1,q2\n";
    std::vector<std::array<int32_t, 3>> up(t.size(), {-1, -1, -1});
    for (std::size_t n = 0; n < t.size(); ++n) {
      if (t.kind[n] != NodeKind::school) continue;
      for (int32_t a = t.parent[n]; a > 0; a = t.parent[static_cast<std::size_t>(a)]) {
        auto k = t.kind[static_cast<std::size_t>(a)];
        if (k == NodeKind::commune) up[n][2] = a;
        if (k == NodeKind::directorate) up[n][1] = a;
        if (k == NodeKind::region) up[n][0] = a;
      }
    }
    for (std::size_t r = 0; r < F.size(); ++r) {
      auto sc = static_cast<std::size_t>(F.school[r]);
      f << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},", up[sc][0], up[sc][1], up[sc][2], sc,
                       t.rural[sc], F.sex[r], F.level[r], stats::cycle_of_level_index(F.level[r]),
                       F.row[r], F.status[r], F.outcome[r], F.age[r]);
      for (const auto& column : F.attributes) f << static_cast<int>(column[r]) << ",";
      f << fmt::format("{},{},{}\n", F.quantity[0][r], F.quantity[1][r], F.quantity[2][r]);
    }
    std::vector<std::string> cols;
    for (auto m : fact_measures) {
      const auto& ms = cube.measure(m);
      auto cond = sql_condition(ms);
      if (ms.kind == stats::MeasureKind::count) {
        cols.push_back(fmt::format("count(*) FILTER (WHERE {}) AS m{}", cond, m));
      } else {
        cols.push_back(fmt::format("sum(q{}) FILTER (WHERE {}) AS m{}",
                                   static_cast<int>(ms.quantity), cond, m));
        cols.push_back(fmt::format("count(*) FILTER (WHERE {}) AS r{}", cond, m));
      }
    }
    std::ofstream(facts_dir + "/rollup.sql", std::ios::binary) << fmt::format(
        "-- Every measure of the catalogue (count or sum over the facts) for every node of the\n"
        "-- territory and every cell milieu x sex x level, as Sanad's cube computes them.\n"
        "SELECT region, directorate, commune, school, rural, sex, level,\n  {}\nFROM facts\n"
        "GROUP BY ROLLUP (region, directorate, commune, school), rural, sex, level\n",
        fmt::join(cols, ",\n  "));
  }
  std::cout << out.dump() << "\n";
  return 0;
}

ExchangeCommand::ExchangeCommand(CLI::App& cli) {
  root = cli.add_subcommand("exchange", "SDMX 2.1 exchange with the planning directorate");
  root->require_subcommand(1);
  schemas = SANAD_DEFAULT_SDMX_DIR;
  exp = root->add_subcommand(
      "export", "write the structure, its data schema and the year's data (SDMX-ML and SDMX-CSV)");
  exp->add_option("--year", year, "school year")->capture_default_str();
  exp->add_option("-o,--out", out, "folder to write into")->required();
  exp->add_option("--threshold", threshold, "counts of fewer pupils are withheld")
      ->capture_default_str();
  exp->add_option("--schemas", schemas, "folder of the official SDMX 2.1 schemas")
      ->capture_default_str();
  imp = root->add_subcommand(
      "import", "read SDMX-CSV or SDMX-ML data, or the census CSV of indicators by commune");
  imp->add_option("FILE", file, "the file")->required();
  received = root->add_subcommand("received", "the observations received, as SDMX-CSV");
}

int ExchangeCommand::run(CommandContext& ctx) {
  store::Store& st = ctx.st;
  const app::Caller caller = ctx.caller();
  const app::Actor who = caller.actor();
  try {
    app::StatsFor(st, caller, nullptr).may_exchange();
    if (*exp) {
      auto y = parse_school_year(year);
      if (!y) {
        std::cerr << "sanad exchange: --year " << year << " is not a school year\n";
        return kUsage;
      }
      auto snap = app::compute_stats(st, *y);
      auto f = app::export_exchange(st, *snap, out, schemas, threshold, who);
      std::cout << fmt::format(
          "{} observations ({} withheld under {} pupils, {} more so that no total gives them "
          "back)\n{}\n{}\n{}\n{}\n",
          f.data.obs.size(), f.data.withheld_primary, threshold, f.data.withheld_secondary,
          f.structure, f.schema, f.data_xml, f.data_csv);
      return 0;
    }
    if (*imp) {
      auto r = app::import_exchange(st, file, who);
      std::cout << fmt::format("{}: {} inserted, {} updated, {} unchanged\n", r.format, r.inserted,
                               r.updated, r.unchanged);
      return 0;
    }
    if (*received) {
      std::cout << app::received_csv(st);
      return 0;
    }
  } catch (const app::StatsError& e) {
    std::cerr << "sanad exchange: " << e.what() << "\n";
    return kDataErr;
  }
  return kFail;
}

}  // namespace sanad::cli
