#include "registry/registry.hpp"

#include "registry/app/browse.hpp"
#include "registry/cli/registry_cmd.hpp"
#include "registry/cli/requests_cmd.hpp"
#include "registry/http/routes.hpp"
#include "registry/store/tallies.hpp"

namespace sanad::registry {

const Module& module() {
  static const Module m{
      .name = "registry",
      .routes = []() -> const std::vector<http::Route>& {
        static const std::vector<http::Route> routes = [] {
          auto v = http::registry_routes();
          for (const auto& r : http::requests_routes()) v.push_back(r);
          return v;
        }();
        return routes;
      },
      .openapi = "src/registry/openapi.json",
      .commands =
          [](CLI::App& cli) {
            std::vector<std::unique_ptr<Command>> out;
            out.push_back(std::make_unique<cli::RegistryCommand>(cli));
            out.push_back(std::make_unique<cli::RequestsCommand>(cli));
            return out;
          },
      // The schools and pupils under each node, counted again soon after the registry changed,
      // so that the territory's pages do not wait for a national count.
      .background =
          [](const std::string&) {
            return std::vector<Background>{{"territory counts", 3, app::warm_territory_counts}};
          },
      .quiet_audit =
          [](std::vector<std::string>& actions, std::vector<std::string>&) {
            actions.insert(actions.end(), {"export", "import-check", "request-refuse"});
          },
      .upkeep = {{"absence tallies recounted", "absences", "pupils",
                  "their absence days counted per month", store::tallies::ensure}},
  };
  return m;
}

}  // namespace sanad::registry
