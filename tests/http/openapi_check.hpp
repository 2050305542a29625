// The API's answers checked against its own description (/api/v1/openapi.json, merged from the
// core's and every part's fragments): the route and its status must be described, and a JSON
// body must fit the status's schema. The route tests pass every answer they receive through here.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/http/api.hpp"

namespace sanad::testing {

using json = nlohmann::json;

// The merged description, read once (it is the same whatever the database).
inline const json& openapi_doc(store::Store& st) {
  static const json doc = json::parse(
      http::handle_api(st, {"GET", "/api/v1/openapi.json", "", "", "", "", false, "", false}).body);
  return doc;
}

// What does not fit: one line each, "$.items[0].id: expected integer, got string".
inline void check_schema(const json& doc, const json& schema, const json& v, const std::string& at,
                         std::vector<std::string>& out) {
  if (v.is_null() && schema.value("nullable", false)) return;
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0) {
      out.push_back(at + ": unknown reference " + ref);
      return;
    }
    const auto& schemas = doc["components"]["schemas"];
    const std::string name = ref.substr(prefix.size());
    if (!schemas.contains(name)) {
      out.push_back(at + ": no schema " + name);
      return;
    }
    return check_schema(doc, schemas[name], v, at, out);
  }
  if (v.is_null()) {
    if (!schema.value("nullable", false) && schema.contains("type"))
      out.push_back(at + ": null where " + schema["type"].get<std::string>() + " is expected");
    return;
  }
  if (schema.contains("oneOf")) {
    for (const auto& s : schema["oneOf"]) {
      std::vector<std::string> sub;
      check_schema(doc, s, v, at, sub);
      if (sub.empty()) return;
    }
    out.push_back(at + ": fits none of oneOf");
    return;
  }
  if (schema.contains("type")) {
    const std::string t = schema["type"];
    const bool ok = t == "object"    ? v.is_object()
                    : t == "array"   ? v.is_array()
                    : t == "string"  ? v.is_string()
                    : t == "integer" ? v.is_number_integer()
                    : t == "number"  ? v.is_number()
                    : t == "boolean" ? v.is_boolean()
                                     : false;
    if (!ok) {
      out.push_back(at + ": expected " + t + ", got " + v.type_name());
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == v;
    if (!found) out.push_back(at + ": " + v.dump() + " is not one of " + schema["enum"].dump());
  }
  if (v.is_object()) {
    for (const auto& r : schema.value("required", json::array()))
      if (!v.contains(r.get<std::string>()))
        out.push_back(at + ": missing " + r.get<std::string>());
    if (schema.contains("properties")) {
      for (const auto& [k, s] : schema["properties"].items())
        if (v.contains(k)) check_schema(doc, s, v[k], at + "." + k, out);
      // An answer says nothing its description does not: the web's types come from it.
      if (!schema.contains("additionalProperties"))
        for (const auto& [k, x] : v.items())
          if (!schema["properties"].contains(k)) out.push_back(at + "." + k + ": not described");
    }
    if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object())
      for (const auto& [k, x] : v.items())
        if (!schema.value("properties", json::object()).contains(k))
          check_schema(doc, schema["additionalProperties"], x, at + "." + k, out);
  }
  if (v.is_array() && schema.contains("items"))
    for (std::size_t i = 0; i < v.size(); ++i)
      check_schema(doc, schema["items"], v[i], at + "[" + std::to_string(i) + "]", out);
}

// The description's path and operation for an answered call, e.g. ("/api/v1/schools/{code}", …).
inline const json* operation_of(const json& doc, const std::string& method,
                                const std::string& target, std::string& path_out) {
  std::string path = target.substr(0, target.find('?'));
  auto split = [](const std::string& s) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < s.size()) {
      std::size_t j = s.find('/', i);
      if (j == std::string::npos) j = s.size();
      if (j > i) parts.push_back(s.substr(i, j - i));
      i = j + 1;
    }
    return parts;
  };
  const auto want = split(path);
  std::string verb = method == "HEAD" ? "get" : method;
  for (auto& ch : verb) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const auto& [p, item] : doc["paths"].items()) {
    const auto have = split(p);
    if (have.size() != want.size()) continue;
    bool fits = true;
    for (std::size_t i = 0; i < have.size() && fits; ++i)
      fits = have[i].front() == '{' || have[i] == want[i];
    if (fits && item.contains(verb)) {
      path_out = p;
      return &item[verb];
    }
  }
  return nullptr;
}

// SANAD_OPENAPI_SAMPLES=FILE keeps every answer (one JSON line each), from which
// scripts/openapi-samples.py shows where the description and the answers part.
inline void record_sample(const std::string& path, const std::string& method,
                          const http::ApiResponse& r) {
  static const char* file = std::getenv("SANAD_OPENAPI_SAMPLES");
  if (!file) return;
  json line{{"path", path}, {"method", method}, {"status", r.status}};
  line["body"] = json::parse(r.body, nullptr, false);
  if (line["body"].is_discarded()) line["body"] = nullptr;
  std::ofstream(file, std::ios::app) << line.dump() << "\n";
}

// Every answer of a described route fits its description. A 404 or 405 for an address that is
// no route, and a 400 for an address that is not text, are the router's and need none.
inline void expect_described(store::Store& st, const std::string& method, const std::string& target,
                             const http::ApiResponse& r) {
  const json& doc = openapi_doc(st);
  std::string path;
  const json* op = operation_of(doc, method, target, path);
  record_sample(op ? path : target, method, r);
  if (!op) {
    EXPECT_TRUE(r.status == 404 || r.status == 405 || r.status == 400)
        << method << " " << target << " answered " << r.status << " but is not described";
    return;
  }
  const auto& responses = (*op)["responses"];
  const std::string code = std::to_string(r.status);
  if (!responses.contains(code)) {
    if (r.status == 400 || r.status == 500) return;  // a malformed address; a fault the test sees
    ADD_FAILURE() << method << " " << path << ": status " << r.status << " is not described ("
                  << r.body.substr(0, 200) << ")";
    return;
  }
  json response = responses[code];
  if (response.contains("$ref")) {  // #/components/responses/NAME
    const std::string ref = response["$ref"];
    response = doc["components"]["responses"][ref.substr(ref.rfind('/') + 1)];
  }
  if (r.content_type.find("json") == std::string::npos) return;  // a file
  if (!response.contains("content") || !response["content"].contains("application/json")) {
    ADD_FAILURE() << method << " " << path << " " << code << ": answers JSON, described as none";
    return;
  }
  const json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) {
    ADD_FAILURE() << method << " " << path << " " << code << ": the body is not JSON";
    return;
  }
  std::vector<std::string> problems;
  check_schema(doc, response["content"]["application/json"].value("schema", json::object()), body,
               "$", problems);
  for (const auto& p : problems) ADD_FAILURE() << method << " " << path << " " << code << ": " << p;
}

}  // namespace sanad::testing
