// Tayssir's what-if: a policy and a variant run side by side on a year's registry, writing nothing.
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/app/lists.hpp"
#include "kernel/dates.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

WhatIfResult what_if(store::Store& st, const Policy& base, const Policy& variant,
                     const Scope& scope, const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  for (const Policy* p : {&base, &variant}) refuse_invalid(*p);
  if (base.school_year != variant.school_year)
    refuse("the two policies are of different school years ({} and {})", base.school_year,
           variant.school_year);
  if (scope.kind == NodeKind::commune || scope.kind == NodeKind::school)
    refuse("a what-if runs on a directorate, a region or the nation");
  if (!st.scope_exists(scope)) refuse("no such territory: {}", scope.code);
  std::set<std::string> months(base.months.begin(), base.months.end());
  months.insert(variant.months.begin(), variant.months.end());
  say("loading the registry");
  auto reviews = load_reviews(st);
  const bool sessions = base.absence_unit == tayssir::AbsenceUnit::session ||
                        variant.absence_unit == tayssir::AbsenceUnit::session;
  const auto kept =
      snapshot_of(st, scope, base.school_year,
                  std::vector<std::string>(months.begin(), months.end()), reviews, sessions);
  const LoadedSnapshot& L = *kept;
  const auto& s = L.s;

  struct Run {
    tayssir::Eligibility e;
    std::vector<int64_t> due;  // per pupil, over the year
  };
  auto run = [&](const Policy& p) {
    say(fmt::format("running {} on {} pupils", p.code, s.pupils()));
    Run r{tayssir::decide(p, s, reviews), std::vector<int64_t>(s.pupils(), 0)};
    for (const auto& per : p.periods)
      for (const auto& l : tayssir::run_cycle(p, per, s, r.e).lines)
        r.due[static_cast<std::size_t>(l.pupil)] += l.due;
    return r;
  };
  Run a = run(base), b = run(variant);

  WhatIfResult out;
  out.total.directorate = "total";
  std::map<std::string, WhatIfRow> rows;
  std::map<std::string, std::pair<std::set<int32_t>, std::set<int32_t>>> households;
  std::set<int32_t> all_a, all_b;
  for (std::size_t i = 0; i < s.pupils(); ++i) {
    // Counted at his last school of the scope (a pupil moved out of it, at the one he left).
    int32_t at = s.in_scope[i] ? s.school[i] : tayssir::kNone;
    if (at == tayssir::kNone)
      if (auto it = s.earlier.find(static_cast<int32_t>(i)); it != s.earlier.end())
        for (const auto& x : it->second)
          if (x.in_scope && x.school != tayssir::kNone) at = x.school;
    if (at == tayssir::kNone) continue;
    auto sc = static_cast<std::size_t>(at);
    const std::string& d = L.school_directorate[sc];
    auto& row = rows[d];
    row.directorate = d;
    bool ea = a.e.reason[i] == tayssir::Reason::eligible;
    bool eb = b.e.reason[i] == tayssir::Reason::eligible;
    int32_t h = s.household[i];
    for (auto [eligible, due, fig, hs, all] :
         {std::tuple{ea, a.due[i], &row.base, &households[d].first, &all_a},
          std::tuple{eb, b.due[i], &row.variant, &households[d].second, &all_b}}) {
      if (eligible) fig->beneficiaries++;
      fig->cost += due;
      if (due > 0 && h != tayssir::kNone) {
        int32_t g = (fig == &row.base ? a : b).e.group[static_cast<std::size_t>(h)];
        hs->insert(g);
        all->insert(g);
      }
    }
    if (ea != eb) {
      WhatIfChange c{s.massar[i],
                     s.school_code[sc],
                     d,
                     std::string(tayssir::reason_code(a.e.reason[i])),
                     std::string(tayssir::reason_code(b.e.reason[i])),
                     a.e.monthly[i],
                     b.e.monthly[i]};
      (eb ? out.entering : out.leaving).push_back(std::move(c));
    }
  }
  for (auto& [d, row] : rows) {
    row.base.households = static_cast<int64_t>(households[d].first.size());
    row.variant.households = static_cast<int64_t>(households[d].second.size());
    for (auto [from, to] :
         {std::pair{&row.base, &out.total.base}, std::pair{&row.variant, &out.total.variant}}) {
      to->beneficiaries += from->beneficiaries;
      to->cost += from->cost;
    }
    out.by_directorate.push_back(row);
  }
  out.total.base.households = static_cast<int64_t>(all_a.size());
  out.total.variant.households = static_cast<int64_t>(all_b.size());
  auto by_code = [](const WhatIfChange& x, const WhatIfChange& y) { return x.massar < y.massar; };
  std::sort(out.entering.begin(), out.entering.end(), by_code);
  std::sort(out.leaving.begin(), out.leaving.end(), by_code);
  return out;
}

int64_t write_what_if_changes(store::Store& st, const WhatIfResult& r, const std::string& path,
                              const ListOptions& opt, const Actor& who, const std::string& base,
                              const std::string& variant, const std::string& scope) {
  const bool ar = opt.lang == Lang::ar;
  auto H = [&](const char* a, const char* f) { return std::string(ar ? a : f); };
  io::SheetSpec spec =
      sheet_in(opt.lang, H("الداخلون والخارجون", "Entrées et sorties"),
               {H("التغيير", "Changement"), H("رقم مسار", "Code Massar"),
                H("المؤسسة", "Établissement"), H("المديرية", "Direction"),
                H("القرار الحالي", "Décision actuelle"), H("القرار الجديد", "Nouvelle décision"),
                H("المبلغ الشهري الجديد (درهم)", "Nouveau montant mensuel (MAD)")});
  spec.types.assign(spec.headings.size(), io::ColumnType::text);
  spec.types.back() = io::ColumnType::amount;
  ListFile w(path, opt.format, spec);
  auto label = [&](const std::string& code) {
    auto reason = tayssir::parse_reason(code);
    return reason ? std::string(tayssir::reason_label(*reason, ar)) : code;
  };
  for (const auto* list : {&r.entering, &r.leaving})
    for (const auto& c : *list)
      w.row({list == &r.entering ? H("يدخل", "entre") : H("يخرج", "sort"), c.massar, c.school_code,
             c.directorate, label(c.reason_base), label(c.reason_variant),
             format_mad(c.monthly_variant)});
  return w.done(st, who, "tayssir what-if " + base, json{{"variant", variant}, {"scope", scope}});
}

}  // namespace sanad::app
