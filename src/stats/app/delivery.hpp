// The regular exchange with the planning directorate: the year's SDMX files (structure, its data
// schema, data as SDMX-ML and SDMX-CSV, with small counts withheld) sent on a schedule to an
// outbox folder or an HTTP endpoint, every attempt written to the delivery log (what, when,
// checksum, success), failures retried with a growing delay. A row is claimed in the log before
// sending, under a lock, so two servers on one database never send the same slot twice.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/app/actor.hpp"
#include "core/store/store.hpp"
#include "stats/app/stats.hpp"
#include "stats/store/stats.hpp"

namespace sanad::app {

struct DeliveryFile {
  std::string name, path, content_type;
  int64_t bytes = 0;
  std::string sha256;
};
// Sends the files of one delivery; throws (with the reason) when the destination did not take
// them all.
using Sender = std::function<void(const std::vector<DeliveryFile>&)>;

struct DeliveryConfig {
  std::string destination;  // as shown in the log: the outbox folder or the URL
  Sender send;
  std::string sdmx_dir;  // the official schemas, imported by the data schema
  int64_t threshold = 5;
  int64_t every_seconds = 86400;  // a regular delivery this often
  int retries = 3;                // after a failure, this many more attempts …
  int64_t retry_seconds = 300;    // … after this delay, doubled each time
  // Where the year's figures come from: computed anew by default; a server passes its cache.
  std::function<std::shared_ptr<const StatsSnapshot>(store::Store&, const std::string& year)>
      snapshot;
};

// The process's configuration (the server's options); none by default.
void configure_delivery(std::optional<DeliveryConfig> c);
bool delivery_configured();
std::optional<DeliveryConfig> delivery_config();

// Writes each delivery into its own folder of `dir` (SANAD_<year>_<time>/ with the files and a
// SHA256SUMS), made complete under a temporary name and then renamed, so a reader never sees half
// a delivery.
Sender outbox_sender(const std::string& dir);

struct DeliveryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Sends now (trigger "manual"), whatever the schedule; refused while another delivery runs.
store::DeliveryRow deliver_now(store::Store& st, const Actor& who, const std::string& trigger);

// What the schedule asks at `now` (seconds since the epoch), from the log of this destination:
// nothing, a regular delivery (attempt 1) or a retry (attempt n).
struct Due {
  bool due = false;
  int64_t attempt = 1;
  std::string trigger;  // "schedule" or "retry"
};
Due delivery_due(const std::vector<store::DeliveryRow>& log, const DeliveryConfig& c, int64_t now);

// Called by the server's scheduler: delivers when the schedule says so.
std::optional<store::DeliveryRow> deliver_if_due(store::Store& st, int64_t now);

}  // namespace sanad::app
