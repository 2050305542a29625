// The `sanad stats` subcommands: the indicator catalogue, figures of a territory, rankings,
// definitions, targets and the reporting of values.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "core/module.hpp"

namespace sanad::cli {

struct StatsCommand : Command {
  explicit StatsCommand(CLI::App& cli);
  bool parsed() const override { return root->parsed(); }
  int run(CommandContext& ctx) override;
  // Exit code: 0, 2 usage, 65 refused (bad definition, a state), 1 anything else.
  int run_bench(store::Store& st);

  CLI::App* root = nullptr;
  CLI::App *catalogue, *show, *rank, *define, *target, *report, *behind, *bench;
  std::string year = "2025-2026", scope_s = "MA", indicator, file, action, note, dimension, value,
              lang_s = "fr";
  double baseline = 0, target_v = 0;
  bool by = false, json = false, denominator = false;
  int threads = 2;
  int64_t repeat = 3;
  std::string facts_dir;
};

// `sanad exchange`: SDMX files for the planning directorate, and what it sends back.
struct ExchangeCommand : Command {
  explicit ExchangeCommand(CLI::App& cli);
  bool parsed() const override { return root->parsed(); }
  int run(CommandContext& ctx) override;

  CLI::App* root = nullptr;
  CLI::App *exp, *imp, *received;
  std::string year = "2025-2026", out, file, schemas;
  int64_t threshold = 5;
};

}  // namespace sanad::cli
