#include "modules/tayssir/app/tayssir.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_set>

#include "core/io/write.hpp"
#include "kernel/dates.hpp"
#include "kernel/id_index.hpp"
#include "kernel/text.hpp"
#include "kernel/vocab.hpp"
#include "stats/app/stats.hpp"
#include "stats/store/stats.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

std::string format_mad(int64_t centimes) {
  const char* sign = centimes < 0 ? "-" : "";
  int64_t a = centimes < 0 ? -centimes : centimes;
  return fmt::format("{}{}.{:02d}", sign, a / 100, a % 100);
}

// --- policy JSON ---------------------------------------------------------------------------------

std::string policy_to_json(const Policy& p) {
  json targets = json::array();
  for (const auto& t : p.targets)
    targets.push_back({{"cycle", t.cycle},
                       {"communes", t.communes},
                       {"milieu", t.milieu},
                       {"indicator", t.indicator},
                       {"min_value", t.min_value}});
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
            {"household_cap", p.household_cap},
            {"cap_rule", std::string(tayssir::cap_rule_name(p.cap_rule))},
            {"require_ramed", p.require_ramed},
            {"ramed_exempt_communes", p.ramed_exempt_communes},
            {"repeaters_eligible", p.repeaters_eligible},
            {"periods", periods}};
  return j.dump(2);
}

