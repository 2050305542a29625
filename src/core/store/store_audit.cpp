// The Store's audit log: entries chained by hash, each record's history, sealing and verifying.
#include "core/store/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "kernel/text.hpp"

#include <sodium.h>

#include "core/store/merge.hpp"

namespace sanad::store {
using namespace detail;

namespace {

std::string chain_hash(const std::string& prev, const AuditRecord& r) {
  // Fields separated by a unit separator, which no field can hold unnoticed: each is prefixed
  // by its length.
  std::string s = prev;
  for (const std::string* f : {&r.at, &r.actor, &r.origin, &r.action, &r.subject, &r.detail})
    s += fmt::format("\x1f{}:{}", f->size(), *f);
  return sha256_hex(s);
}

constexpr int64_t kAuditLock = 0x5A4E4155;

}  // namespace

std::string Store::audit_head() {
  if (head_memo_on_ && head_memo_) return *head_memo_;
  std::string out = "0:";
  db_->query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", {},
             [&](const ResultRow& r) { out = fmt::format("{}:{}", r.i64(0), r.text(1)); });
  if (head_memo_on_) head_memo_ = out;
  return out;
}

namespace {
// The SHA-256 of an audit entry's record changes, fed one change at a time in the order written.
class ChangesDigest {
 public:
  ChangesDigest() { crypto_hash_sha256_init(&state_); }
  void add(const std::string& kind, const std::string& record, const std::string& part,
           const std::string& fields) {
    for (const std::string* f : {&kind, &record, &part, &fields}) {
      const std::string s = fmt::format("\x1f{}:{}", f->size(), *f);
      crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(s.data()),
                                s.size());
    }
    ++count_;
  }
  // "N sha256 HEX", as the audit entry's detail ends.
  std::string seal() {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, h);
    std::string hex;
    for (unsigned char b : h) hex += fmt::format("{:02x}", b);
    return fmt::format("{} sha256 {}", count_, hex);
  }

 private:
  crypto_hash_sha256_state state_;
  int64_t count_ = 0;
};
constexpr std::string_view kChangesTag = "; record changes: ";
}  // namespace

void Store::audit(const AuditEntry& e, const std::vector<RecordChange>& changes) {
  head_memo_.reset();
  // Reading the last hash and appending must be one transaction, so that two writers (threads
  // or processes) never extend the chain from the same entry.
  std::optional<Transaction> own;
  if (!db_->in_transaction()) own.emplace(*db_);
  db_->lock_job(kAuditLock);  // one writer extends the chain at a time
  std::string prev =
      db_->scalar_text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").value_or("");
  AuditRecord r{0, now_iso(), e.actor, e.origin, e.action, e.subject, e.detail};
  if (!changes.empty()) {
    ChangesDigest d;
    for (const auto& c : changes) d.add(c.kind, c.record, c.part, c.fields);
    r.detail += std::string(kChangesTag) + d.seal();
  }
  db_->execute(
      "INSERT INTO audit_log (at, actor, origin, action, subject, detail, hash) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7)",
      {r.at, r.actor, r.origin, r.action, r.subject, r.detail, chain_hash(prev, r)});
  if (!changes.empty()) {
    const int64_t id = db_->scalar_i64("SELECT max(id) FROM audit_log").value_or(0);
    std::size_t i = 0;
    db_->bulk_insert("record_changes", {"audit_id", "kind", "record", "part", "fields"},
                     [&](std::vector<Value>& out) {
                       if (i == changes.size()) return false;
                       const auto& c = changes[i++];
                       out = {id, c.kind, c.record, c.part, c.fields};
                       return true;
                     });
  }
  if (own) own->commit();
}

std::vector<std::pair<AuditRecord, RecordChange>> Store::record_history(
    const std::vector<std::string>& kinds, const std::string& record, int64_t limit) {
  std::vector<Value> params{record, limit};
  std::string in;
  for (const auto& k : kinds) {
    params.emplace_back(k);
    in += fmt::format("{}${}", in.empty() ? "" : ", ", params.size());
  }
  std::vector<std::pair<AuditRecord, RecordChange>> out;
  if (kinds.empty()) return out;
  db_->query(
      "SELECT a.id, a.at, a.actor, a.origin, a.action, a.subject, a.detail, c.kind, c.record, "
      "c.part, c.fields FROM record_changes c JOIN audit_log a ON a.id = c.audit_id WHERE "
      "c.record = $1 AND c.kind IN (" +
          in + ") ORDER BY c.id DESC LIMIT $2",
      params, [&](const ResultRow& r) {
        out.push_back({{r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)},
                       {r.text(7), r.text(8), r.text(9), r.text(10)}});
      });
  return out;
}

void Store::seal_audit() {
  if (!db_->scalar_i64("SELECT 1 FROM audit_log WHERE hash IS NULL LIMIT 1")) return;
  Transaction tx(*db_);
  db_->lock_job(kAuditLock);
  std::string prev;
  std::vector<std::pair<int64_t, std::string>> fill;
  db_->query(
      "SELECT id, at, actor, origin, action, subject, detail, hash FROM audit_log ORDER "
      "BY id",
      {}, [&](const ResultRow& row) {
        AuditRecord r{row.i64(0),  row.text(1), row.text(2), row.text(3),
                      row.text(4), row.text(5), row.text(6)};
        std::string h = row.is_null(7) ? chain_hash(prev, r) : row.text(7);
        if (row.is_null(7)) fill.emplace_back(r.id, h);
        prev = h;
      });
  for (const auto& [id, h] : fill)
    db_->execute("UPDATE audit_log SET hash = $1 WHERE id = $2", {h, id});
  tx.commit();
}

