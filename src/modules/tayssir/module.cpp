#include "modules/tayssir/tayssir.hpp"

#include "modules/tayssir/app/tayssir.hpp"
#include "modules/tayssir/cli/tayssir_cmd.hpp"
#include "modules/tayssir/domain/tayssir.hpp"
#include "modules/tayssir/http/routes.hpp"

namespace sanad::tayssir {

const Module& module() {
  static const Module m{
      .name = "tayssir",
      .routes = http::tayssir_routes,
      .openapi = "src/modules/tayssir/openapi.json",
      .commands =
          [](CLI::App& cli) {
            std::vector<std::unique_ptr<Command>> out;
            out.push_back(std::make_unique<cli::TayssirCommand>(cli));
            return out;
          },
      .vocabulary =
          [](nlohmann::json& vocabulary) {
            auto reasons = nlohmann::json::array();
            for (int i = 0; i < kReasonCount; ++i) {
              auto r = static_cast<Reason>(i);
              reasons.push_back({{"code", reason_code(r)},
                                 {"ar", reason_label(r, true)},
                                 {"fr", reason_label(r, false)}});
            }
            vocabulary["tayssir_reasons"] = reasons;
          },
      .quiet_audit = [](std::vector<std::string>& actions,
                        std::vector<std::string>&) { actions.push_back("tayssir cycle exported"); },
      .facts = {{"tayssir_lines", app::line_fact_shape(), app::line_facts}},
      .pupil_attributes = {{"tayssir", {"none", "eligible", "paid"}, app::give_pupil_outcomes}},
      .indicators = app::kIndicators,
  };
  return m;
}

}  // namespace sanad::tayssir
