// Scope through imports (issue 24): an account below the nation imports only into its scope. A
// pupil or a household of another scope is never rewritten, enrolled or shown by a file; rows
// naming them are refused as unknown records are, or held as requests that the other scope
// decides. On both backends.
#include <fmt/format.h>

#include "backend.hpp"
#include "core/io/table.hpp"
#include "registry/app/browse.hpp"
#include "registry/app/export.hpp"
#include "registry/app/import.hpp"
#include "registry/app/requests.hpp"
#include "registry/store/registry_store.hpp"

using namespace sanad;
using namespace sanad::app;
using sanad::testing::BothBackends;

namespace {

const std::string kSchoolA = "35310051B";  // Taounate, where the head imports
const std::string kSchoolB = "35310077K";  // another school of the same directorate
const std::string kRosterHead =
    "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année "
    "scolaire,Niveau,Classe,Statut,Transféré vers\n";
const std::string kHouseholdHead =
    "Code Massar,CIN du tuteur,Nom du tuteur,Lien de parenté,Téléphone,N° RAMED\n";
const std::string kAbsenceHead = "Code Massar,Date d'absence,Justifiée\n";

store::MergeCounts counts_of(const ImportResult& r, const std::string& what) {
  for (const auto& [w, c] : r.counts)
    if (w == what) return c;
  return {};
}

RequestDecision accept() {
  return {true, "", "", "2026-05-20"};
}

class ImportScope : public BothBackends {
 protected:
  void SetUp() override {
    BothBackends::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Schools: two in Taounate (region 03), one in a commune of region 04.
    auto commune = st().db().scalar_text(
        "SELECT code FROM communes WHERE region_code = '04' ORDER BY code LIMIT 1");
    ASSERT_TRUE(commune);
    foreign_commune_ = *commune;
    ASSERT_EQ(
        run(ListKind::schools, "Code établissement,Nom établissement (arabe),Cycle,Code commune\n" +
                                   kSchoolA + ",مدرسة ألف,primaire,03.531.01.05\n" + kSchoolB +
                                   ",مدرسة باء,primaire,03.531.05.07\n" + kSchoolX +
                                   ",مدرسة سين,primaire," + foreign_commune_ + "\n")
            .rows_rejected,
        0);
    // Pupils: F1 in the foreign school this year; A1 at A this year; P1 at B last year only.
    auto r =
        run(ListKind::pupils,
            kRosterHead + "F000000001,الفاسي,فاطمة,F,2016-03-01," + kSchoolX +
                ",2025-2026,4AP,4AP-1,,\n" + "A000000001,العلوي,أحمد,M,2017-05-02," + kSchoolA +
                ",2025-2026,3AP,3AP-1,,\n" + "P000000001,الناصري,سعيد,M,2015-01-09," + kSchoolB +
                ",2024-2025,4AP,4AP-2,,\n");
    ASSERT_TRUE(r.written) << (r.issues.empty() ? "" : format_issue(r.issues[0]));
    // F1's household, in the foreign region.
    ASSERT_TRUE(run(ListKind::households,
                    kHouseholdHead + "F000000001,ZZ100,خديجة الفاسي,الأم,0661000001,RM-77\n")
                    .written);
  }