namespace {

// Refuses with a sentence said in English, Arabic and French (tayssir_sentences.cpp holds the
// translations; an unlisted sentence stays English).
template <typename... A>
[[noreturn]] void refuse(std::string_view templ, const A&... args) {
  TayssirError e(fmt::format(fmt::runtime(templ), args...));
  const std::vector<std::string> values{fmt::format("{}", args)...};
  e.message_ar = render_refusal(templ, values, Lang::ar, e.what());
  e.message_fr = render_refusal(templ, values, Lang::fr, e.what());
  throw e;
}

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

namespace {

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

}  // namespace

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

// --- snapshot ------------------------------------------------------------------------------------

namespace {

uint64_t name_key(std::string_view norm) {
  if (norm.empty()) return 0;
  uint64_t h = std::hash<std::string_view>{}(norm);
  return h ? h : 1;
}

}  // namespace

LoadedSnapshot load_snapshot(store::Store& st, const Scope& scope, const std::string& year,
                             const std::vector<std::string>& months,
                             const std::vector<tayssir::Review>& reviews) {
  LoadedSnapshot L;
  tayssir::Snapshot& s = L.s;
  TayssirStore ts(st);
  // Its tables are read one after the other: all as they stood at one moment.
  store::ReadTransaction consistent(st.db());

  std::unordered_map<std::string, int32_t> commune_index;
  std::vector<std::string> commune_directorate;
  for (const auto& c : st.communes(Scope::nation())) {
    commune_index.emplace(c.code, static_cast<int32_t>(s.commune_code.size()));
    s.commune_code.push_back(c.code);
    s.commune_rural.push_back(c.milieu == "rural" ? 1 : 0);
    commune_directorate.push_back(c.directorate_code);
  }
  store::StatsStore(st).each_indicator(
      [&](const std::string& commune, const std::string& ind, double v) {
        auto it = commune_index.find(commune);
        if (it == commune_index.end()) return;
        auto& col = s.indicators[ind];
        col.resize(s.commune_code.size(), std::numeric_limits<double>::quiet_NaN());
        col[static_cast<std::size_t>(it->second)] = v;
      });

  IdIndex school_index;
  ts.each_school([&](const store::SnapshotSchoolRow& r) {
    auto c = commune_index.find(r.commune_code);
    school_index.set(r.id, static_cast<int32_t>(s.school_code.size()));
    s.school_code.push_back(r.code);
    s.school_commune.push_back(c == commune_index.end() ? tayssir::kNone : c->second);
    L.school_id.push_back(r.id);
    L.school_directorate.push_back(
        c == commune_index.end() ? "" : commune_directorate[static_cast<std::size_t>(c->second)]);
  });

  // Households come with their pupils; they are numbered in the order of their ids once all are
  // read.
  std::vector<int64_t> pupil_household;  // per pupil, the household's id (0: none)
  IdIndex household_index;               // the households seen; once sorted, their indices
  struct Household {
    int64_t id;
    std::string cin, name_norm;
    bool ramed;
  };
  std::vector<Household> households;

  // Absence days per pupil and month (the months in order), read with the pupils.
  s.months = months;
  std::sort(s.months.begin(), s.months.end());

  // Pupils of the scope who came from outside it by a dated transfer: the date they left there.
  std::unordered_map<int64_t, std::string> arrived;
  ts.each_transfer_into(
      scope, year, [&](int64_t pupil, const std::string& left) { arrived.emplace(pupil, left); });
  // Pupils: the rows come in any order, several for a pupil with several enrolments that year.
  // The enrolment that counts is the latest (by its id) not marked transferred in the scope, else
  // the latest transfer out of the scope, else (a sibling outside the scope) the latest active
  // one elsewhere: a row's rank, the highest kept, 0 never.
  std::map<std::string, uint8_t, std::less<>> level_index;
  IdIndex pupil_index;
  std::vector<uint8_t> rank;
  std::vector<int64_t> enrolment;
  const std::size_t nmonths = s.months.size();
  auto take = [&](const store::SnapshotPupilRow& r) {
    const bool active = r.status != "transferred";
    const uint8_t rk = static_cast<uint8_t>((r.in_scope ? 2 : 0) + (active ? 1 : 0));
    if (rk == 0) return;
    auto [at, fresh] = pupil_index.emplace(r.pupil_id, static_cast<int32_t>(s.pupil_id.size()));
    const auto i = static_cast<std::size_t>(at);
    if (fresh) {
      rank.push_back(0);
      enrolment.push_back(0);
      s.pupil_id.push_back(r.pupil_id);
      s.massar.emplace_back(r.massar);
      s.name_ar_key.push_back(name_key(r.name_ar_norm));
      s.name_fr_key.push_back(name_key(r.name_fr_norm));
      auto born = parse_iso_date(r.birth_date);
      s.birth_day.push_back(born ? static_cast<int32_t>(born->days()) : tayssir::kNoDate);
      s.level.push_back(0);
      s.status.push_back(tayssir::Status::enrolled);
      s.left_month.emplace_back();
      s.school.push_back(tayssir::kNone);
      s.in_scope.push_back(0);
      s.absent_unjustified.resize(s.absent_unjustified.size() + nmonths);
      s.absent_justified.resize(s.absent_justified.size() + nmonths);
      pupil_household.push_back(r.household_id);  // the pupil's, whichever row
      if (r.household_id && household_index.emplace(r.household_id, 0).second)
        households.push_back({r.household_id, std::string(r.payee_cin),
                              std::string(r.payee_name_norm), !r.ramed.empty()});
    } else if (std::pair(rk, r.enrolment_id) <= std::pair(rank[i], enrolment[i])) {
      return;
    }
    rank[i] = rk;
    enrolment[i] = r.enrolment_id;
    tayssir::Status status = r.status == "repeating" ? tayssir::Status::repeating
                             : r.status == "left"    ? tayssir::Status::left
                                                     : tayssir::Status::enrolled;
    // Transferred on a known date to a school outside the scope: this school pays up to the
    // month he left it, as for leaving; without a date he is not paid here.
    if (!active)
      status = r.left_date.size() >= 7 ? tayssir::Status::left : tayssir::Status::transferred_out;
    auto lv = level_index.find(r.level);
    if (lv == level_index.end()) {
      lv = level_index.emplace(r.level, static_cast<uint8_t>(level_index.size())).first;
      if (level_index.size() > 250) refuse("too many distinct levels in the registry");
    }
    s.level[i] = lv->second;
    s.status[i] = status;
    // A pupil marked as having left without a date is taken to have left before the year.
    s.left_month[i] = status != tayssir::Status::left ? std::string()
                      : r.left_date.size() >= 7       ? std::string(r.left_date.substr(0, 7))
                                                      : std::string("0000-00");
    const int32_t sc = school_index.find(r.school_id);
    s.school[i] = sc == IdIndex::kAbsent ? tayssir::kNone : sc;
    s.in_scope[i] = r.in_scope ? 1 : 0;
    for (std::size_t k = 0; k < nmonths; ++k) {
      s.absent_unjustified[i * nmonths + k] = r.unjustified[k];
      s.absent_justified[i * nmonths + k] = r.justified[k];
    }
  };
  // A child reviewed as enrolled twice is held back whichever scope is computed: his other
  // enrolment comes into the snapshot even in another directorate and another household.
  std::vector<std::pair<std::string, std::string>> same_child;
  for (const auto& r : reviews)
    if (r.kind == "pupil" && r.decision == "same") same_child.emplace_back(r.a, r.b);
  ts.each_snapshot_pupil(scope, year, s.months, same_child, take);

  // Pupils in the order of their ids, levels in the order of their codes: what the engine
  // decides does not depend on the order the rows came in.
  std::vector<int32_t> order(s.pupil_id.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return s.pupil_id[static_cast<std::size_t>(a)] < s.pupil_id[static_cast<std::size_t>(b)];
  });
  auto permute = [&](auto& column, std::size_t width) {
    std::remove_reference_t<decltype(column)> sorted;
    sorted.reserve(column.size());
    for (int32_t from : order)
      for (std::size_t k = 0; k < width; ++k)
        sorted.push_back(std::move(column[static_cast<std::size_t>(from) * width + k]));
    column = std::move(sorted);
  };
  permute(s.pupil_id, 1);
  permute(s.massar, 1);
  permute(s.name_ar_key, 1);
  permute(s.name_fr_key, 1);
  permute(s.birth_day, 1);
  permute(s.level, 1);
  permute(s.status, 1);
  permute(s.left_month, 1);
  permute(s.school, 1);
  permute(s.in_scope, 1);
  permute(s.absent_unjustified, nmonths);
  permute(s.absent_justified, nmonths);
  permute(pupil_household, 1);
  permute(rank, 1);
  std::vector<uint8_t> level_order(level_index.size());
  for (const auto& [code, index] : level_index) {
    level_order[index] = static_cast<uint8_t>(s.level_codes.size());
    s.level_codes.push_back(code);
  }
  for (std::size_t i = 0; i < s.pupil_id.size(); ++i) {
    s.level[i] = level_order[s.level[i]];
    if (rank[i] == 3)  // enrolled in the scope
      if (auto it = arrived.find(s.pupil_id[i]); it != arrived.end() && it->second.size() >= 7)
        s.arrived_month.emplace(static_cast<int32_t>(i), it->second.substr(0, 7));
  }
  std::sort(households.begin(), households.end(),
            [](const Household& a, const Household& b) { return a.id < b.id; });
  for (auto& h : households) {
    household_index.set(h.id, static_cast<int32_t>(s.household_cin.size()));
    s.household_cin.push_back(std::move(h.cin));
    s.household_name_norm.push_back(std::move(h.name_norm));
    s.household_ramed.push_back(h.ramed ? 1 : 0);
    L.household_id.push_back(h.id);
  }
  s.household.reserve(pupil_household.size());
  for (int64_t id : pupil_household)
    s.household.push_back(id ? household_index.find(id) : tayssir::kNone);

