// Tayssir as a caller asks for it. Each call checks the caller's right (the role × action table)
// and reach (a cycle of a directorate in or around the caller's scope; below a directorate, the
// caller's own schools only), then runs the use case of tayssir.hpp in the caller's name, so that
// the audit entry is the caller's. The API's routes call these and nothing else: a caller who may
// not gets Forbidden or NotFound (core/app/caller.hpp), input that is not what a call takes
// BadRequest, a rule of the program that refuses a TayssirError.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/app/caller.hpp"
#include "core/store/school_checks.hpp"
#include "modules/tayssir/app/tayssir.hpp"

namespace sanad::app {

class TayssirFor {
 public:
  TayssirFor(store::Store& st, Caller c) : st_(st), c_(std::move(c)) {}

  // Policies: read by whoever reads Tayssir, created and edited nationally.
  struct PolicyItem {
    tayssir::Policy policy;
    bool frozen = false;
  };
  std::vector<PolicyItem> policies();
  PolicyItem policy(const std::string& code);
  // A copy of policy `from` under `code` (for `school_year` when given).
  PolicyItem copy_policy(const std::string& from, const std::string& code,
                         const std::string& school_year);
  // The published rules of a school year ("2026-2027"), under `code` when given.
  PolicyItem publish_policy(const std::string& school_year, const std::string& code);
  // Replaces policy `code` by the policy `json` describes (GET /tayssir/policies' "policy").
  PolicyItem update_policy(const std::string& code, const std::string& json);
  // Throws unless the caller may create and edit policies (checked before reading what it sent).
  void may_edit_policies();
  // The commune codes of a file (CSV or XLSX bytes), for a policy's RAMED exemptions; read by
  // who may edit policies.
  std::vector<std::string> communes_from_file(const std::string& bytes, const std::string& name);

  // Cycles within reach (of `scope` inside the caller's when named), as the caller sees them
  // (below a directorate: its own schools' totals).
  std::vector<store::CycleRow> cycles(const std::string& policy, const std::string& period,
                                      const std::string& scope = {});
  void may_compute();
  // Computes a period for the caller's scope, or `scope` inside it.
  ComputeResult compute(const std::string& policy, const std::string& period,
                        const std::string& scope,
                        std::function<void(const std::string&)> progress = {});

  struct CycleDetail {
    store::CycleRow cycle;  // as the caller sees it
    int64_t schools = 0;    // schools of the cycle within reach
    std::vector<store::SchoolCheckRow> checks;
    std::vector<store::AppealRow> appeals;
    // An approved cycle, to one who may pay it: what the payment file will pay.
    std::optional<PaymentExport> payable;
  };
  CycleDetail cycle(int64_t id);

  struct LinesPage {
    int64_t cycle = 0;
    std::vector<std::string> months;
    int64_t total = 0;
    std::vector<store::LineDetailRow> items;
  };
  // The lines within reach, of one school of the cycle when named; `reason` is a reason,
  // "eligible" or "excluded"; page from 1.
  LinesPage lines(int64_t id, const std::string& school, const std::string& reason, int64_t page,
                  int64_t size);
  // Checks what lines would check, reading no line.
  void may_read_lines(int64_t id, const std::string& school);

  // A school's confirmation or flag (the caller's own school when none is named).
  void check(int64_t id, std::string school, std::optional<bool> confirmed,
             const std::string& note);
  store::CycleRow advance(int64_t id, const std::string& to);

  // A list of the cycle written to `path`: below a directorate, the lists of one's own school.
  // `opt.school` is filled with the caller's school where it is implied. Rows written.
  int64_t write_list(int64_t id, CycleList kind, ListOptions& opt, const std::string& path);
  // Checks what write_list would check, writing nothing (to answer before preparing a file): a
  // list that does not exist is not found, options that could not be read (none) a BadRequest.
  void may_write_list(int64_t id, std::optional<CycleList> kind, std::optional<ListOptions>& opt);
  PaymentExport pay(int64_t id, ListOptions opt, const std::string& path);
  void may_pay(int64_t id);

  Explanation explain(int64_t id, const std::string& massar);
  int64_t file_appeal(int64_t id, const std::string& massar, const std::string& grounds);
  store::AppealRow decide_appeal(int64_t appeal_id, std::optional<AppealDecision> d);

  // A what-if: the base policy, a stored variant or one not saved, a scope inside the caller's
  // (its own by default).
  struct WhatIfAsk {
    tayssir::Policy base, variant;
    Scope scope;
  };
  void may_plan();
  // `variant_policy`: a policy's JSON, used instead of the stored `variant` when given.
  WhatIfAsk what_if_ask(const std::string& base, const std::string& variant,
                        const std::optional<std::string>& variant_policy, const std::string& scope);
  WhatIfResult what_if(const WhatIfAsk& a, std::function<void(const std::string&)> progress = {});
  void may_write_what_if_changes();
  int64_t write_what_if_changes(const WhatIfAsk& a, const WhatIfResult& r, const std::string& path,
                                const ListOptions& opt);

  // Suspected duplicates of a policy's year within the caller's scope (or `scope` inside it).
  struct Suspects {
    std::string policy;
    Scope scope;
    SuspectPage page;
  };
  Suspects suspects(const std::string& policy, const std::string& scope, int64_t offset,
                    int64_t limit);
  // Checks what suspects would check, listing none.
  void may_review_suspects(const std::string& policy, const std::string& scope);
  void review(const std::string& kind, std::string a, std::string b, const std::string& decision,
              const std::string& note);

 private:
  struct LinesOf {
    store::CycleRow row;
    SchoolReach reach;
    int64_t school_id = 0;  // 0: every school within reach
  };
  LinesOf lines_of(int64_t id, const std::string& school);
  // The cycle, if within the caller's reach; NotFound otherwise.
  store::CycleRow reachable(int64_t id);
  // A scope named by the caller, inside its own; its own when empty.
  Scope scope_inside(const std::string& named);
  store::CycleRow as_seen(const store::CycleRow& row);

  store::Store& st_;
  Caller c_;
};

}  // namespace sanad::app
