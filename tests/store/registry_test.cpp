#include <fmt/format.h>
#include <iconv.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "backend.hpp"
#include "core/app/sentences.hpp"
#include "core/io/table.hpp"
#include "registry/app/demo.hpp"
#include "registry/app/export.hpp"
#include "registry/app/import.hpp"
#include "registry/store/registry_store.hpp"
#include "registry/store/tallies.hpp"
#include "stats/app/stats.hpp"

using namespace sanad;
using namespace sanad::app;
using sanad::testing::Backend;
using sanad::testing::BothBackends;

namespace {

const std::string kExamples = SANAD_EXAMPLES_DIR;

std::string tmp(const std::string& name) {
  static int n = 0;
  return (std::filesystem::temp_directory_path() /
          (std::to_string(getpid()) + "_" + std::to_string(n++) + "_" + name))
      .string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

ImportOptions opts() {
  ImportOptions o;
  o.actor = "test";
  o.today = "2026-11-23";
  return o;
}

store::MergeCounts counts_of(const ImportResult& r, const std::string& what) {
  for (const auto& [w, c] : r.counts)
    if (w == what) return c;
  return {};
}

class Registry : public BothBackends {
 protected:
  void load_examples() {
    ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
    ASSERT_TRUE(
        import_file(st(), ListKind::pupils, kExamples + "/roster_1AP-1.xlsx", opts()).written);
    ASSERT_TRUE(
        import_file(st(), ListKind::households, kExamples + "/households.csv", opts()).written);
    ASSERT_TRUE(import_file(st(), ListKind::absences, kExamples + "/absences.csv", opts()).written);
  }
};

}  // namespace

TEST_P(Registry, InitLoadsTheWholeTerritoryAndIsIdempotent) {
  EXPECT_EQ(st().count("regions"), 12);
  EXPECT_EQ(st().count("provinces"), 83);
  EXPECT_EQ(st().count("directorates"), 75);
  EXPECT_EQ(st().count("communes"), 1503);
  int64_t people = 0;
  for (const auto& c : st().communes(Scope::nation())) people += c.population;
  EXPECT_EQ(people, 36828330);
  // An academy's edit of a commune's directorate survives a second init.
  st().db().execute("UPDATE communes SET directorate_code = '03.561' WHERE code = '03.531.01.05'");
  st().db().execute(
      "UPDATE directorates SET name_fr = 'DP Taounate (edited)' WHERE code = '03.531'");
  auto again = init_database(st(), "test");
  EXPECT_TRUE(again.migrations.empty());
  EXPECT_EQ(again.communes.inserted, 0);
  EXPECT_EQ(st().count("communes"), 1503);
  EXPECT_EQ(
      st().db().scalar_text("SELECT directorate_code FROM communes WHERE code = '03.531.01.05'"),
      "03.561");
  EXPECT_EQ(st().db().scalar_text("SELECT name_fr FROM directorates WHERE code = '03.531'"),
            "DP Taounate (edited)");
  EXPECT_EQ(again.communes.updated, 0);  // the kept directorate is not a difference
}

// A database at the end of the history (as Sanad made it before the parts had migrations of
// their own) is upgraded by init with the parts' own, core first, recorded as PART/NNN_name,
// every row kept; init again applies nothing.
TEST_P(Registry, ThePartsOwnMigrationsApplyAfterTheHistoryAndAreRecordedByPart) {
  load_examples();
  const int64_t pupils = st().count("pupils");
  std::vector<std::string> parts;
  st().db().query("SELECT name FROM schema_migrations WHERE name LIKE '%/%' ORDER BY name", {},
                  [&](const store::ResultRow& r) { parts.push_back(r.text(0)); });
  ASSERT_EQ(parts, (std::vector<std::string>{
                       "core/001_login_network", "core/002_school_checks",
                       "modules/tayssir/001_school_checks_in_core",
                       "modules/tayssir/002_lines_by_school", "registry/001_import_requests",
                       "registry/002_enrolment_source", "registry/003_absence_sessions"}));
  // Back to the history's end: the parts' tables and columns gone, their records too.
  st().db().execute("DROP TABLE school_checks");
  st().db().execute(
      "CREATE TABLE tayssir_school_checks (cycle_id BIGINT NOT NULL REFERENCES "
      "tayssir_cycles(id), school_id BIGINT NOT NULL REFERENCES schools(id), state TEXT NOT NULL, "
      "note TEXT NOT NULL, checked_by TEXT NOT NULL, checked_at TEXT NOT NULL, PRIMARY KEY "
      "(cycle_id, school_id))");
  st().db().execute("DROP TABLE import_request_holders");
  st().db().execute("DROP TABLE import_requests");
  st().db().execute("DROP INDEX login_failures_network");
  st().db().execute("ALTER TABLE login_failures DROP COLUMN network");
  st().db().execute("ALTER TABLE enrolments DROP COLUMN source");
  st().db().execute("ALTER TABLE absences DROP COLUMN sessions");
  st().db().execute("DELETE FROM schema_migrations WHERE name LIKE '%/%'");
  EXPECT_FALSE(st().initialized());
  // Applied core first, then the registry, the statistics, the modules by name.
  const std::vector<std::string> in_order{"core/001_login_network",
                                          "core/002_school_checks",
                                          "registry/001_import_requests",
                                          "registry/002_enrolment_source",
                                          "registry/003_absence_sessions",
                                          "modules/tayssir/001_school_checks_in_core",
                                          "modules/tayssir/002_lines_by_school"};
  EXPECT_EQ(st().pending_migrations(), in_order);
  auto up = init_database(st(), "test");
  EXPECT_EQ(up.migrations, in_order);
  EXPECT_TRUE(st().initialized());
  EXPECT_EQ(st().count("pupils"), pupils);
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM import_requests"), 0);
  // Enrolments made before the file that made them was kept have none.
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM enrolments WHERE source IS NOT NULL"), 0);
  EXPECT_TRUE(init_database(st(), "test").migrations.empty());
}

TEST_P(Registry, RosterImportsOnceAndAgainChangesNothing) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  auto first = import_file(st(), ListKind::pupils, kExamples + "/roster_1AP-1.xlsx", opts());
  EXPECT_TRUE(first.issues.empty());
  EXPECT_EQ(counts_of(first, "pupils").inserted, 24);
  EXPECT_EQ(counts_of(first, "enrolments").inserted, 24);
  // The CSV twin of the roster, then the XLSX again: nothing changes.
  for (const char* f : {"/roster_1AP-1.csv", "/roster_1AP-1.xlsx"}) {
    auto again = import_file(st(), ListKind::pupils, kExamples + f, opts());
    EXPECT_EQ(counts_of(again, "pupils").unchanged, 24) << f;
    EXPECT_EQ(counts_of(again, "pupils").inserted + counts_of(again, "pupils").updated, 0) << f;
    EXPECT_EQ(counts_of(again, "enrolments").unchanged, 24) << f;
  }
  EXPECT_EQ(st().count("pupils"), 24);
  EXPECT_EQ(st().count("enrolments"), 24);
  // The header block gave school, year, level and class.
  int n = 0;
  store::RegistryStore(st()).each_enrolment(Scope{NodeKind::school, "35310051B"}, "2024-2025",
                                            [&](const Pupil& p, const Enrolment& e) {
                                              ++n;
                                              EXPECT_EQ(e.level, "1AP");
                                              EXPECT_EQ(e.class_name, "1-1");
                                              if (p.massar == "R938826497") {
                                                EXPECT_EQ(p.last_ar, "العلوي");
                                                EXPECT_EQ(p.first_fr, "Zakaria");
                                                EXPECT_EQ(p.sex, "M");
                                                EXPECT_EQ(p.birth_date, "2018-08-27");
                                              }
                                            });
  EXPECT_EQ(n, 24);
}

