// The `sanad tayssir` subcommands: declared on the command line, then run.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "core/module.hpp"

namespace sanad::cli {

struct TayssirCommand : Command {
  explicit TayssirCommand(CLI::App& cli);
  bool parsed() const override { return root->parsed(); }
  // Exit code: 0, 2 usage, 65 refused (a rule, a state, bad data), 1 anything else. Each
  // subcommand calls Tayssir as the command line's caller (app/tayssir_for.hpp), which checks
  // the action it needs.
  int run(CommandContext& ctx) override;

  CLI::App* root = nullptr;
  CLI::App *p_init, *p_list, *p_show, *p_copy, *p_set, *p_exempt, *compute, *cycles, *check,
      *advance, *list, *pay, *explain, *review, *whatif, *ap_file, *ap_decide, *ap_list, *bench,
      *suspects;
  std::string year = "2025-2026", code, from, file, policy, period, scope_s = "MA", school, note,
              state, kind, out, format = "xlsx", lang_s = "ar", massar, a, b, variant, variant_file;
  int64_t cycle = 0, appeal = 0, repeat = 3;
  std::vector<std::string> months;
  bool yes = false;
};

}  // namespace sanad::cli
