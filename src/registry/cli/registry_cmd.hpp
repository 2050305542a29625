// The registry's commands: `sanad import`, `sanad export`, `sanad demo`.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "core/module.hpp"

namespace sanad::cli {

class RegistryCommand : public Command {
 public:
  explicit RegistryCommand(CLI::App& cli);
  bool parsed() const override;
  bool needs_initialised() const override;
  int run(CommandContext& ctx) override;

 private:
  int run_import(CommandContext& ctx);
  CLI::App *imp = nullptr, *exp = nullptr, *dem = nullptr;
  std::string kind_name, file, report, replace_from, replace_to;
  bool skip = false, dry = false, lenient = false, accept_identity = false;
  std::string ekind, format = "csv", out, scope_s, lang_s = "ar", year;
  std::string scale = "province";
  uint64_t seed = 1;
  std::string demo_year = "2025-2026";
  bool no_abs = false;
  int demo_communes = 0, demo_years = 1;
};

}  // namespace sanad::cli
