#include "registry/app/registry_for.hpp"

#include "kernel/ids.hpp"

namespace sanad::app {

ExportOptions export_for(store::Store& st, const Caller& c, const std::string& kind,
                         const std::string& scope) {
  require(c, {Action::export_data});
  found_if(parse_list_kind(kind).has_value());
  ExportOptions opt;
  opt.scope = c.who.scope;
  opt.viewer = c.who.scope;
  if (!scope.empty()) {
    auto s = parse_scope(scope);
    found_if(s && can_see(st, c.who, *s));
    opt.scope = *s;
  }
  opt.actor = c.who.login;
  opt.origin = c.origin;
  return opt;
}

ImportOptions import_for(const Caller& c, const std::string& kind_text) {
  require(c, {Action::import_data});
  auto kind = parse_list_kind(kind_text);
  found_if(kind && importable(*kind));
  if (*kind == ListKind::schools && !may_import_schools(c.who)) throw Forbidden();
  ImportOptions opt;
  opt.actor = c.who.login;
  opt.origin = c.origin;
  opt.scope = c.who.scope;
  return opt;
}

void may_decide_requests(const Caller& c) {
  require(c, {Action::import_data});
}

void may_run_demo(const Caller& c) {
  require(c, {Action::import_data});
  if (c.who.scope.kind != NodeKind::nation) throw Forbidden();
}

}  // namespace sanad::app