  return L;
}

int32_t LoadedSnapshot::pupil_at(int64_t id) const {
  auto it = std::lower_bound(s.pupil_id.begin(), s.pupil_id.end(), id);
  return it != s.pupil_id.end() && *it == id ? static_cast<int32_t>(it - s.pupil_id.begin()) : -1;
}

std::shared_ptr<const LoadedSnapshot> snapshot_of(store::Store& st, const Scope& scope,
                                                  const std::string& year,
                                                  const std::vector<std::string>& months,
                                                  const std::vector<tayssir::Review>& reviews) {
  // The registry's version, the Tayssir program's own steps aside; an empty audit log is no
  // version (heads of two databases never meet otherwise: the first entry carries a random
  // identity).
  const std::string version = registry_version(st, "tayssir ");
  auto load = [&] {
    return std::make_shared<const LoadedSnapshot>(load_snapshot(st, scope, year, months, reviews));
  };
  if (version.rfind("0:", 0) == 0) return load();
  std::vector<std::string> sorted = months;
  std::sort(sorted.begin(), sorted.end());
  std::string key = fmt::format("{}|{}|{}|{}|", static_cast<int>(scope.kind), scope.code, year,
                                fmt::join(sorted, ","));
  for (const auto& r : reviews)
    if (r.kind == "pupil" && r.decision == "same") key += r.a + "=" + r.b + ";";

  struct Kept {
    std::string version, key;
    std::shared_ptr<const LoadedSnapshot> snapshot;
  };
  static std::mutex mu;
  static std::vector<Kept> kept;  // the last used at the back
  {
    std::lock_guard lock(mu);
    std::erase_if(kept, [&](const Kept& k) { return k.version != version; });
    for (auto it = kept.begin(); it != kept.end(); ++it)
      if (it->key == key) {
        Kept hit = *it;
        kept.erase(it);
        kept.push_back(hit);
        return hit.snapshot;
      }
  }
  auto snapshot = load();
  if (snapshot->s.pupils() <= kKeptSnapshotPupils) {
    std::lock_guard lock(mu);
    if (kept.size() >= 2) kept.erase(kept.begin());
    kept.push_back({version, key, snapshot});
  }
  return snapshot;
}

