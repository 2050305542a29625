// Tayssir's policies: their JSON, creating, copying and editing them (frozen once used).
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <set>

#include "core/io/table.hpp"
#include "kernel/dates.hpp"
#include "kernel/ids.hpp"
#include "kernel/text.hpp"
#include "stats/app/stats.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

// --- policy JSON ---------------------------------------------------------------------------------

std::string policy_to_json(const Policy& p) {
  json targets = json::array();
  for (const auto& t : p.targets) {
    json also = json::array();
    for (const auto& b : t.and_indicators)
      also.push_back({{"indicator", b.indicator}, {"min_value", b.min_value}});
    targets.push_back({{"cycle", t.cycle},
                       {"communes", t.communes},
                       {"milieu", t.milieu},
                       {"indicator", t.indicator},
                       {"min_value", t.min_value},
                       {"and_indicators", also}});
  }
  json periods = json::array();
  for (const auto& per : p.periods)
    periods.push_back({{"code", per.code},
                       {"name_ar", per.name_ar},
                       {"name_fr", per.name_fr},
                       {"months", per.months}});
  json j = {{"code", p.code},
            {"program", p.program},
            {"school_year", p.school_year},
            {"name_ar", p.name_ar},
            {"name_fr", p.name_fr},
            {"targets", targets},
            {"monthly_amount_centimes", p.amounts},
            {"months", p.months},
            {"absence_threshold_days", p.absence_threshold},
            {"justified_absences_count", p.justified_absences_count},
            {"absence_unit", p.absence_unit == tayssir::AbsenceUnit::session ? "session" : "day"},
            {"household_cap", p.household_cap},
            {"cap_rule", std::string(tayssir::cap_rule_name(p.cap_rule))},
            {"require_ramed", p.require_ramed},
            {"ramed_exempt_communes", p.ramed_exempt_communes},
            {"repeaters_eligible", p.repeaters_eligible},
            {"hold_probable_duplicates", p.hold_probable_duplicates},
            {"periods", periods}};
  return j.dump(2);
}

namespace {

[[noreturn]] void bad_field(const std::string& path, const std::string& why) {
  TayssirError e(fmt::format("policy: {} {}", path, why));
  e.message_ar = render_field_problem(path, why, Lang::ar);
  e.message_fr = render_field_problem(path, why, Lang::fr);
  throw e;
}

// Reads an object's fields one by one and refuses the ones it does not know.
class Fields {
 public:
  Fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) bad_field(path_.empty() ? "the document" : path_, "must be an object");
  }
  const json* get(const std::string& key, bool required) {
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end()) {
      if (required) bad_field(at(key), "is missing");
      return nullptr;
    }
    return &*it;
  }
  std::string text(const std::string& key, bool required = true) {
    const json* v = get(key, required);
    if (!v) return {};
    if (!v->is_string()) bad_field(at(key), "must be text");
    return v->get<std::string>();
  }
  bool boolean(const std::string& key) {
    const json* v = get(key, true);
    if (!v->is_boolean()) bad_field(at(key), "must be true or false");
    return v->get<bool>();
  }
  int64_t integer(const std::string& key) {
    const json* v = get(key, true);
    if (!v->is_number_integer()) bad_field(at(key), "must be a whole number");
    return v->get<int64_t>();
  }
  std::vector<std::string> texts(const std::string& key, bool required = true) {
    const json* v = get(key, required);
    std::vector<std::string> out;
    if (!v) return out;
    if (!v->is_array()) bad_field(at(key), "must be a list");
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) bad_field(fmt::format("{}[{}]", at(key), i), "must be text");
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  void done() {
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) bad_field(at(it.key()), "is not a field of a policy");
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

}  // namespace