std::string Store::audit_head_ignoring(const std::vector<std::string>& actions,
                                       const std::vector<std::string>& prefixes) {
  std::string sql = "SELECT id, hash FROM audit_log WHERE 1 = 1";
  std::vector<Value> params;
  for (const auto& a : actions) {
    params.emplace_back(a);
    sql += fmt::format(" AND action <> ${}", params.size());
  }
  for (const auto& p : prefixes) {
    params.emplace_back(p + "%");
    sql += fmt::format(" AND action NOT LIKE ${0} AND subject NOT LIKE ${0}", params.size());
  }
  sql += " ORDER BY id DESC LIMIT 1";
  std::string out = "0:";
  db_->query(sql, params,
             [&](const ResultRow& r) { out = fmt::format("{}:{}", r.i64(0), r.text(1)); });
  return out;
}

AuditCheck Store::verify_audit(const std::string& anchor) {
  AuditCheck c;
  int64_t anchor_id = 0;
  std::string anchor_hash;
  if (!anchor.empty()) {
    const auto colon = anchor.find(':');
    const std::string id = anchor.substr(0, colon);
    if (colon == std::string::npos || id.empty() || id.size() > 18 ||
        !std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      throw std::invalid_argument("the anchor is not ID:HASH as `sanad audit head` prints it");
    anchor_id = std::stoll(id);
    anchor_hash = anchor.substr(colon + 1);
    // "0:" is the head of an empty log (nothing to check); any other anchor names an entry and
    // its SHA-256 in hex.
    const bool empty_log = anchor_id == 0 && anchor_hash.empty();
    if (!empty_log && (anchor_id == 0 || anchor_hash.size() != 64 ||
                       !std::all_of(anchor_hash.begin(), anchor_hash.end(), [](char ch) {
                         return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                       })))
      throw std::invalid_argument(
          "the anchor is not ID:HASH as `sanad audit head` prints it (an entry's number and its "
          "64 hexadecimal digits)");
  }
  // The record changes of each entry, digested as the entry's detail says they were.
  std::map<int64_t, ChangesDigest> digests;
  db_->query(
      "SELECT audit_id, kind, record, part, fields FROM record_changes ORDER BY audit_id, id", {},
      [&](const ResultRow& row) {
        digests[row.i64(0)].add(row.text(1), row.text(2), row.text(3), row.text(4));
      });
  std::string prev;
  bool anchor_seen = false;
  db_->query(
      "SELECT id, at, actor, origin, action, subject, detail, hash FROM audit_log ORDER BY id", {},
      [&](const ResultRow& row) {
        ++c.entries;
        if (c.broken_at) return;
        AuditRecord r{row.i64(0),  row.text(1), row.text(2), row.text(3),
                      row.text(4), row.text(5), row.text(6)};
        std::string stored = row.text(7);
        if (row.is_null(7)) {
          c.broken_at = r.id;
          c.reason = "entry has no hash";
        } else if (chain_hash(prev, r) != stored) {
          c.broken_at = r.id;
          c.reason =
              "entry does not match its hash: it was altered, or an entry before it was "
              "altered or deleted";
        } else if (const auto tag = r.detail.rfind(kChangesTag);
                   (tag == std::string::npos) != (digests.count(r.id) == 0) ||
                   (tag != std::string::npos && r.detail.substr(tag + kChangesTag.size()) !=
                                                    digests.extract(r.id).mapped().seal())) {
          c.broken_at = r.id;
          c.reason =
              "the record changes of this entry do not match it: one was altered, added or "
              "deleted";
        } else if (r.id == anchor_id) {
          anchor_seen = true;
          if (stored != anchor_hash) {
            c.broken_at = r.id;
            c.reason = "entry does not match the anchor's hash: the log was rewritten";
          }
        }
        prev = stored;
      });
  // Changes left over, each entry's having been taken as it was met: attached to no entry.
  if (!c.broken_at && !digests.empty()) {
    c.broken_at = digests.begin()->first;
    c.reason = "record changes are attached to an entry that is not in the log";
  }
  if (anchor_id > 0 && !anchor_seen && !c.broken_at) {
    c.broken_at = anchor_id;
    c.reason = "the anchor's entry is missing: entries were deleted from the end of the log";
  }
  return c;
}

std::vector<AuditRecord> Store::audit_of(const std::string& subject, int64_t limit) {
  std::vector<AuditRecord> out;
  db_->query(
      "SELECT id, at, actor, origin, action, subject, detail FROM audit_log WHERE subject "
      "= $1 ORDER BY id DESC LIMIT $2",
      {subject, limit}, [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
      });
  return out;
}

std::vector<AuditRecord> Store::audit_latest(const std::string& subject_prefix, int64_t limit) {
  std::vector<AuditRecord> out;
  // A prefix match without LIKE, so that '%' and '_' in the prefix mean themselves.
  db_->query(
      "SELECT id, at, actor, origin, action, subject, detail FROM audit_log WHERE substr(subject, "
      "1, $1) = $2 ORDER BY id DESC LIMIT $3",
      {static_cast<int64_t>(utf8_length(subject_prefix)), subject_prefix, limit},
      [&](const ResultRow& r) {
        out.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
      });
  return out;
}

}  // namespace sanad::store
