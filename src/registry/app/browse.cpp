#include "registry/app/browse.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/app/registry_version.hpp"
#include "core/app/versioned.hpp"
#include "kernel/text.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {
namespace {

bool may_read(store::Store& st, const Principal& p, const Scope& node) {
  if (!role_allows(p.role, Action::read_registry)) return false;
  return can_see(st, p, node);
}

bool may_read_school(store::Store& st, const Principal& p, const std::string& code) {
  return may_read(st, p, Scope{NodeKind::school, code});
}

// The school years, read again only when the audit log's head moved (years come with imports).
std::vector<std::string> school_years(store::Store& st) {
  static VersionedCache<std::vector<std::string>> kept(1);
  return *kept.get(st.audit_head(), "", [&] {
    return std::make_shared<const std::vector<std::string>>(st.school_years());
  });
}

// The name of one node of the territory.
NodeLine describe(store::Store& st, const Scope& node) {
  NodeLine l{node, "", "", 0, 0};
  switch (node.kind) {
    case NodeKind::nation:
      l.name_ar = "المملكة المغربية";
      l.name_fr = "Royaume du Maroc";
      break;
    case NodeKind::region:
      for (const auto& r : st.regions())
        if (r.code == node.code) l.name_ar = r.name_ar, l.name_fr = r.name_fr;
      break;
    case NodeKind::directorate:
      for (const auto& d : st.directorates(node)) l.name_ar = d.name_ar, l.name_fr = d.name_fr;
      break;
    case NodeKind::commune:
      for (const auto& c : st.communes(node))
        if (c.code == node.code) l.name_ar = c.name_ar, l.name_fr = c.name_fr;
      break;
    case NodeKind::school:
      for (const auto& s : st.schools(node)) l.name_ar = s.name_ar, l.name_fr = s.name_fr;
      break;
  }
  return l;
}

// A school's pupils of a year with their names normalised once, for searching: kept in memory
// until the registry changes (its version moves), so that a search is a scan of a small array,
// not a query and a normalisation of every name.
struct SchoolIndex {
  std::vector<PupilLine> pupils;
  // Pupil i's names, one table per script so that a search reads only its own: in Arabic, in
  // French and the French's Latin key (doubled letters collapsed).
  NameTable names_ar, names_fr, names_latin;
  std::vector<std::string> levels;                          // taught this year, sorted
  std::map<std::string, std::vector<std::string>> classes;  // per level, sorted
  std::vector<std::string> all_classes;                     // sorted
};

std::shared_ptr<const SchoolIndex> school_index(store::Store& st, const std::string& school,
                                                const std::string& year) {
  static VersionedCache<SchoolIndex> kept(4096);  // a few thousand schools' pupils
  return kept.get(registry_version(st), school + "|" + year, [&] {
    auto idx = std::make_shared<SchoolIndex>();
    store::RegistryStore(st).each_enrolment(
        Scope{NodeKind::school, school}, year, [&](const Pupil& pu, const Enrolment& e) {
          idx->names_ar.add(normalize_name(pu.first_ar + " " + pu.last_ar));
          idx->names_fr.add(normalize_name(pu.first_fr + " " + pu.last_fr));
          idx->names_latin.add(latin_key(pu.first_fr + " " + pu.last_fr));
          idx->pupils.push_back({pu, e});
        });
    std::map<std::string, std::set<std::string>> classes;
    std::set<std::string> all;
    for (const auto& l : idx->pupils) {
      classes[l.enrolment.level].insert(l.enrolment.class_name);
      all.insert(l.enrolment.class_name);
    }
    for (const auto& [level, cs] : classes) {
      idx->levels.push_back(level);
      idx->classes[level].assign(cs.begin(), cs.end());
    }
    idx->all_classes.assign(all.begin(), all.end());
    return std::shared_ptr<const SchoolIndex>(std::move(idx));
  });
}

// The schools and pupils of a year under every node of the territory, counted in one pass over
// the year's enrolments and kept for the version of the registry: counting them per request took
// seconds nationally, and the territory's first page is everybody's first page.
using ChildCounts = std::map<std::string, std::pair<int64_t, int64_t>>;  // child → schools, pupils
struct TerritoryCounts {
  std::map<std::string, ChildCounts> of;  // "kind:code" of a node → its children
};

std::string node_key(NodeKind kind, const std::string& code) {
  return std::string(node_kind_name(kind)) + ":" + code;
}

std::shared_ptr<const TerritoryCounts> territory_counts(store::Store& st, const std::string& year) {
  static VersionedCache<TerritoryCounts> kept(16);
  return kept.get(registry_version(st), year, [&] {
    auto t = std::make_shared<TerritoryCounts>();
    std::unordered_map<std::string, int64_t> pupils;
    for (auto& [code, n] : store::RegistryStore(st).pupils_per_school(year)) pupils[code] = n;
    std::unordered_map<std::string, const Commune*> commune;
    auto communes = st.communes(Scope::nation());
    for (const auto& c : communes) commune[c.code] = &c;
    for (const auto& sc : st.schools(Scope::nation())) {
      auto c = commune.find(sc.commune_code);
      if (c == commune.end()) continue;
      const Commune& cm = *c->second;
      const auto it = pupils.find(sc.code);
      const int64_t n = it == pupils.end() ? 0 : it->second;
      for (auto [parent, child] :
           {std::pair{node_key(NodeKind::nation, ""), cm.region_code},
            std::pair{node_key(NodeKind::region, cm.region_code), cm.directorate_code},
            std::pair{node_key(NodeKind::directorate, cm.directorate_code), cm.code},
            std::pair{node_key(NodeKind::commune, cm.code), sc.code}}) {
        auto& slot = t->of[parent][child];
        slot.first += 1;
        slot.second += n;
      }
    }
    return std::shared_ptr<const TerritoryCounts>(std::move(t));
  });
}

}  // namespace

