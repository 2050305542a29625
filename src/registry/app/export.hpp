// Exporting a list of the registry to CSV or XLSX, within a scope, in Arabic or French.
#pragma once
#include <optional>
#include <string>

#include "core/app/lists.hpp"
#include "core/store/store.hpp"
#include "kernel/ids.hpp"
#include "registry/app/fields.hpp"

namespace sanad::app {

struct ExportOptions {
  FileFormat format = FileFormat::csv;
  Scope scope;
  Lang lang = Lang::ar;
  std::string year;  // pupils: one school year, or all when empty
  // Who reads the list: a transfer's destination outside this scope is not named (its cell left
  // empty). The nation's scope (the command line) sees every destination.
  Scope viewer;
  // Who asks and from where, for the audit log (lists of minors' personal data are audited,
  // from the command line as from the API).
  std::string actor = "cli", origin = "local";
};

// Writes the list, records the export in the audit log (what, scope, format, rows) and returns
// the number of data rows.
int64_t export_list(store::Store& st, ListKind kind, const std::string& path,
                    const ExportOptions& opt);

}  // namespace sanad::app
