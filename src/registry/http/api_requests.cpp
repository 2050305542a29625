// The import requests' routes: what a scope received and sent, and the decisions on them
// (app/requests.hpp decides who may see and decide what).
#include "registry/app/registry_for.hpp"
#include "registry/app/requests.hpp"
#include "registry/http/routes.hpp"

namespace sanad::http {
namespace {

json request_json(const app::RequestView& v) {
  json out = {{"id", v.id},
              {"kind", v.kind},
              {"state", v.state},
              {"massar", v.massar},
              {"school_year", v.school_year},
              {"asking_school",
               {{"code", v.asking_school},
                {"name_ar", v.asking_school_ar},
                {"name_fr", v.asking_school_fr}}},
              {"pupil", app::pupil_json(v.pupil)},
              {"requested_by", v.requested_by},
              {"requested_at", v.requested_at},
              {"file", v.file},
              {"file_row", v.file_row},
              {"decided_by", v.decided_by},
              {"decided_at", v.decided_at},
              {"note", v.note},
              {"may_decide", v.may_decide}};
  if (v.kind == "transfer")
    out["asked"] = app::enrolment_json(v.asked);
  else
    out["household"] = app::household_json(v.household), out["relation"] = v.relation;
  return out;
}

ApiResponse refusal(const app::Refusal& e) {
  return reply(422, {{"error", "refused"},
                     {"message", e.what()},
                     {"message_ar", e.message_ar},
                     {"message_fr", e.message_fr}});
}

ApiResponse r_requests(Ctx& c) {
  const std::string box = c.q("box").empty() ? "incoming" : c.q("box");
  if (box != "incoming" && box != "outgoing")
    return error(400, "bad_request", "box is incoming or outgoing");
  const std::string state = c.q("state");
  if (!state.empty() && state != "pending" && state != "accepted" && state != "refused")
    return error(400, "bad_request", "state is pending, accepted or refused");
  auto list = app::list_requests(
      c.st, *c.who, box == "incoming" ? app::RequestBox::incoming : app::RequestBox::outgoing,
      state);
  if (!list) return forbidden();
  json items = json::array();
  for (const auto& v : *list) items.push_back(request_json(v));
  auto [in, out] = app::pending_requests(c.st, *c.who);
  return reply(200, {{"items", items}, {"pending", {{"incoming", in}, {"outgoing", out}}}});
}

ApiResponse decide(Ctx& c, bool accept) {
  app::may_decide_requests(c.caller());
  auto id = to_int(c.params[0]);
  if (!id) return not_found();
  json in = c.req.body.empty() ? json::object() : json::parse(c.req.body, nullptr, false);
  if (!in.is_object()) return error(400, "bad_request", "the body is a JSON object");
  app::RequestDecision d;
  d.accept = accept;
  for (auto [key, field] : {std::pair{"note", &d.note}, std::pair{"left_date", &d.left_date}}) {
    if (!in.contains(key)) continue;
    if (!in[key].is_string()) return error(400, "bad_request", std::string(key) + " is text");
    *field = in[key].get<std::string>();
  }
  if (d.note.size() > 2000) return error(400, "bad_request", "the note is at most 2000 bytes");
  try {
    auto v = app::decide_request(c.st, *c.who, *id, d, c.req.origin);
    if (!v) return not_found();
    return reply(200, request_json(*v));
  } catch (const app::Refusal& e) {
    return refusal(e);
  }
}

ApiResponse r_accept(Ctx& c) {
  return decide(c, true);
}
ApiResponse r_refuse(Ctx& c) {
  return decide(c, false);
}

}  // namespace

const std::vector<Route>& requests_routes() {
  static const std::vector<Route> routes = {
      {"GET", "/requests", false, r_requests},
      {"POST", "/requests/{id}/accept", false, r_accept},
      {"POST", "/requests/{id}/refuse", false, r_refuse},
  };
  return routes;
}

}  // namespace sanad::http