  ImportResult run(ListKind kind, const std::string& csv, const Scope& scope = Scope::nation(),
                   bool commit = true, const std::string& actor = "test",
                   bool accept_identity = false) {
    ImportOptions o;
    o.accept_identity_changes = accept_identity;
    o.actor = actor;
    o.today = "2026-05-20";
    o.scope = scope;
    o.dry_run = !commit;
    o.skip_invalid = false;
    return import_table(st(), kind, io::read_csv_bytes(csv, "file.csv"), o);
  }
  ImportResult as_head(ListKind kind, const std::string& csv, bool commit = true,
                       bool accept_identity = false) {
    return run(kind, csv, {NodeKind::school, kSchoolA}, commit, "head-a", accept_identity);
  }
  Principal principal(const std::string& login, Role role, const Scope& scope) {
    Principal p;
    p.login = login;
    p.role = role;
    p.scope = scope;
    p.scope_path = *st().ancestry(scope);
    return p;
  }
  std::string pupil_field(const std::string& massar, const std::string& col) {
    return st()
        .db()
        .scalar_text("SELECT " + col + " FROM pupils WHERE massar = $1", {massar})
        .value_or("?");
  }
  int64_t enrolments_at(const std::string& massar, const std::string& school) {
    return *st().db().scalar_i64(
        "SELECT COUNT(*) FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools s ON "
        "s.id = e.school_id WHERE p.massar = $1 AND s.code = $2",
        {massar, school});
  }
  const std::string kSchoolX = "04X00001A";
  std::string foreign_commune_;
};

// Finding 1: a roster naming a pupil enrolled this year in another region neither rewrites his
// identity nor enrols him; the row becomes a transfer request that only his school sees.
TEST_P(ImportScope, AForeignPupilInARosterIsHeldAsATransferRequestNotRewritten) {
  const std::string row =
      "F000000001,المهاجم,اسم,M,2010-01-01," + kSchoolA + ",2025-2026,4AP,4AP-1,,\n";
  auto check = as_head(ListKind::pupils, kRosterHead + row, false);
  EXPECT_EQ(check.rows_rejected, 0);
  EXPECT_EQ(check.rows_valid, 0);
  EXPECT_EQ(check.rows_held, 1);
  ASSERT_EQ(check.held.size(), 1u);
  EXPECT_EQ(check.held[0].row, 2);
  EXPECT_EQ(check.held[0].value, "F000000001");
  auto r = as_head(ListKind::pupils, kRosterHead + row);
  EXPECT_TRUE(r.written);
  EXPECT_EQ(r.rows_held, 1);
  EXPECT_EQ(counts_of(r, "pupils").total(), 0);  // nothing about him: no "updated"
  EXPECT_EQ(counts_of(r, "enrolments").total(), 0);
  EXPECT_EQ(counts_of(r, "requests").inserted, 1);
  EXPECT_EQ(pupil_field("F000000001", "first_ar"), "فاطمة");
  EXPECT_EQ(pupil_field("F000000001", "sex"), "F");
  EXPECT_EQ(pupil_field("F000000001", "birth_date"), "2016-03-01");
  EXPECT_EQ(enrolments_at("F000000001", kSchoolA), 0);
  // The head still cannot read him.
  auto head = principal("head-a", Role::school_head, {NodeKind::school, kSchoolA});
  EXPECT_FALSE(pupil_record(st(), head, "F000000001"));
  // The same file again: the pending request is refreshed, not doubled.
  auto again = as_head(ListKind::pupils, kRosterHead + row);
  EXPECT_EQ(counts_of(again, "requests").inserted, 0);
  EXPECT_EQ(counts_of(again, "requests").unchanged, 1);
  EXPECT_EQ(*st().db().scalar_i64("SELECT COUNT(*) FROM import_requests"), 1);

  // The head sees it among his requests, without the school that holds the pupil.
  auto out = list_requests(st(), head, RequestBox::outgoing, "");
  ASSERT_TRUE(out && out->size() == 1u);
  EXPECT_EQ((*out)[0].state, "pending");
  EXPECT_FALSE((*out)[0].may_decide);
  EXPECT_TRUE(list_requests(st(), head, RequestBox::incoming, "")->empty());
  EXPECT_FALSE(decide_request(st(), head, (*out)[0].id, accept(), "test"));  // not his to decide
  // The other school's head receives it, and the pupil as recorded.
  auto holder = principal("head-x", Role::school_head, {NodeKind::school, kSchoolX});
  auto in = list_requests(st(), holder, RequestBox::incoming, "pending");
  ASSERT_TRUE(in && in->size() == 1u);
  EXPECT_TRUE((*in)[0].may_decide);
  EXPECT_EQ((*in)[0].asking_school, kSchoolA);
  EXPECT_EQ((*in)[0].pupil.first_ar, "فاطمة");
  EXPECT_EQ((*in)[0].asked.level, "4AP");
  // A head of a third school sees nothing of it.
  auto third = principal("head-b", Role::school_head, {NodeKind::school, kSchoolB});
  EXPECT_TRUE(list_requests(st(), third, RequestBox::incoming, "")->empty());
  EXPECT_FALSE(decide_request(st(), third, (*in)[0].id, accept(), "test"));
  // Refusing needs a note; a refusal leaves him where he is.
  EXPECT_THROW(decide_request(st(), holder, (*in)[0].id,
                              RequestDecision{false, "", "", "2026-05-20"}, "test"),
               Refusal);
  // Accepting with a date outside the year is refused.
  RequestDecision bad{true, "", "2024-10-01", "2026-05-20"};
  EXPECT_THROW(decide_request(st(), holder, (*in)[0].id, bad, "test"), Refusal);
  RequestDecision yes{true, "", "2026-02-15", "2026-05-20"};
  auto done = decide_request(st(), holder, (*in)[0].id, yes, "test");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, "accepted");
  EXPECT_EQ(enrolments_at("F000000001", kSchoolA), 1);
  EXPECT_EQ(st().db()
                .scalar_text(
                    "SELECT e.status || ' ' || e.transfer_to || ' ' || e.left_date FROM enrolments "
                    "e JOIN pupils p ON p.id = e.pupil_id JOIN schools s ON s.id = e.school_id "
                    "WHERE p.massar = 'F000000001' AND s.code = $1",
                    {kSchoolX})
                .value_or(""),
            "transferred " + kSchoolA + " 2026-02-15");
  EXPECT_EQ(pupil_field("F000000001", "first_ar"), "فاطمة");  // identity as recorded
  EXPECT_THROW(decide_request(st(), holder, (*in)[0].id, yes, "test"), Refusal);  // once
  EXPECT_EQ(list_requests(st(), head, RequestBox::outgoing, "")->at(0).state, "accepted");
  EXPECT_TRUE(pupil_record(st(), head, "F000000001"));
  EXPECT_EQ(st().audit_latest("transfer F000000001", 1).at(0).action, "request-accept");
  // Each side's page shows its own stay only, and not where he went (low findings of issue 24).
  auto seen_by_a = pupil_record(st(), head, "F000000001");
  ASSERT_EQ(seen_by_a->history.size(), 1u);
  EXPECT_EQ(seen_by_a->history[0].enrolment.school_code, kSchoolA);
  auto seen_by_x = pupil_record(st(), holder, "F000000001");
  ASSERT_EQ(seen_by_x->history.size(), 1u);
  EXPECT_EQ(seen_by_x->history[0].enrolment.transfer_to, "");
  EXPECT_TRUE(seen_by_x->history[0].transfer_elsewhere);
  // X's export leaves the destination unnamed; importing it again from X keeps the one recorded.
  const std::string path = ::testing::TempDir() + "/x_pupils.csv";
  ExportOptions eo;
  eo.scope = {NodeKind::school, kSchoolX};
  eo.viewer = eo.scope;
  eo.lang = Lang::fr;
  export_list(st(), ListKind::pupils, path, eo);
  auto exported = io::read_table(path);
  ASSERT_EQ(exported.rows.size(), 2u);
  EXPECT_EQ(exported.rows[1].cells[13], "");  // transfer_to
  ImportOptions io_x;
  io_x.actor = "head-x";
  io_x.today = "2026-05-20";
  io_x.scope = eo.scope;
  auto reimport = import_file(st(), ListKind::pupils, path, io_x);
  EXPECT_TRUE(reimport.written) << (reimport.issues.empty() ? ""
                                                            : format_issue(reimport.issues[0]));
  EXPECT_EQ(counts_of(reimport, "enrolments").unchanged, 1);
  eo.viewer = Scope::nation();
  export_list(st(), ListKind::pupils, path, eo);
  EXPECT_EQ(io::read_table(path).rows[1].cells[13], kSchoolA);
}