// A changed name is a change of who the pupil is: refused with the old and new values, written
// (an update) only when the import accepts identity changes.
TEST_P(Registry, AChangedNameIsAnUpdateOnlyWhenAccepted) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  ASSERT_TRUE(import_file(st(), ListKind::pupils, kExamples + "/roster_1AP-1.csv", opts()).written);
  std::string text = slurp(kExamples + "/roster_1AP-1.csv");
  auto pos = text.find("Zakaria");
  text.replace(pos, 7, "Zakariae");
  std::string f = tmp("changed.csv");
  write_file(f, text);
  auto refused = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_FALSE(refused.written);
  ASSERT_EQ(refused.issues.size(), 1u);
  EXPECT_EQ(refused.issues[0].value, "R938826497");
  EXPECT_NE(refused.issues[0].reason.find("«Zakaria» → «Zakariae»"), std::string::npos)
      << refused.issues[0].reason;
  EXPECT_EQ(st().db().scalar_text("SELECT first_fr FROM pupils WHERE massar = 'R938826497'"),
            "Zakaria");
  ImportOptions accept = opts();
  accept.accept_identity_changes = true;
  auto r = import_file(st(), ListKind::pupils, f, accept);
  EXPECT_EQ(counts_of(r, "pupils").updated, 1);
  EXPECT_EQ(counts_of(r, "pupils").unchanged, 23);
  EXPECT_EQ(st().db().scalar_text("SELECT first_fr FROM pupils WHERE massar = 'R938826497'"),
            "Zakariae");
}

// The registry does not change who a child is, nor enrol him twice, without someone deciding it
// (issue 26): another school's roster naming the codes of a roster already imported, with birth
// dates four years apart and another level, the same school year, is refused — each row naming
// the school that has the pupil and the file that enrolled him there — and nothing is written;
// accepting identity changes does not enrol a pupil at a second school. A row that changes only
// who a pupil is at his own school is refused with the old and new values, and written when
// accepted, kept in his history.
TEST_P(Registry, AnImportDoesNotChangeWhoAPupilIsNorEnrolHimTwiceUnnoticed) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  ASSERT_TRUE(import_file(st(), ListKind::pupils, kExamples + "/roster_1AP-1.csv", opts()).written);
  std::vector<std::pair<Pupil, Enrolment>> first;
  store::RegistryStore(st()).each_enrolment(Scope::nation(), "",
                                            [&](const Pupil& p, const Enrolment& e) {
                                              if (first.size() < 20) first.emplace_back(p, e);
                                            });
  ASSERT_EQ(first.size(), 20u);
  const std::string school = first[0].second.school_code, other = "35310077K";
  ASSERT_NE(school, other);
  auto four_years_earlier = [](const std::string& iso) {
    return std::to_string(std::stoi(iso.substr(0, 4)) - 4) + iso.substr(4);
  };
  std::string csv =
      "Code Massar,Nom (arabe),Prénom (arabe),Sexe,Date de naissance,Code GRESA,Année "
      "scolaire,Niveau,Classe,Statut,Transféré vers\n";
  for (const auto& [p, e] : first)
    csv += fmt::format("{},{},{},{},{},{},{},5AP,5AP-2,,\n", p.massar, p.last_ar, p.first_ar, p.sex,
                       four_years_earlier(p.birth_date), other, e.school_year);
  const std::string f = tmp("other_school.csv");
  write_file(f, csv);
  auto r = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_FALSE(r.written);
  ASSERT_EQ(r.rows_rejected, 20);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_NE(r.issues[0].reason.find("already enrolled in " + first[0].second.school_year +
                                    " at school " + school + " by roster_1AP-1.csv (2026-11-23)"),
            std::string::npos)
      << r.issues[0].reason;
  // Said in Arabic, not in the English fallback.
  EXPECT_TRUE(reason_listed(r.issues[0].reason_template)) << r.issues[0].reason_template;
  EXPECT_NE(render_reason(r.issues[0], Lang::ar), r.issues[0].reason);
  ImportOptions accept = opts();
  accept.accept_identity_changes = true;
  EXPECT_FALSE(import_file(st(), ListKind::pupils, f, accept).written);
  // Nothing changed: one school each, the recorded birth dates.
  EXPECT_EQ(st().count("enrolments"), 24);
  EXPECT_EQ(st().db().scalar_text("SELECT birth_date FROM pupils WHERE massar = $1",
                                  {first[0].first.massar}),
            first[0].first.birth_date);

  // His own school changes his birth date: refused naming both dates, written when accepted.
  const Pupil& p = first[0].first;
  const Enrolment& e = first[0].second;
  const std::string earlier = four_years_earlier(p.birth_date);
  std::string same =
      csv.substr(0, csv.find('\n') + 1) +
      fmt::format("{},{},{},{},{},{},{},{},{},,\n", p.massar, p.last_ar, p.first_ar, p.sex, earlier,
                  e.school_code, e.school_year, e.level, e.class_name);
  write_file(f, same);
  auto refused = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_FALSE(refused.written);
  ASSERT_EQ(refused.issues.size(), 1u);
  EXPECT_NE(refused.issues[0].reason.find(p.birth_date + " → " + earlier), std::string::npos)
      << refused.issues[0].reason;
  auto accepted = import_file(st(), ListKind::pupils, f, accept);
  ASSERT_TRUE(accepted.written);
  EXPECT_EQ(counts_of(accepted, "pupils").updated, 1);
  auto h = st().record_history({"pupil"}, p.massar, 10);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].second.fields.find(earlier), std::string::npos);

  // A transfer recorded by the school he leaves lets the other school enrol him.
  std::string leave =
      csv.substr(0, csv.find('\n') + 1) +
      fmt::format("{},{},{},{},{},{},{},{},{},transféré,{}\n", p.massar, p.last_ar, p.first_ar,
                  p.sex, earlier, e.school_code, e.school_year, e.level, e.class_name, other) +
      fmt::format("{},{},{},{},{},{},{},2AP,2AP-1,,\n", p.massar, p.last_ar, p.first_ar, p.sex,
                  earlier, other, e.school_year);
  write_file(f, leave);
  auto moved = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_TRUE(moved.written) << (moved.issues.empty() ? "" : format_issue(moved.issues[0]));
}

// Who is paid for a child does not change unnoticed either: a households row giving a recorded
// pupil another payee's CIN, or his payee another name, is refused with the old and new values,
// and written — kept in his history — when the import accepts identity changes.
TEST_P(Registry, AHouseholdsFileDoesNotChangeWhoIsPaidForAPupilUnnoticed) {
  load_examples();
  const std::string head =
      "رقم التلميذ,رقم البطاقة الوطنية لولي الأمر,اسم ولي الأمر,صفة ولي الأمر,الهاتف,رقم بطاقة "
      "راميد\n";
  const std::string f = tmp("payee.csv");
  ImportOptions accept = opts();
  accept.accept_identity_changes = true;
  // Another payee for R938826497 (his mother C569158 on record).
  write_file(f, head + "R938826497,ZZ900001,محمد بنعلي,الأب,0612345678,\n");
  auto refused = import_file(st(), ListKind::households, f, opts());
  EXPECT_FALSE(refused.written);
  EXPECT_EQ(refused.identity_changes, 1);
  ASSERT_EQ(refused.issues.size(), 1u);
  EXPECT_NE(refused.issues[0].reason.find("C569158 → ZZ900001"), std::string::npos)
      << refused.issues[0].reason;
  EXPECT_EQ(store::RegistryStore(st()).household_of("R938826497")->first.payee_cin, "C569158");
  ASSERT_TRUE(import_file(st(), ListKind::households, f, accept).written);
  EXPECT_EQ(store::RegistryStore(st()).household_of("R938826497")->first.payee_cin, "ZZ900001");
  EXPECT_FALSE(st().record_history({"membership"}, "R938826497", 10).empty());
  // The payee renamed: refused, then accepted. The same name spelt with another hamza form is
  // the same name.
  write_file(f, head + "R730699660,C569158,رشيدة بنعلى,الأم,0678298763,\n");
  EXPECT_TRUE(import_file(st(), ListKind::households, f, opts()).written);
  write_file(f, head + "R730699660,C569158,نعيمة العلوي,الأم,0678298763,\n");
  auto renamed = import_file(st(), ListKind::households, f, opts());
  EXPECT_FALSE(renamed.written);
  ASSERT_EQ(renamed.issues.size(), 1u);
  EXPECT_NE(renamed.issues[0].reason.find("→ «نعيمة العلوي»"), std::string::npos)
      << renamed.issues[0].reason;
  EXPECT_TRUE(reason_listed(renamed.issues[0].reason_template));
  EXPECT_NE(render_reason(renamed.issues[0], Lang::fr), renamed.issues[0].reason);
  EXPECT_TRUE(import_file(st(), ListKind::households, f, accept).written);
}

