// Importing a file into the registry: read (io/), map columns, validate every row against the
// domain rules and the registry, then write all of it in one transaction — or nothing.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/io/table.hpp"
#include "core/store/store.hpp"
#include "registry/app/fields.hpp"

namespace sanad::app {

struct ImportOptions {
  bool skip_invalid = false;  // write the valid rows, report the others
  bool dry_run = false;       // validate and count, write nothing
  bool strict_massar = true;  // code Massar must be a letter and nine digits
  std::string actor = "cli";
  std::string origin = "local";
  // Rows may only touch this part of the territory: a school of another scope is "unknown" to
  // a pupils file, a pupil never enrolled in the scope "unknown" to a households or absences
  // file, a commune outside it "unknown" to a schools file.
  Scope scope;
  io::ReadLimits limits;
  std::string today;  // ISO date used to refuse future dates; empty = the system's date
  // Issues kept (the first by row); the others are only counted (ImportResult::issues_total), so
  // that a file of a million bad rows costs no more memory than its first ones.
  std::size_t max_issues = 1000;
  // Absences only: the file is the whole list of the absences from replace_from to replace_to
  // (ISO dates within one school year) of the schools its pupils attend (within the scope); the
  // absences of that period the file no longer lists are deleted — but not those of a pupil also
  // enrolled in a school the file does not cover. Any invalid row stops it.
  std::string replace_from, replace_to;
  // Rosters: a row that changes who a recorded pupil is (a name beyond what the normalizer treats
  // as the same, his sex, his birth date) is refused with the old and new values unless this is
  // set; then it is written and kept in the pupil's history.
  bool accept_identity_changes = false;
  std::function<void(const std::string&)> progress;
};

struct ImportIssue {
  std::string file, sheet;
  int64_t row = 0;
  std::string column, value, reason;  // reason: in English, as written to the CLI and reports
  std::string reason_template;        // the catalogue's English template, {} for each argument
  std::vector<std::string> args;
};

// The reason of an issue in a language (the catalogue's translation of its template, with its
// arguments; the English text when the template has none).
std::string render_reason(const ImportIssue& i, Lang lang);
// True when the catalogue translates this template.
bool reason_listed(std::string_view tmpl);
bool reason_translations_complete();  // every translation has as many values as its English

struct ImportResult {
  ListKind kind = ListKind::pupils;
  int64_t rows_read = 0, rows_valid = 0, rows_rejected = 0;
  // Rows naming a record of another scope (a pupil enrolled this year in another school, a
  // household whose children are elsewhere): not written, but filed as requests for that scope
  // to accept (app/requests.hpp) when the import is written. Each with its row and reason.
  int64_t rows_held = 0;
  // Rows refused because they would change who a recorded pupil is (ImportOptions::
  // accept_identity_changes writes them).
  int64_t identity_changes = 0;
  std::vector<ImportIssue> held;
  std::vector<std::pair<std::string, store::MergeCounts>> counts;  // per entity written
  // The first issues by row (ImportOptions::max_issues of them), and how many there were.
  std::vector<ImportIssue> issues;
  int64_t issues_total = 0;
  std::vector<std::string> warnings;
  // A file replacing a period: the schools it covers and how many absences of the period it no
  // longer lists (to be deleted; also counted by a dry run).
  std::vector<std::string> replaced_schools;
  int64_t to_delete = 0;
  bool written = false;
};

// The file cannot be read at all, or its columns cannot be recognised (exit code 65).
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The options asked for cannot be met whatever the file (a period to replace that is not one, or
// for a list other than absences): a usage error (exit code 2; 400 through the API).
struct ImportOptionError : ImportError {
  using ImportError::ImportError;
};

bool importable(ListKind kind);
ImportResult import_file(store::Store& st, ListKind kind, const std::string& path,
                         const ImportOptions& opt);
ImportResult import_table(store::Store& st, ListKind kind, const io::Table& table,
                          const ImportOptions& opt);

// The file an import's audit entry names ("" for another entry).
std::string imported_file(const store::AuditRecord& entry);

std::string format_issue(const ImportIssue& i);
void write_report_csv(const std::string& path, const ImportResult& r);

}  // namespace sanad::app
