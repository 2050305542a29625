#include "stats/http/client.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <fstream>
#include <sstream>

namespace sanad::http {
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace asio = boost::asio;

std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& why) {
  const std::string scheme = "http://";
  if (url.rfind("https://", 0) == 0) {
    why =
        "https is not supported by Sanad's client: deliver to an http:// relay (for instance a "
        "local TLS tunnel) or to the outbox folder";
    return std::nullopt;
  }
  if (url.rfind(scheme, 0) != 0) {
    why = "the URL must begin with http://";
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) {
    why = "the URL needs a host (and no user name)";
    return std::nullopt;
  }
  auto colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos || out.port.size() > 5) {
    why = "the URL's host or port is not valid";
    return std::nullopt;
  }
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      why = "the URL's path has spaces or control characters";
      return std::nullopt;
    }
  return out;
}

app::Sender http_sender(const std::string& url, int timeout_seconds) {
  std::string why;
  auto u = parse_http_url(url, why);
  if (!u) throw app::DeliveryError(url + ": " + why);
  return [u = *u, url, timeout_seconds](const std::vector<app::DeliveryFile>& files) {
    asio::io_context io;
    for (const auto& f : files) {
      std::ifstream in(f.path, std::ios::binary);
      std::stringstream body;
      body << in.rdbuf();
      beast::tcp_stream stream(io);
      beast::error_code ec;
      stream.expires_after(std::chrono::seconds(timeout_seconds));
      asio::ip::tcp::resolver resolver(io);
      auto where = resolver.resolve(u.host, u.port, ec);
      if (!ec) stream.connect(where, ec);
      if (ec) throw app::DeliveryError(fmt::format("{}: cannot connect: {}", url, ec.message()));
      bhttp::request<bhttp::string_body> req{bhttp::verb::post, u.target, 11};
      req.set(bhttp::field::host, u.host);
      req.set(bhttp::field::user_agent, "sanad-exchange");
      req.set(bhttp::field::content_type, f.content_type);
      req.set("X-Sanad-File", f.name);
      req.set("X-Sanad-SHA256", f.sha256);
      req.body() = body.str();
      req.prepare_payload();
      bhttp::write(stream, req, ec);
      beast::flat_buffer buf;
      bhttp::response<bhttp::string_body> res;
      if (!ec) bhttp::read(stream, buf, res, ec);
      if (ec)
        throw app::DeliveryError(fmt::format("{}: sending {}: {}", url, f.name, ec.message()));
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      const int code = static_cast<int>(res.result_int());
      if (code < 200 || code > 299)
        throw app::DeliveryError(fmt::format("{}: {} refused with HTTP {} {}", url, f.name, code,
                                             res.body().substr(0, 200)));
    }
  };
}

}  // namespace sanad::http
