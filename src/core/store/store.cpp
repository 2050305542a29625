#include "core/store/store.hpp"
#include "core/store/merge.hpp"
#include "core/store/scope_sql.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/store/embedded.hpp"
#include "kernel/dates.hpp"
#include "kernel/text.hpp"
#include "kernel/vocab.hpp"

#include <sodium.h>

namespace sanad::store {
namespace detail {

std::string stage_ddl(Dialect d, const std::string& name, const std::vector<StageColumn>& cols) {
  std::string s = fmt::format("CREATE TEMP TABLE {} (", name);
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) s += ", ";
    s += cols[i].name +
         (cols[i].integer ? (d == Dialect::postgres ? " BIGINT" : " INTEGER") : " TEXT");
  }
  return s + ")";
}

// New rows from which a first load is large (see diff_merge).
constexpr int64_t kLargeLoad = 100'000;

// The indices 0…n-1 ordered by key(i), bytewise (ties by index): sorted on the keys' first eight
// bytes packed into an integer, then runs sharing those bytes by the whole key.
std::vector<uint32_t> key_order(std::size_t n,
                                const std::function<std::string_view(std::size_t)>& key) {
  std::vector<std::pair<uint64_t, uint32_t>> packed(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view k = key(i);
    uint64_t x = 0;
    for (std::size_t b = 0; b < 8; ++b)
      x = (x << 8) | (b < k.size() ? static_cast<unsigned char>(k[b]) : 0u);
    packed[i] = {x, static_cast<uint32_t>(i)};
  }
  std::sort(packed.begin(), packed.end());
  for (std::size_t a = 0; a < n;) {
    std::size_t b = a + 1;
    while (b < n && packed[b].first == packed[a].first) ++b;
    if (b - a > 1)
      std::sort(packed.begin() + static_cast<std::ptrdiff_t>(a),
                packed.begin() + static_cast<std::ptrdiff_t>(b), [&](const auto& x, const auto& y) {
                  auto kx = key(x.second), ky = key(y.second);
                  return kx != ky ? kx < ky : x.second < y.second;
                });
    a = b;
  }
  std::vector<uint32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = packed[i].second;
  return out;
}

bool same_value(const Value& v, const ResultRow& r, int col) {
  if (std::holds_alternative<std::monostate>(v)) return r.is_null(col);
  if (r.is_null(col)) return false;
  if (auto i = std::get_if<int64_t>(&v)) return r.i64(col) == *i;
  return r.text(col) == std::get<std::string>(v);
}

nlohmann::json json_of(const Value& v) {
  if (auto i = std::get_if<int64_t>(&v)) return *i;
  if (auto t = std::get_if<std::string>(&v)) return *t;
  return nullptr;
}

