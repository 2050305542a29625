#include "registry/app/requests.hpp"

#include <fmt/format.h>

#include <array>
#include <ctime>
#include <map>

#include "core/app/sentences.hpp"
#include "kernel/dates.hpp"
#include "registry/store/registry_store.hpp"

namespace sanad::app {

using json = nlohmann::json;

json pupil_json(const Pupil& p) {
  return {{"massar", p.massar},         {"last_ar", p.last_ar},        {"first_ar", p.first_ar},
          {"last_fr", p.last_fr},       {"first_fr", p.first_fr},      {"sex", p.sex},
          {"birth_date", p.birth_date}, {"birth_place", p.birth_place}};
}

json enrolment_json(const Enrolment& e) {
  return {{"massar", e.massar},           {"school_year", e.school_year},
          {"school_code", e.school_code}, {"level", e.level},
          {"class_name", e.class_name},   {"status", e.status},
          {"transfer_to", e.transfer_to}, {"left_date", e.left_date}};
}

json household_json(const Household& h) {
  return {{"payee_cin", h.payee_cin},
          {"payee_name", h.payee_name},
          {"phone", h.phone},
          {"ramed", h.ramed}};
}

json membership_json(const Membership& m) {
  return {{"massar", m.massar}, {"payee_cin", m.payee_cin}, {"relation", m.relation}};
}

namespace {

std::string s(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Pupil pupil_of(const json& j) {
  return {s(j, "massar"),   s(j, "last_ar"), s(j, "first_ar"),   s(j, "last_fr"),
          s(j, "first_fr"), s(j, "sex"),     s(j, "birth_date"), s(j, "birth_place")};
}

Enrolment enrolment_of(const json& j) {
  return {s(j, "massar"),     s(j, "school_year"), s(j, "school_code"), s(j, "level"),
          s(j, "class_name"), s(j, "status"),      s(j, "transfer_to"), s(j, "left_date")};
}

Household household_of(const json& j) {
  return {s(j, "payee_cin"), s(j, "payee_name"), s(j, "phone"), s(j, "ramed")};
}

Membership membership_of(const json& j) {
  return {s(j, "massar"), s(j, "payee_cin"), s(j, "relation")};
}

// clang-format off
constexpr std::array kSentences = {
  Sentence{"this request was already decided ({})",
           "سبق البت في هذا الطلب ({})",
           "cette demande a déjà été tranchée ({})"},
  Sentence{"a refusal needs a note saying why",
           "الرفض يحتاج إلى ملاحظة تبين سببه",
           "un refus demande une note qui en dit la raison"},
  Sentence{"the date he left is a day of the school year {} (YYYY-MM-DD)",
           "تاريخ المغادرة يوم من السنة الدراسية {} (سنة-شهر-يوم)",
           "la date de départ est un jour de l'année scolaire {} (AAAA-MM-JJ)"},
  Sentence{"the date he left is in the future",
           "تاريخ المغادرة في المستقبل",
           "la date de départ est dans le futur"},
  Sentence{"the pupil is no longer enrolled in {} in a school of your scope",
           "لم يعد التلميذ مسجلا في {} بمؤسسة داخل نطاق صلاحياتك",
           "l'élève n'est plus inscrit en {} dans un établissement de votre périmètre"},
  Sentence{"the pupil or the household of this request is no longer in the registry",
           "التلميذ أو الأسرة المعنية بهذا الطلب لم يعد في السجل",
           "l'élève ou le ménage de cette demande n'est plus dans le registre"},
};
// clang-format on

[[noreturn]] void refuse(const char* templ, const std::vector<std::string>& values = {}) {
  refuse_from(kSentences, templ, values);
}

std::string today_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}.iso();
}

bool holds(store::Store& st, const Principal& p, const store::ImportRequestRow& r) {
  for (const auto& h : r.holders)
    if (can_see(st, p, {NodeKind::school, h})) return true;
  return false;
}

RequestView view_of(store::Store& st, const Principal& p, const store::ImportRequestRow& r,
                    RequestBox box, std::map<std::string, School>& schools) {
  RequestView v;
  v.id = r.id;
  v.kind = r.kind;
  v.state = r.state;
  v.massar = r.massar;
  v.school_year = r.school_year;
  v.asking_school = r.school_code;
  auto it = schools.find(r.school_code);
  if (it == schools.end()) {
    auto found = st.schools({NodeKind::school, r.school_code});
    it = schools.emplace(r.school_code, found.empty() ? School{} : found[0]).first;
  }
  v.asking_school_ar = it->second.name_ar;
  v.asking_school_fr = it->second.name_fr;
  json payload = json::parse(r.payload, nullptr, false);
  if (payload.is_discarded()) payload = json::object();
  if (r.kind == "transfer") {
    v.pupil = pupil_of(payload.value("pupil", json::object()));
    v.asked = enrolment_of(payload.value("enrolment", json::object()));
  } else {
    v.household = household_of(payload.value("household", json::object()));
    v.relation = membership_of(payload.value("membership", json::object())).relation;
  }
  if (box == RequestBox::incoming) {  // the pupil is the holder's own: as recorded
    if (auto rec = store::RegistryStore(st).pupil(r.massar)) v.pupil = *rec;
  }
  v.requested_by = r.requested_by;
  v.requested_at = r.requested_at;
  v.file = r.file;
  v.file_row = r.file_row;
  v.decided_by = r.decided_by;
  v.decided_at = r.decided_at;
  v.note = r.note;
  v.may_decide = box == RequestBox::incoming && r.state == "pending" &&
                 role_allows(p.role, Action::import_data) && holds(st, p, r);
  return v;
}

}  // namespace