std::optional<School> find_school(store::Store& st, const Principal& p, const std::string& code) {
  if (!may_read_school(st, p, code)) return std::nullopt;
  for (auto& s : st.schools(Scope{NodeKind::school, code})) return s;
  return std::nullopt;
}

std::optional<std::vector<PupilLine>> school_pupils(store::Store& st, const Principal& p,
                                                    const std::string& code,
                                                    const std::string& year) {
  if (!may_read_school(st, p, code)) return std::nullopt;
  std::vector<PupilLine> out;
  store::RegistryStore(st).each_enrolment(Scope{NodeKind::school, code}, year,
                                          [&](const Pupil& pu, const Enrolment& e) {
                                            out.push_back({pu, e});
                                          });
  return out;
}

std::optional<PupilPage> search_school_pupils(store::Store& st, const Principal& p,
                                              const std::string& school_code, const PupilQuery& q) {
  if (!may_read_school(st, p, school_code)) return std::nullopt;
  PupilPage out;
  out.years = school_years(st);
  out.year = q.year.empty() ? (out.years.empty() ? std::string() : out.years.back()) : q.year;
  out.page_size = std::clamp<int64_t>(q.page_size, 1, 500);
  out.page = std::max<int64_t>(q.page, 1);
  const auto index = school_index(st, school_code, out.year);
  out.levels = index->levels;
  if (q.level.empty()) {
    out.classes = index->all_classes;
  } else if (auto it = index->classes.find(q.level); it != index->classes.end()) {
    out.classes = it->second;
  }

  const std::string query = normalize_name(q.q);
  const NameWords query_words = name_words(query), latin_words = name_words(latin_key(query));
  // A word in Arabic letters only meets Arabic names, a word in Latin letters French ones: the
  // names of the other script are not scanned.
  const bool arabic = std::any_of(query_words.begin(), query_words.end(), [](const NameWord& w) {
    return std::any_of(w.text.begin(), w.text.end(),
                       [](char32_t c) { return c >= 0x0600 && c <= 0x06FF; });
  });
  const std::string code = ascii_upper(trim(q.q));
  const bool by_code =
      !code.empty() && code.find(' ') == std::string::npos &&
      std::isalpha(static_cast<unsigned char>(code[0])) && code.size() >= 2 &&
      std::all_of(code.begin() + 1, code.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::vector<int> scores;
  if (!by_code && !query.empty()) {
    if (arabic) {
      scores = index->names_ar.match_all(query_words);
    } else {
      scores = index->names_fr.match_all(query_words);
      const auto latin = index->names_latin.match_all(latin_words);
      for (std::size_t i = 0; i < scores.size(); ++i) scores[i] = std::max(scores[i], latin[i]);
    }
  }
  std::vector<std::pair<int, const PupilLine*>> hits;
  for (std::size_t i = 0; i < index->pupils.size(); ++i) {
    const auto& l = index->pupils[i];
    const auto& e = l.enrolment;
    if (!q.level.empty() && e.level != q.level) continue;
    if (!q.class_name.empty() && e.class_name != q.class_name) continue;
    if (!q.sex.empty() && l.pupil.sex != q.sex) continue;
    if (!q.status.empty() && e.status != q.status) continue;
    int score = 1;
    if (by_code) {
      score = l.pupil.massar.rfind(code, 0) == 0 ? 1 : 0;
    } else if (!query.empty()) {
      score = scores[i];
    }
    if (score > 0) hits.emplace_back(score, &l);
  }
  // Best matches first; among equals the roster order (level, class, code Massar).
  std::stable_sort(hits.begin(), hits.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  out.total = static_cast<int64_t>(hits.size());
  const int64_t from = (out.page - 1) * out.page_size;
  for (int64_t i = from; i < out.total && i < from + out.page_size; ++i)
    out.items.push_back(*hits[static_cast<std::size_t>(i)].second);
  return out;
}

std::optional<RecordHistory> pupil_history(store::Store& st, const Principal& p,
                                           const std::string& massar) {
  if (!role_allows(p.role, Action::read_registry)) return std::nullopt;
  std::map<std::string, bool> visible;  // school → may be seen
  auto sees = [&](const std::string& school) {
    auto it = visible.find(school);
    if (it == visible.end())
      it = visible.emplace(school, can_see(st, p, Scope{NodeKind::school, school})).first;
    return it->second;
  };
  bool any = false;
  for (const auto& e : store::RegistryStore(st).enrolments_of(massar))
    any = sees(e.school_code) || any;
  if (!any) return std::nullopt;
  RecordHistory out;
  for (auto& line :
       st.record_history({"pupil", "enrolment", "membership", "absence"}, massar, 500)) {
    // An enrolment's part is "YEAR SCHOOL": one in a school out of sight is left out.
    const auto& c = line.second;
    if (c.kind == "enrolment" && !sees(c.part.substr(c.part.find(' ') + 1))) continue;
    out.push_back(std::move(line));
  }
  return out;
}

std::optional<RecordHistory> school_history(store::Store& st, const Principal& p,
                                            const std::string& code) {
  if (!may_read_school(st, p, code)) return std::nullopt;
  return st.record_history({"school"}, code, 500);
}

std::optional<PupilRecord> pupil_record(store::Store& st, const Principal& p,
                                        const std::string& massar) {
  if (!role_allows(p.role, Action::read_registry)) return std::nullopt;
  store::RegistryStore reg(st);
  auto pupil = reg.pupil(massar);
  if (!pupil) return std::nullopt;
  PupilRecord r;
  r.pupil = *pupil;
  std::map<std::string, std::optional<School>> schools;
  auto school_of = [&](const std::string& code) -> const std::optional<School>& {
    auto it = schools.find(code);
    if (it == schools.end()) {
      std::optional<School> s;
      if (can_see(st, p, Scope{NodeKind::school, code}))
        for (auto& x : st.schools(Scope{NodeKind::school, code})) s = x;
      it = schools.emplace(code, s).first;
    }
    return it->second;
  };
  // Only his stays in the scope's schools: where else he was or went is not the scope's.
  for (auto& e : reg.enrolments_of(massar)) {
    const auto& school = school_of(e.school_code);
    if (!school) continue;
    PupilRecord::Stay stay{std::move(e), true, school->name_ar, school->name_fr, false};
    if (!stay.enrolment.transfer_to.empty() && !school_of(stay.enrolment.transfer_to)) {
      stay.enrolment.transfer_to.clear();
      stay.transfer_elsewhere = true;
    }
    r.history.push_back(std::move(stay));
  }
  if (r.history.empty()) return std::nullopt;

  if (auto h = reg.household_of(massar)) {
    r.household = h->first;
    r.relation = h->second.relation;
    auto members = reg.members_of(h->first.payee_cin);
    std::vector<std::string> others;
    for (const auto& m : members)
      if (m.massar != massar) others.push_back(m.massar);
    // Only siblings the principal may see are named.
    auto hidden = reg.unknown_pupils(others, p.scope);
    std::set<std::string> hide(hidden.begin(), hidden.end());
    for (const auto& m : members)
      if (m.massar != massar && !hide.count(m.massar))
        if (auto s = reg.pupil(m.massar)) r.siblings.push_back({*s, m.relation});
    r.household_children = 1 + static_cast<int64_t>(r.siblings.size());
  }
  std::map<std::string, PupilRecord::Month> months;
  for (const auto& a : reg.absences_of(massar)) {
    auto& m = months[a.date.substr(0, 7)];
    m.month = a.date.substr(0, 7);
    ++m.days;
    if (a.justified) ++m.justified;
  }
  for (auto& [k, m] : months) r.absences.push_back(m);
  return r;
}

void warm_territory_counts(store::Store& st) {
  auto years = school_years(st);
  if (!years.empty()) territory_counts(st, years.back());
}

std::optional<TerritoryView> territory_view(store::Store& st, const Principal& p, const Scope& node,
                                            const std::string& year) {
  if (!may_read(st, p, node)) return std::nullopt;
  auto ancestry = st.ancestry(node);
  if (!ancestry) return std::nullopt;
  TerritoryView v;
  v.years = school_years(st);
  v.year = year.empty() ? (v.years.empty() ? std::string() : v.years.back()) : year;
  // The path starts at the principal's own scope: nothing above it is shown.
  bool in = false;
  for (const auto& a : *ancestry) {
    if (a.kind == p.scope.kind && a.code == p.scope.code) in = true;
    if (in && !(a.kind == node.kind && a.code == node.code)) v.path.push_back(describe(st, a));
  }
  v.self = describe(st, node);
  ChildCounts counts;
  if (node.kind != NodeKind::school) {
    auto all = territory_counts(st, v.year);
    if (auto it = all->of.find(node_key(node.kind, node.code)); it != all->of.end())
      counts = it->second;
  }
  auto add = [&](NodeKind kind, const std::string& code, const std::string& ar,
                 const std::string& fr) {
    NodeLine l{Scope{kind, code}, ar, fr, 0, 0};
    if (auto it = counts.find(code); it != counts.end())
      l.schools = it->second.first, l.pupils = it->second.second;
    v.self.schools += l.schools;
    v.self.pupils += l.pupils;
    v.children.push_back(std::move(l));
  };
  switch (node.kind) {
    case NodeKind::nation:
      for (const auto& r : st.regions()) add(NodeKind::region, r.code, r.name_ar, r.name_fr);
      break;
    case NodeKind::region:
      for (const auto& d : st.directorates(node))
        add(NodeKind::directorate, d.code, d.name_ar, d.name_fr);
      break;
    case NodeKind::directorate:
      for (const auto& c : st.communes(node)) add(NodeKind::commune, c.code, c.name_ar, c.name_fr);
      break;
    case NodeKind::commune:
      for (const auto& s : st.schools(node)) add(NodeKind::school, s.code, s.name_ar, s.name_fr);
      break;
    case NodeKind::school: {
      int64_t n = 0;
      store::RegistryStore(st).each_enrolment(node, v.year, [&](const Pupil&, const Enrolment& e) {
        if (e.status == "enrolled" || e.status == "repeating") ++n;
      });
      v.self.schools = 1;
      v.self.pupils = n;
      break;
    }
  }
  return v;
}

}  // namespace sanad::app
