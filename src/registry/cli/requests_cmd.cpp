#include "registry/cli/requests_cmd.hpp"

#include <fmt/format.h>

#include <iostream>

#include "registry/app/requests.hpp"

namespace sanad::cli {
namespace {
constexpr int kUsage = 2, kDataErr = 65, kFail = 1;
}

RequestsCommand::RequestsCommand(CLI::App& cli) {
  root = cli.add_subcommand(
      "requests",
      "import requests: rows of a scoped import that named another scope's pupil or household");
  root->require_subcommand(1);
  list = root->add_subcommand("list", "the requests received by a scope (or sent, with --sent)");
  list->add_option("--scope", scope_s, "a territory or school code (MA: every request)")
      ->capture_default_str();
  list->add_option("--state", state, "pending, accepted or refused (default: every state)");
  list->add_flag("--sent", sent, "the requests the scope's schools sent");
  accept = root->add_subcommand(
      "accept", "accept a request: a transfer moves the pupil, a link ties him to the household");
  accept->add_option("ID", id, "request number")->required();
  accept->add_option("--left-date", left_date,
                     "a transfer: the day he left his school (YYYY-MM-DD; default today)");
  accept->add_option("--note", note, "a note kept with the decision");
  refuse = root->add_subcommand("refuse", "refuse a request, saying why");
  refuse->add_option("ID", id, "request number")->required();
  refuse->add_option("--note", note, "why")->required();
}

int RequestsCommand::run(CommandContext& ctx) {
  store::Store& st = ctx.st;
  app::Principal p = ctx.operator_principal;  // the list: as seen from --scope
  try {
    if (*list) {
      auto scope = parse_scope(scope_s);
      if (!scope) {
        std::cerr << "sanad requests: --scope " << scope_s
                  << " is not a territory or school code\n";
        return kUsage;
      }
      if (!state.empty() && state != "pending" && state != "accepted" && state != "refused") {
        std::cerr << "sanad requests: --state is pending, accepted or refused\n";
        return kUsage;
      }
      if (!st.scope_exists(*scope)) {
        std::cerr << "sanad requests: no " << node_kind_name(scope->kind) << " with code "
                  << scope->code << "\n";
        return kDataErr;
      }
      p.scope = *scope;
      p.scope_path = *st.ancestry(*scope);
      auto rows = app::list_requests(
          st, p, sent ? app::RequestBox::outgoing : app::RequestBox::incoming, state, 10000);
      std::cout << "id\tkind\tstate\tmassar\tyear\tasking school\tlevel\tclass\tpayee CIN\t"
                   "requested by\trequested at\tfile:row\tdecided by\tnote\n";
      for (const auto& v : *rows)
        std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}:{}\t{}\t{}\n",
                                 v.id, v.kind, v.state, v.massar, v.school_year, v.asking_school,
                                 v.asked.level, v.asked.class_name, v.household.payee_cin,
                                 v.requested_by, v.requested_at, v.file, v.file_row, v.decided_by,
                                 v.note);
      return 0;
    }
    app::RequestDecision d;
    d.accept = accept->parsed();
    d.note = note;
    d.left_date = left_date;
    auto v = app::decide_request(st, p, id, d, "local");
    if (!v) {
      std::cerr << "sanad requests: no request " << id << "\n";
      return kDataErr;
    }
    std::cout << fmt::format("request {} ({} of {}) {}\n", v->id, v->kind, v->massar, v->state);
    return 0;
  } catch (const app::Refusal& e) {
    std::cerr << "sanad requests: " << e.what() << "\n";
    return kDataErr;
  } catch (const std::exception& e) {
    std::cerr << "sanad requests: " << e.what() << "\n";
    return kFail;
  }
}

}  // namespace sanad::cli