std::string render_request_refusal(std::string_view templ, const std::vector<std::string>& values,
                                   Lang lang) {
  return say(kSentences, templ, values, lang).value_or(fill_template(templ, values));
}

bool request_sentences_complete() {
  return translations_complete(kSentences);
}

std::optional<std::vector<RequestView>> list_requests(store::Store& st, const Principal& p,
                                                      RequestBox box, const std::string& state,
                                                      int64_t limit) {
  if (!role_allows(p.role, Action::import_data)) return std::nullopt;
  store::ReadTransaction read(st.db());
  std::vector<RequestView> out;
  std::map<std::string, School> schools;
  for (const auto& r :
       store::RequestStore(st).list(p.scope, box == RequestBox::incoming, state, limit))
    out.push_back(view_of(st, p, r, box, schools));
  return out;
}

std::pair<int64_t, int64_t> pending_requests(store::Store& st, const Principal& p) {
  if (!role_allows(p.role, Action::import_data)) return {0, 0};
  return store::RequestStore(st).pending_counts(p.scope);
}

std::optional<RequestView> decide_request(store::Store& st, const Principal& p, int64_t id,
                                          const RequestDecision& d, const std::string& origin) {
  if (!role_allows(p.role, Action::import_data)) return std::nullopt;
  store::RequestStore requests(st);
  store::Transaction tx(st.db());
  auto r = requests.get(id);
  if (!r || !holds(st, p, *r)) return std::nullopt;
  if (r->state != "pending") refuse("this request was already decided ({})", {r->state});
  const std::string today = d.today.empty() ? today_iso() : d.today;
  std::vector<store::RecordChange> changes;
  std::string detail = fmt::format("request={} kind={} pupil={} asking={}", r->id, r->kind,
                                   r->massar, r->school_code);
  json payload = json::parse(r->payload, nullptr, false);
  if (payload.is_discarded()) payload = json::object();
  if (!d.accept) {
    if (d.note.empty()) refuse("a refusal needs a note saying why");
  } else if (r->kind == "transfer") {
    // His enrolments that year in the schools of the principal's scope: he leaves them.
    std::vector<Enrolment> write;
    for (auto e : store::RegistryStore(st).enrolments_of(r->massar))
      if (e.school_year == r->school_year && e.school_code != r->school_code &&
          can_see(st, p, {NodeKind::school, e.school_code}))
        write.push_back(std::move(e));
    if (write.empty())
      refuse("the pupil is no longer enrolled in {} in a school of your scope", {r->school_year});
    // By default today, or the year's last day when the year is over.
    const int start = school_year_start(r->school_year);
    const std::string left =
        !d.left_date.empty() ? d.left_date : std::min(today, SchoolYear{start}.last_day());
    auto day = parse_iso_date(left);
    if (!day || !SchoolYear{start}.contains(*day))
      refuse("the date he left is a day of the school year {} (YYYY-MM-DD)", {r->school_year});
    if (left > today) refuse("the date he left is in the future");
    for (auto& e : write) {
      e.status = "transferred";
      e.transfer_to = r->school_code;
      e.left_date = left;
    }
    Enrolment asked = enrolment_of(payload.value("enrolment", json::object()));
    asked.massar = r->massar;
    asked.school_code = r->school_code;
    asked.school_year = r->school_year;
    write.push_back(asked);
    st.ensure_school_years({r->school_year});
    auto [pc, ec] = store::RegistryStore(st).put_roster(
        {}, write, fmt::format("request #{} accepted ({})", r->id, store::now_iso().substr(0, 10)));
    changes = std::move(ec.changes);
    detail += fmt::format(" left={} enrolments: +{} ~{}", left, ec.inserted, ec.updated);
  } else {
    Membership m = membership_of(payload.value("membership", json::object()));
    m.massar = r->massar;
    m.payee_cin = r->payee_cin;
    store::RegistryStore reg(st);
    if (!reg.pupil(m.massar) || reg.members_of(m.payee_cin).empty())
      refuse("the pupil or the household of this request is no longer in the registry");
    auto counts = reg.put_memberships({m});
    changes = std::move(counts.changes);
    detail += fmt::format(" household={}", m.payee_cin);
  }
  const std::string state = d.accept ? "accepted" : "refused";
  if (!requests.decide(id, state, p.login, store::now_iso(), d.note))
    refuse("this request was already decided ({})", {"?"});
  if (!d.note.empty()) detail += " note=" + d.note;
  st.audit({p.login, origin, d.accept ? "request-accept" : "request-refuse",
            fmt::format("{} {}", r->kind, r->massar), detail},
           changes);
  tx.commit();
  std::map<std::string, School> schools;
  auto after = requests.get(id);
  return view_of(st, p, *after, RequestBox::incoming, schools);
}

}  // namespace sanad::app
