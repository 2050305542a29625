// The JSON API under /api/v1/, as a function from a request to a response: the server feeds it
// what it read from the socket, tests call it directly. It maps JSON to app/ calls and back;
// the rules (who may see what) are app/'s.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/store.hpp"

namespace sanad::http {

struct ApiRequest {
  std::string method;  // GET, POST, …
  std::string target;  // path and query as received: /api/v1/schools/X/pupils?year=2024-2025
  std::string cookie;  // the Cookie header
  std::string csrf;    // the X-CSRF-Token header
  std::string body;
  std::string origin;           // the client's address, for the audit log
  bool tls = false;             // served over TLS: cookies get Secure
  std::string content_type;     // the Content-Type header
  bool foreign_origin = false;  // sent by a page of another site (Origin, Sec-Fetch-Site)
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Set-Cookie
};

ApiResponse handle_api(store::Store& st, const ApiRequest& req);

// An upload's headers, before its body is read (`req.body` is empty): the answer they already
// give — no such upload route, an address that is not UTF-8, no session, no CSRF token, a role
// without the route's action — or nothing when the body is worth reading.
std::optional<ApiResponse> check_upload_headers(store::Store& st, const ApiRequest& req);
// How a call works (its route's Work): the server runs long work and uploads on workers of
// their own, so that they never hold up the others, and reads an upload's body only after
// check_upload_headers.
enum class Work;
Work work_of(std::string_view method, std::string_view target);
// Every route as (method, path pattern), e.g. ("GET", "/api/v1/schools/{code}"): the OpenAPI
// description is checked against this list.
std::vector<std::pair<std::string, std::string>> api_routes();

// Helpers shared with the server.
// `plus_is_space`: in a query string '+' stands for a space; in a path it is itself.
std::string percent_decode(std::string_view s, bool plus_is_space = false);
std::map<std::string, std::string> parse_query(std::string_view q);
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace sanad::http
