// Sanad as an HTTP client: the exchange's deliveries POSTed to the planning directorate's
// endpoint (plain http; see README for TLS).
#pragma once
#include <optional>
#include <string>

#include "stats/app/delivery.hpp"

namespace sanad::http {

struct HttpUrl {
  std::string host, port, target;
};
// http://host[:port][/path]; nothing (and the reason in `why`) otherwise.
std::optional<HttpUrl> parse_http_url(const std::string& url, std::string& why);

// POSTs each file to the URL (Content-Type of the file, X-Sanad-File and X-Sanad-SHA256
// headers); a file is delivered when the answer is 2xx. Throws app::DeliveryError naming the file
// and what went wrong.
app::Sender http_sender(const std::string& url, int timeout_seconds = 60);

}  // namespace sanad::http
