// `sanad tayssir …`: policies, cycles, checks, lists, payment, reviews.
#include "modules/tayssir/cli/tayssir_cmd.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"
#include "modules/tayssir/app/tayssir_for.hpp"

namespace sanad::cli {

namespace {

// For a command that builds a registry's arrays (millions of rows, growing by doubling) and
// exits: the C library keeps the memory it frees for the next allocations instead of giving it
// back to the system and faulting fresh pages in again. Nationally loading the snapshot takes
// about 1 s less (14 s), at about 0.7 GB more at the peak (3.8 GB). Not for the server, which
// runs on and would keep that memory.
void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
}

constexpr int kUsage = 2, kDataErr = 65, kFail = 1;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw app::TayssirError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Irreversible steps ask first at a terminal; elsewhere they need --yes.
bool confirmed(bool yes, const std::string& question) {
  if (yes) return true;
  if (!isatty(0)) {
    std::cerr << "sanad tayssir: " << question
              << " — this cannot be undone; add --yes to confirm\n";
    return false;
  }
  std::cerr << question << " This cannot be undone. Type yes to go on: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

// The process's peak resident memory so far (VmHWM), in KiB.
long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::string totals_line(const store::CycleRow& c) {
  return fmt::format(
      "cycle {} {} {} directorate {}: {} — {} pupils, {} beneficiaries, {} households, due {} "
      "MAD, forfeited {} MAD, adjustments {} MAD",
      c.id, c.policy_code, c.period, c.directorate_code, c.state, c.pupils, c.beneficiaries,
      c.households, app::format_mad(c.due), app::format_mad(c.forfeited),
      app::format_mad(c.adjustments));
}
}  // namespace

TayssirCommand::TayssirCommand(CLI::App& cli) {
  root = cli.add_subcommand("tayssir", "Tayssir cash transfers: policies, cycles, lists, payment");
  root->require_subcommand(1);

  auto* pol = root->add_subcommand("policy", "program policies: init, list, show, copy, set");
  pol->require_subcommand(1);
  p_init = pol->add_subcommand("init", "create the published Tayssir policy for a school year");
  p_init->add_option("--year", year, "school year")->capture_default_str();
  p_init->add_option("--code", code, "policy code (default tayssir-YEAR)");
  p_list = pol->add_subcommand("list", "list the policies");
  p_show = pol->add_subcommand("show", "print a policy as JSON (amounts in centimes)");
  p_show->add_option("CODE", code, "policy code")->required();
  p_copy = pol->add_subcommand("copy", "copy a policy, for another year or a what-if");
  p_copy->add_option("FROM", from, "policy to copy")->required();
  p_copy->add_option("CODE", code, "code of the copy")->required();
  p_copy->add_option("--year", year, "school year of the copy (months move with it)");
  p_set = pol->add_subcommand("set", "replace a policy by the JSON of a file (validated)");
  p_set->add_option("CODE", code, "policy code")->required();
  p_set->add_option("FILE", file, "JSON file, as printed by `policy show`")->required();
  p_exempt = pol->add_subcommand(
      "ramed-exempt",
      "set the communes exempt from RAMED (e.g. covered up to 2017-18) from a CSV or XLSX of "
      "their codes");
  p_exempt->add_option("CODE", code, "policy code")->required();
  p_exempt->add_option("FILE", file, "CSV or XLSX: a column headed commune or code, else the first")
      ->required();

  compute = root->add_subcommand(
      "compute", "compute (or recompute) the draft cycles of a transfer period, per directorate");
  compute->add_option("--policy", policy, "policy code")->required();
  compute->add_option("--period", period, "transfer period, e.g. T1")->required();
  compute->add_option("--scope", scope_s, "a directorate, a region, or MA (the whole country)")
      ->required();

  cycles = root->add_subcommand("cycles", "list the cycles of a policy");
  cycles->add_option("--policy", policy, "policy code")->required();
  cycles->add_option("--period", period, "only this period");
  cycles->add_option("--scope", scope_s, "only the directorates of this territory");

  check = root->add_subcommand("check", "a school confirms its list in a draft cycle, or flags it");
  check->add_option("CYCLE", cycle, "cycle number")->required();
  check->add_option("SCHOOL", school, "school code")->required();
  check->add_option("--flag", note, "flag errors instead of confirming, saying what is wrong");

  advance = root->add_subcommand(
      "advance",
      "move a cycle on: checked, approved, closed (or draft to send a checked one back)");
  advance->add_option("CYCLE", cycle, "cycle number")->required();
  advance->add_option("STATE", state, "checked, approved, closed or draft")->required();
  advance->add_flag("--yes", yes, "do not ask before closing");

  list = root->add_subcommand("list", "write a list of a cycle to CSV or XLSX");
  list->add_option("CYCLE", cycle, "cycle number")->required();
  list->add_option("KIND", kind, "beneficiaries, exclusions, payments, totals or adjustments")
      ->required();
  list->add_option("-o,--output", out, "output file")->required();
  list->add_option("--format", format, "xlsx, csv or pdf (for signature)")->capture_default_str();
  list->add_option("--lang", lang_s, "ar (default) or fr")->capture_default_str();
  list->add_option("--school", school, "only this school");

  pay = root->add_subcommand("pay", "write the payment file of an approved cycle (once)");
  pay->add_option("CYCLE", cycle, "cycle number")->required();
  pay->add_option("-o,--output", out, "output file")->required();
  pay->add_option("--format", format, "csv or xlsx")->capture_default_str();
  pay->add_option("--lang", lang_s, "ar (default) or fr")->capture_default_str();
  pay->add_flag("--yes", yes, "do not ask for confirmation");

  explain = root->add_subcommand("explain", "how a pupil's line in a cycle was computed");
  explain->add_option("CYCLE", cycle, "cycle number")->required();
  explain->add_option("MASSAR", massar, "code Massar")->required();

  whatif = root->add_subcommand(
      "whatif", "run a variant of a policy beside it on the registry, writing nothing");
  whatif->add_option("--base", policy, "the policy in force")->required();
  auto* v1 = whatif->add_option("--variant", variant, "a stored policy to compare");
  auto* v2 = whatif->add_option("--variant-file", variant_file,
                                "or a policy in a JSON file (as printed by `policy show`)");
  v1->excludes(v2);
  whatif->add_option("--scope", scope_s, "a directorate, a region, or MA")->capture_default_str();
  whatif->add_option("-o,--output", out, "also write the pupils who enter or leave to this file");
  whatif->add_option("--format", format, "csv or xlsx")->capture_default_str();
  whatif->add_option("--lang", lang_s, "ar (default) or fr")->capture_default_str();

  auto* ap = root->add_subcommand("appeal", "appeals against a pupil's line: file, decide, list");
  ap->require_subcommand(1);
  ap_file = ap->add_subcommand("file", "record an appeal on a cycle that left the draft state");
  ap_file->add_option("CYCLE", cycle, "cycle number")->required();
  ap_file->add_option("MASSAR", massar, "code Massar")->required();
  ap_file->add_option("--grounds", note, "what the household or school says")->required();
  ap_decide = ap->add_subcommand("decide", "uphold or reject an appeal (see `explain` first)");
  ap_decide->add_option("APPEAL", appeal, "appeal number")->required();
  ap_decide->add_option("DECISION", state, "upheld or rejected")->required();
  ap_decide->add_option("--note", a, "the reason of the decision")->required();
  ap_decide
      ->add_option("--months", months,
                   "months to pay, e.g. 2025-10,2025-11 (default: those not paid, except after "
                   "leaving and over the absence threshold)")
      ->delimiter(',');
  ap_list = ap->add_subcommand("list", "the appeals of a cycle");
  ap_list->add_option("CYCLE", cycle, "cycle number")->required();

  bench = root->add_subcommand(
      "bench", "time the engine alone on a scope: the snapshot is loaded once, nothing is written");
  bench->add_option("--policy", policy, "policy code")->required();
  bench->add_option("--period", period, "transfer period")->required();
  bench->add_option("--scope", scope_s, "a directorate, a region, or MA")->capture_default_str();
  bench->add_option("--repeat", repeat, "runs of the engine (the best is reported)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));

  suspects = root->add_subcommand(
      "suspects", "the suspected duplicates (children, payees) of a policy's year, to review");
  suspects->add_option("--policy", policy, "policy code")->required();
  suspects->add_option("--scope", scope_s, "a territory code, or MA")->capture_default_str();

  review = root->add_subcommand("review", "decide on a suspected duplicate pair");
  review->add_option("KIND", kind, "pupil (two codes Massar) or payee (two CINs)")->required();
  review->add_option("A", a, "first code")->required();
  review->add_option("B", b, "second code")->required();
  review->add_option("DECISION", state, "same or distinct")->required();
  review->add_option("--note", note, "why");
}

int TayssirCommand::run(CommandContext& ctx) {
  store::Store& st = ctx.st;
  const auto& progress = ctx.progress;
  const auto& progress_done = ctx.progress_done;
  app::TayssirFor T(st, ctx.caller());
  auto fmt_opts = [&]() -> std::optional<app::ListOptions> {
    auto lang = parse_lang(lang_s);
    auto ff = app::parse_file_format(format);
    if (!lang || !ff) {
      std::cerr << "sanad tayssir: --format must be csv, xlsx or pdf and --lang ar or fr\n";
      return std::nullopt;
    }
    return app::ListOptions{*ff, *lang, school};
  };
  // What a saved policy does that its editor may not mean (RAMED everywhere), on stderr.
  auto warn = [](const tayssir::Policy& p) {
    for (const auto& w : tayssir::warnings(p))
      std::cerr << "sanad tayssir: note: " << w.message << "\n";
  };
  try {
    if (*p_init) {
      if (!parse_school_year(year)) {
        std::cerr << "sanad tayssir: --year " << year << " is not a school year like 2025-2026\n";
        return kUsage;
      }
      auto p = T.publish_policy(year, code);
      std::cout << fmt::format("policy {} created with the published rules of Tayssir\n",
                               p.policy.code);
      warn(p.policy);
    } else if (*p_list) {
      for (const auto& [p, frozen] : T.policies())
        std::cout << fmt::format("{}\t{}\t{}\t{}\n", p.code, p.school_year, p.name_fr,
                                 frozen ? "frozen" : "editable");
    } else if (*p_show) {
      std::cout << app::policy_to_json(T.policy(code).policy) << "\n";
    } else if (*p_copy) {
      if (!year.empty() && !parse_school_year(year)) {
        std::cerr << "sanad tayssir: --year " << year << " is not a school year\n";
        return kUsage;
      }
      auto p = T.copy_policy(from, code, year);
      std::cout << fmt::format("policy {} created from {} ({})\n", code, from,
                               p.policy.school_year);
      warn(p.policy);
    } else if (*p_set) {
      const std::string json = read_file(file);
      auto p = app::policy_from_json(json);
      if (p.code != code) {
        std::cerr << fmt::format("sanad tayssir: the file describes policy {}, not {}\n", p.code,
                                 code);
        return kDataErr;
      }
      warn(T.update_policy(code, json).policy);
      std::cout << fmt::format("policy {} saved\n", code);
    } else if (*p_exempt) {
      auto communes = T.communes_from_file(read_file(file), file);
      auto p = T.policy(code).policy;
      p.ramed_exempt_communes = communes;
      T.update_policy(code, app::policy_to_json(p));
      std::cout << fmt::format("policy {}: {} commune(s) exempt from RAMED\n", code,
                               communes.size());
    } else if (*compute) {
      if (!parse_scope(scope_s)) {
        std::cerr << "sanad tayssir: --scope " << scope_s << " is not a territory code\n";
        return kUsage;
      }
      keep_freed_memory();
      auto r = T.compute(policy, period, scope_s, progress);
      progress_done();
      for (const auto& c : r.cycles)
        std::cout << totals_line(c.row)
                  << (c.recomputed
                          ? fmt::format(" ({} lines written, {} deleted; {} adjustment lines)",
                                        c.lines.written, c.lines.deleted, c.adjustment_lines)
                          : " (not recomputed: it left the draft state)")
                  << "\n";
      if (r.cycles.empty()) std::cout << "no pupil of the scope is enrolled in that year\n";
      if (r.suspects_pending > 0) {
        std::cout << fmt::format(
            "{} suspected duplicate(s) listed for review (sanad tayssir suspects, review …):\n",
            r.suspects_pending);
        for (const auto& x : r.suspects)
          std::cout << fmt::format("  {} {} {}: {}\n", x.kind, x.a, x.b, x.why);
        if (r.suspects_pending > static_cast<int64_t>(r.suspects.size())) std::cout << "  …\n";
      }
    } else if (*cycles) {
      if (!parse_scope(scope_s)) {
        std::cerr << "sanad tayssir: --scope " << scope_s << " is not a territory code\n";
        return kUsage;
      }
      T.policy(policy);  // named: it must be there
      for (const auto& c : T.cycles(policy, period, scope_s)) std::cout << totals_line(c) << "\n";
    } else if (*check) {
      T.check(cycle, school, note.empty(), note);
      std::cout << fmt::format("cycle {}: school {} {}\n", cycle, school,
                               note.empty() ? "confirmed its list" : "flagged errors");
    } else if (*advance) {
      if (state == "closed" &&
          !confirmed(yes, fmt::format("Close cycle {}? A closed cycle never changes.", cycle)))
        return kFail;
      std::cout << totals_line(T.advance(cycle, state)) << "\n";
    } else if (*list) {
      auto k = app::parse_cycle_list(kind);
      if (!k) {
        std::cerr << "sanad tayssir: unknown list " << kind
                  << " (beneficiaries, exclusions, payments, totals, adjustments)\n";
        return kUsage;
      }
      auto o = fmt_opts();
      if (!o) return kUsage;
      auto n = T.write_list(cycle, *k, *o, out);
      std::cout << fmt::format("{}: {} rows\n", out, n);
    } else if (*pay) {
      auto o = fmt_opts();
      if (!o) return kUsage;
      auto c = T.cycle(cycle);
      // Asked only of an approved cycle (another is refused below, with its reason).
      if (c.payable) {
        const app::PaymentExport& p = *c.payable;
        if (!confirmed(
                yes, fmt::format("Export cycle {} for payment ({} MAD to {} households{})?", cycle,
                                 app::format_mad(p.amount), p.households,
                                 p.owing_households
                                     ? fmt::format("; {} left off, owing {} MAD",
                                                   p.owing_households, app::format_mad(-p.owing))
                                     : "")))
          return kFail;
      }
      auto r = T.pay(cycle, *o, out);
      std::cout << fmt::format("{}: {} households, {} MAD, sha256 {}\n", out, r.households,
                               app::format_mad(r.amount), r.sha256);
      if (r.owing_households > 0)
        std::cout << fmt::format(
            "{} households left off: they owe {} MAD from corrections, recovered by the next "
            "cycle computed\n",
            r.owing_households, app::format_mad(-r.owing));
    } else if (*explain) {
      auto x = T.explain(cycle, massar);
      std::cout << fmt::format(
          "{} ({}, school {}): {}; {} MAD a month; due {} MAD, forfeited {} MAD\n", x.massar,
          x.level, x.school_code, x.reason, app::format_mad(x.monthly), app::format_mad(x.due),
          app::format_mad(x.forfeited));
      for (const auto& m : x.months)
        std::cout << fmt::format(
            "  {}{}: {} absence day(s) counted (threshold {}), today {} unjustified + {} "
            "justified → {}\n",
            m.month, x.schools.size() > 1 ? " at " + m.school : "", m.counted, m.threshold,
            m.unjustified, m.justified,
            m.state == 'P'   ? "paid"
            : m.state == 'F' ? "forfeited"
            : m.state == 'L' ? "after leaving school"
            : m.state == 'T' ? "at another school (transferred; that school pays it)"
                             : "not eligible");
      if (!x.siblings.empty()) {
        std::cout << "the household's other children in this period:\n";
        for (const auto& s : x.siblings)
          std::cout << fmt::format("  {} ({}, school {}): {}{}\n", s.massar, s.level, s.school_code,
                                   s.reason, s.reason == "eligible" ? " — holds a place" : "");
      }
    } else if (*whatif) {
      if (!parse_scope(scope_s)) {
        std::cerr << "sanad tayssir: --scope " << scope_s << " is not a territory code\n";
        return kUsage;
      }
      if (variant.empty() == variant_file.empty()) {
        std::cerr << "sanad tayssir: give --variant CODE or --variant-file FILE\n";
        return kUsage;
      }
      auto o = fmt_opts();
      if (!o) return kUsage;
      auto ask = T.what_if_ask(
          policy, variant, variant.empty() ? std::optional(read_file(variant_file)) : std::nullopt,
          scope_s);
      const auto &base = ask.base, &var = ask.variant;
      auto r = T.what_if(ask, progress);
      progress_done();
      auto line = [](const app::WhatIfRow& w) {
        return fmt::format(
            "{:<10} beneficiaries {:>9} → {:<9} households {:>9} → {:<9} cost {:>14} → {} MAD",
            w.directorate, w.base.beneficiaries, w.variant.beneficiaries, w.base.households,
            w.variant.households, app::format_mad(w.base.cost), app::format_mad(w.variant.cost));
      };
      std::cout << fmt::format("{} → {} ({}), the whole year:\n", base.code, var.code,
                               base.school_year);
      for (const auto& w : r.by_directorate) std::cout << line(w) << "\n";
      std::cout << line(r.total) << "\n"
                << fmt::format("{} pupils enter, {} leave\n", r.entering.size(), r.leaving.size());
      if (!out.empty())
        std::cout << fmt::format("{}: {} rows\n", out, T.write_what_if_changes(ask, r, out, *o));
    } else if (*ap_file) {
      auto id = T.file_appeal(cycle, massar, note);
      std::cout << fmt::format("appeal #{} filed on cycle {} for {}\n", id, cycle, massar);
    } else if (*ap_decide) {
      if (state != "upheld" && state != "rejected") {
        std::cerr << "sanad tayssir: the decision is upheld or rejected\n";
        return kUsage;
      }
      auto r = T.decide_appeal(appeal, app::AppealDecision{state == "upheld", a, months});
      std::cout << fmt::format("appeal #{} {}{}\n", r.id, r.state,
                               r.state == "upheld"
                                   ? fmt::format(": {} MAD for {}, paid with the next cycle",
                                                 app::format_mad(r.amount), r.months)
                                   : "");
    } else if (*ap_list) {
      for (const auto& r : T.cycle(cycle).appeals)
        std::cout << fmt::format(
            "#{}\t{}\t{}\t{}\t{} MAD\t{}\t{}\n", r.id, r.massar, r.state, r.filed_at,
            app::format_mad(r.amount), r.grounds,
            r.adjusted_in ? fmt::format("paid in cycle {}", r.adjusted_in) : std::string());
    } else if (*bench) {
      auto scope = parse_scope(scope_s);
      if (!scope) {
        std::cerr << "sanad tayssir: --scope " << scope_s << " is not a territory code\n";
        return kUsage;
      }
      T.may_compute();  // a measure of the computation, on the registry of the scope
      auto pol = T.policy(policy).policy;
      const tayssir::Period* per = nullptr;
      for (const auto& p : pol.periods)
        if (p.code == period) per = &p;
      if (!per) throw app::TayssirError("no period " + period);
      using clock = std::chrono::steady_clock;
      auto secs = [](clock::duration d) { return std::chrono::duration<double>(d).count(); };
      keep_freed_memory();  // as `compute` does
      auto t0 = clock::now();
      auto reviews = app::load_reviews(st);
      auto L = app::load_snapshot(st, *scope, pol.school_year, per->months, reviews,
                                  pol.absence_unit == tayssir::AbsenceUnit::session);
      double load = secs(clock::now() - t0);
      long rss_before = peak_rss_kib();
      double best = 1e300, best_decide = 0;
      int64_t due = 0, eligible = 0;
      for (int64_t i = 0; i < repeat; ++i) {
        auto t_a = clock::now();
        auto e = tayssir::decide(pol, L.s, reviews);
        auto t_b = clock::now();
        auto r = tayssir::run_cycle(pol, *per, L.s, e);
        auto t_c = clock::now();
        if (secs(t_c - t_a) < best) {
          best = secs(t_c - t_a);
          best_decide = secs(t_b - t_a);
        }
        due = r.total.due;
        eligible = r.total.beneficiaries;
      }
      std::cout << fmt::format(
          "pupils {}  load {:.2f} s  engine {:.3f} s (eligibility {:.3f} s, cycle {:.3f} s)  "
          "beneficiaries {}  due {} MAD  peak RSS {} KiB (after loading {} KiB)\n",
          L.s.pupils(), load, best, best_decide, best - best_decide, eligible, app::format_mad(due),
          peak_rss_kib(), rss_before);
    } else if (*suspects) {
      auto scope = parse_scope(scope_s);
      if (!scope) {
        std::cerr << "sanad tayssir: --scope " << scope_s << " is not a territory code\n";
        return kUsage;
      }
      T.may_review_suspects(policy, scope_s);
      auto pairs = app::list_suspects(st, policy, *scope);
      progress_done();
      std::size_t pending = 0;
      for (const auto& x : pairs) {
        pending += x.decision.empty();
        std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", x.kind, x.a, x.b,
                                 x.decision.empty() ? "pending" : x.decision, x.why);
      }
      std::cerr << fmt::format("{} pair(s), {} pending review\n", pairs.size(), pending);
    } else if (*review) {
      T.review(kind, a, b, state, note);
      std::cout << fmt::format("{} {} / {}: {}\n", kind, a, b, state);
    }
  } catch (const app::TayssirError& e) {
    progress_done();
    std::cerr << "sanad tayssir: " << e.what() << "\n";
    return kDataErr;
  }
  return 0;
}

}  // namespace sanad::cli