Policy policy_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    refuse("policy: not valid JSON ({})", e.what());
  }
  Policy p;
  Fields f(j, "");
  p.code = f.text("code");
  p.program = f.text("program", false);
  if (p.program.empty()) p.program = "tayssir";
  p.school_year = f.text("school_year");
  p.name_ar = f.text("name_ar", false);
  p.name_fr = f.text("name_fr", false);
  {
    const json* t = f.get("targets", true);
    if (!t->is_array()) bad_field("targets", "must be a list");
    for (std::size_t i = 0; i < t->size(); ++i) {
      Fields g((*t)[i], fmt::format("targets[{}]", i));
      tayssir::TargetRule r;
      r.cycle = g.text("cycle");
      r.communes = g.texts("communes", false);
      r.milieu = g.text("milieu", false);
      r.indicator = g.text("indicator", false);
      if (const json* v = g.get("min_value", false)) {
        if (!v->is_number()) bad_field(g.at("min_value"), "must be a number");
        r.min_value = v->get<double>();
      }
      if (const json* a = g.get("and_indicators", false)) {
        if (!a->is_array()) bad_field(g.at("and_indicators"), "must be a list");
        for (std::size_t k = 0; k < a->size(); ++k) {
          Fields b((*a)[k], fmt::format("targets[{}].and_indicators[{}]", i, k));
          tayssir::IndicatorBound x;
          x.indicator = b.text("indicator");
          const json* v = b.get("min_value", true);
          if (!v->is_number()) bad_field(b.at("min_value"), "must be a number");
          x.min_value = v->get<double>();
          b.done();
          r.and_indicators.push_back(std::move(x));
        }
      }
      g.done();
      p.targets.push_back(std::move(r));
    }
  }
  {
    const json* a = f.get("monthly_amount_centimes", true);
    if (!a->is_object()) bad_field("monthly_amount_centimes", "must map levels to centimes");
    for (auto it = a->begin(); it != a->end(); ++it) {
      if (!it->is_number_integer())
        bad_field("monthly_amount_centimes." + it.key(), "must be a whole number of centimes");
      p.amounts[it.key()] = it->get<int64_t>();
    }
  }
  p.months = f.texts("months");
  {
    const json* a = f.get("absence_threshold_days", true);
    if (!a->is_object()) bad_field("absence_threshold_days", "must map cycles to days");
    for (auto it = a->begin(); it != a->end(); ++it) {
      if (!it->is_number_integer())
        bad_field("absence_threshold_days." + it.key(), "must be a whole number of days");
      int64_t d = it->get<int64_t>();
      if (d < 0 || d > 31) bad_field("absence_threshold_days." + it.key(), "must be 0 to 31");
      p.absence_threshold[it.key()] = static_cast<int>(d);
    }
  }
  p.justified_absences_count = f.boolean("justified_absences_count");
  int64_t cap = f.integer("household_cap");
  if (cap < 0 || cap > 20) bad_field("household_cap", "must be 0 (no cap) to 20");
  p.household_cap = static_cast<int>(cap);
  std::string rule = f.text("cap_rule");
  auto cr = tayssir::parse_cap_rule(rule);
  if (!cr) bad_field("cap_rule", "must be largest_amount, youngest or oldest");
  p.cap_rule = *cr;
  p.require_ramed = f.boolean("require_ramed");
  p.ramed_exempt_communes = f.texts("ramed_exempt_communes", false);
  p.repeaters_eligible = f.boolean("repeaters_eligible");
  // Policies saved before the unit could be said counted days.
  if (const json* unit = f.get("absence_unit", false)) {
    if (!unit->is_string() || (*unit != "day" && *unit != "session"))
      bad_field(f.at("absence_unit"), "must be day or session");
    p.absence_unit = *unit == "session" ? tayssir::AbsenceUnit::session : tayssir::AbsenceUnit::day;
  }
  // Policies saved before the rule could be said held them back: so does a policy that omits it.
  if (const json* hold = f.get("hold_probable_duplicates", false)) {
    if (!hold->is_boolean()) bad_field(f.at("hold_probable_duplicates"), "must be true or false");
    p.hold_probable_duplicates = hold->get<bool>();
  }
  {
    const json* t = f.get("periods", true);
    if (!t->is_array()) bad_field("periods", "must be a list");
    for (std::size_t i = 0; i < t->size(); ++i) {
      Fields g((*t)[i], fmt::format("periods[{}]", i));
      tayssir::Period per;
      per.code = g.text("code");
      per.name_ar = g.text("name_ar", false);
      per.name_fr = g.text("name_fr", false);
      per.months = g.texts("months");
      g.done();
      p.periods.push_back(std::move(per));
    }
  }
  f.done();
  return p;
}

// --- policies ------------------------------------------------------------------------------------

std::optional<Policy> find_policy(store::Store& st, const std::string& code) {
  auto row = TayssirStore(st).policy(code);
  if (!row) return std::nullopt;
  return policy_from_json(row->body);
}

Policy get_policy(store::Store& st, const std::string& code) {
  auto p = find_policy(st, code);
  if (!p) refuse("no policy {}", code);
  return *p;
}

std::vector<Policy> list_policies(store::Store& st) {
  std::vector<Policy> out;
  for (const auto& r : TayssirStore(st).policies()) out.push_back(policy_from_json(r.body));
  return out;
}

void refuse_invalid(const Policy& p) {
  auto problems = tayssir::problems(p);
  if (problems.empty()) return;
  std::string msg = fmt::format("policy {} is not valid:", p.code);
  std::string ar = fmt::format("السياسة {} غير صالحة:", p.code);
  std::string fr = fmt::format("la politique {} n'est pas valide :", p.code);
  for (const auto& s : problems) {
    msg += "\n  - " + s.message;
    ar += "\n  - " + render_problem(s, Lang::ar);
    fr += "\n  - " + render_problem(s, Lang::fr);
  }
  TayssirError e(msg);
  e.message_ar = std::move(ar);
  e.message_fr = std::move(fr);
  throw e;
}