// Each record changed by an import keeps its fields before and after, with the import's audit
// entry (who, when, from where, which file); the entry covers them, so that altering or deleting
// one is found by the audit check.
TEST_P(Registry, AnImportKeepsWhatItChangedInEachRecordsHistory) {
  load_examples();
  const std::vector<std::string> pupil_kinds = {"pupil", "enrolment", "membership", "absence"};
  EXPECT_TRUE(st().record_history(pupil_kinds, "R938826497", 10).empty());  // only created

  std::string roster = slurp(kExamples + "/roster_1AP-1.csv");
  roster.replace(roster.find("Zakaria"), 7, "Zakariae");
  const std::string f = tmp("changed.csv");
  write_file(f, roster);
  ImportOptions accept = opts();
  accept.accept_identity_changes = true;
  ASSERT_TRUE(import_file(st(), ListKind::pupils, f, accept).written);
  auto h = st().record_history(pupil_kinds, "R938826497", 10);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].second.kind, "pupil");
  EXPECT_EQ(nlohmann::json::parse(h[0].second.fields),
            nlohmann::json::parse(R"({"first_fr": ["Zakaria", "Zakariae"]})"));
  EXPECT_EQ(h[0].first.action, "import");
  EXPECT_EQ(h[0].first.actor, "test");
  EXPECT_NE(h[0].first.detail.find("changed.csv"), std::string::npos) << h[0].first.detail;
  EXPECT_NE(h[0].first.detail.find("record changes: 1 sha256 "), std::string::npos);

  // An absence now unjustified: the absence of that day, in the pupil's history.
  std::string absences = slurp(kExamples + "/absences.csv");
  const auto line = absences.find("R610846881,04/11/2024,نعم");
  ASSERT_NE(line, std::string::npos);
  absences.replace(line, std::string("R610846881,04/11/2024,نعم").size(),
                   "R610846881,04/11/2024,لا");
  const std::string a = tmp("absences.csv");
  write_file(a, absences);
  ASSERT_TRUE(import_file(st(), ListKind::absences, a, opts()).written);
  auto ha = st().record_history(pupil_kinds, "R610846881", 10);
  ASSERT_EQ(ha.size(), 1u);
  EXPECT_EQ(ha[0].second.kind, "absence");
  EXPECT_EQ(ha[0].second.part, "2024-11-04");
  EXPECT_EQ(nlohmann::json::parse(ha[0].second.fields),
            nlohmann::json::parse(R"({"justified": [1, 0]})"));

  // The same files again change nothing and add nothing to any history.
  ASSERT_TRUE(import_file(st(), ListKind::pupils, f, opts()).written);
  ASSERT_TRUE(import_file(st(), ListKind::absences, a, opts()).written);
  EXPECT_EQ(st().record_history(pupil_kinds, "R938826497", 10).size(), 1u);
  EXPECT_EQ(st().record_history(pupil_kinds, "R610846881", 10).size(), 1u);

  auto ok = st().verify_audit();
  EXPECT_FALSE(ok.broken_at) << ok.reason;
  st().db().execute(
      "UPDATE record_changes SET fields = '{\"first_fr\":[\"Zakariya\",\"Zakariae\"]}' WHERE "
      "kind = 'pupil'");
  auto altered = st().verify_audit();
  ASSERT_TRUE(altered.broken_at);
  EXPECT_EQ(*altered.broken_at, h[0].first.id);
  EXPECT_NE(altered.reason.find("record changes"), std::string::npos) << altered.reason;
  st().db().execute("UPDATE record_changes SET fields = $1 WHERE kind = 'pupil'",
                    {h[0].second.fields});
  EXPECT_FALSE(st().verify_audit().broken_at);
  st().db().execute("DELETE FROM record_changes WHERE kind = 'absence'");
  auto deleted = st().verify_audit();
  ASSERT_TRUE(deleted.broken_at);
  EXPECT_EQ(*deleted.broken_at, ha[0].first.id);
}

TEST_P(Registry, OneBadRowWritesNothingAndNamesRowColumnReason) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  std::string text = slurp(kExamples + "/roster_1AP-1.csv");
  auto pos = text.find("19/11/2018");  // Ayoub Idrissi, row 14 of the file
  text.replace(pos, 10, "31/02/2018");
  std::string f = tmp("bad.csv");
  write_file(f, text);
  auto r = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.rows_rejected, 1);
  EXPECT_EQ(r.rows_valid, 23);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].row, 14);
  EXPECT_EQ(r.issues[0].column, "تاريخ الازدياد");
  EXPECT_EQ(r.issues[0].value, "31/02/2018");
  EXPECT_NE(r.issues[0].reason.find("not a date"), std::string::npos);
  EXPECT_EQ(st().count("pupils"), 0);
  EXPECT_EQ(st().count("enrolments"), 0);
  // The report file lists it too.
  std::string rep = tmp("report.csv");
  write_report_csv(rep, r);
  EXPECT_NE(slurp(rep).find("31/02/2018"), std::string::npos);
  // With --skip-invalid the 23 good rows go in.
  auto opt = opts();
  opt.skip_invalid = true;
  auto s = import_file(st(), ListKind::pupils, f, opt);
  EXPECT_TRUE(s.written);
  EXPECT_EQ(st().count("pupils"), 23);
}

