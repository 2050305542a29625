// `sanad serve`: for now a status page (counts of the registry, in Arabic and French) and
// /healthz, on Boost.Beast. The JSON API and the web application plug in here (issue 3).
#pragma once
#include <string>

namespace sanad::http {

struct ServeOptions {
  std::string db_url;
  std::string listen = "127.0.0.1:8080";
};

// Runs until SIGINT or SIGTERM; returns the process exit code.
int serve(const ServeOptions& opt);

}  // namespace sanad::http