void create_policy(store::Store& st, const Policy& p, const Actor& who) {
  refuse_invalid(p);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  if (ts.policy(p.code)) refuse("policy {} already exists", p.code);
  std::string now = store::now_iso();
  ts.insert_policy({0, p.code, p.program, p.school_year, policy_to_json(p), now, now});
  st.audit({who.name, who.origin, "tayssir policy created", "tayssir policy " + p.code,
            json{{"after", json::parse(policy_to_json(p))}}.dump()});
  tx.commit();
}

Policy copy_policy(store::Store& st, const std::string& from, const std::string& code,
                   const std::string& school_year, const Actor& who) {
  Policy p = get_policy(st, from);
  if (!school_year.empty()) {
    auto y = parse_school_year(school_year);
    if (!y) refuse("\"{}\" is not a school year written like 2026-2027", school_year);
    if (*y != p.school_year) p = tayssir::policy_for_year(p, *y, code);
  }
  p.code = code;
  create_policy(st, p, who);
  return p;
}

bool policy_frozen(store::Store& st, const std::string& code) {
  TayssirStore ts(st);
  auto row = ts.policy(code);
  return row && ts.cycles_beyond_draft(row->id) > 0;
}

void update_policy(store::Store& st, const Policy& p, const Actor& who) {
  refuse_invalid(p);
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto row = ts.policy(p.code);
  if (!row) refuse("no policy {}", p.code);
  if (ts.cycles_beyond_draft(row->id) > 0)
    refuse(
        "policy {} is frozen: a cycle computed with it has left the draft state; copy it to "
        "change the rules",
        p.code);
  Policy before = policy_from_json(row->body);
  if (before.school_year != p.school_year)
    refuse("a policy's school year cannot change; copy it for another year");
  if (before == p) return;
  row->body = policy_to_json(p);
  row->updated_at = store::now_iso();
  ts.update_policy(*row);
  st.audit({who.name, who.origin, "tayssir policy changed", "tayssir policy " + p.code,
            json{{"before", json::parse(policy_to_json(before))}, {"after", json::parse(row->body)}}
                .dump()});
  tx.commit();
}

std::vector<std::string> communes_from_file(store::Store& st, const std::string& bytes,
                                            const std::string& name) {
  io::Table table;
  try {
    table = bytes.starts_with("PK") ? io::read_xlsx_bytes(bytes, name)
                                    : io::read_csv_bytes(bytes, name);
  } catch (const io::ReadError& e) {
    refuse("{}: {}", name, e.what());
  }
  std::set<std::string> known;
  for (const auto& c : st.communes(Scope::nation())) known.insert(c.code);
  // The column: one headed like a commune's code, else the first; a first row whose cell there
  // is not written like a code is its heading.
  std::size_t col = 0;
  bool first = true;
  std::set<std::string> out;
  std::vector<std::tuple<int64_t, std::size_t, std::string>> bad;  // row, column, value
  for (const auto& row : table.rows) {
    if (row.blank()) continue;
    if (first) {
      first = false;
      bool heading = false;
      for (std::size_t k = 0; k < row.cells.size(); ++k) {
        std::string h = trim(row.cells[k]);
        for (char& ch : h)
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        if (h == "commune" || h == "code" || h == "code_commune" || h == "commune_code" ||
            h == "code commune" || h == "رمز الجماعة" || h == "الجماعة") {
          col = k;
          heading = true;
          break;
        }
      }
      if (heading || (!row.cells.empty() && !valid_commune_code(trim(row.cells[0])))) continue;
    }
    const std::string code = col < row.cells.size() ? trim(row.cells[col]) : std::string();
    if (code.empty()) continue;
    if (!known.count(code))
      bad.emplace_back(row.number, col + 1, code);
    else
      out.insert(code);
  }
  if (!bad.empty()) {
    // Every wrong row named (the first 50), in the three languages.
    const char* templ =
        "{}, row {}, column {}: \"{}\" is not the code of a commune of the territory";
    std::string en =
        fmt::format("{}: {} row(s) name no commune of the territory", name, bad.size());
    std::string ar, fr;
    for (std::size_t k = 0; k < bad.size() && k < 50; ++k) {
      const auto& [r, c, v] = bad[k];
      std::vector<std::string> args{name, std::to_string(r), std::to_string(c), v};
      std::string line = fmt::format(fmt::runtime(templ), name, r, c, v);
      en += "\n  - " + line;
      ar += (ar.empty() ? "" : "\n") + render_refusal(templ, args, Lang::ar, line);
      fr += (fr.empty() ? "" : "\n") + render_refusal(templ, args, Lang::fr, line);
    }
    TayssirError full(en);
    full.message_ar = ar;
    full.message_fr = fr;
    throw full;
  }
  if (out.empty()) refuse("{} lists no commune code", name);
  return {out.begin(), out.end()};
}

}  // namespace sanad::app