TEST_P(Registry, ValidationCatchesWhatOfficersGetWrong) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  std::string f = tmp("plain.csv");
  write_file(
      f,
      "Code Massar;Nom;Prénom;النسب;الإسم;Sexe;Date de naissance;Code GRESA;Année "
      "scolaire;Niveau;Classe;Colonne inconnue\n"
      "D100000001;Alaoui;Adam;العلوي;آدم;M;01/01/2018;35310051B;2024-2025;1AP;1-1;x\n"   // 2 ok
      "D100000002;Alaoui;Sara;العلوي;سارة;F;01/01/2018;35310051B;2024-2025;1AC;1-1;x\n"  // 3 level
                                                                                         // not
                                                                                         // taught
      "D100000003;Tazi;Ali;التازي;علي;X;01/01/2018;35310051B;2024-2025;1AP;1-1;x\n"      // 4 sex
      "D100000001;Alaoui;Adam;العلوي;آدم;M;01/01/2018;35310051B;2024-2025;1AP;1-1;x\n"   // 5
                                                                                        // duplicate
      "D100000004;Fassi;Aya;الفاسي;آية;F;01/01/2018;99999999Z;2024-2025;1AP;1-1;x\n"  // 6 unknown
                                                                                      // school
      "D100000005;Fassi;Aya;الفاسي;;F;01/01/1950;35310051B;2024-2025;1AP;1-1;x\n"  // 7 empty name,
                                                                                   // age
      "D100000006;Fassi;Aya;الفاسي;آية;F;01/01/2030;35310051B;2024-2025;1AP;1-1;x\n");  // 8 future
  auto r = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.rows_read, 7);
  EXPECT_EQ(r.rows_valid, 1);
  auto has = [&](int64_t row, const std::string& column, const std::string& words) {
    for (const auto& i : r.issues)
      if (i.row == row && i.column == column && i.reason.find(words) != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(has(3, "Niveau", "not taught"));
  EXPECT_TRUE(has(4, "Sexe", "unknown sex"));
  EXPECT_TRUE(has(5, "Code Massar", "twice for this school and year (first on row 2)"));
  EXPECT_TRUE(has(6, "Code GRESA", "unknown school"));
  EXPECT_TRUE(has(7, "الإسم", "empty"));
  EXPECT_TRUE(has(7, "Date de naissance", "not plausible"));
  EXPECT_TRUE(has(8, "Date de naissance", "future"));
  EXPECT_EQ(st().count("pupils"), 0);
  // Every reason is also said in Arabic and French, with its values in place.
  for (const auto& i : r.issues) {
    EXPECT_TRUE(reason_listed(i.reason_template)) << i.reason;
    EXPECT_NE(render_reason(i, Lang::ar), i.reason) << i.reason;
    EXPECT_NE(render_reason(i, Lang::fr), i.reason) << i.reason;
    EXPECT_EQ(fill_template(i.reason_template, i.args), i.reason);
  }
  EXPECT_TRUE(reason_translations_complete());
  for (const auto& i : r.issues)
    if (i.row == 5 && i.column == "Code Massar") {
      EXPECT_EQ(render_reason(i, Lang::ar),
                "التلميذ نفسه مكرر في هذه المؤسسة وهذه السنة (أول مرة في الصف 2)");
      EXPECT_EQ(render_reason(i, Lang::fr),
                "le même élève figure deux fois pour cet établissement et cette année (d'abord "
                "ligne 2)");
    }
}

TEST_P(Registry, HouseholdsAndAbsencesNeedKnownPupilsAndConsistentPayees) {
  load_examples();
  EXPECT_EQ(st().count("households"), 20);  // siblings share a payee
  EXPECT_EQ(st().count("household_members"), 24);
  EXPECT_EQ(st().count("absences"), 66);
  std::string f = tmp("hh.csv");
  write_file(f,
             "رقم التلميذ,رقم البطاقة الوطنية لولي الأمر,اسم ولي الأمر,صفة ولي الأمر,الهاتف\n"
             "R938826497,C569158,رشيدة بنعلي,الأم,0678298763\n"
             "R730699660,C569158,رشيده بن علي,الأم,0678298763\n"  // same CIN, other spelling
             "Z000000001,AB12345,أحمد,الأب,0611111111\n"          // unknown pupil
             "R610846881,12345,أحمد,الأب,0611111111\n");          // bad CIN
  auto r = import_file(st(), ListKind::households, f, opts());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.rows_rejected, 3);
  ASSERT_GE(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].row, 3);
  EXPECT_NE(r.issues[0].reason.find("one CIN is one person"), std::string::npos);
  EXPECT_EQ(r.issues[1].row, 4);
  EXPECT_NE(r.issues[1].reason.find("unknown pupil"), std::string::npos);
  EXPECT_EQ(r.issues[2].row, 5);
  // The translation may leave an argument out: the column is named beside the reason.
  EXPECT_EQ(render_reason(r.issues[0], Lang::fr),
            "la CIN C569158 a d'autres données ligne 2 : une CIN est une personne");
  for (const auto& i : r.issues) EXPECT_TRUE(reason_listed(i.reason_template)) << i.reason;

  std::string a = tmp("abs.csv");
  write_file(a,
             "Code "
             "Massar;Date;Justifiée\nR938826497;04/11/2024;oui\nR938826497;04/11/"
             "2024;non\nR938826497;05/11/2031;non\n");
  auto ra = import_file(st(), ListKind::absences, a, opts());
  EXPECT_EQ(ra.rows_rejected, 2);
  EXPECT_EQ(st().count("absences"), 66);
}

TEST_P(Registry, ExportImportExportIsIdentical) {
  load_examples();
  Backend other;
  ASSERT_TRUE(other.open(GetParam()));
  auto empty = other.store();
  for (auto fmt : {FileFormat::csv, FileFormat::xlsx}) {
    for (auto lang : {Lang::ar, Lang::fr}) {
      for (auto kind :
           {ListKind::schools, ListKind::pupils, ListKind::households, ListKind::absences}) {
        ExportOptions eo;
        eo.format = fmt;
        eo.lang = lang;
        std::string a = tmp("a"), b = tmp("b");
        int64_t n = export_list(st(), kind, a, eo);
        EXPECT_GT(n, 0);
        auto r = import_file(*empty, kind, a, opts());
        EXPECT_TRUE(r.issues.empty()) << (r.issues.empty() ? "" : format_issue(r.issues[0]));
        export_list(*empty, kind, b, eo);
        EXPECT_EQ(slurp(a), slurp(b))
            << list_kind_name(kind) << (fmt == FileFormat::csv ? " csv" : " xlsx");
        std::filesystem::remove(a);
        std::filesystem::remove(b);
      }
    }
  }
}

TEST_P(Registry, ExportsKeepToTheirScope) {
  load_examples();
  std::string f = tmp("other.csv");
  write_file(f,
             "رقم التلميذ;النسب;الإسم;النوع;رمز المؤسسة;السنة الدراسية;المستوى;القسم\n"
             "K100000001;العلوي;آدم;ذكر;35310077K;2024-2025;الأول ابتدائي;1-1\n");
  ASSERT_TRUE(import_file(st(), ListKind::pupils, f, opts()).written);
  ExportOptions eo;
  eo.scope = Scope{NodeKind::school, "35310051B"};
  std::string out = tmp("scoped.csv");
  EXPECT_EQ(export_list(st(), ListKind::pupils, out, eo), 24);
  EXPECT_EQ(slurp(out).find("K100000001"), std::string::npos);
  eo.scope = Scope{NodeKind::directorate, "03.531"};
  EXPECT_EQ(export_list(st(), ListKind::pupils, out, eo), 25);
  eo.scope = Scope{NodeKind::region, "01"};
  EXPECT_EQ(export_list(st(), ListKind::pupils, out, eo), 0);
  EXPECT_EQ(export_list(st(), ListKind::households, out, eo), 0);
  eo.scope = Scope{NodeKind::commune, "03.531.05.07"};  // Jbabra: the second school only
  EXPECT_EQ(export_list(st(), ListKind::pupils, out, eo), 1);
  std::filesystem::remove(out);
}

TEST_P(Registry, Windows1256RosterWithSemicolons) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  std::string text = slurp(kExamples + "/roster_1AP-1.csv");
  iconv_t cd = iconv_open("CP1256", "UTF-8");
  std::string out(text.size() * 2, '\0');
  char* in = text.data();
  size_t inl = text.size(), outl = out.size();
  char* o = out.data();
  ASSERT_NE(iconv(cd, &in, &inl, &o, &outl), static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - outl);
  std::string f = tmp("cp1256.csv");
  write_file(f, out);
  auto r = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_TRUE(r.written);
  EXPECT_EQ(counts_of(r, "pupils").inserted, 24);
  EXPECT_EQ(st().db().scalar_text("SELECT last_ar FROM pupils WHERE massar = 'R938826497'"),
            "العلوي");
}

TEST_P(Registry, UnrecognisedFilesAreRefusedWithTheReason) {
  std::string f = tmp("junk.csv");
  write_file(f, "foo,bar\n1,2\n");
  try {
    import_file(st(), ListKind::pupils, f, opts());
    FAIL() << "expected an ImportError";
  } catch (const ImportError& e) {
    EXPECT_NE(std::string(e.what()).find("no heading row"), std::string::npos);
  }
  write_file(f, "رقم التلميذ,النسب\nD100000001,x\n");
  try {
    import_file(st(), ListKind::pupils, f, opts());
    FAIL() << "expected an ImportError";
  } catch (const ImportError& e) {
    EXPECT_NE(std::string(e.what()).find("required column(s) missing"), std::string::npos);
  }
}

TEST_P(Registry, DemoIsDeterministicAndOnlyForEmptyDatabases) {
  DemoOptions d;
  d.scale = "school";
  d.seed = 7;
  auto r = run_demo(st(), d);
  EXPECT_EQ(r.schools, 1);
  EXPECT_GT(r.pupils, 50);
  EXPECT_GT(r.absences, 0);
  EXPECT_EQ(st().count("pupils"), r.pupils);
  EXPECT_THROW(run_demo(st(), d), DemoError);
  Backend twin;
  ASSERT_TRUE(twin.open(GetParam()));
  auto st2 = twin.store();
  run_demo(*st2, d);
  std::string a = tmp("d1.csv"), b = tmp("d2.csv");
  for (auto kind : {ListKind::pupils, ListKind::households, ListKind::absences}) {
    export_list(st(), kind, a, {});
    export_list(*st2, kind, b, {});
    EXPECT_EQ(slurp(a), slurp(b)) << list_kind_name(kind);
  }
  // Its data passes our own import validation.
  export_list(st(), ListKind::pupils, a, {});
  auto check = opts();
  check.dry_run = true;
  auto rv = import_file(*st2, ListKind::pupils, a, check);
  EXPECT_TRUE(rv.issues.empty()) << (rv.issues.empty() ? "" : format_issue(rv.issues[0]));
  EXPECT_EQ(rv.rows_valid, st().count("enrolments"));
}