std::vector<tayssir::Review> load_reviews(store::Store& st) {
  std::vector<tayssir::Review> out;
  for (const auto& r : TayssirStore(st).reviews()) out.push_back({r.kind, r.a, r.b, r.decision});
  return out;
}

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

std::string joined(const std::vector<uint8_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

json totals_json(const store::CycleRow& c) {
  return {{"pupils", c.pupils}, {"beneficiaries", c.beneficiaries}, {"households", c.households},
          {"due", c.due},       {"forfeited", c.forfeited},         {"adjustments", c.adjustments}};
}

}  // namespace

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
  // carried into this year (the recomputation of their months is not: it needs their year's
  // registry).
  // directorate → (cycle, its school year)
  std::map<std::string, std::vector<std::pair<store::CycleRow, std::string>>> earlier;
  for (const auto& p : ts.policies())
    if (p.program == pol.program && p.school_year < pol.school_year)
      for (const auto& c : ts.cycles(p.id, "", opt.scope))
        if (c.state == "exported" || c.state == "closed")
          earlier[c.directorate_code].emplace_back(c, p.school_year);

  say("loading the registry");
  const auto reviews = load_reviews(st);
  // Read afresh (not kept between computations, as what-ifs are): what is paid never rests on
  // the audit log having recorded every change.
  const LoadedSnapshot L =
      load_snapshot(st, opt.scope, pol.school_year,
                    std::vector<std::string>(months.begin(), months.end()), reviews);
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
    static const std::string none;
    int32_t sc = s.school[static_cast<std::size_t>(l.pupil)];
    return sc == tayssir::kNone ? none : L.school_directorate[static_cast<std::size_t>(sc)];
  };
  auto to_row = [&](const tayssir::PupilLine& l) {
    auto i = static_cast<std::size_t>(l.pupil);
    store::CycleLineRow r;
    r.pupil_id = s.pupil_id[i];
    r.school_id = L.school_id[static_cast<std::size_t>(s.school[i])];
    r.household_id = s.household[i] == tayssir::kNone
                         ? 0
                         : L.household_id[static_cast<std::size_t>(s.household[i])];
    r.level = s.level_codes[s.level[i]];
    r.reason = std::string(tayssir::reason_code(l.reason));
    r.monthly = l.monthly;
    r.months = l.months;
    r.absences = joined(l.absences);
    r.due = l.due;
    r.forfeited = l.forfeited;
    return r;
  };

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

    std::set<int32_t> groups;
    if (lines_it != by_dir.end())
      for (const auto* l : lines_it->second) {
        row.pupils++;
        if (l->reason == tayssir::Reason::eligible) row.beneficiaries++;
        row.due += l->due;
        row.forfeited += l->forfeited;
        int32_t h = s.household[static_cast<std::size_t>(l->pupil)];
        if (l->due > 0 && h != tayssir::kNone) groups.insert(e.group[static_cast<std::size_t>(h)]);
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
    for (const auto& src : paid[d]) {
      std::map<int64_t, store::CycleLineRow> before;
      ts.each_line(src.id, 0, [&](const store::CycleLineRow& r) { before.emplace(r.pupil_id, r); });
      std::map<int64_t, int64_t> done;
      for (const auto& [pupil, amount] : ts.adjusted_for(src.id, row.id)) done[pupil] = amount;
      std::map<int64_t, store::CycleLineRow> now;
      for (const auto& l : reruns.at(src.period).lines)
        if (directorate_of_line(l) == d) {
          auto r = to_row(l);
          now.emplace(r.pupil_id, r);
        }
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
                                  {src.period, ref.reason, ref.months}, {1}, {2});
        else if (n == now.end())
          why =
              adjustment_reason("{}: no longer in the registry of this directorate", {src.period});
        else if (is == was)
          why = adjustment_reason(
              "{}: back to the months paid ({}); the adjustments made since ({} MAD) no longer "
              "apply",
              {src.period, n->second.months, format_mad(-delta)}, {}, {1});
        else if (b->second.reason != n->second.reason)
          why = adjustment_reason("{}: decision {} → {}",
                                  {src.period, b->second.reason, n->second.reason}, {1, 2});
        else
          why = adjustment_reason("{}: months {} → {}, absence days {} → {}",
                                  {src.period, b->second.months, n->second.months,
                                   b->second.absences, n->second.absences},
                                  {}, {1, 2});
        adjustments.push_back({src.id, p, ref.school_id, ref.household_id, delta, why.english, 0,
                               "", "", "", "", "correction", why.detail});
        row.adjustments += delta;
      }
      for (auto& a : carried_recoveries(ts, src, &before, row.id, src.period)) {
        row.adjustments += a.amount;
        adjustments.push_back(std::move(a));
      }
    }
    // What a household still owed at the end of an earlier school year of the program (its
    // last cycles' payments short) is recovered here, once.
    for (const auto& [src, year] : earlier[d])
      for (auto& a : carried_recoveries(ts, src, nullptr, row.id, src.period + " " + year)) {
        row.adjustments += a.amount;
        adjustments.push_back(std::move(a));
      }
    ts.replace_adjustments(row.id, adjustments);
    cc.adjustment_lines = static_cast<int64_t>(adjustments.size());
    ts.update_cycle_totals(row);
    ts.clear_school_checks(row.id);
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
  if (!confirmed && trim(note).empty()) refuse("say what is wrong: a flag needs a note");
  ts.put_school_check(cycle_id, {*sid, school_code, confirmed ? "confirmed" : "flagged", trim(note),
                                 who.name, store::now_iso()});
  st.audit({who.name, who.origin,
            confirmed ? "tayssir school confirmed" : "tayssir school flagged errors",
            fmt::format("tayssir cycle {}", cycle_id),
            json{{"school", school_code}, {"note", trim(note)}}.dump()});
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
    auto schools = ts.schools_of_cycle(cycle_id);
    std::map<int64_t, store::SchoolCheckRow> checks;
    for (const auto& k : ts.school_checks(cycle_id)) checks.emplace(k.school_id, k);
    std::vector<std::string> flagged;
    int64_t missing = 0;
    for (const auto& school : schools) {
      auto k = checks.find(school.id);
      if (k == checks.end())
        ++missing;
      else if (k->second.state == "flagged")
        flagged.push_back(fmt::format("{} ({})", k->second.school_code, k->second.note));
    }
    if (!flagged.empty())
      refuse(
          "{} school(s) flagged errors: {}; correct the registry and "
          "recompute",
          flagged.size(), fmt::format("{}", fmt::join(flagged, "; ")));
    if (missing)
      refuse("{} of {} schools have not confirmed their list yet", missing, schools.size());
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
  for (const auto& m : st.unknown_pupils(codes, scope)) out.erase(m);
  return out;
}

