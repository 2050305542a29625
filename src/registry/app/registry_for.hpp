// The registry's lists as a caller asks for them: which export and which import the caller may
// take, checked here (the right, the kind of list, a scope inside the caller's), with the options
// filled in the caller's name. The import itself then judges every record the file names
// (import_scope.hpp); the export keeps to the scope and blanks what lies outside the viewer's.
#pragma once
#include <optional>
#include <string>

#include "core/app/caller.hpp"
#include "registry/app/export.hpp"
#include "registry/app/import.hpp"

namespace sanad::app {

// An export of `kind` ("pupils", "schools"…) for the caller's scope, or `scope` inside it:
// Forbidden without the export right, NotFound for a list or a scope that is not there for it.
ExportOptions export_for(store::Store& st, const Caller& c, const std::string& kind,
                         const std::string& scope);
// An import of `kind`: Forbidden without the import right (and, for the map of schools, below a
// directorate), NotFound for a list that is not imported. The options carry the caller.
ImportOptions import_for(const Caller& c, const std::string& kind);
// Deciding the requests a scope holds needs the import right.
void may_decide_requests(const Caller& c);
// Filling an empty registry with the demo writes a registry: the import right, the whole country.
void may_run_demo(const Caller& c);

}  // namespace sanad::app