TEST_P(Registry, TwoYearDemoGivesCohortRatesAndLeavesThisYearAsItWas) {
  DemoOptions d;
  d.communes = 3;
  d.years = 2;
  run_demo(st(), d);
  EXPECT_EQ(st().school_years(), (std::vector<std::string>{"2024-2025", "2025-2026"}));
  auto snap = compute_stats(st(), "2025-2026");
  auto rate = [&](const char* code) {
    auto f = snap->cube->figure(*snap->cube->indicator(code), 0);
    EXPECT_TRUE(f.value) << code;
    return f.value.value_or(-1);
  };
  // Rates of a plausible school system: a few percent drop out, some repeat, most go up.
  EXPECT_GT(rate("DROPOUT_RATE"), 0.5);
  EXPECT_LT(rate("DROPOUT_RATE"), 10);
  EXPECT_GT(rate("REPETITION_RATE"), 3);
  EXPECT_LT(rate("REPETITION_RATE"), 20);
  EXPECT_GT(rate("PROMOTION_RATE"), 70);
  EXPECT_NEAR(rate("DROPOUT_RATE") + rate("REPETITION_RATE") + rate("PROMOTION_RATE"), 100, 1e-6);
  // This year's registry is the one a one-year demo gives.
  Backend twin;
  ASSERT_TRUE(twin.open(GetParam()));
  auto st2 = twin.store();
  d.years = 1;
  run_demo(*st2, d);
  std::string a = tmp("y2.csv"), b = tmp("y1.csv");
  ExportOptions o;
  o.year = "2025-2026";
  for (auto kind : {ListKind::pupils, ListKind::households, ListKind::absences}) {
    export_list(st(), kind, a, o);
    export_list(*st2, kind, b, o);
    EXPECT_EQ(slurp(a), slurp(b)) << list_kind_name(kind);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Registry, ::testing::Values("sqlite", "postgres"),
                         sanad::testing::backend_name);

TEST_P(Registry, ATransferredPupilHasTwoEnrolmentsButOneIdentity) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  std::string f = tmp("transfer.csv");
  write_file(f,
             "رقم التلميذ;النسب;الإسم;النوع;رمز المؤسسة;السنة "
             "الدراسية;المستوى;القسم;الوضعية;المؤسسة المستقبلة;تاريخ المغادرة\n"
             "K100000001;العلوي;آدم;ذكر;35310051B;2024-2025;الأول ابتدائي;1-1;منتقل;35310077K;"
             "15/01/2025\n"
             "K100000001;العلوي;آدم;ذكر;35310077K;2024-2025;الأول ابتدائي;1-1;متمدرس;;\n");
  auto r = import_file(st(), ListKind::pupils, f, opts());
  EXPECT_TRUE(r.issues.empty()) << (r.issues.empty() ? "" : format_issue(r.issues[0]));
  EXPECT_EQ(counts_of(r, "pupils").inserted, 1);
  EXPECT_EQ(counts_of(r, "enrolments").inserted, 2);
  // The date he left the first school is kept with the transfer (the Tayssir cycles use it).
  EXPECT_EQ(st().db().scalar_text("SELECT e.left_date FROM enrolments e JOIN schools s ON s.id = "
                                  "e.school_id WHERE s.code = '35310051B'"),
            "2025-01-15");
  write_file(f,
             "رقم التلميذ;النسب;الإسم;النوع;رمز المؤسسة;السنة الدراسية;المستوى;القسم\n"
             "K100000002;العلوي;آدم;ذكر;35310051B;2024-2025;الأول ابتدائي;1-1\n"
             "K100000002;التازي;سارة;أنثى;35310077K;2024-2025;الأول ابتدائي;1-1\n");
  auto bad = import_file(st(), ListKind::pupils, f, opts());
  ASSERT_EQ(bad.issues.size(), 1u);
  EXPECT_EQ(bad.issues[0].row, 3);
  EXPECT_NE(bad.issues[0].reason.find("one code is one pupil"), std::string::npos);
}

TEST_P(Registry, LaterImportsAddToAndCorrectWhatIsThere) {
  load_examples();
  // A corrected absence (now justified) is an update, the others are left as they were.
  std::string a = tmp("abs-fix.csv");
  write_file(a, "رقم التلميذ,تاريخ الغياب,مبرر\nR730699660,22/11/2024,نعم\n");
  auto ra = import_file(st(), ListKind::absences, a, opts());
  ASSERT_TRUE(ra.written);
  EXPECT_EQ(counts_of(ra, "absences").updated, 1);
  EXPECT_EQ(st().db().scalar_i64("SELECT a.justified FROM absences a JOIN pupils p ON p.id = "
                                 "a.pupil_id WHERE p.massar = 'R730699660' AND a.day = "
                                 "'2024-11-22'"),
            1);
  EXPECT_EQ(st().count("absences"), 66);
  // A payee's new phone number is an update of the household, not a second household.
  std::string h = tmp("hh-phone.csv");
  write_file(h,
             "رقم التلميذ,رقم البطاقة الوطنية لولي الأمر,اسم ولي الأمر,صفة ولي الأمر,الهاتف\n"
             "R938826497,C569158,رشيدة بنعلي,الأم,0611223344\n");
  auto rh = import_file(st(), ListKind::households, h, opts());
  ASSERT_TRUE(rh.written) << (rh.issues.empty() ? "" : format_issue(rh.issues[0]));
  EXPECT_EQ(counts_of(rh, "households").updated, 1);
  EXPECT_EQ(st().count("households"), 20);
  EXPECT_EQ(st().db().scalar_text("SELECT phone FROM households WHERE payee_cin = 'C569158'"),
            "0611223344");
  // New pupils after the first roster get ids of their own, and a row written afterwards
  // without an id (the database's own numbering) does not collide with them.
  std::string f = tmp("more.csv");
  write_file(f,
             "رقم التلميذ;النسب;الإسم;النوع;رمز المؤسسة;السنة الدراسية;المستوى;القسم\n"
             "K200000001;العلوي;آدم;ذكر;35310051B;2024-2025;الأول ابتدائي;1-2\n"
             "K200000002;التازي;سارة;أنثى;35310051B;2024-2025;الأول ابتدائي;1-2\n");
  auto rp = import_file(st(), ListKind::pupils, f, opts());
  ASSERT_TRUE(rp.written);
  EXPECT_EQ(counts_of(rp, "pupils").inserted, 2);
  EXPECT_EQ(st().count("pupils"), 26);
  EXPECT_EQ(st().db().scalar_i64("SELECT count(DISTINCT id) FROM pupils"), 26);
  st().db().execute(
      "INSERT INTO pupils (massar, last_ar, first_ar, name_ar_norm, sex) VALUES ('K200000003', "
      "'a', 'b', 'b a', 'M')");
  EXPECT_EQ(st().count("pupils"), 27);
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM enrolments e JOIN pupils p ON p.id = "
                                 "e.pupil_id WHERE e.class_name = '1-2'"),
            2);
}

