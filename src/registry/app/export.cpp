#include "registry/app/export.hpp"
#include "registry/store/registry_store.hpp"

#include <nlohmann/json.hpp>
#include <set>

namespace sanad::app {

int64_t export_list(store::Store& st, ListKind kind, const std::string& path,
                    const ExportOptions& opt) {
  const auto& fields = fields_of(kind);
  std::vector<std::string> headings;
  std::vector<io::ColumnType> types;
  for (const auto& f : fields) {
    headings.emplace_back(opt.lang == Lang::ar ? f.heading_ar : f.heading_fr);
    types.push_back(f.type);
  }
  ListFile out(path, opt.format,
               sheet_in(opt.lang, std::string(list_title(kind, opt.lang)), std::move(headings),
                        std::move(types)));
  ListFile* w = &out;
  const Lang L = opt.lang;
  store::RegistryStore reg(st);
  auto lab = [&](const Vocabulary& v, const std::string& code) {
    return std::string(v.label(code, L));
  };
  switch (kind) {
    case ListKind::regions:
      for (const auto& r : st.regions()) {
        if (opt.scope.kind == NodeKind::region && r.code != opt.scope.code) continue;
        w->row({r.code, r.name_ar, r.name_fr, std::to_string(r.population),
                std::to_string(r.households)});
      }
      break;
    case ListKind::provinces:
      for (const auto& p : st.provinces()) {
        if (opt.scope.kind == NodeKind::region && p.region_code != opt.scope.code) continue;
        if (opt.scope.kind == NodeKind::directorate && p.code != opt.scope.code) continue;
        w->row({p.code, p.region_code, p.kind, p.name_ar, p.name_fr, std::to_string(p.population),
                std::to_string(p.households)});
      }
      break;
    case ListKind::directorates:
      for (const auto& d : st.directorates(opt.scope)) {
        w->row({d.code, d.region_code, d.name_ar, d.name_fr});
      }
      break;
    case ListKind::communes:
      for (const auto& c : st.communes(opt.scope)) {
        w->row({c.code, c.province_code, c.directorate_code, lab(milieus(), c.milieu), c.name_ar,
                c.name_fr, std::to_string(c.population)});
      }
      break;
    case ListKind::schools:
      for (const auto& s : st.schools(opt.scope)) {
        w->row({s.code, s.name_ar, s.name_fr, join_cycles(s.cycles, L), s.commune_code,
                lab(milieus(), s.milieu), lab(sectors(), s.sector), std::to_string(s.boarding_beds),
                lab(yes_no(), s.canteen ? "1" : "0")});
      }
      break;
    case ListKind::pupils: {
      std::set<std::string> seen;  // the viewer's schools, when it is not the nation
      if (opt.viewer.kind != NodeKind::nation)
        for (const auto& s : st.schools(opt.viewer)) seen.insert(s.code);
      reg.each_enrolment(opt.scope, opt.year, [&](const Pupil& p, const Enrolment& e) {
        const bool named = opt.viewer.kind == NodeKind::nation || seen.count(e.transfer_to);
        w->row({p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, lab(sexes(), p.sex),
                p.birth_date, p.birth_place, e.school_code, e.school_year, lab(levels(), e.level),
                e.class_name, lab(enrolment_statuses(), e.status), named ? e.transfer_to : "",
                e.left_date});
      });
      break;
    }
    case ListKind::households:
      reg.each_membership(opt.scope, [&](const Household& h, const Membership& m) {
        w->row(
            {m.massar, h.payee_cin, h.payee_name, lab(relations(), m.relation), h.phone, h.ramed});
      });
      break;
    case ListKind::absences:
      reg.each_absence(opt.scope, [&](const Absence& a) {
        w->row(
            {a.massar, a.date, lab(yes_no(), a.justified ? "1" : "0"), std::to_string(a.sessions)});
      });
      break;
  }
  const std::string scope_name = opt.scope.kind == NodeKind::nation ? "MA" : opt.scope.code;
  return out.done(st, {opt.actor, opt.origin}, std::string(list_kind_name(kind)),
                  nlohmann::json{{"scope", scope_name}});
}

}  // namespace sanad::app
