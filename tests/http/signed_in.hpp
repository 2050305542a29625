// API calls as signed-in accounts, for the route tests: each login signs in once (its cookie and
// CSRF token kept), then every call carries them.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "core/http/api.hpp"
#include "http/openapi_check.hpp"

namespace sanad::testing {

class SignedIn {
 public:
  SignedIn(std::function<store::Store&()> store, std::string password)
      : store_(std::move(store)), password_(std::move(password)) {}

  // The Cookie header and the CSRF token of the login's session.
  std::pair<std::string, std::string> session(const std::string& login) {
    auto it = sessions_.find(login);
    if (it != sessions_.end()) return it->second;
    auto r = http::handle_api(
        store_(), {"POST", "/api/v1/login", "", "",
                   nlohmann::json{{"login", login}, {"password", password_}}.dump(), "127.0.0.1",
                   false, "application/json", false});
    EXPECT_EQ(r.status, 200) << login << " " << r.body;
    std::string cookie;
    for (const auto& [k, v] : r.headers)
      if (k == "Set-Cookie") cookie = v.substr(0, v.find(';'));
    return sessions_[login] = {cookie, nlohmann::json::parse(r.body).value("csrf", "")};
  }

  http::ApiResponse call(const std::string& method, const std::string& target,
                         const std::string& who, const std::string& body = "") {
    auto [cookie, csrf] = session(who);
    auto r = http::handle_api(store_(), {method, target, cookie, csrf, body, "127.0.0.1", false,
                                         "application/json", false});
    expect_described(store_(), method, target, r);
    return r;
  }

  // A GET expected to answer `status`; its JSON when it is 200 and JSON.
  nlohmann::json get(const std::string& target, const std::string& who, int status = 200) {
    auto r = call("GET", target, who);
    EXPECT_EQ(r.status, status) << who << " " << target << ": " << r.body;
    return r.status == 200 && r.content_type.find("json") != std::string::npos
               ? nlohmann::json::parse(r.body)
               : nlohmann::json();
  }

 private:
  std::function<store::Store&()> store_;
  std::string password_;
  std::map<std::string, std::pair<std::string, std::string>> sessions_;
};

}  // namespace sanad::testing