// Issue 26, item 3: the sessions missed on a day of absence, as Massar records them, are read from
// the absences file when it has them (1 a day where it does not), a wrong count refused with its
// row and column; a change of sessions alone leaves the tallies of days; the export gives them
// back.
TEST_P(Registry, AnAbsencesFileMayGiveTheSessionsMissedEachDay) {
  load_examples();
  const std::string bad = tmp("sessions-bad.csv");
  write_file(bad, "رقم التلميذ,تاريخ الغياب,مبرر,عدد الحصص\nR610846881,20/11/2024,لا,0\n");
  auto refused = import_file(st(), ListKind::absences, bad, opts());
  EXPECT_FALSE(refused.written);
  ASSERT_FALSE(refused.issues.empty());
  EXPECT_EQ(refused.issues[0].row, 2);
  EXPECT_EQ(refused.issues[0].column, "عدد الحصص");
  EXPECT_NE(refused.issues[0].reason.find("between 1 and 12"), std::string::npos);

  const std::string f = tmp("sessions.csv");
  write_file(f,
             "رقم التلميذ,تاريخ الغياب,مبرر,عدد الحصص\nR610846881,20/11/2024,لا,2\n"
             "R610846881,21/11/2024,نعم,\n");
  ASSERT_TRUE(import_file(st(), ListKind::absences, f, opts()).written);
  auto sessions_of = [&](const std::string& day) {
    for (const auto& a : store::RegistryStore(st()).absences_of("R610846881"))
      if (a.date == day) return a.sessions;
    return 0;
  };
  EXPECT_EQ(sessions_of("2024-11-20"), 2);
  EXPECT_EQ(sessions_of("2024-11-21"), 1);
  EXPECT_EQ(sessions_of("2024-11-04"), 1);  // imported before, without the column
  // The same day again with another count: updated, the days' tallies unchanged.
  write_file(f, "رقم التلميذ,تاريخ الغياب,مبرر,عدد الحصص\nR610846881,20/11/2024,لا,1\n");
  auto again = import_file(st(), ListKind::absences, f, opts());
  EXPECT_EQ(counts_of(again, "absences").updated, 1);
  EXPECT_EQ(sessions_of("2024-11-20"), 1);
  EXPECT_EQ(store::tallies::ensure(st(), false), 0);
  // Exported, then read back: nothing changes.
  const std::string out = tmp("absences-out.csv");
  ExportOptions eo;
  eo.format = FileFormat::csv;
  export_list(st(), ListKind::absences, out, eo);
  EXPECT_NE(slurp(out).find("عدد الحصص"), std::string::npos);
  auto back = import_file(st(), ListKind::absences, out, opts());
  EXPECT_EQ(counts_of(back, "absences").updated + counts_of(back, "absences").inserted, 0);
}

TEST_P(Registry, AnAbsencesFileCanReplaceAPeriodOfItsSchools) {
  load_examples();
  // A pupil of another school, absent in November too, and an October absence in Al Wahda; a
  // pupil transferred between the two schools, absent in November (his absence may be the other
  // school's: a file of Al Wahda leaves it).
  const std::string p = tmp("other-school.csv");
  write_file(p,
             "massar,nom_ar,prenom_ar,Sexe,Code GRESA,Année scolaire,Niveau,Classe\n"
             "K123456789,الإدريسي,سعاد,F,35310077K,2024-2025,1AP,1\n"
             "K123456780,الإدريسي,مريم,F,35310077K,2024-2025,1AP,1\n"
             "K123456780,الإدريسي,مريم,F,35310051B,2024-2025,1AP,1-1\n");
  auto rp = import_file(st(), ListKind::pupils, p, opts());
  ASSERT_TRUE(rp.written) << (rp.issues.empty() ? "" : format_issue(rp.issues[0]));
  const std::string extra = tmp("extra.csv");
  write_file(extra,
             "رقم التلميذ,تاريخ الغياب,مبرر\nK123456789,12/11/2024,لا\nR610846881,15/10/2024,لا\n"
             "K123456780,13/11/2024,لا\n");
  ASSERT_TRUE(import_file(st(), ListKind::absences, extra, opts()).written);
  ASSERT_EQ(st().count("absences"), 69);

  // Al Wahda's corrected November: R610846881's two absences were recorded by mistake.
  std::string november = slurp(kExamples + "/absences.csv");
  for (const char* gone : {"R610846881,04/11/2024,", "R610846881,14/11/2024,"}) {
    auto at = november.find(gone);
    ASSERT_NE(at, std::string::npos);
    november.erase(at, november.find('\n', at) + 1 - at);
  }
  const std::string f = tmp("november.csv");
  write_file(f, november);
  ImportOptions o = opts();
  o.replace_from = "2024-11-01";
  o.replace_to = "2024-11-30";
  o.dry_run = true;
  auto check = import_file(st(), ListKind::absences, f, o);
  EXPECT_FALSE(check.written);
  EXPECT_EQ(check.replaced_schools, std::vector<std::string>{"35310051B"});
  EXPECT_EQ(check.to_delete, 2);
  EXPECT_EQ(st().count("absences"), 69);  // a check writes nothing

  o.dry_run = false;
  auto r = import_file(st(), ListKind::absences, f, o);
  ASSERT_TRUE(r.written);
  EXPECT_EQ(counts_of(r, "absences").deleted, 2);
  EXPECT_EQ(counts_of(r, "absences").unchanged, 64);
  // Gone: the two; kept: the other school's November, the transferred pupil's, Al Wahda's
  // October.
  EXPECT_EQ(st().count("absences"), 67);
  auto days = [&](const std::string& massar) {
    std::vector<std::string> out;
    for (const auto& a : store::RegistryStore(st()).absences_of(massar)) out.push_back(a.date);
    return out;
  };
  EXPECT_EQ(days("R610846881"), std::vector<std::string>{"2024-10-15"});
  EXPECT_EQ(days("K123456789"), std::vector<std::string>{"2024-11-12"});
  EXPECT_EQ(days("K123456780"), std::vector<std::string>{"2024-11-13"});
  // Each deletion is in the pupil's history, and the audit chain still holds.
  auto h = st().record_history({"absence"}, "R610846881", 10);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(h[0].second.fields),
            nlohmann::json::parse(R"({"justified": [0, null]})"));
  EXPECT_NE(h[0].first.detail.find("-2; replaces 2024-11-01 to 2024-11-30 in 1 schools"),
            std::string::npos)
      << h[0].first.detail;
  EXPECT_FALSE(st().verify_audit().broken_at);

  // The same file again deletes nothing.
  auto again = import_file(st(), ListKind::absences, f, o);
  ASSERT_TRUE(again.written);
  EXPECT_EQ(counts_of(again, "absences").deleted, 0);
  EXPECT_EQ(st().count("absences"), 67);

  // A day outside the period is a bad row: nothing written, even with --skip-invalid (the list
  // must be whole, or the rejected row's absence would be deleted).
  const std::string bad = tmp("november-bad.csv");
  write_file(bad, "رقم التلميذ,تاريخ الغياب,مبرر\nR730699660,02/12/2024,لا\n");
  o.skip_invalid = true;
  auto rb = import_file(st(), ListKind::absences, bad, o);
  EXPECT_FALSE(rb.written);
  ASSERT_EQ(rb.issues.size(), 1u);
  EXPECT_EQ(rb.issues[0].row, 2);
  EXPECT_EQ(rb.issues[0].reason,
            "the day is outside the period the file replaces (2024-11-01 to 2024-11-30)");
  EXPECT_EQ(st().count("absences"), 67);

  // A period is two days of one school year.
  o.replace_to = "2025-09-30";
  EXPECT_THROW(import_file(st(), ListKind::absences, f, o), ImportError);
  o.replace_to = "2024-10-01";
  EXPECT_THROW(import_file(st(), ListKind::absences, f, o), ImportError);
  o.replace_to = "2024-11-30";
  EXPECT_THROW(import_file(st(), ListKind::pupils, p, o), ImportError);
}

TEST_P(Registry, ARowWhoseParentIsMissingIsRefusedWithItsTransaction) {
  load_examples();
  // Checked at commit (deferred on SQLite, per row on PostgreSQL): the whole change is refused.
  auto& db = st().db();
  const int64_t absences = st().count("absences");
  EXPECT_THROW(
      {
        store::Transaction tx(db);
        db.execute("INSERT INTO absences (pupil_id, day, justified) VALUES (1, '2024-11-29', 0)");
        db.execute(
            "INSERT INTO absences (pupil_id, day, justified) VALUES (999999, '2024-11-29', 0)");
        tx.commit();
      },
      store::DbError);
  EXPECT_EQ(st().count("absences"), absences);
  // 150 absences by the bulk path (a statement of 100 rows, then 50 one by one), one of them,
  // in the batch, for a pupil that does not exist.
  EXPECT_THROW(
      {
        store::Transaction tx(db);
        int64_t n = 0;
        db.bulk_insert("absences", {"pupil_id", "day", "justified"},
                       [&](std::vector<store::Value>& v) {
                         if (n == 150) return false;
                         v = {int64_t{n == 50 ? 999999 : 1 + n % 24},
                              fmt::format("2025-{:02}-10", 1 + n / 24), int64_t{0}};
                         ++n;
                         return true;
                       });
        tx.commit();
      },
      store::DbError);
  EXPECT_EQ(st().count("absences"), absences);
  // The database is usable afterwards.
  EXPECT_TRUE(import_file(st(), ListKind::absences, kExamples + "/absences.csv", opts()).written);
}

