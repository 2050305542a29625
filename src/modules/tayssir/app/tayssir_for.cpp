#include "modules/tayssir/app/tayssir_for.hpp"

#include <fmt/format.h>

#include "core/store/store.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"
#include "modules/tayssir/store/tayssir.hpp"

namespace sanad::app {

namespace {

// Program policies are national rules: created and edited by an account with the policy action
// and the national scope.
bool edits_policies(const Principal& p) {
  return role_allows(p.role, Action::tayssir_policy) && p.scope.kind == NodeKind::nation;
}

// Suspected duplicates are reviewed by whoever runs the cycles of a whole directorate or more.
bool reviews_duplicates(const Principal& p) {
  return role_allows(p.role, Action::tayssir_run) && !sees_only_its_part(p);
}

}  // namespace

store::CycleRow TayssirFor::reachable(int64_t id) {
  auto row = store::TayssirStore(st_).cycle(id);
  found_if(row && directorate_record_in_reach(st_, c_.who, row->directorate_code));
  return *row;
}

Scope TayssirFor::scope_inside(const std::string& named) {
  if (named.empty()) return c_.who.scope;
  auto s = parse_scope(named);
  found_if(s && can_see(st_, c_.who, *s));
  return *s;
}

store::CycleRow TayssirFor::as_seen(const store::CycleRow& row) {
  auto reach = school_reach(st_, c_.who);
  if (reach.whole) return row;
  return part_of_cycle(st_, row, [&](const std::string& school) { return reach.has(school); });
}

// --- policies --------------------------------------------------------------------------------

std::vector<TayssirFor::PolicyItem> TayssirFor::policies() {
  require(c_, {Action::tayssir_read});
  std::vector<PolicyItem> out;
  for (auto& p : list_policies(st_)) {
    bool frozen = policy_frozen(st_, p.code);
    out.push_back({std::move(p), frozen});
  }
  return out;
}

TayssirFor::PolicyItem TayssirFor::policy(const std::string& code) {
  require(c_, {Action::tayssir_read});
  auto p = find_policy(st_, code);
  if (!p) throw NotFound("no_policy", "no policy " + code);
  return {*p, policy_frozen(st_, p->code)};
}

TayssirFor::PolicyItem TayssirFor::copy_policy(const std::string& from, const std::string& code,
                                               const std::string& school_year) {
  may_edit_policies();
  if (code.empty()) throw BadRequest("a copy needs the new policy's code");
  found_if(find_policy(st_, from).has_value());
  auto p = app::copy_policy(st_, from, code, school_year, c_.actor());
  return {p, policy_frozen(st_, p.code)};
}

TayssirFor::PolicyItem TayssirFor::publish_policy(const std::string& school_year,
                                                  const std::string& code) {
  may_edit_policies();
  auto y = parse_school_year(school_year);
  if (!y) throw BadRequest("school_year is written like 2026-2027");
  auto p = tayssir::published_policy(*y);
  if (!code.empty()) p.code = code;
  create_policy(st_, p, c_.actor());
  return {p, policy_frozen(st_, p.code)};
}

void TayssirFor::may_edit_policies() {
  if (!edits_policies(c_.who)) throw Forbidden();
}

TayssirFor::PolicyItem TayssirFor::update_policy(const std::string& code, const std::string& json) {
  may_edit_policies();
  found_if(find_policy(st_, code).has_value());
  auto p = policy_from_json(json);
  if (p.code != code)
    throw BadRequest(fmt::format("the body describes policy {}, not {}", p.code, code));
  app::update_policy(st_, p, c_.actor());
  return {p, policy_frozen(st_, p.code)};
}

std::vector<std::string> TayssirFor::communes_from_file(const std::string& bytes,
                                                        const std::string& name) {
  may_edit_policies();
  return app::communes_from_file(st_, bytes, name);
}

// --- cycles ----------------------------------------------------------------------------------

std::vector<store::CycleRow> TayssirFor::cycles(const std::string& policy,
                                                const std::string& period,
                                                const std::string& scope) {
  require(c_, {Action::tayssir_read});
  const Scope within = scope_inside(scope);
  store::TayssirStore ts(st_);
  std::vector<store::CycleRow> out;
  for (const auto& p : ts.policies()) {
    if (!policy.empty() && p.code != policy) continue;
    for (const auto& row : ts.cycles(p.id, period, within)) out.push_back(as_seen(row));
  }
  return out;
}

void TayssirFor::may_compute() {
  require(c_, {Action::tayssir_run});
}

ComputeResult TayssirFor::compute(const std::string& policy, const std::string& period,
                                  const std::string& scope,
                                  std::function<void(const std::string&)> progress) {
  require(c_, {Action::tayssir_run});
  ComputeOptions o;
  o.policy = policy;
  o.period = period;
  o.scope = scope_inside(scope);
  o.who = c_.actor();
  o.progress = std::move(progress);
  return compute_cycles(st_, o);
}

TayssirFor::CycleDetail TayssirFor::cycle(int64_t id) {
  require(c_, {Action::tayssir_read});
  auto row = reachable(id);
  auto reach = school_reach(st_, c_.who);
  store::TayssirStore ts(st_);
  CycleDetail d;
  for (auto& k : checks_of(st_, row.id).answers())
    if (reach.has(k.school_code)) d.checks.push_back(std::move(k));
  for (const auto& school : ts.schools_of_cycle(row.id)) d.schools += reach.has(school.code);
  for (auto& a : ts.appeals_of_cycle(row.id))
    if (reach.has(a.school_code)) d.appeals.push_back(std::move(a));
  d.cycle = as_seen(row);
  if (row.state == "approved" && c_.may(Action::tayssir_run))
    d.payable = payment_totals(st_, row.id);
  return d;
}

TayssirFor::LinesOf TayssirFor::lines_of(int64_t id, const std::string& school_asked) {
  require(c_, {Action::tayssir_read});
  LinesOf of{reachable(id), school_reach(st_, c_.who), 0};
  const std::string school = ascii_upper(school_asked);
  if (!school.empty()) {
    // A school of the cycle's directorate within reach, or "not found" as for one that is not
    // there: a school elsewhere answers the same.
    found_if(of.reach.has(school));
    auto where = st_.ancestry({NodeKind::school, school});
    found_if(where && within({NodeKind::directorate, of.row.directorate_code}, *where));
    auto sid = store::TayssirStore(st_).school_id(school);
    found_if(sid.has_value());
    of.school_id = *sid;
  }
  return of;
}

void TayssirFor::may_read_lines(int64_t id, const std::string& school) {
  lines_of(id, school);
}

TayssirFor::LinesPage TayssirFor::lines(int64_t id, const std::string& school,
                                        const std::string& reason, int64_t page, int64_t size) {
  auto [row, reach, school_id] = lines_of(id, school);
  const bool eligible_only = reason == "eligible", excluded_only = reason == "excluded";
  LinesPage out;
  out.cycle = row.id;
  store::TayssirStore(st_).each_line_detail(row.id, school_id, [&](const store::LineDetailRow& d) {
    if (!reach.has(d.school_code)) return;
    bool eligible = d.line.reason == "eligible";
    if ((eligible_only && !eligible) || (excluded_only && eligible)) return;
    if (!reason.empty() && !eligible_only && !excluded_only && d.line.reason != reason) return;
    ++out.total;
    if (out.total <= (page - 1) * size || out.total > page * size) return;
    out.items.push_back(d);
  });
  for (const auto& per : get_policy(st_, row.policy_code).periods)
    if (per.code == row.period) out.months = per.months;
  return out;
}

void TayssirFor::check(int64_t id, std::string school, std::optional<bool> confirmed,
                       const std::string& note) {
  require(c_, {Action::tayssir_check});
  auto row = reachable(id);
  if (!confirmed)
    throw BadRequest("expected {\"school\": …, \"confirmed\": true|false, \"note\": …}");
  school = ascii_upper(school);
  if (school.empty() && c_.who.scope.kind == NodeKind::school) school = c_.who.scope.code;
  found_if(can_see(st_, c_.who, Scope{NodeKind::school, school}));
  check_school(st_, row.id, school, *confirmed, note, c_.actor());
}

store::CycleRow TayssirFor::advance(int64_t id, const std::string& to) {
  require(c_, {Action::tayssir_run});
  auto row = reachable(id);
  found_if(!sees_only_its_part(c_.who));
  if (to.empty()) throw BadRequest("expected {\"to\": \"checked\"|…}");
  advance_cycle(st_, row.id, to, c_.actor());
  return get_cycle(st_, row.id);
}

// --- lists and payment -----------------------------------------------------------------------

void TayssirFor::may_write_list(int64_t id, std::optional<CycleList> kind,
                                std::optional<ListOptions>& opt) {
  require(c_, {Action::tayssir_read, Action::export_data});
  reachable(id);
  found_if(kind.has_value());
  if (!opt) throw BadRequest("format is csv, xlsx or pdf, lang ar or fr");
  auto reach = school_reach(st_, c_.who);
  if (!reach.whole) {
    // Below a directorate: the lists of one's own school only.
    if (!is_school_list(*kind)) throw Forbidden();
    if (opt->school.empty() && c_.who.scope.kind == NodeKind::school)
      opt->school = c_.who.scope.code;
    if (opt->school.empty()) throw BadRequest("name the school");
  }
  if (!opt->school.empty())
    found_if(reach.has(opt->school) && can_see(st_, c_.who, Scope{NodeKind::school, opt->school}));
}

int64_t TayssirFor::write_list(int64_t id, CycleList kind, ListOptions& opt,
                               const std::string& path) {
  std::optional<ListOptions> o = opt;
  may_write_list(id, kind, o);
  opt = *o;
  return write_cycle_list(st_, id, kind, path, opt, c_.actor());
}

void TayssirFor::may_pay(int64_t id) {
  require(c_, {Action::tayssir_run});
  reachable(id);
  found_if(!sees_only_its_part(c_.who));
}

PaymentExport TayssirFor::pay(int64_t id, ListOptions opt, const std::string& path) {
  may_pay(id);
  opt.school.clear();
  return export_payments(st_, id, path, opt, c_.actor());
}

// --- explanations and appeals ----------------------------------------------------------------

Explanation TayssirFor::explain(int64_t id, const std::string& massar) {
  require(c_, {Action::tayssir_read});
  auto row = reachable(id);
  Explanation x;
  try {
    x = explain_line(st_, row.id, ascii_upper(massar));
  } catch (const TayssirError&) {
    throw NotFound();  // no line for this pupil in the cycle
  }
  const auto reach = school_reach(st_, c_.who);
  found_if(std::any_of(x.schools.begin(), x.schools.end(),
                       [&](const std::string& s) { return reach.has(s); }));
  return x;
}

int64_t TayssirFor::file_appeal(int64_t id, const std::string& massar_asked,
                                const std::string& grounds) {
  require(c_, {Action::tayssir_appeal});
  auto row = reachable(id);
  const std::string massar = ascii_upper(massar_asked);
  try {
    const auto x = explain_line(st_, row.id, massar);
    const auto reach = school_reach(st_, c_.who);
    found_if(std::any_of(x.schools.begin(), x.schools.end(),
                         [&](const std::string& s) { return reach.has(s); }));
  } catch (const TayssirError&) {
    throw NotFound();
  }
  return app::file_appeal(st_, row.id, massar, grounds, c_.actor());
}

store::AppealRow TayssirFor::decide_appeal(int64_t appeal_id, std::optional<AppealDecision> d) {
  require(c_, {Action::tayssir_run});
  store::TayssirStore ts(st_);
  auto a = ts.appeal(appeal_id);
  found_if(a.has_value());
  auto row = ts.cycle(a->cycle_id);
  found_if(row && directorate_record_in_reach(st_, c_.who, row->directorate_code) &&
           !sees_only_its_part(c_.who));
  if (!d) throw BadRequest("expected {\"upheld\": true|false, \"note\": …}");
  return app::decide_appeal(st_, appeal_id, *d, c_.actor());
}

// --- what-if ---------------------------------------------------------------------------------

void TayssirFor::may_plan() {
  require(c_, {Action::tayssir_plan});
}

TayssirFor::WhatIfAsk TayssirFor::what_if_ask(const std::string& base, const std::string& variant,
                                              const std::optional<std::string>& variant_policy,
                                              const std::string& scope) {
  may_plan();
  auto b = find_policy(st_, base);
  found_if(b.has_value());
  WhatIfAsk a{*b, {}, c_.who.scope};
  if (variant_policy) {
    a.variant = policy_from_json(*variant_policy);
  } else {
    auto v = find_policy(st_, variant);
    found_if(v.has_value());
    a.variant = *v;
  }
  a.scope = scope_inside(scope);
  return a;
}

WhatIfResult TayssirFor::what_if(const WhatIfAsk& a,
                                 std::function<void(const std::string&)> progress) {
  require(c_, {Action::tayssir_plan});
  return app::what_if(st_, a.base, a.variant, a.scope, std::move(progress));
}

void TayssirFor::may_write_what_if_changes() {
  require(c_, {Action::tayssir_plan, Action::export_data});
}

int64_t TayssirFor::write_what_if_changes(const WhatIfAsk& a, const WhatIfResult& r,
                                          const std::string& path, const ListOptions& opt) {
  may_write_what_if_changes();
  return app::write_what_if_changes(st_, r, path, opt, c_.actor(), a.base.code, a.variant.code,
                                    a.scope.kind == NodeKind::nation ? "MA" : a.scope.code);
}

// --- duplicates ------------------------------------------------------------------------------

void TayssirFor::may_review_suspects(const std::string& policy, const std::string& scope) {
  if (!reviews_duplicates(c_.who)) throw Forbidden();
  found_if(find_policy(st_, policy).has_value());
  scope_inside(scope);
}

TayssirFor::Suspects TayssirFor::suspects(const std::string& policy, const std::string& scope,
                                          int64_t offset, int64_t limit) {
  may_review_suspects(policy, scope);
  Suspects s{find_policy(st_, policy)->code, scope_inside(scope), {}};
  s.page = suspects_to_review(st_, s.policy, s.scope, offset, limit);
  return s;
}

void TayssirFor::review(const std::string& kind, std::string a, std::string b,
                        const std::string& decision, const std::string& note) {
  if (!reviews_duplicates(c_.who)) throw Forbidden();
  if (kind == "pupil") {
    a = ascii_upper(a);
    b = ascii_upper(b);
  }
  if (kind != "pupil" && kind != "payee")
    throw BadRequest(
        "expected {\"kind\": \"pupil\"|\"payee\", \"a\": …, \"b\": …, "
        "\"decision\": \"same\"|\"distinct\", \"note\": …}");
  found_if(!a.empty() && !b.empty() && pair_within(st_, kind, a, b, c_.who.scope));
  review_pair(st_, kind, a, b, decision, note, c_.actor());
}

}  // namespace sanad::app
