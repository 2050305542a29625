#include "stats/app/delivery.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/app/accounts.hpp"
#include "stats/app/exchange.hpp"
#include "stats/app/stats.hpp"

namespace sanad::app {
namespace fs = std::filesystem;

namespace {

constexpr int64_t kDeliveryLock = 0x5A4E4458;  // one claim at a time across servers
constexpr int64_t kStaleSeconds = 3600;        // a 'running' row older than this has died

std::mutex g_mu;
std::optional<DeliveryConfig> g_config;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string iso(int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int64_t now_epoch() {
  return static_cast<int64_t>(std::time(nullptr));
}

// Claims a row of the log (status running) if `check` agrees, under the lock.
std::optional<store::DeliveryRow> claim(
    store::Store& st, const DeliveryConfig& c, const Actor& who, int64_t now,
    const std::function<std::optional<Due>(const std::vector<store::DeliveryRow>&)>& check) {
  store::Transaction tx(st.db());
  st.db().lock_job(kDeliveryLock);
  store::StatsStore ss(st);
  auto log = ss.deliveries(50, c.destination);
  auto due = check(log);
  if (!due) return std::nullopt;
  store::DeliveryRow r;
  r.started_at = iso(now);
  r.started_epoch = now;
  r.finished_at = r.started_at;
  r.finished_epoch = now;
  auto years = stats_years(st);
  r.school_year = years.empty() ? "" : years.back();
  r.destination = c.destination;
  r.files = "[]";
  r.attempt = due->attempt;
  r.status = "running";
  r.trigger = due->trigger;
  r.actor = who.name;
  r.id = ss.insert_delivery(r);
  tx.commit();
  return r;
}

// Exports the year into a fresh folder and hands the files to the destination; the row is
// finished as ok or failed with the reason.
store::DeliveryRow run(store::Store& st, const DeliveryConfig& c, const Actor& who,
                       store::DeliveryRow r) {
  fs::path tmp = fs::temp_directory_path() / ("sanad-delivery-" + random_token().substr(0, 16));
  try {
    if (r.school_year.empty()) throw DeliveryError("no school year has been imported yet");
    auto snap = c.snapshot ? c.snapshot(st, r.school_year) : compute_stats(st, r.school_year);
    fs::create_directories(tmp);
    auto out = export_exchange(st, *snap, tmp.string(), c.sdmx_dir, c.threshold, who);
    std::vector<DeliveryFile> files;
    auto add = [&](const std::string& path, const char* type) {
      auto bytes = slurp(path);
      files.push_back({fs::path(path).filename().string(), path, type,
                       static_cast<int64_t>(bytes.size()), store::sha256_hex(bytes)});
    };
    add(out.structure, "application/vnd.sdmx.structure+xml;version=2.1");
    add(out.schema, "application/xml");
    add(out.data_xml, "application/vnd.sdmx.structurespecificdata+xml;version=2.1");
    add(out.data_csv, "application/vnd.sdmx.data+csv;version=1.0.0");
    nlohmann::json list = nlohmann::json::array();
    r.bytes = 0;
    for (const auto& f : files) {
      list.push_back({{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
      r.bytes += f.bytes;
    }
    r.files = list.dump();
    r.sha256 = files[2].sha256;
    c.send(files);
    r.status = "ok";
    r.error.clear();
  } catch (const std::exception& e) {
    r.status = "failed";
    r.error = e.what();
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);
  r.finished_epoch = now_epoch();
  r.finished_at = iso(r.finished_epoch);
  store::Transaction tx(st.db());
  store::StatsStore(st).finish_delivery(r);
  st.audit({who.name, who.origin, "exchange.delivery", "exchange:" + r.destination,
            nlohmann::json{{"id", r.id},
                           {"year", r.school_year},
                           {"attempt", r.attempt},
                           {"status", r.status},
                           {"sha256", r.sha256},
                           {"error", r.error}}
                .dump()});
  tx.commit();
  return r;
}

}  // namespace

void configure_delivery(std::optional<DeliveryConfig> c) {
  std::lock_guard lock(g_mu);
  g_config = std::move(c);
}

bool delivery_configured() {
  std::lock_guard lock(g_mu);
  return g_config.has_value();
}

std::optional<DeliveryConfig> delivery_config() {
  std::lock_guard lock(g_mu);
  return g_config;
}

Sender outbox_sender(const std::string& dir) {
  return [dir](const std::vector<DeliveryFile>& files) {
    fs::create_directories(dir);
    std::string stem = "SANAD";
    for (const auto& f : files)
      if (f.name.ends_with(".csv")) stem = fs::path(f.name).stem().string();
    std::string stamp = iso(now_epoch());
    std::erase(stamp, '-');
    std::erase(stamp, ':');
    fs::path final_dir = fs::path(dir) / fmt::format("{}_{}", stem, stamp);
    for (int n = 2; fs::exists(final_dir); ++n)
      final_dir = fs::path(dir) / fmt::format("{}_{}-{}", stem, stamp, n);
    fs::path part = fs::path(dir) / (".partial-" + random_token().substr(0, 12));
    fs::create_directories(part);
    try {
      std::string sums;
      for (const auto& f : files) {
        fs::copy_file(f.path, part / f.name);
        sums += fmt::format("{}  {}\n", f.sha256, f.name);
      }
      std::ofstream(part / "SHA256SUMS", std::ios::binary) << sums;
      fs::rename(part, final_dir);
    } catch (const std::exception& e) {
      std::error_code ec;
      fs::remove_all(part, ec);
      throw DeliveryError(fmt::format("outbox {}: {}", dir, e.what()));
    }
  };
}

Due delivery_due(const std::vector<store::DeliveryRow>& log, const DeliveryConfig& c, int64_t now) {
  if (log.empty()) return {true, 1, "schedule"};
  const auto& last = log.front();
  // When the series of attempts that `last` belongs to began.
  int64_t series_start = last.started_epoch;
  for (const auto& r : log) {
    series_start = r.started_epoch;
    if (r.attempt <= 1) break;
  }
  if (last.status == "ok")
    return now >= last.started_epoch + c.every_seconds ? Due{true, 1, "schedule"} : Due{};
  if (last.status == "running" && now - last.started_epoch < kStaleSeconds) return {};
  // Failed (or died while running): retry after a growing delay, then wait for the next slot.
  if (last.attempt <= c.retries) {
    int64_t delay = c.retry_seconds << std::min<int64_t>(last.attempt - 1, 20);
    if (now >= last.finished_epoch + delay) return {true, last.attempt + 1, "retry"};
    return {};
  }
  return now >= series_start + c.every_seconds ? Due{true, 1, "schedule"} : Due{};
}

store::DeliveryRow deliver_now(store::Store& st, const Actor& who, const std::string& trigger) {
  auto c = delivery_config();
  if (!c) throw DeliveryError("no destination is configured for the exchange");
  const int64_t now = now_epoch();
  auto row = claim(st, *c, who, now, [&](const std::vector<store::DeliveryRow>& log) {
    if (!log.empty() && log.front().status == "running" &&
        now - log.front().started_epoch < kStaleSeconds)
      throw DeliveryError(
          fmt::format("delivery {} is running since {}", log.front().id, log.front().started_at));
    return std::optional<Due>(Due{true, 1, trigger});
  });
  return run(st, *c, who, *row);
}

std::optional<store::DeliveryRow> deliver_if_due(store::Store& st, int64_t now) {
  auto c = delivery_config();
  if (!c) return std::nullopt;
  const Actor who{"scheduler", "local"};
  auto row = claim(st, *c, who, now,
                   [&](const std::vector<store::DeliveryRow>& log) -> std::optional<Due> {
                     auto d = delivery_due(log, *c, now);
                     if (!d.due) return std::nullopt;
                     return d;
                   });
  if (!row) return std::nullopt;
  return run(st, *c, who, *row);
}

}  // namespace sanad::app
