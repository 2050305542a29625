// Tayssir's lists: for signature, of exclusions, of payments, totals and adjustments; the payment
// file; a line's explanation.
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/app/lists.hpp"
#include "kernel/dates.hpp"
#include "kernel/vocab.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

std::string format_mad(int64_t centimes) {
  const char* sign = centimes < 0 ? "-" : "";
  int64_t a = centimes < 0 ? -centimes : centimes;
  return fmt::format("{}{}.{:02d}", sign, a / 100, a % 100);
}

// --- lists ---------------------------------------------------------------------------------------

std::optional<CycleList> parse_cycle_list(const std::string& s) {
  if (s == "beneficiaries") return CycleList::beneficiaries;
  if (s == "exclusions") return CycleList::exclusions;
  if (s == "payments") return CycleList::payments;
  if (s == "totals") return CycleList::totals;
  if (s == "adjustments") return CycleList::adjustments;
  return std::nullopt;
}

bool is_school_list(CycleList l) {
  return l == CycleList::beneficiaries || l == CycleList::exclusions;
}

namespace {

struct Written {
  int64_t rows = 0, amount = 0;
  int64_t owing_rows = 0, owing = 0;  // payments: households left off, net below zero
  std::unique_ptr<ListFile> file;     // written, not yet kept under its name
};

// What each household (by payee CIN) is paid by a cycle: its lines due and its adjustments.
struct Pay {
  std::string name;
  int64_t amount = 0;
  std::vector<std::string> children;
};
std::map<std::string, Pay> payments_of(TayssirStore& ts, int64_t cycle_id) {
  std::map<std::string, Pay> pay;
  ts.each_line_detail(cycle_id, 0, [&](const store::LineDetailRow& d) {
    if (d.payee_cin.empty() || d.line.due == 0) return;
    auto& p = pay[d.payee_cin];
    p.name = d.payee_name;
    p.amount += d.line.due;
    p.children.push_back(d.massar);
  });
  for (const auto& a : ts.adjustments(cycle_id)) {
    if (a.payee_cin.empty()) continue;  // no payee on file: on the adjustments list only
    auto& p = pay[a.payee_cin];
    p.name = a.payee_name;
    p.amount += a.amount;
  }
  return pay;
}

std::string pupil_name(const store::LineDetailRow& d, bool ar) {
  if (!ar && !d.last_fr.empty()) return d.last_fr + " " + d.first_fr;
  return d.last_ar + " " + d.first_ar;
}

Written write_list(store::Store& st, const store::CycleRow& c, CycleList list,
                   const std::string& path, const ListOptions& opt) {
  TayssirStore ts(st);
  const bool ar = opt.lang == Lang::ar;
  auto H = [&](const char* a, const char* f) { return std::string(ar ? a : f); };
  Policy pol = get_policy(st, c.policy_code);
  const auto& per = period_of(pol, c.period);
  int64_t school_id = 0;
  if (!opt.school.empty()) {
    auto sid = ts.school_id(opt.school);
    if (!sid) refuse("no school {}", opt.school);
    school_id = *sid;
  }
  io::SheetSpec spec = sheet_in(opt.lang, "", {});
  Written w;
  std::unique_ptr<ListFile> out;
  auto open = [&] {
    spec.title =
        fmt::format("{} — {} {} ({}) — {}{}", spec.name, ar ? "الدورة" : "cycle", c.id, c.period,
                    c.directorate_code, opt.school.empty() ? std::string() : " — " + opt.school);
    out = std::make_unique<ListFile>(path, opt.format, spec);
  };
  using io::ColumnType;
  switch (list) {
    case CycleList::beneficiaries: {
      spec.name = H("المستفيدون", "Bénéficiaires");
      spec.headings = {H("المؤسسة", "Établissement"),
                       H("رقم مسار", "Code Massar"),
                       H("الاسم", "Nom"),
                       H("المستوى", "Niveau"),
                       H("رقم البطاقة الوطنية للمستفيد", "CIN du bénéficiaire"),
                       H("اسم المستفيد", "Nom du bénéficiaire")};
      for (const auto& m : per.months) spec.headings.push_back(m);
      for (const char* h : {ar ? "المبلغ الشهري (درهم)" : "Montant mensuel (MAD)",
                            ar ? "المستحق (درهم)" : "Dû (MAD)", ar ? "التوقيع" : "Signature"})
        spec.headings.emplace_back(h);
      spec.types.assign(spec.headings.size(), ColumnType::text);
      spec.types[spec.headings.size() - 3] = spec.types[spec.headings.size() - 2] =
          ColumnType::amount;
      open();
      ts.each_line_detail(c.id, school_id, [&](const store::LineDetailRow& d) {
        if (d.line.reason != "eligible") return;
        std::vector<std::string> row = {
            d.school_code,     d.massar,
            pupil_name(d, ar), std::string(levels().label(d.line.level, opt.lang)),
            d.payee_cin,       d.payee_name};
        for (char m : d.line.months) row.push_back(month_state_label(m, ar));
        row.push_back(format_mad(d.line.monthly));
        row.push_back(format_mad(d.line.due));
        row.emplace_back();
        out->row(row);
        ++w.rows;
        w.amount += d.line.due;
      });
      break;
    }
    case CycleList::exclusions: {
      spec.name = H("غير المستفيدين", "Exclusions");
      spec.headings = {H("المؤسسة", "Établissement"),
                       H("رقم مسار", "Code Massar"),
                       H("الاسم", "Nom"),
                       H("المستوى", "Niveau"),
                       H("السبب", "Motif"),
                       H("رمز السبب", "Code du motif")};
      open();
      ts.each_line_detail(c.id, school_id, [&](const store::LineDetailRow& d) {
        if (d.line.reason == "eligible") return;
        auto r = tayssir::parse_reason(d.line.reason);
        out->row({d.school_code, d.massar, pupil_name(d, ar),
                  std::string(levels().label(d.line.level, opt.lang)),
                  r ? std::string(tayssir::reason_label(*r, ar)) : d.line.reason, d.line.reason});
        ++w.rows;
      });
      break;
    }
    case CycleList::payments: {
      spec.name = H("ملف الأداء", "Fichier de paiement");
      spec.headings = {H("رقم البطاقة الوطنية", "CIN"), H("اسم المستفيد", "Nom du bénéficiaire"),
                       H("المبلغ (درهم)", "Montant (MAD)"), H("عدد الأطفال", "Nombre d'enfants"),
                       H("أرقام مسار الأطفال", "Codes Massar des enfants")};
      spec.types = {ColumnType::text, ColumnType::text, ColumnType::amount, ColumnType::integer,
                    ColumnType::text};
      auto pay = payments_of(ts, c.id);
      open();
      for (auto& [cin, p] : pay) {
        if (p.amount < 0) {  // nothing to pay: the next cycle computed recovers it
          ++w.owing_rows;
          w.owing += p.amount;
        }
        if (p.amount <= 0) continue;
        std::sort(p.children.begin(), p.children.end());
        out->row({cin, p.name, format_mad(p.amount), std::to_string(p.children.size()),
                  fmt::format("{}", fmt::join(p.children, " "))});
        ++w.rows;
        w.amount += p.amount;
      }
      break;
    }
    case CycleList::totals: {
      spec.name = H("المجاميع", "Totaux");
      spec.headings = {
          H("المستوى الترابي", "Niveau"),   H("الرمز", "Code"),    H("التلاميذ", "Élèves"),
          H("المستفيدون", "Bénéficiaires"), H("الأسر", "Ménages"), H("المستحق (درهم)", "Dû (MAD)"),
          H("الضائع (درهم)", "Perdu (MAD)")};
      spec.types = {ColumnType::text,    ColumnType::text,    ColumnType::integer,
                    ColumnType::integer, ColumnType::integer, ColumnType::amount,
                    ColumnType::amount};
      struct Sum {
        int64_t pupils = 0, beneficiaries = 0, due = 0, forfeited = 0;
        std::set<int64_t> households;
      };
      std::map<std::string, Sum> schools, communes;
      Sum all;
      std::map<std::string, std::string> commune_of;
      for (const auto& sc : st.schools(Scope{NodeKind::directorate, c.directorate_code}))
        commune_of[sc.code] = sc.commune_code;
      ts.each_line_detail(c.id, 0, [&](const store::LineDetailRow& d) {
        for (Sum* s : {&schools[d.school_code], &communes[commune_of[d.school_code]], &all}) {
          s->pupils++;
          if (d.line.reason == "eligible") s->beneficiaries++;
          s->due += d.line.due;
          s->forfeited += d.line.forfeited;
          if (d.line.due > 0 && d.line.household_id) s->households.insert(d.line.household_id);
        }
      });
      open();
      auto emit = [&](const std::string& level, const std::string& code, const Sum& s) {
        out->row({level, code, std::to_string(s.pupils), std::to_string(s.beneficiaries),
                  std::to_string(s.households.size()), format_mad(s.due), format_mad(s.forfeited)});
        ++w.rows;
      };
      for (const auto& [code, s] : schools) emit(H("مؤسسة", "établissement"), code, s);
      for (const auto& [code, s] : communes) emit(H("جماعة", "commune"), code, s);
      emit(H("مديرية", "direction"), c.directorate_code, all);
      w.amount = all.due;
      break;
    }
    case CycleList::adjustments: {
      spec.name = H("التسويات", "Régularisations");
      spec.headings = {H("المؤسسة", "Établissement"),          H("رقم مسار", "Code Massar"),
                       H("الدورة الأصلية", "Cycle d'origine"), H("النوع", "Nature"),
                       H("المبلغ (درهم)", "Montant (MAD)"),    H("السبب", "Motif")};
      spec.types = {ColumnType::text, ColumnType::text,   ColumnType::text,
                    ColumnType::text, ColumnType::amount, ColumnType::text};
      auto kind = [&](const std::string& k) -> std::string {
        if (k == "appeal") return H("تظلم مقبول", "recours accepté");
        if (k == "carried") return H("استرجاع مرحّل", "récupération reportée");
        return H("تصحيح", "correction");
      };
      open();
      for (const auto& a : ts.adjustments(c.id)) {
        auto src = ts.cycle(a.source_cycle_id);
        out->row({a.school_code, a.massar, src ? fmt::format("{} #{}", src->period, src->id) : "",
                  kind(a.kind), format_mad(a.amount), render_adjustment_reason(a, opt.lang)});
        ++w.rows;
        w.amount += a.amount;
      }
      break;
    }
  }
  w.file = std::move(out);
  return w;
}

}  // namespace