// A pupil with no enrolment in the row's year (a new school year) is enrolled when the row's
// identity is his; another identity is refused and the record left as it was.
TEST_P(ImportScope, AnArrivalIsEnrolledOnlyUnderHisOwnIdentity) {
  auto wrong = as_head(ListKind::pupils, kRosterHead + "P000000001,الناصري,عمر,M,2015-01-09," +
                                             kSchoolA + ",2025-2026,5AP,5AP-1,,\n");
  EXPECT_EQ(wrong.rows_rejected, 1);
  EXPECT_FALSE(wrong.written);
  EXPECT_EQ(pupil_field("P000000001", "first_ar"), "سعيد");
  // Spelt with another hamza form, the same pupil: enrolled, and nothing else changed.
  auto right = as_head(ListKind::pupils, kRosterHead + "P000000001,الناصرى,سعيد,M,2015-01-09," +
                                             kSchoolA + ",2025-2026,5AP,5AP-1,,\n");
  ASSERT_TRUE(right.written) << format_issue(right.issues.at(0));
  EXPECT_EQ(enrolments_at("P000000001", kSchoolA), 1);
  EXPECT_EQ(pupil_field("P000000001", "last_ar"), "الناصري");
  // Now his school of this year, the head corrects his name: a change of who he is, written when
  // the import accepts it.
  const std::string corrected = kRosterHead + "P000000001,الناصري,سعيد الدين,M,2015-01-09," +
                                kSchoolA + ",2025-2026,5AP,5AP-1,,\n";
  EXPECT_FALSE(as_head(ListKind::pupils, corrected).written);
  EXPECT_EQ(pupil_field("P000000001", "first_ar"), "سعيد");
  auto fix = as_head(ListKind::pupils, corrected, true, true);
  ASSERT_TRUE(fix.written);
  EXPECT_EQ(pupil_field("P000000001", "first_ar"), "سعيد الدين");
  // A pupil enrolled in a later year elsewhere is not enrolled in an earlier one from here.
  auto back = as_head(ListKind::pupils, kRosterHead + "F000000001,الفاسي,فاطمة,F,2016-03-01," +
                                            kSchoolA + ",2024-2025,3AP,3AP-1,,\n");
  EXPECT_EQ(back.rows_rejected, 1);
  EXPECT_EQ(enrolments_at("F000000001", kSchoolA), 0);
  // A pupil his school marked transferred to A is enrolled without a request.
  ASSERT_TRUE(run(ListKind::pupils, kRosterHead + "F000000001,الفاسي,فاطمة,F,2016-03-01," +
                                        kSchoolX + ",2025-2026,4AP,4AP-1,transferred," + kSchoolA +
                                        "\n")
                  .written);
  auto arrived = as_head(ListKind::pupils, kRosterHead + "F000000001,الفاسي,فاطمة,F,2016-03-01," +
                                               kSchoolA + ",2025-2026,4AP,4AP-2,,\n");
  EXPECT_TRUE(arrived.written);
  EXPECT_EQ(arrived.rows_held, 0);
  EXPECT_EQ(enrolments_at("F000000001", kSchoolA), 1);
}

