// Tayssir's cycles: computing a period, the schools' checks, the steps of a cycle, suspected
// duplicates.
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

// --- cycles --------------------------------------------------------------------------------------

namespace {

// A household whose net in a paid cycle (its lines due and its adjustments, as the payment file
// sums them: households with a payee's CIN) was below zero was paid nothing: what it owes is
// recovered by the cycle `into`, once (if that payment is short too, the next carries it).
// `lines` are the paid cycle's, by pupil (read here when null, and only when the cycle has a
// household that may owe). Each recovery is named by the pupil and school of the household's
// largest negative adjustment there.
std::vector<store::AdjustmentRow> carried_recoveries(
    TayssirStore& ts, const store::CycleRow& src,
    const std::map<int64_t, store::CycleLineRow>* lines, int64_t into, const std::string& period) {
  struct Owing {
    int64_t net = 0, worst = 0, pupil = 0, school = 0;
  };
  std::map<int64_t, Owing> owing;  // by household; lines are never negative
  const auto adjusted = ts.adjustments(src.id);
  for (const auto& a : adjusted)
    if (a.amount < 0 && a.household_id && !a.payee_cin.empty()) {
      auto& o = owing[a.household_id];
      if (o.pupil == 0 || a.amount < o.worst || (a.amount == o.worst && a.pupil_id < o.pupil))
        o.worst = a.amount, o.pupil = a.pupil_id, o.school = a.school_id;
    }
  if (owing.empty()) return {};
  for (const auto& a : adjusted)
    if (auto it = owing.find(a.household_id); it != owing.end()) it->second.net += a.amount;
  auto add = [&](const store::CycleLineRow& l) {
    if (auto it = owing.find(l.household_id); it != owing.end()) it->second.net += l.due;
  };
  if (lines)
    for (const auto& [pupil, l] : *lines) add(l);
  else
    ts.each_line(src.id, 0, add);
  const auto carried = ts.carried_from(src.id, into);
  std::vector<store::AdjustmentRow> out;
  for (const auto& [household, o] : owing) {
    if (o.net >= 0 || carried.count(household)) continue;
    auto why = adjustment_reason(
        "{} (cycle #{}): the household's net was {} MAD, nothing was paid; recovered here",
        {period, std::to_string(src.id), format_mad(o.net)});
    out.push_back({src.id, o.pupil, o.school, household, o.net, why.english, 0, "", "", "", "",
                   "carried", why.detail});
  }
  return out;
}

// A pupil's lines of a cycle as one, for comparing what was paid with what is due now: the
// amounts added, the school, decision and months of his first eligible line (else his last),
// the months of each line joined by '/' when he has several.
void by_pupil(std::map<int64_t, store::CycleLineRow>& out, const store::CycleLineRow& r) {
  auto [it, fresh] = out.try_emplace(r.pupil_id, r);
  if (fresh) return;
  store::CycleLineRow& m = it->second;
  const bool keep = m.reason == "eligible" && r.reason != "eligible";
  std::string months = m.months + "/" + r.months;
  int64_t due = m.due + r.due, forfeited = m.forfeited + r.forfeited;
  if (!keep) {
    std::string absences = m.absences;
    m = r;
    m.absences = absences;
  }
  m.months = months;
  m.due = due;
  m.forfeited = forfeited;
}

std::string joined(const std::vector<uint8_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

// A line is listed under its school, and so in that school's directorate.
const std::string& directorate_of(const LoadedSnapshot& L, const tayssir::PupilLine& l) {
  static const std::string none;
  return l.school == tayssir::kNone ? none
                                    : L.school_directorate[static_cast<std::size_t>(l.school)];
}

store::CycleLineRow row_of(const LoadedSnapshot& L, const tayssir::PupilLine& l) {
  const auto& s = L.s;
  auto i = static_cast<std::size_t>(l.pupil);
  store::CycleLineRow r;
  r.pupil_id = s.pupil_id[i];
  r.school_id = L.school_id[static_cast<std::size_t>(l.school)];
  r.household_id = s.household[i] == tayssir::kNone
                       ? 0
                       : L.household_id[static_cast<std::size_t>(s.household[i])];
  r.level = s.level_codes[l.level];
  r.reason = std::string(tayssir::reason_code(l.reason));
  r.monthly = l.monthly;
  r.months = l.months;
  r.absences = joined(l.absences);
  r.due = l.due;
  r.forfeited = l.forfeited;
  return r;
}

// What the recomputation of a paid cycle found different from what it paid, pupil by pupil
// (his lines as one, by_pupil): the recomputed line where its amount differs, and the pupils no
// longer in it. Kept instead of the whole recomputation for a cycle of an earlier school year,
// whose registry is read before this year's and let go.
struct PaidDiff {
  std::map<int64_t, store::CycleLineRow> changed;
  std::set<int64_t> gone;
};

json totals_json(const store::CycleRow& c) {
  return {{"pupils", c.pupils}, {"beneficiaries", c.beneficiaries}, {"households", c.households},
          {"due", c.due},       {"forfeited", c.forfeited},         {"adjustments", c.adjustments}};
}

}  // namespace

const tayssir::Period& period_of(const Policy& p, const std::string& code) {
  for (const auto& per : p.periods)
    if (per.code == code) return per;
  std::string known;
  for (const auto& per : p.periods) known += (known.empty() ? "" : ", ") + per.code;
  refuse("policy {} has no transfer period {} (periods: {})", p.code, code, known);
}

int64_t cycle_lock_key(int64_t policy_id, const std::string& period, const std::string& dir) {
  return static_cast<int64_t>(
      std::hash<std::string>{}(fmt::format("tayssir/{}/{}/{}", policy_id, period, dir)) &
      0x7FFFFFFFFFFFFFFFULL);
}

store::CycleRow get_cycle(store::Store& st, int64_t cycle_id) {
  auto c = TayssirStore(st).cycle(cycle_id);
  if (!c) refuse("no cycle {}", cycle_id);
  return *c;
}

store::CycleRow part_of_cycle(store::Store& st, const store::CycleRow& c,
                              const std::function<bool(const std::string& school)>& keep) {
  store::CycleRow out = c;
  out.pupils = out.beneficiaries = out.households = out.due = out.forfeited = out.adjustments = 0;
  TayssirStore ts(st);
  std::set<int64_t> households, kept_schools;
  ts.each_line_detail(c.id, 0, [&](const store::LineDetailRow& d) {
    if (!keep(d.school_code)) return;
    kept_schools.insert(d.line.school_id);
    out.pupils++;
    if (d.line.reason == "eligible") out.beneficiaries++;
    out.due += d.line.due;
    out.forfeited += d.line.forfeited;
    if (d.line.due > 0 && d.line.household_id) households.insert(d.line.household_id);
  });
  out.households = static_cast<int64_t>(households.size());
  for (const auto& a : ts.adjustments(c.id))
    if (kept_schools.count(a.school_id)) out.adjustments += a.amount;
  return out;
}

ComputeResult compute_cycles(store::Store& st, const ComputeOptions& opt) {
  auto say = [&](const std::string& m) {
    if (opt.progress) opt.progress(m);
  };
  Policy pol = get_policy(st, opt.policy);
  const tayssir::Period& per = period_of(pol, opt.period);
  if (opt.scope.kind == NodeKind::commune || opt.scope.kind == NodeKind::school)
    refuse("a cycle is computed for a directorate, a region or the nation");
  if (!st.scope_exists(opt.scope)) refuse("no such territory: {}", opt.scope.code);
  TayssirStore ts(st);
  int64_t policy_id = ts.policy(pol.code)->id;

  // Cycles already paid for other periods: a difference found now is an adjustment here.
  std::map<std::string, std::vector<store::CycleRow>> paid;  // directorate → cycles
  std::set<std::string> months(per.months.begin(), per.months.end());
  std::set<std::string> rerun_periods;
  for (const auto& c : ts.cycles(policy_id, "", opt.scope))
    if (c.period != per.code && (c.state == "exported" || c.state == "closed")) {
      paid[c.directorate_code].push_back(c);
      rerun_periods.insert(c.period);
      for (const auto& m : period_of(pol, c.period).months) months.insert(m);
    }

  // Paid cycles of the program's earlier school years: a household's debt left there is
  // carried into this year, and those of the last of them are recomputed (below).
  // directorate → (cycle, its school year)
  std::map<std::string, std::vector<std::pair<store::CycleRow, std::string>>> earlier;
  for (const auto& p : ts.policies())
    if (p.program == pol.program && p.school_year < pol.school_year)
      for (const auto& c : ts.cycles(p.id, "", opt.scope))
        if (c.state == "exported" || c.state == "closed")
          earlier[c.directorate_code].emplace_back(c, p.school_year);

  const auto reviews = load_reviews(st);
  // The paid cycles of the program's last earlier school year that has any in the scope are
  // recomputed on that year's registry, read first and let go: what differs is corrected here
  // like this year's (the years before it are not recomputed).
  std::map<int64_t, PaidDiff> earlier_diff;  // by source cycle
  std::string corrected_year;
  for (const auto& [d, list] : earlier)
    for (const auto& [c, year] : list) corrected_year = std::max(corrected_year, year);
  if (!corrected_year.empty()) {
    std::string code;
    std::set<std::string> their_months, their_periods;
    for (const auto& [d, list] : earlier)
      for (const auto& [c, year] : list)
        if (year == corrected_year) {
          code = c.policy_code;
          their_periods.insert(c.period);
        }
    const Policy before_pol = get_policy(st, code);
    for (const auto& p : their_periods)
      for (const auto& m : period_of(before_pol, p).months) their_months.insert(m);
    say(fmt::format("recomputing the paid cycles of {}", corrected_year));
    const LoadedSnapshot L2 =
        load_snapshot(st, opt.scope, corrected_year,
                      std::vector<std::string>(their_months.begin(), their_months.end()), reviews,
                      before_pol.absence_unit == tayssir::AbsenceUnit::session);
    const auto e2 = tayssir::decide_unlisted(before_pol, L2.s, reviews);
    for (const auto& p : their_periods) {
      const auto run2 = tayssir::run_cycle(before_pol, period_of(before_pol, p), L2.s, e2);
      std::map<std::string, std::map<int64_t, store::CycleLineRow>> now;  // by directorate
      for (const auto& l : run2.lines) by_pupil(now[directorate_of(L2, l)], row_of(L2, l));
      for (const auto& [d, list] : earlier)
        for (const auto& [c, year] : list) {
          if (year != corrected_year || c.period != p) continue;
          auto& is = now[d];
          PaidDiff diff;
          std::map<int64_t, store::CycleLineRow> was;
          ts.each_line(c.id, 0, [&](const store::CycleLineRow& r) { by_pupil(was, r); });
          for (auto& [pupil, r] : is) {
            auto w = was.find(pupil);
            if (w == was.end() || w->second.due != r.due) diff.changed.emplace(pupil, r);
          }
          for (const auto& [pupil, r] : was)
            if (!is.count(pupil)) diff.gone.insert(pupil);
          earlier_diff.emplace(c.id, std::move(diff));
        }
    }
  }

  say("loading the registry");
  // Read afresh (not kept between computations, as what-ifs are): what is paid never rests on
  // the audit log having recorded every change.
  const LoadedSnapshot L = load_snapshot(
      st, opt.scope, pol.school_year, std::vector<std::string>(months.begin(), months.end()),
      reviews, pol.absence_unit == tayssir::AbsenceUnit::session);
  const auto& s = L.s;
  say(fmt::format("deciding eligibility of {} pupils", s.pupils()));
  auto e = tayssir::decide_unlisted(pol, s, reviews);
  // The flagged pairs are listed beside the computation and the writing (nationally three million
  // pairs, 3 s; the writing waits on the server); one after the other if no thread can be had.
  std::future<std::vector<tayssir::Suspect>> listed;
  try {
    listed =
        std::async(std::launch::async, [&] { return tayssir::suspects_of(s, e.flagged, reviews); });
  } catch (const std::system_error&) {
  }
  say(fmt::format("computing {} ({} eligible)", per.code, e.eligible()));
  auto run = tayssir::run_cycle(pol, per, s, e);
  std::map<std::string, tayssir::CycleResult> reruns;
  for (const auto& code : rerun_periods)
    reruns.emplace(code, tayssir::run_cycle(pol, period_of(pol, code), s, e));

  ComputeResult out;

  auto directorate_of_line = [&](const tayssir::PupilLine& l) -> const std::string& {
    return directorate_of(L, l);
  };
  auto to_row = [&](const tayssir::PupilLine& l) { return row_of(L, l); };

  std::map<std::string, std::vector<const tayssir::PupilLine*>> by_dir;
  for (const auto& l : run.lines) by_dir[directorate_of_line(l)].push_back(&l);

  auto dirs = st.directorates(opt.scope);
  // A directorate's lines as stored rows, built on a second thread for the next directorate while
  // this one is written (nationally the server attaches each directorate's lines for ~0.1 s, the
  // client waiting); one after the other if no thread can be had.
  auto rows_of = [&](std::size_t di) {
    std::vector<store::CycleLineRow> rows;
    if (auto it = by_dir.find(dirs[di].code); it != by_dir.end()) {
      rows.reserve(it->second.size());
      for (const auto* l : it->second) rows.push_back(to_row(*l));
    }
    return rows;
  };
  std::future<std::vector<store::CycleLineRow>> next_rows;
  auto build_next = [&](std::size_t di) {
    next_rows = {};
    if (di < dirs.size()) try {
        next_rows = std::async(std::launch::async, rows_of, di);
      } catch (const std::system_error&) {
      }
  };
  build_next(0);
  for (std::size_t di = 0; di < dirs.size(); ++di) {
    const std::string& d = dirs[di].code;
    std::vector<store::CycleLineRow> rows = next_rows.valid() ? next_rows.get() : rows_of(di);
    build_next(di + 1);
    auto lines_it = by_dir.find(d);
    if (lines_it == by_dir.end() && !ts.cycle(policy_id, per.code, d)) continue;
    say(fmt::format("writing the cycle of directorate {} ({}/{})", d, di + 1, dirs.size()));

    store::Transaction tx(st.db());
    st.db().lock_job(kCycleWritingLock);
    st.db().lock_job(cycle_lock_key(policy_id, per.code, d));
    ComputedCycle cc;
    cc.directorate = d;
    auto existing = ts.cycle(policy_id, per.code, d);
    if (existing && existing->state != "draft") {
      cc.cycle_id = existing->id;
      cc.row = *existing;
      out.cycles.push_back(cc);
      continue;  // a cycle past the draft never changes
    }
    store::CycleRow row;
    row.policy_id = policy_id;
    row.policy_code = pol.code;
    row.period = per.code;
    row.directorate_code = d;
    row.state = "draft";
    row.computed_at = store::now_iso();
    row.computed_by = opt.who.name;
    row.id = existing ? existing->id : ts.insert_cycle(row);

    // Pupils and beneficiaries are children: a pupil with lines at two of its schools counts once
    // (his lines come together).
    std::set<int32_t> groups;
    if (lines_it != by_dir.end()) {
      int32_t last = -1;
      bool counted_eligible = false;
      for (const auto* l : lines_it->second) {
        if (l->pupil != last) {
          row.pupils++;
          last = l->pupil;
          counted_eligible = false;
        }
        if (l->reason == tayssir::Reason::eligible && !counted_eligible) {
          row.beneficiaries++;
          counted_eligible = true;
        }
        row.due += l->due;
        row.forfeited += l->forfeited;
        int32_t h = s.household[static_cast<std::size_t>(l->pupil)];
        if (l->due > 0 && h != tayssir::kNone) groups.insert(e.group[static_cast<std::size_t>(h)]);
      }
    }
    row.households = static_cast<int64_t>(groups.size());
    cc.lines = ts.replace_lines(row.id, rows);

    // Adjustments. Upheld appeals on other cycles first, then each paid cycle of this
    // directorate recomputed on today's registry, less what it paid, what other cycles already
    // adjusted and what an appeal pays here.
    std::vector<store::AdjustmentRow> adjustments;
    std::map<std::pair<int64_t, int64_t>, int64_t> appealed;  // (source, pupil) → amount
    std::vector<int64_t> appeal_ids;
    for (const auto& a : ts.appeals_to_pay(pol.program, d, row.id)) {
      auto src = ts.cycle(a.cycle_id);
      auto why = adjustment_reason(
          "appeal #{} upheld ({} {}): {}",
          {std::to_string(a.id), src ? src->period : "", a.months, a.decision_note});
      adjustments.push_back({a.cycle_id, a.pupil_id, a.school_id, a.household_id, a.amount,
                             why.english, a.id, a.massar, a.school_code, "", "", "appeal",
                             why.detail});
      appealed[{a.cycle_id, a.pupil_id}] += a.amount;
      appeal_ids.push_back(a.id);
      row.adjustments += a.amount;
    }
    ts.mark_appeals_paid(row.id, appeal_ids);
    // A paid cycle, its lines as paid (`before`) and as recomputed now: what differs (less
    // what other cycles adjusted, and what an appeal pays here) is adjusted here. `label` names
    // its period (and year, when not this one) in the reasons.
    auto correct = [&](const store::CycleRow& src, const std::string& label,
                       std::map<int64_t, store::CycleLineRow>& before,
                       const std::map<int64_t, store::CycleLineRow>& now) {
      std::map<int64_t, int64_t> done;
      for (const auto& [pupil, amount] : ts.adjusted_for(src.id, row.id)) done[pupil] = amount;
      // An upheld appeal overrides the registry: the recomputation may add to it, never take
      // it back.
      std::set<int64_t> upheld;
      for (const auto& a : ts.appeals_of_cycle(src.id))
        if (a.state == "upheld") upheld.insert(a.pupil_id);
      std::set<int64_t> pupils;
      for (const auto& [p, r] : before) pupils.insert(p);
      for (const auto& [p, r] : now) pupils.insert(p);
      for (int64_t p : pupils) {
        auto b = before.find(p);
        auto n = now.find(p);
        int64_t was = b == before.end() ? 0 : b->second.due;
        int64_t is = n == now.end() ? 0 : n->second.due;
        auto ap = appealed.find({src.id, p});
        int64_t delta =
            is - was - (done.count(p) ? done[p] : 0) - (ap == appealed.end() ? 0 : ap->second);
        if (upheld.count(p)) delta = std::max<int64_t>(0, delta);
        if (delta == 0) continue;
        const store::CycleLineRow& ref = n != now.end() ? n->second : b->second;
        AdjustmentReason why;
        if (b == before.end())
          why = adjustment_reason("{}: not in the paid cycle, now {} ({})",
                                  {label, ref.reason, ref.months}, {1}, {2});
        else if (n == now.end())
          why = adjustment_reason("{}: no longer in the registry of this directorate", {label});
        else if (is == was)
          why = adjustment_reason(
              "{}: back to the months paid ({}); the adjustments made since ({} MAD) no longer "
              "apply",
              {label, n->second.months, format_mad(-delta)}, {}, {1});
        else if (b->second.reason != n->second.reason)
          why = adjustment_reason("{}: decision {} → {}",
                                  {label, b->second.reason, n->second.reason}, {1, 2});
        else
          why = adjustment_reason(
              "{}: months {} → {}, absence days {} → {}",
              {label, b->second.months, n->second.months, b->second.absences, n->second.absences},
              {}, {1, 2});
        adjustments.push_back({src.id, p, ref.school_id, ref.household_id, delta, why.english, 0,
                               "", "", "", "", "correction", why.detail});
        row.adjustments += delta;
      }
      for (auto& a : carried_recoveries(ts, src, &before, row.id, label)) {
        row.adjustments += a.amount;
        adjustments.push_back(std::move(a));
      }
    };
    for (const auto& src : paid[d]) {
      // A pupil's lines in the directorate as one (see by_pupil).
      std::map<int64_t, store::CycleLineRow> before, now;
      ts.each_line(src.id, 0, [&](const store::CycleLineRow& r) { by_pupil(before, r); });
      for (const auto& l : reruns.at(src.period).lines)
        if (directorate_of_line(l) == d) by_pupil(now, to_row(l));
      correct(src, src.period, before, now);
    }
    // The paid cycles of the earlier school year recomputed above: now is what was paid, with
    // what the recomputation found different.
    for (const auto& [src, year] : earlier[d]) {
      auto diff = earlier_diff.find(src.id);
      if (diff == earlier_diff.end()) continue;
      std::map<int64_t, store::CycleLineRow> before;
      ts.each_line(src.id, 0, [&](const store::CycleLineRow& r) { by_pupil(before, r); });
      std::map<int64_t, store::CycleLineRow> now = before;
      for (int64_t p : diff->second.gone) now.erase(p);
      for (const auto& [p, r] : diff->second.changed) now[p] = r;
      correct(src, src.period + " " + year, before, now);
    }
    // What a household still owed at the end of an earlier school year of the program (its
    // last cycles' payments short) is recovered here, once (for the cycles recomputed above,
    // by their correction).
    for (const auto& [src, year] : earlier[d])
      if (!earlier_diff.count(src.id))
        for (auto& a : carried_recoveries(ts, src, nullptr, row.id, src.period + " " + year)) {
          row.adjustments += a.amount;
          adjustments.push_back(std::move(a));
        }
    ts.replace_adjustments(row.id, adjustments);
    cc.adjustment_lines = static_cast<int64_t>(adjustments.size());
    ts.update_cycle_totals(row);
    checks_of(st, row.id).clear();
    json detail = totals_json(row);
    detail["policy"] = pol.code;
    detail["period"] = per.code;
    detail["directorate"] = d;
    detail["lines_written"] = cc.lines.written;
    detail["lines_deleted"] = cc.lines.deleted;
    st.audit({opt.who.name, opt.who.origin,
              existing ? "tayssir cycle recomputed" : "tayssir cycle computed",
              fmt::format("tayssir cycle {}", row.id), detail.dump()});
    tx.commit();
    cc.cycle_id = row.id;
    cc.recomputed = true;
    cc.row = *ts.cycle(row.id);
    out.cycles.push_back(cc);
  }
  e.suspects = listed.valid() ? listed.get() : tayssir::suspects_of(s, e.flagged, reviews);
  for (const auto& sp : e.suspects)
    if (sp.decision.empty() && out.suspects_pending++ < static_cast<int64_t>(kSuspectsShown))
      out.suspects.push_back(sp);
  return out;
}

void check_school(store::Store& st, int64_t cycle_id, const std::string& school_code,
                  bool confirmed, const std::string& note, const Actor& who) {
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto c = ts.cycle(cycle_id);
  if (!c) refuse("no cycle {}", cycle_id);
  st.db().lock_job(cycle_lock_key(c->policy_id, c->period, c->directorate_code));
  c = ts.cycle(cycle_id);
  if (c->state != "draft") refuse("cycle {} is {}: schools check a draft", cycle_id, c->state);
  auto sid = ts.school_id(school_code);
  auto schools = ts.schools_of_cycle(cycle_id);
  if (!sid || std::none_of(schools.begin(), schools.end(),
                           [&](const store::CycleSchool& x) { return x.id == *sid; }))
    refuse("school {} has no pupil in cycle {}", school_code, cycle_id);
  checks_of(st, cycle_id).answer({*sid, school_code}, confirmed, note, who);
  tx.commit();
}

const Workflow& cycle_workflow() {
  static const Workflow w{"tayssir cycle",
                          {"draft", "checked", "approved", "exported", "closed"},
                          {{"checked", {"draft"}, "checked"},
                           {"draft", {"checked"}, "draft"},
                           {"approved", {"checked"}, "approved"},
                           {"exported", {"approved"}, "exported"},
                           {"closed", {"exported"}, "closed"}}};
  return w;
}

void advance_cycle(store::Store& st, int64_t cycle_id, const std::string& to, const Actor& who) {
  const Workflow& flow = cycle_workflow();
  if (to == "exported") refuse("a cycle is exported by writing its payment file (export-payments)");
  if (!flow.move(to))
    refuse(
        "unknown state {} (checked, approved, closed, or draft to "
        "send a checked cycle back)",
        to);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto c = ts.cycle(cycle_id);
  if (!c) refuse("no cycle {}", cycle_id);
  st.db().lock_job(cycle_lock_key(c->policy_id, c->period, c->directorate_code));
  c = ts.cycle(cycle_id);
  if (!flow.next(to, c->state))
    refuse("cycle {} is {}; it must be {} to become {}", cycle_id, c->state, flow.from_text(to),
           to);
  const std::string from = c->state;
  if (to == "checked") {
    std::vector<SchoolPart> taking_part;
    for (const auto& school : ts.schools_of_cycle(cycle_id))
      taking_part.push_back({school.id, school.code});
    checks_of(st, cycle_id).require_confirmed(taking_part);
  }
  ts.move_cycle(cycle_id, from, to);
  st.audit({who.name, who.origin, "tayssir cycle " + to, fmt::format("tayssir cycle {}", cycle_id),
            json{{"from", from}, {"to", to}}.dump()});
  tx.commit();
}

std::vector<tayssir::Suspect> list_suspects(store::Store& st, const std::string& policy,
                                            const Scope& scope) {
  Policy pol = get_policy(st, policy);
  if (!st.scope_exists(scope)) refuse("no such territory: {}", scope.code);
  const auto reviews = load_reviews(st);
  auto L = snapshot_of(st, scope, pol.school_year, {}, reviews);
  auto out = tayssir::decide(pol, L->s, reviews).suspects;
  std::stable_sort(out.begin(), out.end(),
                   [](const tayssir::Suspect& a, const tayssir::Suspect& b) {
                     return a.decision.empty() && !b.decision.empty();
                   });
  return out;
}

namespace {

// The codes Massar of `codes` enrolled in a school of the scope.
std::set<std::string> pupils_within(store::Store& st, const std::vector<std::string>& codes,
                                    const Scope& scope) {
  std::set<std::string> out(codes.begin(), codes.end());
  for (const auto& m : store::RegistryStore(st).unknown_pupils(codes, scope)) out.erase(m);
  return out;
}

bool payee_within(store::Store& st, const std::string& cin, const Scope& scope) {
  std::vector<std::string> children;
  for (const auto& m : store::RegistryStore(st).members_of(cin)) children.push_back(m.massar);
  return !children.empty() && !pupils_within(st, children, scope).empty();
}

SuspectSide describe(store::Store& st, const std::string& kind, const std::string& code,
                     const std::string& year) {
  store::RegistryStore reg(st);
  SuspectSide d;
  d.code = code;
  if (kind == "pupil") {
    if (auto p = reg.pupil(code)) {
      d.name_ar = trim(p->first_ar + " " + p->last_ar);
      d.name_fr = trim(p->first_fr + " " + p->last_fr);
      d.birth_date = p->birth_date;
      d.sex = p->sex;
    }
    for (const auto& e : reg.enrolments_of(code))
      if (e.school_year == year) {
        d.school_code = e.school_code;
        d.level = e.level;
      }
    if (auto h = reg.household_of(code)) d.payee_cin = h->first.payee_cin;
  } else {
    for (const auto& m : reg.members_of(code)) {
      d.children.push_back(m.massar);
      if (d.payee_name.empty())
        if (auto h = reg.household_of(m.massar)) {
          d.payee_name = h->first.payee_name;
          d.phone = h->first.phone;
          d.ramed = h->first.ramed;
        }
    }
  }
  return d;
}

}  // namespace

bool pair_within(store::Store& st, const std::string& kind, const std::string& a,
                 const std::string& b, const Scope& scope) {
  if (kind == "pupil") return pupils_within(st, {a, b}, scope).size() == (a == b ? 1u : 2u);
  return payee_within(st, a, scope) && payee_within(st, b, scope);
}

SuspectPage suspects_to_review(store::Store& st, const std::string& policy, const Scope& scope,
                               int64_t offset, int64_t limit) {
  Policy pol = get_policy(st, policy);
  auto all = list_suspects(st, policy, scope);
  // Which pupils of the pairs are inside the scope, in one query.
  std::vector<std::string> pupils;
  for (const auto& s : all)
    if (s.kind == "pupil") pupils.insert(pupils.end(), {s.a, s.b});
  auto inside = pupils_within(st, pupils, scope);
  std::map<std::string, bool> payees;
  auto payee_in = [&](const std::string& cin) {
    auto it = payees.find(cin);
    if (it == payees.end()) it = payees.emplace(cin, payee_within(st, cin, scope)).first;
    return it->second;
  };
  SuspectPage out;
  for (const auto& s : all) {
    bool in =
        s.kind == "pupil" ? inside.count(s.a) && inside.count(s.b) : payee_in(s.a) && payee_in(s.b);
    if (!in) {
      ++out.outside;
      continue;
    }
    out.pending += s.decision.empty();
    if (out.total++ < offset || static_cast<int64_t>(out.items.size()) >= limit) continue;
    out.items.push_back({s, describe(st, s.kind, s.a, pol.school_year),
                         describe(st, s.kind, s.b, pol.school_year)});
  }
  return out;
}

void review_pair(store::Store& st, const std::string& kind, const std::string& a,
                 const std::string& b, const std::string& decision, const std::string& note,
                 const Actor& who) {
  if (kind != "pupil" && kind != "payee") refuse("a review is of a pupil or a payee");
  if (decision != "same" && decision != "distinct") refuse("the decision is same or distinct");
  if (a == b) refuse("a pair needs two different codes");
  std::string lo = std::min(a, b), hi = std::max(a, b);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  if (kind == "pupil") {
    for (const auto& m : {lo, hi})
      if (!ts.pupil_id(m)) refuse("no pupil {}", m);
  } else {
    for (const auto& c : {lo, hi})
      if (!ts.household_exists(c)) refuse("no household with payee CIN {}", c);
  }
  ts.put_review({kind, lo, hi, decision, trim(note), who.name, store::now_iso()});
  st.audit({who.name, who.origin, "tayssir duplicate reviewed",
            fmt::format("tayssir review {} {} {}", kind, lo, hi),
            json{{"decision", decision}, {"note", trim(note)}}.dump()});
  tx.commit();
}

}  // namespace sanad::app