// A large bulk write (on SQLite its rows are made on another core while the previous ones are
// written) writes every row in order, or, when a row is refused or cannot be made, nothing, and
// says why.
TEST_P(Registry, ABulkWriteIsWholeOrNothing) {
  auto& db = st().db();
  db.execute("CREATE TABLE bulk_probe (k BIGINT PRIMARY KEY, v TEXT NOT NULL)");
  const int64_t n = 50'000;
  auto write = [&](int64_t refused_at, int64_t unmade_at) {
    store::Transaction tx(db);
    int64_t k = 0;
    db.bulk_insert("bulk_probe", {"k", "v"}, [&](std::vector<store::Value>& v) {
      if (k == n) return false;
      if (k == unmade_at) throw std::runtime_error(fmt::format("row {} cannot be made", k));
      v = {k == refused_at ? int64_t{7} : k, fmt::format("value of {} padded past SSO", k)};
      ++k;
      return true;
    });
    tx.commit();
  };
  auto count = [&] { return *db.scalar_i64("SELECT count(*) FROM bulk_probe"); };
  EXPECT_THROW(write(30'001, -1), store::DbError);  // a key seen twice
  EXPECT_EQ(count(), 0);
  try {
    write(-1, 40'000);
    ADD_FAILURE() << "a row that could not be made was not reported";
  } catch (const store::DbError& e) {
    ADD_FAILURE() << e.what();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "row 40000 cannot be made");
  }
  EXPECT_EQ(count(), 0);
  write(-1, -1);
  EXPECT_EQ(count(), n);
  EXPECT_EQ(*db.scalar_i64("SELECT sum(k) FROM bulk_probe"), n * (n - 1) / 2);
  for (int64_t k : {0, 6'399, 6'400, 43'210, 49'999}) {
    EXPECT_EQ(db.scalar_text("SELECT v FROM bulk_probe WHERE k = $1", {k}),
              fmt::format("value of {} padded past SSO", k));
  }
}

TEST_P(Registry, ALargeLoadKeepsItsForeignKeys) {
  load_examples();
  // 100,800 absences into an empty table (a large first load: on PostgreSQL its foreign key is
  // taken off, then put back and checked in one query).
  st().db().execute("DELETE FROM absences");
  std::vector<std::string> massars;
  st().db().query("SELECT massar FROM pupils ORDER BY massar", {},
                  [&](const store::ResultRow& r) { massars.push_back(r.text(0)); });
  ASSERT_EQ(massars.size(), 24u);
  std::vector<Absence> rows;
  for (int d = 0; d < 4200; ++d) {
    const std::string day =
        fmt::format("{:04}-{:02}-{:02}", 2000 + d / 336, 1 + d / 28 % 12, 1 + d % 28);
    for (const auto& m : massars) rows.push_back({m, day, false});
  }
  {
    store::Transaction tx(st().db());
    EXPECT_EQ(store::RegistryStore(st()).put_absences(rows).inserted, 100'800);
    tx.commit();
  }
  EXPECT_EQ(st().count("absences"), 100'800);
  if (GetParam() == std::string("postgres")) {
    EXPECT_EQ(st().db().scalar_text("SELECT string_agg(pg_get_constraintdef(oid), ';') FROM "
                                    "pg_constraint WHERE conrelid = 'absences'::regclass AND "
                                    "contype = 'f'"),
              "FOREIGN KEY (pupil_id) REFERENCES pupils(id)");
  }
  EXPECT_THROW(
      {
        store::Transaction tx(st().db());
        st().db().execute(
            "INSERT INTO absences (pupil_id, day, justified) VALUES (999999, '2024-11-29', 0)");
        tx.commit();
      },
      store::DbError);
}

TEST_P(Registry, ALargeFileIsCheckedOnEveryCoreAndReportedInRowOrder) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  // 20,000 rows (checked in parts, one per core); three wrong, one of them repeating a code
  // Massar of the first part.
  std::string csv =
      "massar,nom_ar,prenom_ar,Sexe,Code GRESA,Année scolaire,Niveau,Classe,"
      "Date de naissance\n";
  for (int i = 0; i < 20'000; ++i) {
    const int code = i == 15'000 ? 5 : i;
    csv += fmt::format("A{:09},العلوي,{},{},35310051B,2024-2025,1AP,1,{}\n", code,
                       i == 15'000 ? "سعاد" : "زكرياء", i == 100 ? "X" : "M",
                       i == 19'999 ? "31/02/2018" : "01/03/2018");
  }
  const std::string f = tmp("large.csv");
  write_file(f, csv);
  ImportOptions o = opts();
  o.dry_run = true;
  auto r = import_file(st(), ListKind::pupils, f, o);
  EXPECT_EQ(r.rows_read, 20'000);
  EXPECT_EQ(r.rows_valid, 19'997);
  EXPECT_EQ(r.rows_rejected, 3);
  ASSERT_EQ(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].row, 102);
  EXPECT_EQ(r.issues[0].column, "Sexe");
  EXPECT_EQ(r.issues[1].row, 15'002);
  EXPECT_NE(r.issues[1].reason.find("appears twice for this school and year (first on row 7)"),
            std::string::npos)
      << r.issues[1].reason;
  EXPECT_EQ(r.issues[2].row, 20'001);
  EXPECT_EQ(r.issues[2].column, "Date de naissance");
}

// A file of many bad rows (issue 24): every issue is counted, the first ones by row are kept (in
// row order, whichever part of the file a core checked), and nothing is written.
TEST_P(Registry, AFileOfManyBadRowsKeepsItsFirstIssuesAndCountsTheRest) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  std::string csv =
      "massar,nom_ar,prenom_ar,Sexe,Code GRESA,Année scolaire,Niveau,Classe,"
      "Date de naissance\n";
  // 40,000 rows: the first 30,000 good, then 10,000 with a bad sex and a bad date each.
  for (int i = 0; i < 40'000; ++i)
    csv += fmt::format("A{:09},العلوي,زكرياء,{},35310051B,2024-2025,1AP,1,{}\n", i,
                       i < 30'000 ? "M" : "X", i < 30'000 ? "01/03/2018" : "31/02/2018");
  // and 60,000 rows of one character.
  for (int i = 0; i < 60'000; ++i) csv += "x\n";
  const std::string f = tmp("bad.csv");
  write_file(f, csv);
  ImportOptions o = opts();
  o.max_issues = 50;
  auto r = import_file(st(), ListKind::pupils, f, o);
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.rows_read, 100'000);
  EXPECT_EQ(r.rows_valid, 30'000);
  EXPECT_EQ(r.rows_rejected, 70'000);
  ASSERT_EQ(r.issues.size(), 50u);
  // A row of one character misses the eight columns after the first: eight issues each.
  EXPECT_EQ(r.issues_total, 10'000 * 2 + 60'000 * 8);
  EXPECT_EQ(r.issues.front().row, 30'002);
  EXPECT_EQ(r.issues.front().column, "Sexe");
  EXPECT_EQ(r.issues[1].row, 30'002);
  EXPECT_EQ(r.issues[1].column, "Date de naissance");
  EXPECT_EQ(r.issues.back().row, 30'026);
  for (std::size_t i = 1; i < r.issues.size(); ++i) EXPECT_LE(r.issues[i - 1].row, r.issues[i].row);
  EXPECT_EQ(st().count("pupils"), 0);
}

// A heading the import does not know, or a second column for the same field, is said, never
// dropped in silence (issue 24): a garbled "Justifiée" would otherwise store every absence as
// unjustified.
TEST_P(Registry, AHeadingNotReadIsReported) {
  load_examples();
  ImportOptions o = opts();
  o.dry_run = true;
  auto r = import_table(st(), ListKind::absences,
                        io::read_csv_bytes("Code Massar,Date d'absence,JustifiÃ©e,Date\n"
                                           "R730699660,22/11/2024,oui,22/11/2024\n",
                                           "abs.csv"),
                        o);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0],
            "abs.csv: row 1, column C «JustifiÃ©e»: not a heading known for absences: the column "
            "is not read");
  EXPECT_EQ(r.warnings[1],
            "abs.csv: row 1, column D «Date»: gives again what column B gives: only the first is "
            "read");
  // The example files, whose headings are all known, say nothing.
  auto clean = import_file(st(), ListKind::absences, kExamples + "/absences.csv", o);
  EXPECT_TRUE(clean.warnings.empty());
}

TEST_P(Registry, ALargeFirstLoadBuildsItsIndexesAgain) {
  ASSERT_TRUE(import_file(st(), ListKind::schools, kExamples + "/schools.csv", opts()).written);
  const bool pg = GetParam() == std::string("postgres");
  auto indexes = [&] {
    std::vector<std::string> out;
    st().db().query(pg ? "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                         "AND tablename IN ('enrolments', 'pupils') ORDER BY indexname"
                       : "SELECT coalesce(sql, name) FROM sqlite_master WHERE type = 'index' AND "
                         "tbl_name IN ('enrolments', 'pupils') ORDER BY name",
                    {}, [&](const store::ResultRow& r) { out.push_back(r.text(0)); });
    return out;
  };
  const auto before = indexes();
  ASSERT_GE(before.size(), 3u);
  // 100,000 pupils of two schools' classes: a large first load (its secondary indexes are
  // dropped, then built again).
  std::string csv = "massar,nom_ar,prenom_ar,Sexe,Code GRESA,Année scolaire,Niveau,Classe\n";
  for (int i = 0; i < 100'000; ++i)
    csv += fmt::format("B{:09},العلوي,زكرياء,M,{},2024-2025,1AP,{}\n", (i * 7919) % 100'000,
                       i % 2 ? "35310051B" : "35310077K", i % 40);
  const std::string f = tmp("hundred-thousand.csv");
  write_file(f, csv);
  auto r = import_file(st(), ListKind::pupils, f, opts());
  ASSERT_TRUE(r.written) << (r.issues.empty() ? "" : format_issue(r.issues[0]));
  EXPECT_EQ(indexes(), before);
  EXPECT_EQ(st().count("enrolments"), 100'000);
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM enrolments e JOIN schools s ON s.id = "
                                 "e.school_id WHERE s.code = '35310051B' AND e.class_name = '7'"),
            2'500);
  // Each enrolment is its pupil's.
  EXPECT_EQ(st().db().scalar_i64("SELECT count(*) FROM enrolments e JOIN pupils p ON p.id = "
                                 "e.pupil_id WHERE p.massar = 'B000000000' AND e.class_name = '0'"),
            1);
}

// Statements in a read transaction see the database as it stood when it began to read, whatever
// another connection commits meanwhile (a snapshot of the registry is read table by table);
// temporary tables may be written in it; a transaction already open is left to its owner.
TEST_P(Registry, AReadTransactionSeesOneStateOfTheDatabase) {
  auto other = backend_.store(false);
  auto& db = st().db();
  auto years = [&] { return *db.scalar_i64("SELECT count(*) FROM school_years"); };
  const int64_t before = years();
  {
    store::ReadTransaction read(db);
    EXPECT_TRUE(db.in_transaction());
    EXPECT_EQ(years(), before);
    other->db().execute(
        "INSERT INTO school_years (code, starts, ends) VALUES ('2031-2032', '2031-09-01', "
        "'2032-08-31')");
    EXPECT_EQ(years(), before);  // the other's row is not seen
    db.execute("CREATE TEMP TABLE read_stage (id BIGINT)");
    EXPECT_EQ(db.execute("INSERT INTO read_stage (id) VALUES (1), (2)"), 2);
    EXPECT_EQ(years(), before);
  }
  EXPECT_FALSE(db.in_transaction());
  EXPECT_EQ(years(), before + 1);
  {
    store::Transaction tx(db);
    { store::ReadTransaction inner(db); }
    EXPECT_TRUE(db.in_transaction());  // the outer one is still open
    tx.commit();
  }
}

// A large result gives every value as stored, whatever characters it holds (on PostgreSQL it
// comes through COPY's text format, with the parameters written into the statement).
TEST_P(Registry, ALargeResultGivesEveryValueAsStored) {
  auto& db = st().db();
  const std::vector<std::string> texts = {"tab\there",
                                          "line\nbreak\r\n",
                                          "back\\slash \\N \\x41 \\101",
                                          "\\N",
                                          "quote ' and \" and $1",
                                          "\b\f\v bell \x07",
                                          "محمد بن عبد الله",
                                          "",
                                          "end with backslash\\"};
  const std::string sql =
      "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, '$2 stays', 12 AS \"a$1\", $10, $11";
  std::vector<store::Value> params(texts.begin(), texts.end());
  params.emplace_back(int64_t{-9007199254740993});
  params.emplace_back();  // NULL
  int rows = 0;
  db.query_large(sql, params, [&](const store::ResultRow& r) {
    ++rows;
    for (int c = 0; c < 9; ++c) {
      EXPECT_EQ(r.text(c), texts[static_cast<std::size_t>(c)]) << c;
      EXPECT_FALSE(r.is_null(c)) << c;
    }
    EXPECT_TRUE(r.is_null(9));
    EXPECT_EQ(r.view(9), "");
    EXPECT_EQ(r.text(10), "$2 stays");
    EXPECT_EQ(r.i64(11), 12);
    EXPECT_EQ(r.i64(12), -9007199254740993);
    EXPECT_TRUE(r.is_null(13));
  });
  EXPECT_EQ(rows, 1);
  if (GetParam() == std::string("postgres")) {  // SQLite reads a parameter not given as NULL
    EXPECT_THROW(db.query_large("SELECT $2", {std::string("one")}, [](const store::ResultRow&) {}),
                 store::DbError);
  }
}

// A result of many rows is handed over row by row (PostgreSQL) or as always (SQLite): all rows,
// in order; a failure in the middle — the reader's or the database's — is reported and leaves
// the connection usable.
TEST_P(Registry, ALargeResultComesRowByRowAndAFailureInTheMiddleLeavesTheConnectionUsable) {
  auto& db = st().db();
  const std::string numbers =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) ";
  int64_t count = 0, sum = 0, last = 0;
  bool in_order = true;
  db.query_large(numbers + "SELECT i, 'x' || i FROM n", {}, [&](const store::ResultRow& r) {
    in_order = in_order && r.i64(0) == last + 1 && r.text(1) == "x" + std::to_string(r.i64(0));
    last = r.i64(0);
    ++count;
    sum += r.i64(0);
  });
  EXPECT_EQ(count, 200000);
  EXPECT_EQ(sum, int64_t{200000} * 200001 / 2);
  EXPECT_TRUE(in_order);

  count = 0;
  EXPECT_THROW(db.query_large(numbers + "SELECT i FROM n", {},
                              [&](const store::ResultRow&) {
                                if (++count == 10) throw std::runtime_error("enough");
                              }),
               std::runtime_error);
  EXPECT_EQ(count, 10);
  EXPECT_EQ(db.scalar_i64("SELECT 41 + 1"), 42);

  // Division by zero at the 150,000th row (PostgreSQL raises it; SQLite gives NULL).
  count = 0;
  try {
    db.query_large(numbers + "SELECT 1 / (i - 150000) FROM n", {},
                   [&](const store::ResultRow&) { ++count; });
    EXPECT_EQ(GetParam(), std::string("sqlite"));
  } catch (const store::DbError& e) {
    EXPECT_EQ(GetParam(), std::string("postgres"));
    EXPECT_NE(std::string(e.what()).find("division by zero"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.scalar_i64("SELECT 41 + 1"), 42);
}