// Writes rows by difference with what is there: inserts the new, updates the changed, leaves the
// same. With `changed`, each updated row's index and its fields that changed, as JSON
// {"column": [before, after]} (the columns derived for search, *_norm, left out).
MergeCounts diff_merge(Db& db, const Target& t, std::size_t n, const RowGen& gen,
                       std::vector<int64_t>* ids,
                       std::vector<std::pair<std::size_t, std::string>>* changed_fields,
                       const std::vector<uint32_t>* order, std::vector<uint8_t>* states) {
  enum : uint8_t { fresh = kRowNew, same = kRowSame, changed = kRowChanged };
  MergeCounts counts;
  if (ids) ids->assign(n, 0);
  if (n == 0) return counts;
  const bool pg = db.dialect() == Dialect::postgres;
  if (pg) db.execute(fmt::format("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", t.table));
  const std::size_t nk = t.key.size(), nc = t.cols.size();
  std::vector<uint8_t> state(n, fresh);
  std::vector<int64_t> found_id;
  std::vector<Value> v;

  const bool first_load = !db.scalar_i64(fmt::format("SELECT 1 FROM {} LIMIT 1", t.table));
  if (!first_load) {
    std::vector<StageColumn> cols{{"ord", true}};
    cols.insert(cols.end(), t.key.begin(), t.key.end());
    db.execute("DROP TABLE IF EXISTS stage_keys");
    db.execute(stage_ddl(db.dialect(), "stage_keys", cols));
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    std::size_t i = 0;
    db.bulk_insert("stage_keys", names, [&](std::vector<Value>& out) {
      if (i == n) return false;
      gen(i, v);
      out.assign(1, static_cast<int64_t>(i));
      out.insert(out.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(nk));
      ++i;
      return true;
    });
    if (pg) db.execute("ANALYZE stage_keys");
    std::string sel = "SELECT s.ord";
    if (t.has_id) sel += ", t.id";
    for (const auto& c : t.cols) sel += ", t." + c.name;
    std::string on;
    for (const auto& k : t.key)
      on += fmt::format("{}t.{} = s.{}", on.empty() ? "" : " AND ", k.name, k.name);
    if (t.has_id) found_id.assign(n, 0);
    const int first = t.has_id ? 2 : 1;
    db.query(
        fmt::format("{} FROM stage_keys s JOIN {} t ON {}", sel, t.table, on), {},
        [&](const ResultRow& r) {
          auto ord = static_cast<std::size_t>(r.i64(0));
          if (t.has_id) found_id[ord] = r.i64(1);
          gen(ord, v);
          bool eq = true;
          for (std::size_t c = 0; c < nc && eq; ++c)
            eq = t.cols[c].kept || same_value(v[nk + c], r, first + static_cast<int>(c));
          state[ord] = eq ? same : changed;
          if (eq || !changed_fields) return;
          nlohmann::json fields = nlohmann::json::object();
          for (std::size_t c = 0; c < nc; ++c) {
            const int col = first + static_cast<int>(c);
            const Value& after = v[nk + c];
            if (t.cols[c].kept || t.cols[c].name.ends_with("_norm") || same_value(after, r, col))
              continue;
            Value before;
            if (!r.is_null(col)) {
              if (std::holds_alternative<int64_t>(after))
                before = r.i64(col);
              else
                before = r.text(col);
            }
            fields[t.cols[c].name] = nlohmann::json::array({json_of(before), json_of(after)});
          }
          changed_fields->emplace_back(ord, fields.dump());
        });
    db.execute("DROP TABLE stage_keys");
    if (changed_fields) std::sort(changed_fields->begin(), changed_fields->end());
  }

  for (std::size_t i = 0; i < n; ++i) {
    if (state[i] == fresh)
      ++counts.inserted;
    else if (state[i] == same)
      ++counts.unchanged;
    else
      ++counts.updated;
    if (ids && state[i] != fresh) (*ids)[i] = found_id[i];
  }
  if (states) *states = state;

  if (counts.inserted > 0) {
    // A large first load into an empty table builds its secondary indexes (not those of a key or
    // a unique constraint) again once the rows are in, by one sort each, instead of taking their
    // entries one by one in an order that is not theirs.
    std::vector<std::pair<std::string, std::string>> indexes;
    if (first_load && counts.inserted >= kLargeLoad) {
      db.query(pg ? "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                    "current_schema() AND tablename = $1 AND indexname NOT IN (SELECT conname "
                    "FROM pg_constraint WHERE conrelid = $1::regclass) ORDER BY indexname"
                  : "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 "
                    "AND sql IS NOT NULL ORDER BY name",
               {t.table}, [&](const ResultRow& r) { indexes.emplace_back(r.text(0), r.text(1)); });
      for (const auto& [name, def] : indexes) db.execute("DROP INDEX " + name);
    }
    // On PostgreSQL a foreign key is checked by a trigger per row (three per enrolment: more
    // than half a large load's time). For a large first load into an empty table the table's
    // foreign keys are taken off and put back once the rows are in, which checks them all in one
    // query; any row without its parent refuses it all. Taking a foreign key off locks the table
    // and the tables it names (schools, pupils…) against readers until the transaction ends: a
    // price for setting up a registry, not for a load into tables in use, which keeps the
    // triggers.
    std::vector<std::pair<std::string, std::string>> foreign_keys;
    if (pg && first_load && counts.inserted >= kLargeLoad) {
      db.query(
          "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
          "$1::regclass AND contype = 'f' ORDER BY conname",
          {t.table}, [&](const ResultRow& r) { foreign_keys.emplace_back(r.text(0), r.text(1)); });
      for (const auto& [name, def] : foreign_keys)
        db.execute(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", t.table, name));
    }
    int64_t next = 0;
    std::vector<std::string> names;
    for (const auto& c : t.key) names.push_back(c.name);
    for (const auto& c : t.cols) names.push_back(c.name);
    if (t.has_id) {
      next =
          db.scalar_i64(fmt::format("SELECT COALESCE(max(id), 0) FROM {}", t.table)).value_or(0) +
          1;
      names.push_back("id");  // last: the row's values are generated straight into the buffer
    }
    std::size_t k = 0;  // new rows go in the order given (ids follow it), else as they come
    db.bulk_insert(t.table, names, [&](std::vector<Value>& out) {
      std::size_t i = 0;
      do {
        if (k == n) return false;
        i = order ? (*order)[k] : k;
        ++k;
      } while (state[i] != fresh);
      gen(i, out);
      if (t.has_id) {
        if (ids) (*ids)[i] = next;
        out.emplace_back(next++);
      }
      return true;
    });
    if (pg && t.has_id)
      db.execute(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', 'id'), $1)", t.table),
                 {next - 1});
    for (const auto& [name, def] : indexes) db.execute(def);
    for (const auto& [name, def] : foreign_keys)
      db.execute(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", t.table, name, def));
  }

  if (counts.updated > 0) {
    std::vector<StageColumn> cols;
    if (t.has_id)
      cols.push_back({"id", true});
    else
      cols = t.key;
    cols.insert(cols.end(), t.cols.begin(), t.cols.end());
    db.execute("DROP TABLE IF EXISTS stage_changed");
    db.execute(stage_ddl(db.dialect(), "stage_changed", cols));
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    std::size_t i = 0;
    db.bulk_insert("stage_changed", names, [&](std::vector<Value>& out) {
      while (i < n && state[i] != changed) ++i;
      if (i == n) return false;
      gen(i, v);
      out.clear();
      if (t.has_id)
        out.push_back(found_id[i]);
      else
        out.insert(out.end(), v.begin(), v.begin() + static_cast<std::ptrdiff_t>(nk));
      out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(nk), v.end());
      ++i;
      return true;
    });
    std::string set, on;
    for (const auto& c : t.cols)
      if (!c.kept) set += fmt::format("{}{} = s.{}", set.empty() ? "" : ", ", c.name, c.name);
    if (t.has_id)
      on = fmt::format("{}.id = s.id", t.table);
    else
      for (const auto& k : t.key)
        on += fmt::format("{}{}.{} = s.{}", on.empty() ? "" : " AND ", t.table, k.name, k.name);
    db.execute(fmt::format("UPDATE {} SET {} FROM stage_changed s WHERE {}", t.table, set, on));
    db.execute("DROP TABLE stage_changed");
  }
  return counts;
}

// The ids of the rows of `table` whose `code_col` is one of `codes`.
// Puts the distinct codes in a temporary table stage_codes(code), to join against; returns
// how many. The caller drops the table.
std::size_t stage_codes(Db& db, const std::vector<std::string>& codes) {
  std::vector<std::string> distinct(codes);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  db.execute("DROP TABLE IF EXISTS stage_codes");
  db.execute(stage_ddl(db.dialect(), "stage_codes", {{"code"}}));
  std::size_t i = 0;
  db.bulk_insert("stage_codes", {"code"}, [&](std::vector<Value>& v) {
    if (i == distinct.size()) return false;
    v.assign(1, distinct[i++]);
    return true;
  });
  if (db.dialect() == Dialect::postgres) db.execute("ANALYZE stage_codes");
  return distinct.size();
}

std::unordered_map<std::string, int64_t> ids_by_code(Db& db, const std::string& table,
                                                     const std::string& code_col,
                                                     const std::vector<std::string>& codes) {
  std::unordered_map<std::string, int64_t> out;
  if (codes.empty()) return out;
  out.reserve(stage_codes(db, codes));
  db.query(fmt::format("SELECT t.{0}, t.id FROM stage_codes s JOIN {1} t ON t.{0} = s.code",
                       code_col, table),
           {}, [&](const ResultRow& r) { out.emplace(r.text(0), r.i64(1)); });
  db.execute("DROP TABLE stage_codes");
  return out;
}

int64_t id_or_throw(const std::unordered_map<std::string, int64_t>& ids, const std::string& code,
                    const char* what) {
  auto it = ids.find(code);
  if (it == ids.end()) throw DbError(fmt::format("unknown {} {}", what, code));
  return it->second;
}

}  // namespace detail
using namespace detail;

std::pair<std::string, std::vector<Value>> scope_filter(const Scope& s) {
  switch (s.kind) {
    case NodeKind::nation:
      return {"1 = 1", {}};
    case NodeKind::region:
      return {"cm.region_code = $1", {s.code}};
    case NodeKind::directorate:
      return {"cm.directorate_code = $1", {s.code}};
    case NodeKind::commune:
      return {"cm.code = $1", {s.code}};
    case NodeKind::school:
      return {"sc.code = $1", {s.code}};
  }
  return {"1 = 0", {}};
}

void stage_ids(Db& db, const std::string& table, std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  db.execute("DROP TABLE IF EXISTS " + table);
  db.execute(stage_ddl(db.dialect(), table, {{"id", true}}));
  std::size_t k = 0;
  db.bulk_insert(table, {"id"}, [&](std::vector<Value>& v) {
    if (k == ids.size()) return false;
    v.assign(1, ids[k++]);
    return true;
  });
  if (db.dialect() == Dialect::postgres) db.execute("ANALYZE " + table);
}

std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : h) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Store::Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}

