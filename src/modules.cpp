// The parts of this program: the one place that names them all (core/module.hpp). The core's
// shell and router ask for them through modules(); a new program is added here.
#include "core/module.hpp"
#include "modules/tayssir/tayssir.hpp"
#include "registry/registry.hpp"
#include "stats/stats.hpp"

namespace sanad {

const std::vector<const Module*>& modules() {
  static const std::vector<const Module*> all = {&registry::module(), &stats::module(),
                                                 &tayssir::module()};
  return all;
}

}  // namespace sanad