int64_t write_cycle_list(store::Store& st, int64_t cycle_id, CycleList list,
                         const std::string& path, const ListOptions& opt, const Actor& who) {
  auto c = get_cycle(st, cycle_id);
  auto w = write_list(st, c, list, path, opt);
  const char* names[] = {"beneficiaries", "exclusions", "payments", "totals", "adjustments"};
  w.file->done(st, who, fmt::format("tayssir cycle {}", cycle_id),
               json{{"list", names[static_cast<int>(list)]}, {"school", opt.school}});
  return w.rows;
}

PaymentExport payment_totals(store::Store& st, int64_t cycle_id) {
  auto c = get_cycle(st, cycle_id);
  TayssirStore ts(st);
  PaymentExport out;
  for (const auto& [cin, p] : payments_of(ts, c.id)) {
    if (p.amount > 0) {
      ++out.households;
      out.amount += p.amount;
    } else if (p.amount < 0) {
      ++out.owing_households;
      out.owing += p.amount;
    }
  }
  return out;
}

PaymentExport export_payments(store::Store& st, int64_t cycle_id, const std::string& path,
                              const ListOptions& opt, const Actor& who) {
  auto c = get_cycle(st, cycle_id);
  if (c.state == "exported" || c.state == "closed")
    refuse("cycle {} was already exported for payment (file sha256 {}); a cycle is paid once",
           cycle_id, c.payment_sha256);
  if (c.state != "approved")
    refuse("cycle {} is {}: only an approved cycle is exported", cycle_id, c.state);
  // Each run writes a file of its own: of two runs at once, the one refused below leaves nothing,
  // and the file under `path` is the one whose SHA-256 is recorded.
  {
    auto w = write_list(st, c, CycleList::payments, path, opt);
    w.file->close();
    std::ifstream in(w.file->written(), std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    PaymentExport out{w.rows, w.amount, store::sha256_hex(buf.str()), w.owing_rows, w.owing};
    TayssirStore ts(st);
    store::Transaction tx(st.db());
    st.db().lock_job(cycle_lock_key(c.policy_id, c.period, c.directorate_code));
    if (!ts.move_cycle(cycle_id, "approved", "exported", out.sha256)) {
      auto now = ts.cycle(cycle_id);
      refuse(
          "cycle {} is {} now: it was exported by someone else (sha256 {}); a cycle is paid once",
          cycle_id, now ? now->state : "gone", now ? now->payment_sha256 : "");
    }
    st.audit({who.name, who.origin, "tayssir cycle exported",
              fmt::format("tayssir cycle {}", cycle_id),
              json{{"households", out.households},
                   {"amount", out.amount},
                   {"sha256", out.sha256},
                   {"owing_households", out.owing_households},
                   {"owing", out.owing},
                   {"file", std::filesystem::path(path).filename().string()}}
                  .dump()});
    tx.commit();
    w.file->keep();
    return out;
  }
}

Explanation explain_line(store::Store& st, int64_t cycle_id, const std::string& massar) {
  auto c = get_cycle(st, cycle_id);
  TayssirStore ts(st);
  auto pid = ts.pupil_id(massar);
  if (!pid) refuse("no pupil {}", massar);
  std::vector<store::LineDetailRow> lines;
  ts.each_line_detail(cycle_id, 0, [&](const store::LineDetailRow& d) {
    if (d.line.pupil_id == *pid) lines.push_back(d);
  });
  if (lines.empty()) refuse("pupil {} is not in cycle {}", massar, cycle_id);
  Policy pol = get_policy(st, c.policy_code);
  const auto& per = period_of(pol, c.period);
  const store::LineDetailRow* main = &lines.back();
  for (const auto& l : lines)
    if (l.line.reason == "eligible") {
      main = &l;
      break;
    }
  Explanation x;
  x.massar = massar;
  x.level = main->line.level;
  x.reason = main->line.reason;
  x.school_code = main->school_code;
  x.monthly = main->line.monthly;
  for (const auto& l : lines) {
    x.schools.push_back(l.school_code);
    x.due += l.line.due;
    x.forfeited += l.line.forfeited;
  }
  // Today's absences beside the counts the cycle used.
  std::map<std::string, std::pair<int, int>> now;  // month → unjustified, justified
  const bool sessions = pol.absence_unit == tayssir::AbsenceUnit::session;
  for (const auto& a : store::RegistryStore(st).absences_of(massar)) {
    auto& v = now[a.date.substr(0, 7)];
    (a.justified ? v.second : v.first) += sessions ? a.sessions : 1;
  }
  for (std::size_t k = 0; k < per.months.size(); ++k) {
    // The line of the school he was at that month: the one not reading 'T' (another school's).
    const store::LineDetailRow* at = main;
    if (lines.size() > 1)
      for (const auto& l : lines)
        if (k < l.line.months.size() && l.line.months[k] != 'T') {
          at = &l;
          break;
        }
    const auto counted = counted_days(at->line.absences);
    tayssir::MonthDetail d;
    d.month = per.months[k];
    d.school = at->school_code;
    d.unjustified = now[d.month].first;
    d.justified = now[d.month].second;
    d.counted = k < counted.size() ? counted[k] : 0;
    d.threshold = tayssir::absence_threshold(pol, at->line.level);
    d.state = k < at->line.months.size() ? at->line.months[k] : '-';
    x.months.push_back(d);
  }
  if (main->line.household_id)
    x.siblings = ts.sibling_lines(c.policy_id, c.period, main->line.household_id, *pid);
  return x;
}

}  // namespace sanad::app