// --- migrations -------------------------------------------------------------------------------

namespace {

// A part's migrations folder and its rank in the order they apply.
int part_rank(std::string_view part) {
  if (part == "core") return 0;
  if (part == "registry") return 1;
  if (part == "stats") return 2;
  return 3;  // modules/NAME, by name
}

}  // namespace

// Every migration of this dialect, in the order it applies: (recorded name, SQL).
static std::vector<std::pair<std::string, std::string_view>> migrations_for(Dialect d) {
  const std::string dialect = d == Dialect::sqlite ? "sqlite" : "postgres";
  const std::string history = "src/core/store/migrations/" + dialect + "/";
  std::vector<std::pair<std::string, std::string_view>> past;
  // (rank, part, file) → SQL, of the parts' own migrations.
  std::vector<std::tuple<int, std::string, std::string, std::string_view>> parts;
  for (std::size_t i = 0; i < embedded::file_count; ++i) {
    std::string_view p = embedded::files[i].path;
    if (p.rfind(history, 0) == 0) {
      past.emplace_back(std::string(p.substr(history.size())), embedded::files[i].data);
      continue;
    }
    const auto at = p.find("/migrations/");
    if (p.rfind("src/", 0) != 0 || at == std::string_view::npos ||
        p.rfind("src/core/store/", 0) == 0)
      continue;
    std::string part(p.substr(4, at - 4));
    std::string file(p.substr(at + 12));
    // NNN_name.sql for both dialects, or NNN_name.DIALECT.sql for one.
    const auto dot = file.find('.');
    const std::string ext = file.substr(dot);
    if (ext != ".sql" && ext != "." + dialect + ".sql") continue;
    parts.emplace_back(part_rank(part), part, file.substr(0, dot), embedded::files[i].data);
  }
  std::sort(past.begin(), past.end());
  std::sort(parts.begin(), parts.end());
  auto out = std::move(past);
  for (auto& [rank, part, name, sql] : parts) out.emplace_back(part + "/" + name, sql);
  return out;
}

