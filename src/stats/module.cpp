#include "stats/stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "stats/app/delivery.hpp"
#include "stats/cli/stats_cmd.hpp"
#include "stats/http/client.hpp"
#include "stats/http/routes.hpp"

#ifndef SANAD_DEFAULT_SDMX_DIR
#define SANAD_DEFAULT_SDMX_DIR "data/sdmx-2.1/schemas"
#endif

namespace sanad::stats {
namespace {

// "90s", "30m", "6h", "1d" or a number of seconds, in seconds (at least 1).
std::optional<int64_t> parse_duration(const std::string& s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t unit = 1;
  std::string digits = s;
  switch (s.back()) {
    case 's':
      digits.pop_back();
      break;
    case 'm':
      unit = 60, digits.pop_back();
      break;
    case 'h':
      unit = 3600, digits.pop_back();
      break;
    case 'd':
      unit = 86400, digits.pop_back();
      break;
    default:
      break;
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t n = std::stoll(digits);
  if (n < 1 || n > 10'000'000) return std::nullopt;
  return n * unit;
}

// The options of the regular exchange, as `sanad serve` was given them.
struct ExchangeOptions {
  std::string outbox, url, sdmx_dir = SANAD_DEFAULT_SDMX_DIR, every = "1d", retry_after = "5m";
  int retries = 3;
  int64_t threshold = 5;
};
ExchangeOptions& exchange_options() {
  static ExchangeOptions o;
  return o;
}

void add_serve_options(CLI::App& srv) {
  auto& o = exchange_options();
  srv.add_option("--exchange-outbox", o.outbox,
                 "send the SDMX exchange regularly into this folder");
  srv.add_option("--exchange-url", o.url, "… or POST it to this http:// endpoint");
  srv.add_option("--exchange-every", o.every, "how often: 90s, 30m, 6h, 1d …")
      ->capture_default_str();
  srv.add_option("--exchange-retries", o.retries, "attempts after a failed delivery")
      ->check(CLI::Range(0, 20))
      ->capture_default_str();
  srv.add_option("--exchange-retry-after", o.retry_after, "first delay before a retry (doubles)")
      ->capture_default_str();
  srv.add_option("--exchange-threshold", o.threshold, "counts of fewer pupils are withheld")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
}

std::vector<Background> background(const std::string&) {
  const auto& o = exchange_options();
  auto every = parse_duration(o.every), retry = parse_duration(o.retry_after);
  if (!every || !retry)
    throw std::invalid_argument(
        "--exchange-every and --exchange-retry-after are durations such as 90s, 30m, 6h or 1d");
  std::vector<Background> out;
  std::optional<app::DeliveryConfig> exchange;
  if (!o.outbox.empty() || !o.url.empty()) {
    if (!o.outbox.empty() && !o.url.empty())
      throw std::invalid_argument("the exchange goes to an outbox or to a URL, not both");
    app::DeliveryConfig c;
    try {
      c.destination = o.url.empty() ? o.outbox : o.url;
      c.send = o.url.empty() ? app::outbox_sender(o.outbox) : http::http_sender(o.url);
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("--exchange-url ") + e.what());
    }
    c.sdmx_dir = o.sdmx_dir;
    c.threshold = o.threshold;
    c.every_seconds = *every;
    c.retries = o.retries;
    c.retry_seconds = *retry;
    // The figures the dashboards show, up to date (computed if the registry changed).
    c.snapshot = [](store::Store& st, const std::string& year) {
      return http::stats_cache().get(st, year);
    };
    exchange = c;
  }
  app::configure_delivery(exchange);
  // The regular exchange: the delivery log is looked at every few seconds, and a delivery made
  // when a slot or a retry is due.
  if (exchange) {
    int64_t tick =
        std::clamp<int64_t>(std::min(exchange->every_seconds, exchange->retry_seconds) / 2, 1, 30);
    std::cerr << "sanad: exchange to " << exchange->destination << " every "
              << exchange->every_seconds << " s\n";
    out.push_back({"exchange", tick, [](store::Store& st) {
                     if (auto d = app::deliver_if_due(st, static_cast<int64_t>(std::time(nullptr))))
                       std::cerr << "sanad: exchange delivery " << d->id << " (attempt "
                                 << d->attempt << "): " << d->status
                                 << (d->error.empty() ? "" : ": " + d->error) << "\n";
                   }});
  }
  // The statistics: the latest year's snapshot computed at start, and every year's recomputed
  // soon after the registry changed; meanwhile dashboards are served from the one before.
  http::stats_refresher(true);
  out.push_back({"statistics", 3, [](store::Store& st) {
                   auto years = http::stats_cache().years();
                   auto all = app::stats_years(st);
                   if (!all.empty() &&
                       std::find(years.begin(), years.end(), all.back()) == years.end())
                     years.push_back(all.back());
                   for (const auto& y : years) http::stats_cache().get(st, y);
                 }});
  return out;
}

}  // namespace

const Module& module() {
  static const Module m{
      .name = "stats",
      .routes = http::stats_routes,
      .openapi = "src/stats/openapi.json",
      .commands =
          [](CLI::App& cli) {
            std::vector<std::unique_ptr<Command>> out;
            out.push_back(std::make_unique<cli::StatsCommand>(cli));
            out.push_back(std::make_unique<cli::ExchangeCommand>(cli));
            return out;
          },
      .serve_options = add_serve_options,
      .background = background,
      .quiet_audit =
          [](std::vector<std::string>& actions, std::vector<std::string>& prefixes) {
            actions.insert(actions.end(),
                           {"exchange.export", "exchange.delivery", "indicator.target"});
            prefixes.push_back("indicator.report.");
          },
  };
  return m;
}

}  // namespace sanad::stats
