#include "registry/cli/registry_cmd.hpp"

#include <fmt/format.h>

#include <iostream>

#include "registry/app/demo.hpp"
#include "registry/app/export.hpp"
#include "registry/app/import.hpp"
#include "registry/app/registry_for.hpp"

namespace sanad::cli {
namespace {
constexpr int kUsage = 2, kDataErr = 65, kFail = 1;
}

RegistryCommand::RegistryCommand(CLI::App& cli) {
  imp = cli.add_subcommand("import", "import a CSV or XLSX file (all-or-nothing by default)");
  imp->add_option("KIND", kind_name, "schools, pupils, households or absences")->required();
  imp->add_option("FILE", file, "the file to import")->required();
  imp->add_flag("--skip-invalid", skip, "write the valid rows and report the others");
  imp->add_flag("--dry-run", dry, "validate and report, write nothing");
  imp->add_flag("--accept-identity-changes", accept_identity,
                "write the rows that change who a recorded pupil is (names, sex, birth date), "
                "kept in his history; refused otherwise");
  imp->add_option("--report", report, "also write the list of errors to this CSV file");
  imp->add_flag("--lenient-massar", lenient,
                "accept codes Massar of an unusual form, with a warning");
  imp->add_option("--replace-from", replace_from,
                  "absences: the file is the whole list from this day (YYYY-MM-DD) for the "
                  "schools of its pupils; absences of the period it no longer lists are deleted");
  imp->add_option("--replace-to", replace_to, "absences: the last day of the replaced period");

  exp = cli.add_subcommand("export", "export a list to CSV or XLSX");
  exp->add_option(
         "KIND", ekind,
         "regions, provinces, directorates, communes, schools, pupils, households, absences")
      ->required();
  exp->add_option("--format", format, "csv, xlsx or pdf")->capture_default_str();
  exp->add_option("-o,--output", out, "output file")->required();
  exp->add_option("--scope", scope_s,
                  "a territory code: 03 (region), 03.531 (directorate), 03.531.01.05 (commune) "
                  "or a school code; the whole country by default");
  exp->add_option("--lang", lang_s, "ar (default, right-to-left) or fr")->capture_default_str();
  exp->add_option("--year", year, "pupils: only this school year, e.g. 2025-2026");

  dem =
      cli.add_subcommand("demo", "fill an empty database with a deterministic synthetic registry");
  dem->add_option("--scale", scale, "school, province (Taounate), region (Fès-Meknès) or national")
      ->capture_default_str();
  dem->add_option("--seed", seed, "random seed: the same seed gives the same data")
      ->capture_default_str();
  dem->add_option("--year", demo_year, "school year")->capture_default_str();
  dem->add_flag("--no-absences", no_abs, "skip the absences");
  dem->add_option("--years", demo_years,
                  "2: also the year before (where the pupils were, who dropped out), for cohort "
                  "rates and trends")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  dem->add_option("--communes", demo_communes,
                  "only N communes of each province, taken evenly along its list (0: all), for a "
                  "small registry")
      ->check(CLI::Range(0, 10000));
}

bool RegistryCommand::parsed() const {
  return imp->parsed() || exp->parsed() || dem->parsed();
}

bool RegistryCommand::needs_initialised() const {
  return !dem->parsed();
}

int RegistryCommand::run(CommandContext& ctx) {
  if (*imp) return run_import(ctx);
  if (*exp) {
    auto k = app::parse_list_kind(ekind);
    auto lang = parse_lang(lang_s);
    auto scope = parse_scope(scope_s);
    if (!k) {
      std::cerr << "sanad export: unknown list " << ekind << "\n";
      return kUsage;
    }
    if (!lang) {
      std::cerr << "sanad export: --lang must be ar or fr\n";
      return kUsage;
    }
    if (!app::parse_file_format(format)) {
      std::cerr << "sanad export: --format must be csv, xlsx or pdf\n";
      return kUsage;
    }
    if (!scope) {
      std::cerr << "sanad export: --scope " << scope_s << " is not a territory or school code\n";
      return kUsage;
    }
    store::Store& st = ctx.st;
    if (!st.scope_exists(*scope)) {
      std::cerr << "sanad export: no " << node_kind_name(scope->kind) << " with code "
                << scope->code << "\n";
      return kDataErr;
    }
    app::ExportOptions opt = app::export_for(st, ctx.caller(), ekind, scope_s);
    opt.format = *app::parse_file_format(format);
    opt.lang = *lang;
    opt.year = year;
    int64_t n = app::export_list(st, *k, out, opt);
    std::cout << fmt::format("{}: {} rows\n", out, n);
    return 0;
  }
  if (*dem) {
    store::Store& st = ctx.st;
    app::DemoOptions opt;
    opt.scale = scale;
    opt.seed = seed;
    opt.school_year = demo_year;
    opt.absences = !no_abs;
    opt.communes = demo_communes;
    opt.years = demo_years;
    opt.actor = ctx.actor;
    opt.progress = ctx.progress;
    app::may_run_demo(ctx.caller());
    if (!app::valid_scale(scale)) {
      std::cerr << "sanad demo: --scale must be school, province, region or national\n";
      return kUsage;
    }
    auto r = app::run_demo(st, opt);
    ctx.progress_done();
    std::cout << fmt::format(
        "demo ({} scale, seed {}): {} schools, {} pupils, {} enrolments, {} households, {} "
        "absence days\n",
        scale, seed, r.schools, r.pupils, r.enrolments, r.households, r.absences);
    return 0;
  }
  return kFail;
}

int RegistryCommand::run_import(CommandContext& ctx) {
  const std::string& kind_s = kind_name;
  const std::string &from = replace_from, &to = replace_to;
  auto kind = app::parse_list_kind(kind_s);
  if (!kind || !app::importable(*kind)) {
    std::cerr << "sanad import: KIND must be schools, pupils, households or absences\n";
    return kUsage;
  }
  if (from.empty() != to.empty() || (!from.empty() && *kind != app::ListKind::absences)) {
    std::cerr << "sanad import: --replace-from and --replace-to go together, with absences\n";
    return kUsage;
  }
  store::Store& st = ctx.st;
  app::ImportOptions opt = app::import_for(ctx.caller(), kind_s);
  opt.skip_invalid = skip;
  opt.dry_run = dry;
  opt.strict_massar = !lenient;
  opt.accept_identity_changes = accept_identity;
  opt.progress = ctx.progress;
  opt.replace_from = from;
  opt.replace_to = to;
  opt.max_issues = report.empty() ? 1000 : 100'000;  // the report lists them
  app::ImportResult r;
  try {
    r = app::import_file(st, *kind, file, opt);
  } catch (const app::ImportOptionError& e) {
    ctx.progress_done();
    std::cerr << "sanad import: " << e.what() << "\n";
    return kUsage;
  } catch (const app::ImportError& e) {
    ctx.progress_done();
    std::cerr << "sanad import: " << e.what() << "\n";
    return kDataErr;
  }
  ctx.progress_done();
  for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
  const std::size_t shown = std::min<std::size_t>(r.issues.size(), 200);
  for (std::size_t i = 0; i < shown; ++i) std::cerr << app::format_issue(r.issues[i]) << "\n";
  const auto total = static_cast<std::size_t>(r.issues_total);
  if (total > shown)
    std::cerr << fmt::format("… and {} more errors{}\n", total - shown,
                             report.empty() ? " (use --report FILE for the first 100,000)"
                             : total > r.issues.size()
                                 ? fmt::format(" (the first {} in the report)", r.issues.size())
                                 : std::string(" (all in the report)"));
  if (!report.empty()) app::write_report_csv(report, r);
  std::cout << fmt::format("{}: {} rows read, {} valid, {} rejected\n", file, r.rows_read,
                           r.rows_valid, r.rows_rejected);
  for (const auto& [what, c] : r.counts)
    std::cout << fmt::format("  {}: {} inserted, {} updated, {} unchanged{}\n", what, c.inserted,
                             c.updated, c.unchanged,
                             c.deleted ? fmt::format(", {} deleted", c.deleted) : "");
  if (!from.empty())
    std::cout << fmt::format(
        "replaces the absences from {} to {} of {} school(s){}: {} no longer listed{}\n", from, to,
        r.replaced_schools.size(),
        r.replaced_schools.size() <= 5
            ? " (" + fmt::format("{}", fmt::join(r.replaced_schools, ", ")) + ")"
            : "",
        r.to_delete, r.written ? " deleted" : (dry ? " would be deleted" : ""));
  if (!r.written) {
    if (dry)
      std::cout << "dry run: nothing written\n";
    else
      std::cout
          << "nothing written: correct the rows above and import again, or use --skip-invalid\n";
  }
  if (r.rows_rejected > 0 && !skip) return kDataErr;
  return 0;
}

}  // namespace sanad::cli