std::vector<std::string> Store::pending_migrations() {
  db_->execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT "
      "NULL)");
  std::set<std::string> done;
  db_->query("SELECT name FROM schema_migrations", {},
             [&](const ResultRow& r) { done.insert(r.text(0)); });
  std::vector<std::string> pending;
  for (const auto& [name, sql] : migrations_for(dialect()))
    if (!done.count(name)) pending.push_back(name);
  return pending;
}

std::vector<std::string> Store::migrate(std::string_view through) {
  Transaction tx(*db_);
  db_->lock_job(0x5A4E4144);  // two processes never migrate at once
  auto pending = pending_migrations();
  if (!through.empty())  // the history up to that number, nothing of the parts' own
    std::erase_if(pending, [&](const std::string& name) {
      return name.find('/') != std::string::npos || name.substr(0, through.size()) > through;
    });
  for (const auto& [name, sql] : migrations_for(dialect())) {
    if (std::find(pending.begin(), pending.end(), name) == pending.end()) continue;
    try {
      db_->exec_script(sql);
    } catch (const DbError& e) {
      throw DbError(fmt::format("migration {} failed: {}", name, e.what()));
    }
    db_->execute("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                 {name, now_iso()});
  }
  tx.commit();
  // The entries written before the chain existed are hashed once, when the migration that
  // brought the chain is applied; later, an entry without a hash is a break, never sealed (or an
  // entry slipped in by SQL would be laundered by the next `sanad init`).
  const std::string chain = dialect() == Dialect::sqlite ? "002_" : "003_";
  if (std::any_of(pending.begin(), pending.end(),
                  [&](const std::string& n) { return n.rfind(chain, 0) == 0; }))
    seal_audit();
  return pending;
}

bool Store::initialized() {
  bool has_table = false;
  if (dialect() == Dialect::sqlite) {
    has_table =
        db_->scalar_i64("SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'")
            .value_or(0) > 0;
  } else {
    has_table = db_->scalar_i64(
                       "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations' "
                       "AND schemaname = current_schema()")
                    .value_or(0) > 0;
  }
  if (!has_table) return false;
  std::set<std::string> done;
  db_->query("SELECT name FROM schema_migrations", {},
             [&](const ResultRow& r) { done.insert(r.text(0)); });
  for (const auto& [name, sql] : migrations_for(dialect()))
    if (!done.count(name)) return false;
  return true;
}

int64_t Store::count(const std::string& table) {
  static const std::set<std::string> allowed = {
      "regions",      "provinces",  "directorates", "communes",          "schools",
      "pupils",       "enrolments", "households",   "household_members", "absences",
      "school_years", "audit_log",  "users",        "sessions"};
  if (!allowed.count(table)) throw DbError("unknown table " + table);
  return db_->scalar_i64("SELECT count(*) FROM " + table).value_or(0);
}

}  // namespace sanad::store
