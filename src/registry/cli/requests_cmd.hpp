// `sanad requests`: the import requests (rows of scoped imports that named another scope's pupil
// or household), listed and decided from the command line, at the nation's scope.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "core/module.hpp"

namespace sanad::cli {

struct RequestsCommand : Command {
  explicit RequestsCommand(CLI::App& cli);
  bool parsed() const override { return root->parsed(); }
  // Exit code: 0, 2 usage, 65 refused (no longer pending, no note…), 1 anything else.
  int run(CommandContext& ctx) override;

  CLI::App* root = nullptr;
  CLI::App *list, *accept, *refuse;
  std::string scope_s = "MA", state, note, left_date;
  bool sent = false;
  int64_t id = 0;
};

}  // namespace sanad::cli
