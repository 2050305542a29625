// Inside the API: what a route handler gets and the helpers every route file shares.
#pragma once
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/app/access.hpp"
#include "core/app/caller.hpp"
#include "core/http/api.hpp"

namespace sanad::http {

using json = nlohmann::json;

// What a route handler gets: the request, the path's parameters, the query, and (for every
// route but login and the OpenAPI description) the signed-in principal.
struct Ctx {
  store::Store& st;
  const ApiRequest& req;
  std::vector<std::string> params;
  std::map<std::string, std::string> query;
  const app::Principal* who = nullptr;
  std::string csrf, token;
  std::string q(const std::string& k) const {
    auto it = query.find(k);
    return it == query.end() ? std::string() : it->second;
  }
  // The signed-in principal, as the use cases take it.
  app::Caller caller() const { return {*who, req.origin}; }
};

using Handler = ApiResponse (*)(Ctx&);
// How a route works: answered at once, long work (run on the server's workers for long work, so
// that it never holds up the others), or an upload (long work whose body is read only after its
// headers passed: a session, the CSRF token and `action`).
enum class Work { quick, long_work, upload };

struct Route {
  const char* method;
  const char* pattern;  // under /api/v1, {name} is one path segment
  bool public_route;
  Handler fn;
  Work work = Work::quick;
  std::optional<app::Action> action = std::nullopt;  // an upload: what its caller must be allowed
};

ApiResponse reply(int status, const json& body);
ApiResponse error(int status, const std::string& code, const std::string& message);
ApiResponse not_found();
ApiResponse forbidden();
std::optional<int64_t> to_int(const std::string& s);
// `page` (from 1) and `page_size` (1 to `max`) of the query into `page` and `size`, which hold
// the defaults; an error answer when either is not such a number.
std::optional<ApiResponse> read_paging(const Ctx& c, int64_t max, int64_t& page, int64_t& size);

// A file as the response body, with its name.
ApiResponse file_response(std::string bytes, const std::string& format, const std::string& name);

// A file written by an app/ call to a temporary path (given to `write`), read back for the
// response; the temporary file is removed whatever happens.
std::string temp_file_bytes(const std::string& extension,
                            const std::function<void(const std::string& path)>& write);

// A file name as the client gave it, kept to harmless characters for a report.
std::string safe_file_name(const std::string& s);

}  // namespace sanad::http
