// The snapshot a Tayssir computation reads: a scope's pupils, households and absence days, kept
// until the registry changes.
#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/app/tayssir_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>

#include "kernel/dates.hpp"
#include "kernel/id_index.hpp"
#include "kernel/text.hpp"
#include "stats/app/stats.hpp"
#include "stats/store/stats.hpp"

namespace sanad::app {

using nlohmann::json;
using store::TayssirStore;
using tayssir::Policy;

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
                             const std::vector<tayssir::Review>& reviews, bool sessions) {
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
  // Every row of the pupils read in more than one (a pupil who changed school in the year), by
  // pupil id; and the kind of each pupil's kept row ('e' enrolled, 'r' repeating, 'l' left, 't'
  // transferred).
  struct Row {
    int64_t enrolment;
    int32_t school;
    uint8_t level;  // as read (level_index), until the levels are numbered in order
    char kind;
    std::string end;  // 'l': the month he left ("0000-00": before the year); 't': of the
                      // transfer, "" when undated
    uint8_t in_scope;
  };
  std::unordered_map<int64_t, std::vector<Row>> several;
  std::vector<char> kind;
  auto row_at = [&](std::size_t i) {
    return Row{enrolment[i], s.school[i], s.level[i], kind[i], s.left_month[i], s.in_scope[i]};
  };
  const std::size_t nmonths = s.months.size();
  auto take = [&](const store::SnapshotPupilRow& r) {
    const bool active = r.status != "transferred";
    const uint8_t rk = static_cast<uint8_t>((r.in_scope ? 2 : 0) + (active ? 1 : 0));
    if (rk == 0) return;
    auto [at, fresh] = pupil_index.emplace(r.pupil_id, static_cast<int32_t>(s.pupil_id.size()));
    const auto i = static_cast<std::size_t>(at);
    std::vector<Row>* rows = nullptr;
    if (!fresh) {
      auto [it, first] = several.try_emplace(r.pupil_id);
      if (first) it->second.push_back(row_at(i));
      rows = &it->second;
    }
    if (fresh) {
      rank.push_back(0);
      enrolment.push_back(0);
      kind.push_back('e');
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
    }
    auto lv = level_index.find(r.level);
    if (lv == level_index.end()) {
      lv = level_index.emplace(r.level, static_cast<uint8_t>(level_index.size())).first;
      if (level_index.size() > 250) refuse("too many distinct levels in the registry");
    }
    const char kd = r.status == "repeating" ? 'r' : r.status == "left" ? 'l' : active ? 'e' : 't';
    const int32_t school = [&] {
      const int32_t sc = school_index.find(r.school_id);
      return sc == IdIndex::kAbsent ? tayssir::kNone : sc;
    }();
    std::string end = kd == 'l'   ? (r.left_date.size() >= 7 ? std::string(r.left_date.substr(0, 7))
                                                             : std::string("0000-00"))
                      : kd == 't' ? (r.left_date.size() >= 7 ? std::string(r.left_date.substr(0, 7))
                                                             : std::string())
                                  : std::string();
    if (rows)
      rows->push_back({r.enrolment_id, school, lv->second, kd, end, uint8_t(r.in_scope ? 1 : 0)});
    if (!fresh && std::pair(rk, r.enrolment_id) <= std::pair(rank[i], enrolment[i])) return;
    rank[i] = rk;
    enrolment[i] = r.enrolment_id;
    kind[i] = kd;
    // Transferred on a known date: this school pays up to the month he left it (the stints are
    // set once every row is read); without a date he is not paid here.
    tayssir::Status status = kd == 'r'                                  ? tayssir::Status::repeating
                             : kd == 'l' || (kd == 't' && !end.empty()) ? tayssir::Status::left
                             : kd == 't' ? tayssir::Status::transferred_out
                                         : tayssir::Status::enrolled;
    s.level[i] = lv->second;
    s.status[i] = status;
    // A pupil marked as having left without a date is taken to have left before the year.
    s.left_month[i] = std::move(end);
    s.school[i] = school;
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
  permute(kind, 1);
  permute(enrolment, 1);
  std::vector<uint8_t> level_order(level_index.size());
  for (const auto& [code, index] : level_index) {
    level_order[index] = static_cast<uint8_t>(s.level_codes.size());
    s.level_codes.push_back(code);
  }
  for (std::size_t i = 0; i < s.pupil_id.size(); ++i) {
    s.level[i] = level_order[s.level[i]];
    // The schools of a pupil who changed school in the year, each holding its months up to the
    // month of the transfer.
    auto many = several.find(s.pupil_id[i]);
    auto came = rank[i] == 3 ? arrived.find(s.pupil_id[i]) : arrived.end();
    const bool moved_out = kind[i] == 't' && !s.left_month[i].empty();
    if (many == several.end() && came == arrived.end() && !moved_out) continue;
    std::vector<Row> rows;
    if (many != several.end()) {
      rows = std::move(many->second);
      for (auto& r : rows) r.level = level_order[r.level];
    } else {
      rows.push_back(row_at(i));
    }
    const Row* active = nullptr;    // the school he is at: in the scope first, then the latest
    std::vector<const Row*> ended;  // left or transferred on a known date, in order
    for (const auto& r : rows) {
      if (r.kind == 'e' || r.kind == 'r') {
        if (!active ||
            std::pair(r.in_scope, r.enrolment) > std::pair(active->in_scope, active->enrolment))
          active = &r;
      } else if (!r.end.empty()) {
        ended.push_back(&r);
      }
    }
    std::sort(ended.begin(), ended.end(), [](const Row* a, const Row* b) {
      return std::pair(a->end, a->enrolment) < std::pair(b->end, b->enrolment);
    });
    std::vector<tayssir::Stint> before;
    auto stint = [](const Row& r) {
      return tayssir::Stint{r.school, r.level,
                            r.kind == 'r' ? tayssir::Status::repeating : tayssir::Status::enrolled,
                            r.in_scope, r.end};
    };
    if (active) {
      for (const Row* r : ended) before.push_back(stint(*r));
      s.school[i] = active->school;
      s.level[i] = active->level;
      s.status[i] = active->kind == 'r' ? tayssir::Status::repeating : tayssir::Status::enrolled;
      s.left_month[i].clear();
      s.in_scope[i] = active->in_scope;
    } else if (!ended.empty()) {
      const Row& last = *ended.back();
      for (std::size_t k = 0; k + 1 < ended.size(); ++k) before.push_back(stint(*ended[k]));
      s.level[i] = last.level;
      if (last.kind == 'l') {  // left school at the last
        s.school[i] = last.school;
        s.status[i] = tayssir::Status::left;
        s.left_month[i] = last.end;
        s.in_scope[i] = last.in_scope;
      } else {  // transferred to a school outside the scope
        before.push_back(stint(last));
        s.school[i] = tayssir::kNone;
        s.status[i] = tayssir::Status::enrolled;
        s.left_month[i].clear();
        s.in_scope[i] = 0;
      }
    }  // else: transferred without a date, as kept
    if (came != arrived.end() && came->second.size() >= 7 && active && active->in_scope) {
      // Came from a school outside the scope: that school holds the months up to his transfer.
      tayssir::Stint from{tayssir::kNone, s.level[i], tayssir::Status::enrolled, 0,
                          came->second.substr(0, 7)};
      auto at = std::find_if(before.begin(), before.end(),
                             [&](const tayssir::Stint& x) { return x.until > from.until; });
      before.insert(at, from);
    }
    if (!before.empty()) s.earlier.emplace(static_cast<int32_t>(i), std::move(before));
  }
  // The sessions missed, for a policy counting them: from the absences themselves, in the same
  // read transaction.
  if (sessions && !s.months.empty()) {
    s.sessions_unjustified.assign(s.absent_unjustified.size(), 0);
    s.sessions_justified.assign(s.absent_justified.size(), 0);
    const std::size_t nm = s.months.size();
    auto clamp = [](int64_t v) { return static_cast<uint8_t>(std::min<int64_t>(v, 255)); };
    ts.each_absence_sessions(
        s.months.front() + "-01", s.months.back() + "-31",
        [&](int64_t pupil, const std::string& month, int64_t unjustified, int64_t justified) {
          auto it = std::lower_bound(s.pupil_id.begin(), s.pupil_id.end(), pupil);
          if (it == s.pupil_id.end() || *it != pupil) return;
          const int k = s.month_index(month);
          if (k < 0) return;
          const std::size_t cell =
              static_cast<std::size_t>(it - s.pupil_id.begin()) * nm + static_cast<std::size_t>(k);
          s.sessions_unjustified[cell] = clamp(unjustified);
          s.sessions_justified[cell] = clamp(justified);
        });
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
                                                  const std::vector<tayssir::Review>& reviews,
                                                  bool sessions) {
  // The registry's version, the Tayssir program's own steps aside; an empty audit log is no
  // version (heads of two databases never meet otherwise: the first entry carries a random
  // identity).
  const std::string version = registry_version(st, "tayssir ");
  auto load = [&] {
    return std::make_shared<const LoadedSnapshot>(
        load_snapshot(st, scope, year, months, reviews, sessions));
  };
  if (version.rfind("0:", 0) == 0) return load();
  std::vector<std::string> sorted = months;
  std::sort(sorted.begin(), sorted.end());
  std::string key = fmt::format("{}|{}|{}|{}|{}|", static_cast<int>(scope.kind), scope.code, year,
                                fmt::join(sorted, ","), sessions ? "sessions" : "days");
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

}  // namespace sanad::app