// Finding 2: a households file naming a payee whose children are all in another region neither
// changes that payee nor links the pupil; a child of another scope is an unknown pupil.
TEST_P(ImportScope, AForeignHouseholdIsNeverRewrittenAndAForeignChildIsUnknown) {
  auto r =
      as_head(ListKind::households, kHouseholdHead + "A000000001,ZZ100,اسم آخر,الأب,0600000000,\n");
  EXPECT_TRUE(r.written);
  EXPECT_EQ(r.rows_held, 1);
  EXPECT_EQ(counts_of(r, "households").total(), 0);  // neither "updated" nor "inserted"
  EXPECT_EQ(counts_of(r, "requests").inserted, 1);
  auto h = store::RegistryStore(st()).household_of("F000000001");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->first.payee_name, "خديجة الفاسي");
  EXPECT_EQ(h->first.phone, "0661000001");
  EXPECT_EQ(h->first.ramed, "RM-77");
  EXPECT_FALSE(store::RegistryStore(st()).household_of("A000000001"));
  // A new payee for his own pupil is written.
  auto own = as_head(ListKind::households, kHouseholdHead + "A000000001,AA200,أب علوي,الأب,,\n");
  EXPECT_EQ(counts_of(own, "households").inserted, 1);
  // A child of another scope is refused with the words of an unknown one.
  auto foreign = as_head(ListKind::households, kHouseholdHead + "F000000001,AA300,أحد,الأب,,\n");
  auto unknown = as_head(ListKind::households, kHouseholdHead + "U000000009,AA300,أحد,الأب,,\n");
  ASSERT_EQ(foreign.issues.size(), 1u);
  ASSERT_EQ(unknown.issues.size(), 1u);
  EXPECT_EQ(foreign.issues[0].reason, unknown.issues[0].reason);
  EXPECT_EQ(foreign.issues[0].column, unknown.issues[0].column);
  EXPECT_EQ(store::RegistryStore(st()).household_of("F000000001")->first.payee_cin, "ZZ100");
  // The household's school links the pupil; the payee's details stay as recorded.
  auto holder = principal("head-x", Role::school_head, {NodeKind::school, kSchoolX});
  auto in = list_requests(st(), holder, RequestBox::incoming, "pending");
  ASSERT_TRUE(in && in->size() == 1u);
  EXPECT_EQ(in->at(0).kind, "household_link");
  EXPECT_EQ(in->at(0).household.payee_name, "اسم آخر");  // what the row said, for the holder
  ASSERT_TRUE(decide_request(st(), holder, in->at(0).id, accept(), "test"));
  EXPECT_EQ(store::RegistryStore(st()).household_of("A000000001")->first.payee_cin, "ZZ100");
  EXPECT_EQ(store::RegistryStore(st()).household_of("A000000001")->first.payee_name,
            "خديجة الفاسي");
  // The household's page, seen from X, counts and names only X's children.
  auto seen = pupil_record(st(), holder, "F000000001");
  ASSERT_TRUE(seen && seen->household);
  EXPECT_EQ(seen->household_children, 1);
  EXPECT_TRUE(seen->siblings.empty());
  auto admin = principal("admin", Role::national_admin, Scope::nation());
  EXPECT_EQ(pupil_record(st(), admin, "F000000001")->household_children, 2);
}