bool payee_within(store::Store& st, const std::string& cin, const Scope& scope) {
  std::vector<std::string> children;
  for (const auto& m : st.members_of(cin)) children.push_back(m.massar);
  return !children.empty() && !pupils_within(st, children, scope).empty();
}

SuspectSide describe(store::Store& st, const std::string& kind, const std::string& code,
                     const std::string& year) {
  SuspectSide d;
  d.code = code;
  if (kind == "pupil") {
    if (auto p = st.pupil(code)) {
      d.name_ar = trim(p->first_ar + " " + p->last_ar);
      d.name_fr = trim(p->first_fr + " " + p->last_fr);
      d.birth_date = p->birth_date;
      d.sex = p->sex;
    }
    for (const auto& e : st.enrolments_of(code))
      if (e.school_year == year) {
        d.school_code = e.school_code;
        d.level = e.level;
      }
    if (auto h = st.household_of(code)) d.payee_cin = h->first.payee_cin;
  } else {
    for (const auto& m : st.members_of(code)) {
      d.children.push_back(m.massar);
      if (d.payee_name.empty())
        if (auto h = st.household_of(m.massar)) {
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

// --- appeals -------------------------------------------------------------------------------------

namespace {
// A line's absence days per month, stored as "2,0,5,1".
std::vector<int> counted_days(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
  return out;
}
}  // namespace

int64_t file_appeal(store::Store& st, int64_t cycle_id, const std::string& massar,
                    const std::string& grounds, const Actor& who) {
  if (trim(grounds).empty()) refuse("an appeal needs its grounds");
  if (grounds.size() > 4000) refuse("the grounds are limited to 4000 characters");
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto c = ts.cycle(cycle_id);
  if (!c) refuse("no cycle {}", cycle_id);
  if (c->state == "draft")
    refuse("cycle {} is a draft: the school flags the error and the cycle is recomputed", cycle_id);
  auto pid = ts.pupil_id(massar);
  if (!pid || !ts.line(cycle_id, *pid)) refuse("pupil {} is not in cycle {}", massar, cycle_id);
  for (const auto& a : ts.appeals_of_cycle(cycle_id))
    if (a.pupil_id == *pid && a.state == "open")
      refuse("appeal #{} on this pupil and cycle is still open", a.id);
  store::AppealRow row;
  row.cycle_id = cycle_id;
  row.pupil_id = *pid;
  row.massar = massar;
  row.grounds = trim(grounds);
  row.filed_by = who.name;
  row.filed_at = store::now_iso();
  int64_t id = ts.insert_appeal(row);
  st.audit({who.name, who.origin, "tayssir appeal filed", fmt::format("tayssir cycle {}", cycle_id),
            json{{"appeal", id}, {"pupil", massar}, {"grounds", trim(grounds)}}.dump()});
  tx.commit();
  return id;
}

store::AppealRow decide_appeal(store::Store& st, int64_t appeal_id, const AppealDecision& d,
                               const Actor& who) {
  if (trim(d.note).empty()) refuse("say why: a decision needs a note");
  TayssirStore ts(st);
  store::Transaction tx(st.db());
  auto a = ts.appeal(appeal_id);
  if (!a) refuse("no appeal #{}", appeal_id);
  if (a->state != "open") refuse("appeal #{} was already decided ({})", appeal_id, a->state);
  auto c = *ts.cycle(a->cycle_id);
  Policy pol = get_policy(st, c.policy_code);
  const auto& per = period_of(pol, c.period);
  const std::optional<store::CycleLineRow> line = ts.line(c.id, a->pupil_id);
  if (!line) refuse("pupil {} is not in cycle {}", a->massar, c.id);
  a->state = d.upheld ? "upheld" : "rejected";
  a->decision_note = trim(d.note);
  a->decided_by = who.name;
  a->decided_at = store::now_iso();
  if (d.upheld) {
    auto amount = pol.amounts.find(line->level);
    int64_t monthly = line->monthly > 0             ? line->monthly
                      : amount != pol.amounts.end() ? amount->second
                                                    : 0;
    if (monthly <= 0)
      refuse("the level {} has no amount in policy {}: nothing to pay", line->level, pol.code);
    // By default the months not paid, except after leaving school, before a transfer into it
    // (the former school paid them) and those whose absence days were over the threshold (an
    // appeal on absences names its months).
    const int threshold = tayssir::absence_threshold(pol, line->level);
    const auto counted = counted_days(line->absences);
    std::vector<std::string> months;
    for (std::size_t k = 0; k < per.months.size(); ++k) {
      char state = k < line->months.size() ? line->months[k] : '-';
      bool over = k < counted.size() && counted[k] > threshold;
      bool asked = d.months.empty() ? state != 'P' && state != 'L' && state != 'T' && !over
                                    : std::find(d.months.begin(), d.months.end(), per.months[k]) !=
                                          d.months.end();
      if (!asked) continue;
      if (state == 'P') refuse("{} was already paid in cycle {}", per.months[k], c.id);
      months.push_back(per.months[k]);
    }
    for (const auto& m : d.months)
      if (std::find(per.months.begin(), per.months.end(), m) == per.months.end())
        refuse("{} is not a month of period {} ({})", m, per.code,
               fmt::format("{}", fmt::join(per.months, ", ")));
    if (months.empty()) refuse("no month left to pay for this pupil in that period");
    a->months = fmt::format("{}", fmt::join(months, ","));
    a->amount = monthly * static_cast<int64_t>(months.size());
  }
  ts.update_appeal_decision(*a);
  st.audit({who.name, who.origin, d.upheld ? "tayssir appeal upheld" : "tayssir appeal rejected",
            fmt::format("tayssir cycle {}", c.id),
            json{{"appeal", a->id},
                 {"pupil", a->massar},
                 {"months", a->months},
                 {"amount", a->amount},
                 {"note", a->decision_note}}
                .dump()});
  tx.commit();
  return *a;
}

std::vector<store::AppealRow> list_appeals(store::Store& st, int64_t cycle_id) {
  get_cycle(st, cycle_id);
  return TayssirStore(st).appeals_of_cycle(cycle_id);
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
  io::SheetSpec spec;
  spec.right_to_left = ar;
  spec.delimiter = ar ? ',' : ';';
  Written w;
  std::unique_ptr<io::TableWriter> out;
  auto open = [&] {
    spec.title =
        fmt::format("{} — {} {} ({}) — {}{}", spec.name, ar ? "الدورة" : "cycle", c.id, c.period,
                    c.directorate_code, opt.school.empty() ? std::string() : " — " + opt.school);
    out = opt.format == FileFormat::xlsx  ? io::open_xlsx_writer(path, spec)
          : opt.format == FileFormat::pdf ? io::open_pdf_writer(path, spec)
                                          : io::open_csv_writer(path, spec);
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
  out->close();
  return w;
}

}  // namespace

int64_t write_cycle_list(store::Store& st, int64_t cycle_id, CycleList list,
                         const std::string& path, const ListOptions& opt, const Actor& who) {
  auto c = get_cycle(st, cycle_id);
  io::FileBeside file(path);
  auto w = write_list(st, c, list, file.temp(), opt);
  file.commit();
  const char* names[] = {"beneficiaries", "exclusions", "payments", "totals", "adjustments"};
  st.audit({who.name, who.origin, "export", fmt::format("tayssir cycle {}", cycle_id),
            json{{"list", names[static_cast<int>(list)]},
                 {"school", opt.school},
                 {"rows", w.rows},
                 {"file", std::filesystem::path(path).filename().string()}}
                .dump()});
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
  io::FileBeside file(path);
  {
    auto w = write_list(st, c, CycleList::payments, file.temp(), opt);
    std::ifstream in(file.temp(), std::ios::binary);
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
    file.commit();
    return out;
  }
}

Explanation explain_line(store::Store& st, int64_t cycle_id, const std::string& massar) {
  auto c = get_cycle(st, cycle_id);
  TayssirStore ts(st);
  auto pid = ts.pupil_id(massar);
  if (!pid) refuse("no pupil {}", massar);
  std::optional<store::LineDetailRow> line;
  ts.each_line_detail(cycle_id, 0, [&](const store::LineDetailRow& d) {
    if (d.line.pupil_id == *pid) line = d;
  });
  if (!line) refuse("pupil {} is not in cycle {}", massar, cycle_id);
  Policy pol = get_policy(st, c.policy_code);
  const auto& per = period_of(pol, c.period);
  Explanation x;
  x.massar = massar;
  x.level = line->line.level;
  x.reason = line->line.reason;
  x.school_code = line->school_code;
  x.monthly = line->line.monthly;
  x.due = line->line.due;
  x.forfeited = line->line.forfeited;
  // Today's absences beside the counts the cycle used.
  std::map<std::string, std::pair<int, int>> now;  // month → unjustified, justified
  for (const auto& a : st.absences_of(massar)) {
    auto& v = now[a.date.substr(0, 7)];
    (a.justified ? v.second : v.first)++;
  }
  const auto counted = counted_days(line->line.absences);
  for (std::size_t k = 0; k < per.months.size(); ++k) {
    tayssir::MonthDetail d;
    d.month = per.months[k];
    d.unjustified = now[d.month].first;
    d.justified = now[d.month].second;
    d.counted = k < counted.size() ? counted[k] : 0;
    d.threshold = tayssir::absence_threshold(pol, x.level);
    d.state = k < line->line.months.size() ? line->line.months[k] : '-';
    x.months.push_back(d);
  }
  return x;
}

}  // namespace sanad::app

namespace sanad::app {

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
  const auto kept = snapshot_of(st, scope, base.school_year,
                                std::vector<std::string>(months.begin(), months.end()), reviews);
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
    if (!s.in_scope[i] || s.school[i] == tayssir::kNone) continue;
    auto sc = static_cast<std::size_t>(s.school[i]);
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
  io::SheetSpec spec;
  spec.name = ar ? "الداخلون والخارجون" : "Entrées et sorties";
  spec.right_to_left = ar;
  spec.delimiter = ar ? ',' : ';';
  auto H = [&](const char* a, const char* f) { return std::string(ar ? a : f); };
  spec.headings = {H("التغيير", "Changement"),
                   H("رقم مسار", "Code Massar"),
                   H("المؤسسة", "Établissement"),
                   H("المديرية", "Direction"),
                   H("القرار الحالي", "Décision actuelle"),
                   H("القرار الجديد", "Nouvelle décision"),
                   H("المبلغ الشهري الجديد (درهم)", "Nouveau montant mensuel (MAD)")};
  spec.types.assign(spec.headings.size(), io::ColumnType::text);
  spec.types.back() = io::ColumnType::amount;
  io::FileBeside file(path);
  const std::string& tmp = file.temp();
  {
    auto w = opt.format == FileFormat::xlsx  ? io::open_xlsx_writer(tmp, spec)
             : opt.format == FileFormat::pdf ? io::open_pdf_writer(tmp, spec)
                                             : io::open_csv_writer(tmp, spec);
    int64_t n = 0;
    for (const auto* list : {&r.entering, &r.leaving})
      for (const auto& c : *list) {
        auto label = [&](const std::string& code) {
          auto reason = tayssir::parse_reason(code);
          return reason ? std::string(tayssir::reason_label(*reason, ar)) : code;
        };
        w->row({list == &r.entering ? H("يدخل", "entre") : H("يخرج", "sort"), c.massar,
                c.school_code, c.directorate, label(c.reason_base), label(c.reason_variant),
                format_mad(c.monthly_variant)});
        ++n;
      }
    w->close();
    file.commit();
    st.audit({who.name, who.origin, "export", "tayssir what-if " + base,
              json{{"variant", variant},
                   {"scope", scope},
                   {"rows", n},
                   {"file", std::filesystem::path(path).filename().string()}}
                  .dump()});
    return n;
  }
}

}  // namespace sanad::app
