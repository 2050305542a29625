// Who makes a change and from where, as the audit log records it.
#pragma once
#include <string>

namespace sanad::app {

struct Actor {
  std::string name = "cli", origin = "local";
};

}  // namespace sanad::app