// Absences need a pupil present in the scope on that day: another scope's pupil, or one's own on
// a day of a year he was elsewhere, is unknown, in the same words as a code never seen.
TEST_P(ImportScope, AbsencesAreRecordedOnlyForPupilsOfTheScopeOnThatDay) {
  auto r = as_head(ListKind::absences,
                   kAbsenceHead + "F000000001,12/01/2026,non\n" + "A000000001,12/01/2025,non\n" +
                       "U000000009,12/01/2026,non\n" + "A000000001,13/01/2026,non\n");
  ASSERT_EQ(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].reason, r.issues[2].reason);
  EXPECT_EQ(r.issues[1].reason, r.issues[2].reason);
  EXPECT_EQ(r.rows_valid, 1);
  EXPECT_FALSE(r.written);
  EXPECT_EQ(*st().db().scalar_i64("SELECT COUNT(*) FROM absences"), 0);
}

// A dry run that names another scope's records writes nothing but leaves a trace for auditors.
TEST_P(ImportScope, ACheckNamingAnotherScopesRecordsIsAudited) {
  auto before = *st().db().scalar_i64("SELECT COUNT(*) FROM audit_log");
  as_head(
      ListKind::pupils,
      kRosterHead + "F000000001,الفاسي,فاطمة,F,2016-03-01," + kSchoolA + ",2025-2026,4AP,4AP-1,,\n",
      false);
  EXPECT_EQ(*st().db().scalar_i64("SELECT COUNT(*) FROM audit_log"), before + 1);
  auto last = st().audit_latest("pupils", 1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].action, "import-check");
  EXPECT_EQ(last[0].actor, "head-a");
  EXPECT_NE(last[0].detail.find("F000000001"), std::string::npos);
  EXPECT_EQ(*st().db().scalar_i64("SELECT COUNT(*) FROM import_requests"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportScope, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

}  // namespace
