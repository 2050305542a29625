#include "core/store/store.hpp"
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
namespace {

struct StageColumn {
  std::string name;
  bool integer = false;
  bool kept = false;  // written when the row is new, never changed afterwards (academy edits)
};

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

// What diff_merge found of each row (see its `states`).
constexpr uint8_t kRowNew = 0, kRowSame = 1, kRowChanged = 2;

// A table written by difference: the natural keys of the rows are looked up in the target
// (skipped when it is empty), each row is compared in memory with what is stored, then the new
// rows are appended in bulk (COPY on PostgreSQL) with ids assigned here — in `order` when given,
// so that a large load writes its indexes in key order — and only the changed rows are updated.
// Writers of a table are serialised (SQLite's write lock; a table lock on PostgreSQL), so the ids
// assigned cannot collide.
struct Target {
  std::string table;
  bool has_id = false;            // a surrogate key "id"
  std::vector<StageColumn> key;   // the natural key
  std::vector<StageColumn> cols;  // everything else
};

// Row i's values: the key columns then the other columns, in the order of Target.
template <typename... A>
void set_row(std::vector<Value>& v, A&&... a) {
  v.clear();
  (v.emplace_back(std::forward<A>(a)), ...);
}
using RowGen = std::function<void(std::size_t, std::vector<Value>&)>;

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
                       std::vector<int64_t>* ids = nullptr,
                       std::vector<std::pair<std::size_t, std::string>>* changed_fields = nullptr,
                       const std::vector<uint32_t>* order = nullptr,
                       std::vector<uint8_t>* states = nullptr) {
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

// Absence tallies (migration absence_tallies): each pupil's absence days per school year and
// month, unjustified then justified, September first: column k of tally_columns().
constexpr int kTallyMonths = 12;
const std::vector<std::string>& tally_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> out;
    for (const char* kind : {"unjustified", "justified"})
      for (int k = 0; k < kTallyMonths; ++k)
        out.push_back(fmt::format("{}_{:02}", kind, (k + 8) % 12 + 1));
    return out;
  }();
  return cols;
}
int tally_column(const Date& day, bool justified) {
  return (day.month + 3) % 12 + (justified ? kTallyMonths : 0);
}

struct TallyDelta {
  int64_t pupil = 0;
  int start = 0;  // of the school year
  std::array<int32_t, 2 * kTallyMonths> days{};
};

// Adds these differences (one per pupil and year) to the tallies: into an empty table they are
// the tallies; otherwise each is added to the pupil's row of that year, or makes it.
void add_to_tallies(Db& db, const std::vector<TallyDelta>& deltas) {
  if (deltas.empty()) return;
  const auto& cols = tally_columns();
  std::vector<std::string> names{"pupil_id", "school_year"};
  names.insert(names.end(), cols.begin(), cols.end());
  const bool empty = !db.scalar_i64("SELECT 1 FROM absence_tallies LIMIT 1");
  if (!empty) {
    std::vector<StageColumn> stage{{"pupil_id", true}, {"school_year"}};
    for (const auto& c : cols) stage.push_back({c, true});
    db.execute("DROP TABLE IF EXISTS stage_tallies");
    db.execute(stage_ddl(db.dialect(), "stage_tallies", stage));
  }
  std::size_t k = 0;
  db.bulk_insert(empty ? "absence_tallies" : "stage_tallies", names, [&](std::vector<Value>& v) {
    if (k == deltas.size()) return false;
    const TallyDelta& t = deltas[k++];
    v.clear();
    v.emplace_back(t.pupil);
    v.emplace_back(SchoolYear{t.start}.code());
    for (int32_t x : t.days) v.emplace_back(int64_t{x});
    return true;
  });
  if (empty) return;
  std::string sum;
  for (const auto& c : cols)
    sum += fmt::format("{}{} = absence_tallies.{} + excluded.{}", sum.empty() ? "" : ", ", c, c, c);
  // "WHERE true": SQLite's reading of an INSERT … SELECT followed by ON CONFLICT.
  db.execute(
      fmt::format("INSERT INTO absence_tallies ({0}) SELECT {0} FROM stage_tallies WHERE "
                  "true ON CONFLICT (pupil_id, school_year) DO UPDATE SET {1}",
                  fmt::join(names, ", "), sum));
  db.execute("DROP TABLE stage_tallies");
}

// One absence day more (or less) in the tallies being built, which come in pupil and day order.
void tally_day(std::vector<TallyDelta>& t, int64_t pupil, const Date& day, bool justified,
               int32_t n = 1) {
  const int start = SchoolYear::of(day).start;
  if (t.empty() || t.back().pupil != pupil || t.back().start != start)
    t.push_back({pupil, start, {}});
  t.back().days[static_cast<std::size_t>(tally_column(day, justified))] += n;
}

// The tallies counted from the absences of the pupils `which` selects (a condition on pupil_id;
// their tallies deleted before), by ranges of 100,000 pupil ids so that memory stays small and
// nothing is written while a query is still being read.
void count_tallies(Db& db, const std::string& which) {
  std::optional<int64_t> lo, hi;
  db.query("SELECT min(pupil_id), max(pupil_id) FROM absences WHERE " + which, {},
           [&](const ResultRow& r) {
             if (!r.is_null(0)) lo = r.i64(0), hi = r.i64(1);
           });
  if (!lo) return;
  constexpr int64_t kRange = 100'000;
  for (int64_t from = *lo; from <= *hi; from += kRange) {
    std::vector<TallyDelta> counts;
    db.query(fmt::format("SELECT pupil_id, day, justified FROM absences WHERE pupil_id >= $1 AND "
                         "pupil_id < $2 AND {} ORDER BY pupil_id, day",
                         which),
             {from, from + kRange}, [&](const ResultRow& r) {
               if (auto day = parse_iso_date(r.text(1)))
                 tally_day(counts, r.i64(0), *day, r.i64(2) != 0);
             });
    add_to_tallies(db, counts);
  }
}

// After absences were deleted: the pupils' tallies counted again from the absences they have.
void recount_absences(Db& db, std::vector<int64_t> pupils) {
  if (pupils.empty()) return;
  stage_ids(db, "stage_tally_pupils", std::move(pupils));
  db.execute("DELETE FROM absence_tallies WHERE pupil_id IN (SELECT id FROM stage_tally_pupils)");
  count_tallies(db, "pupil_id IN (SELECT id FROM stage_tally_pupils)");
  db.execute("DROP TABLE stage_tally_pupils");
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

std::string chain_hash(const std::string& prev, const AuditRecord& r) {
  // Fields separated by a unit separator, which no field can hold unnoticed: each is prefixed
  // by its length.
  std::string s = prev;
  for (const std::string* f : {&r.at, &r.actor, &r.origin, &r.action, &r.subject, &r.detail})
    s += fmt::format("\x1f{}:{}", f->size(), *f);
  return sha256_hex(s);
}

constexpr int64_t kAuditLock = 0x5A4E4155;

UserRow read_user(const ResultRow& r) {
  UserRow u;
  u.id = r.i64(0);
  u.login = r.text(1);
  u.full_name = r.text(2);
  u.role = r.text(3);
  u.scope_code = r.text(4);
  u.password_hash = r.text(5);
  u.disabled = r.i64(6) != 0;
  u.created_at = r.text(7);
  u.updated_at = r.text(8);
  return u;
}
constexpr const char* kUserCols =
    "id, login, full_name, role, scope_code, password_hash, disabled, created_at, updated_at";

}  // namespace

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

int64_t Store::ensure_absence_tallies() {
  std::string total;
  for (const auto& c : tally_columns()) total += (total.empty() ? "" : " + ") + c;
  const int64_t days = db_->scalar_i64("SELECT count(*) FROM absences").value_or(0);
  const int64_t tallied =
      db_->scalar_i64(fmt::format("SELECT COALESCE(sum({}), 0) FROM absence_tallies", total))
          .value_or(0);
  if (days == tallied) return 0;
  db_->execute("DELETE FROM absence_tallies");
  count_tallies(*db_, "1 = 1");
  return days;
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

// --- territory --------------------------------------------------------------------------------

MergeCounts Store::put_regions(const std::vector<Region>& rows) {
  static const Target target{
      "regions",
      false,
      {{"code"}},
      {{"name_ar"}, {"name_fr"}, {"population", true}, {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Region& r = rows[i];
    set_row(v, r.code, r.name_ar, r.name_fr, r.population, r.households);
  });
}

MergeCounts Store::put_provinces(const std::vector<Province>& rows) {
  static const Target target{"provinces",
                             false,
                             {{"code"}},
                             {{"region_code"},
                              {"kind"},
                              {"name_ar"},
                              {"name_fr"},
                              {"population", true},
                              {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Province& r = rows[i];
    set_row(v, r.code, r.region_code, r.kind, r.name_ar, r.name_fr, r.population, r.households);
  });
}

MergeCounts Store::put_directorates(const std::vector<Directorate>& rows) {
  // A directorate, once there, is the academy's to edit: a reload only adds missing ones.
  static const Target target{
      "directorates",
      false,
      {{"code"}},
      {{"region_code", false, true}, {"name_ar", false, true}, {"name_fr", false, true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Directorate& r = rows[i];
    set_row(v, r.code, r.region_code, r.name_ar, r.name_fr);
  });
}

MergeCounts Store::put_communes(const std::vector<Commune>& rows) {
  // The directorate of an existing commune is kept: it is the academy's to edit.
  static const Target target{"communes",
                             false,
                             {{"code"}},
                             {{"province_code"},
                              {"region_code"},
                              {"directorate_code", false, true},
                              {"milieu"},
                              {"name_ar"},
                              {"name_fr"},
                              {"population", true},
                              {"households", true}}};
  return diff_merge(*db_, target, rows.size(), [&](std::size_t i, std::vector<Value>& v) {
    const Commune& r = rows[i];
    set_row(v, r.code, r.province_code, r.region_code, r.directorate_code, r.milieu, r.name_ar,
            r.name_fr, r.population, r.households);
  });
}

std::vector<Region> Store::regions() {
  std::vector<Region> out;
  db_->query("SELECT code, name_ar, name_fr, population, households FROM regions ORDER BY code", {},
             [&](const ResultRow& r) {
               out.push_back({r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4)});
             });
  return out;
}

std::vector<Province> Store::provinces() {
  std::vector<Province> out;
  db_->query(
      "SELECT code, region_code, kind, name_ar, name_fr, population, households FROM provinces "
      "ORDER BY code",
      {}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.i64(5), r.i64(6)});
      });
  return out;
}

std::vector<Directorate> Store::directorates(const Scope& scope) {
  std::string where = "1 = 1";
  std::vector<Value> params;
  if (scope.kind == NodeKind::region) {
    where = "d.region_code = $1";
    params = {scope.code};
  } else if (scope.kind == NodeKind::directorate) {
    where = "d.code = $1";
    params = {scope.code};
  } else if (scope.kind != NodeKind::nation) {
    where =
        "d.code IN (SELECT cm.directorate_code FROM communes cm LEFT JOIN schools sc ON "
        "sc.commune_code = "
        "cm.code WHERE " +
        scope_filter(scope).first + ")";
    params = scope_filter(scope).second;
  }
  std::vector<Directorate> out;
  db_->query("SELECT d.code, d.region_code, d.name_ar, d.name_fr FROM directorates d WHERE " +
                 where + " ORDER BY d.code",
             params, [&](const ResultRow& r) {
               out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
             });
  return out;
}

std::vector<Commune> Store::communes(const Scope& scope) {
  auto [where, params] = scope_filter(scope);
  if (scope.kind == NodeKind::school)
    where = "cm.code IN (SELECT sc.commune_code FROM schools sc WHERE sc.code = $1)";
  std::vector<Commune> out;
  db_->query(
      "SELECT cm.code, cm.province_code, cm.region_code, cm.directorate_code, cm.milieu, "
      "cm.name_ar, "
      "cm.name_fr, cm.population, cm.households FROM communes cm WHERE " +
          where + " ORDER BY cm.code",
      params, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6),
                       r.i64(7), r.i64(8)});
      });
  return out;
}

bool Store::scope_exists(const Scope& s) {
  switch (s.kind) {
    case NodeKind::nation:
      return true;
    case NodeKind::region:
      return db_->scalar_i64("SELECT count(*) FROM regions WHERE code = $1", {s.code}).value_or(0);
    case NodeKind::directorate:
      return db_->scalar_i64("SELECT count(*) FROM directorates WHERE code = $1", {s.code})
          .value_or(0);
    case NodeKind::commune:
      return db_->scalar_i64("SELECT count(*) FROM communes WHERE code = $1", {s.code}).value_or(0);
    case NodeKind::school:
      return db_->scalar_i64("SELECT count(*) FROM schools WHERE code = $1", {s.code}).value_or(0);
  }
  return false;
}

// --- schools ----------------------------------------------------------------------------------

MergeCounts Store::put_schools(const std::vector<School>& rows) {
  static const Target target{"schools",
                             true,
                             {{"code"}},
                             {{"name_ar"},
                              {"name_fr"},
                              {"name_norm"},
                              {"cycles"},
                              {"commune_code"},
                              {"milieu"},
                              {"sector"},
                              {"boarding_beds", true},
                              {"canteen", true}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const School& s = rows[i];
        set_row(v, s.code, s.name_ar, s.name_fr, normalize_name(s.name_ar + " " + s.name_fr),
                join_cycles(s.cycles, Lang::fr), s.commune_code, s.milieu, s.sector,
                s.boarding_beds, int64_t{s.canteen ? 1 : 0});
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed)
    counts.changes.push_back({"school", rows[i].code, "", std::move(fields)});
  return counts;
}

std::vector<School> Store::schools(const Scope& scope) {
  auto [where, params] = scope_filter(scope);
  std::vector<School> out;
  db_->query(
      "SELECT sc.code, sc.name_ar, sc.name_fr, sc.cycles, sc.commune_code, sc.milieu, sc.sector, "
      "sc.boarding_beds, sc.canteen FROM schools sc JOIN communes cm ON cm.code = sc.commune_code "
      "WHERE " +
          where + " ORDER BY sc.code",
      params, [&](const ResultRow& r) {
        School s;
        s.code = r.text(0);
        s.name_ar = r.text(1);
        s.name_fr = r.text(2);
        s.cycles = parse_cycles(r.text(3)).value_or(std::vector<std::string>{});
        s.commune_code = r.text(4);
        s.milieu = r.text(5);
        s.sector = r.text(6);
        s.boarding_beds = r.i64(7);
        s.canteen = r.i64(8) != 0;
        out.push_back(std::move(s));
      });
  return out;
}

void Store::ensure_school_years(const std::vector<std::string>& codes) {
  for (const auto& c : codes) {
    const SchoolYear y{school_year_start(c)};
    db_->execute(
        "INSERT INTO school_years (code, starts, ends) VALUES ($1, $2, $3) ON CONFLICT (code) DO "
        "NOTHING",
        {c, y.first_day(), y.last_day()});
  }
}

// --- pupils and enrolments --------------------------------------------------------------------

namespace {
const Target pupils_target{"pupils",
                           true,
                           {{"massar"}},
                           {{"last_ar"},
                            {"first_ar"},
                            {"last_fr"},
                            {"first_fr"},
                            {"name_ar_norm"},
                            {"name_fr_norm"},
                            {"sex"},
                            {"birth_date"},
                            {"birth_place"}}};

void pupil_values(const Pupil& p, std::vector<Value>& v) {
  std::string fr = trim(p.first_fr + " " + p.last_fr);
  set_row(v, p.massar, p.last_ar, p.first_ar, null_if_empty(p.last_fr), null_if_empty(p.first_fr),
          normalize_name(p.first_ar + " " + p.last_ar), fr.empty() ? Value{} : Value{latin_key(fr)},
          p.sex, null_if_empty(p.birth_date), null_if_empty(p.birth_place));
}

std::unordered_map<std::string, int64_t> all_school_ids(Db& db) {
  std::unordered_map<std::string, int64_t> out;
  db.query("SELECT code, id FROM schools", {},
           [&](const ResultRow& r) { out.emplace(r.text(0), r.i64(1)); });
  return out;
}
}  // namespace

std::pair<MergeCounts, MergeCounts> Store::put_roster(const std::vector<Pupil>& pupils,
                                                      const std::vector<Enrolment>& enrolments) {
  // New pupils get their ids in code Massar order, so the code's unique index is written from
  // left to right; the enrolments follow in the same order (by pupil id for new pupils, the
  // order of their unique key; their school index is built afterwards on a large first load).
  const auto pupil_order =
      key_order(pupils.size(), [&](std::size_t i) -> std::string_view { return pupils[i].massar; });
  std::vector<int64_t> ids;
  std::vector<std::pair<std::size_t, std::string>> changed;
  MergeCounts pc = diff_merge(
      *db_, pupils_target, pupils.size(),
      [&](std::size_t i, std::vector<Value>& v) { pupil_values(pupils[i], v); }, &ids, &changed,
      &pupil_order);
  for (auto& [i, fields] : changed)
    pc.changes.push_back({"pupil", pupils[i].massar, "", std::move(fields)});
  changed.clear();
  // Each enrolment's pupil id: both lists walked in code order; pupils not in this file are
  // looked up in the store.
  const auto enrolment_order = key_order(
      enrolments.size(), [&](std::size_t i) -> std::string_view { return enrolments[i].massar; });
  std::vector<int64_t> pupil_of(enrolments.size(), 0);
  std::vector<std::string> missing;
  std::size_t p = 0;
  for (uint32_t k : enrolment_order) {
    const std::string& code = enrolments[k].massar;
    while (p < pupil_order.size() && pupils[pupil_order[p]].massar < code) ++p;
    if (p < pupil_order.size() && pupils[pupil_order[p]].massar == code)
      pupil_of[k] = ids[pupil_order[p]];
    else if (missing.empty() || missing.back() != code)
      missing.push_back(code);
  }
  if (!missing.empty()) {
    auto known = ids_by_code(*db_, "pupils", "massar", missing);
    for (std::size_t k = 0; k < enrolments.size(); ++k)
      if (!pupil_of[k]) pupil_of[k] = id_or_throw(known, enrolments[k].massar, "pupil");
  }
  auto school_ids = all_school_ids(*db_);
  static const Target target{
      "enrolments",
      true,
      {{"pupil_id", true}, {"school_year"}, {"school_id", true}},
      {{"level"}, {"class_name"}, {"status"}, {"transfer_to"}, {"left_date"}}};
  MergeCounts ec = diff_merge(
      *db_, target, enrolments.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Enrolment& e = enrolments[i];
        set_row(v, pupil_of[i], e.school_year, id_or_throw(school_ids, e.school_code, "school"),
                e.level, e.class_name, e.status, null_if_empty(e.transfer_to),
                null_if_empty(e.left_date));
      },
      nullptr, &changed, &enrolment_order);
  for (auto& [i, fields] : changed) {
    const Enrolment& e = enrolments[i];
    ec.changes.push_back(
        {"enrolment", e.massar, e.school_year + " " + e.school_code, std::move(fields)});
  }
  return {pc, ec};
}

// --- households -------------------------------------------------------------------------------

MergeCounts Store::put_households(const std::vector<Household>& rows) {
  static const Target target{"households",
                             true,
                             {{"payee_cin"}},
                             {{"payee_name"}, {"payee_name_norm"}, {"phone"}, {"ramed"}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Household& h = rows[i];
        set_row(v, h.payee_cin, h.payee_name, normalize_name(h.payee_name), null_if_empty(h.phone),
                null_if_empty(h.ramed));
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed)
    counts.changes.push_back({"household", rows[i].payee_cin, "", std::move(fields)});
  return counts;
}

MergeCounts Store::put_memberships(const std::vector<Membership>& rows) {
  std::vector<std::string> massars, cins;
  for (const auto& m : rows) {
    massars.push_back(m.massar);
    cins.push_back(m.payee_cin);
  }
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  auto household_ids = ids_by_code(*db_, "households", "payee_cin", cins);
  static const Target target{
      "household_members", false, {{"pupil_id", true}}, {{"household_id", true}, {"relation"}}};
  // The household is recorded by its payee's CIN, not by its row number.
  std::unordered_map<int64_t, std::string> cin_of;
  for (const auto& [cin, id] : household_ids) cin_of.emplace(id, cin);
  std::vector<std::pair<std::size_t, std::string>> changed;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Membership& m = rows[i];
        set_row(v, id_or_throw(pupil_ids, m.massar, "pupil"),
                id_or_throw(household_ids, m.payee_cin, "household"), m.relation);
      },
      nullptr, &changed);
  for (auto& [i, fields] : changed) {
    auto f = nlohmann::json::parse(fields);
    if (f.contains("household_id"))
      for (auto& side : f["household_id"])
        if (side.is_number_integer()) {
          const int64_t id = side.get<int64_t>();
          if (!cin_of.count(id))  // the household left: not among this file's
            cin_of[id] = db_->scalar_text("SELECT payee_cin FROM households WHERE id = $1", {id})
                             .value_or(std::to_string(id));
          side = cin_of[id];
        }
    nlohmann::json out = nlohmann::json::object();
    for (auto& [k, val] : f.items()) out[k == "household_id" ? "payee_cin" : k] = val;
    counts.changes.push_back({"membership", rows[i].massar, "", out.dump()});
  }
  return counts;
}

MergeCounts Store::put_absences(const std::vector<Absence>& rows) {
  std::vector<std::string> massars;
  massars.reserve(rows.size());
  for (const auto& a : rows) massars.push_back(a.massar);
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  std::vector<int64_t> pupil_of(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    pupil_of[i] = id_or_throw(pupil_ids, rows[i].massar, "pupil");
  // New absences go in the order of their key (pupil, day): the table is that index.
  std::vector<uint32_t> order(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    if (pupil_of[x] != pupil_of[y]) return pupil_of[x] < pupil_of[y];
    return rows[x].date != rows[y].date ? rows[x].date < rows[y].date : x < y;
  });
  static const Target target{
      "absences", false, {{"pupil_id", true}, {"day"}}, {{"justified", true}}};
  std::vector<std::pair<std::size_t, std::string>> changed;
  std::vector<uint8_t> state;
  auto counts = diff_merge(
      *db_, target, rows.size(),
      [&](std::size_t i, std::vector<Value>& v) {
        const Absence& a = rows[i];
        set_row(v, pupil_of[i], a.date, int64_t{a.justified ? 1 : 0});
      },
      nullptr, &changed, &order, &state);
  for (auto& [i, fields] : changed)
    counts.changes.push_back({"absence", rows[i].massar, rows[i].date, std::move(fields)});
  // The tallies take the differences: a new day counts, a day whose justification changed moves.
  std::vector<TallyDelta> deltas;
  for (uint32_t i : order) {
    if (state[i] == kRowSame) continue;
    auto day = parse_iso_date(rows[i].date);
    if (!day) throw DbError("not a date: " + rows[i].date);
    tally_day(deltas, pupil_of[i], *day, rows[i].justified);
    if (state[i] == kRowChanged) tally_day(deltas, pupil_of[i], *day, !rows[i].justified, -1);
  }
  add_to_tallies(*db_, deltas);
  return counts;
}

std::vector<std::pair<std::string, std::string>> Store::enrolled_schools(
    const std::vector<std::string>& massar, const std::string& year) {
  std::vector<std::pair<std::string, std::string>> out;
  if (massar.empty()) return out;
  stage_codes(*db_, massar);
  db_->query(
      "SELECT p.massar, sc.code FROM stage_codes s JOIN pupils p ON p.massar = s.code JOIN "
      "enrolments e ON e.pupil_id = p.id AND e.school_year = $1 JOIN schools sc ON sc.id = "
      "e.school_id ORDER BY p.massar, sc.code",
      {year}, [&](const ResultRow& r) { out.emplace_back(r.text(0), r.text(1)); });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

std::vector<Absence> Store::absences_in_schools(const std::vector<std::string>& schools,
                                                const std::string& year, const std::string& from,
                                                const std::string& to) {
  std::vector<Absence> out;
  if (schools.empty()) return out;
  stage_codes(*db_, schools);
  db_->query(
      "SELECT p.massar, a.day, a.justified FROM absences a JOIN pupils p ON p.id = a.pupil_id "
      "WHERE a.day >= $1 AND a.day <= $2 AND a.pupil_id IN (SELECT e.pupil_id FROM enrolments e "
      "JOIN schools sc ON sc.id = e.school_id JOIN stage_codes s ON s.code = sc.code WHERE "
      "e.school_year = $3) ORDER BY p.massar, a.day",
      {from, to, year}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.i64(2) != 0});
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

int64_t Store::delete_absences(const std::vector<Absence>& rows) {
  if (rows.empty()) return 0;
  std::vector<std::string> massars;
  massars.reserve(rows.size());
  for (const auto& a : rows) massars.push_back(a.massar);
  auto pupil_ids = ids_by_code(*db_, "pupils", "massar", massars);
  std::vector<int64_t> pupils;
  pupils.reserve(rows.size());
  for (const auto& a : rows) pupils.push_back(id_or_throw(pupil_ids, a.massar, "pupil"));
  db_->execute("DROP TABLE IF EXISTS stage_gone");
  db_->execute(stage_ddl(db_->dialect(), "stage_gone", {{"pupil_id", true}, {"day"}}));
  std::size_t i = 0;
  db_->bulk_insert("stage_gone", {"pupil_id", "day"}, [&](std::vector<Value>& v) {
    if (i == rows.size()) return false;
    set_row(v, pupils[i], rows[i].date);
    ++i;
    return true;
  });
  const int64_t n = db_->execute(
      "DELETE FROM absences WHERE EXISTS (SELECT 1 FROM stage_gone g WHERE g.pupil_id = "
      "absences.pupil_id AND g.day = absences.day)");
  db_->execute("DROP TABLE stage_gone");
  if (n > 0) recount_absences(*db_, std::move(pupils));
  return n;
}

std::vector<std::string> Store::unknown_pupils(const std::vector<std::string>& massar,
                                               const Scope& scope) {
  std::unordered_map<std::string, int64_t> known;
  if (scope.kind == NodeKind::nation) {
    known = ids_by_code(*db_, "pupils", "massar", massar);
  } else if (!massar.empty()) {
    stage_codes(*db_, massar);
    auto [where, params] = scope_filter(scope);
    db_->query(
        "SELECT p.massar, p.id FROM stage_codes s JOIN pupils p ON p.massar = s.code WHERE EXISTS "
        "(SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN communes cm ON "
        "cm.code = sc.commune_code WHERE e.pupil_id = p.id AND " +
            where + ")",
        params, [&](const ResultRow& r) { known.emplace(r.text(0), r.i64(1)); });
    db_->execute("DROP TABLE stage_codes");
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& m : massar)
    if (!known.count(m) && seen.insert(m).second) out.push_back(m);
  return out;
}

std::vector<Store::PupilOnRecord> Store::pupils_on_record(const std::vector<std::string>& massar) {
  std::vector<PupilOnRecord> out;
  if (massar.empty()) return out;
  stage_codes(*db_, massar);
  db_->query(
      "SELECT p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, p.sex, p.birth_date, "
      "p.birth_place, e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, "
      "e.left_date FROM stage_codes s JOIN pupils p ON p.massar = s.code LEFT JOIN enrolments e "
      "ON e.pupil_id = p.id LEFT JOIN schools sc ON sc.id = e.school_id ORDER BY p.massar, "
      "e.school_year, sc.code",
      {}, [&](const ResultRow& r) {
        if (out.empty() || out.back().pupil.massar != r.view(0))
          out.push_back({Pupil{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                               r.text(6), r.text(7)},
                         {}});
        if (!r.is_null(8))
          out.back().enrolments.push_back({r.text(0), r.text(8), r.text(9), r.text(10), r.text(11),
                                           r.text(12), r.text(13), r.text(14)});
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

std::vector<Store::HouseholdOnRecord> Store::households_on_record(
    const std::vector<std::string>& cins) {
  std::vector<HouseholdOnRecord> out;
  if (cins.empty()) return out;
  stage_codes(*db_, cins);
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, p.massar FROM stage_codes s JOIN "
      "households h ON h.payee_cin = s.code LEFT JOIN household_members m ON m.household_id = "
      "h.id LEFT JOIN pupils p ON p.id = m.pupil_id ORDER BY h.payee_cin, p.massar",
      {}, [&](const ResultRow& r) {
        if (out.empty() || out.back().household.payee_cin != r.view(0))
          out.push_back({Household{r.text(0), r.text(1), r.text(2), r.text(3)}, {}});
        if (!r.is_null(4)) out.back().children.push_back(r.text(4));
      });
  db_->execute("DROP TABLE stage_codes");
  return out;
}

// --- one pupil --------------------------------------------------------------------------------

std::optional<Pupil> Store::pupil(const std::string& massar) {
  std::optional<Pupil> out;
  db_->query(
      "SELECT massar, last_ar, first_ar, last_fr, first_fr, sex, birth_date, birth_place FROM "
      "pupils WHERE massar = $1",
      {massar}, [&](const ResultRow& r) {
        out = Pupil{r.text(0), r.text(1), r.text(2), r.text(3),
                    r.text(4), r.text(5), r.text(6), r.text(7)};
      });
  return out;
}

std::vector<Enrolment> Store::enrolments_of(const std::string& massar) {
  std::vector<Enrolment> out;
  db_->query(
      "SELECT p.massar, e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, "
      "e.left_date FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools sc ON sc.id "
      "= e.school_id WHERE p.massar = $1 ORDER BY e.school_year, sc.code",
      {massar}, [&](const ResultRow& r) {
        out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6),
                       r.text(7)});
      });
  return out;
}

std::optional<std::pair<Household, Membership>> Store::household_of(const std::string& massar) {
  std::optional<std::pair<Household, Membership>> out;
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, m.relation FROM household_members m "
      "JOIN households h ON h.id = m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE "
      "p.massar = $1",
      {massar}, [&](const ResultRow& r) {
        out.emplace(Household{r.text(0), r.text(1), r.text(2), r.text(3)},
                    Membership{massar, r.text(0), r.text(4)});
      });
  return out;
}

std::vector<Membership> Store::members_of(const std::string& payee_cin) {
  std::vector<Membership> out;
  db_->query(
      "SELECT p.massar, m.relation FROM household_members m JOIN households h ON h.id = "
      "m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE h.payee_cin = $1 ORDER BY "
      "p.massar",
      {payee_cin}, [&](const ResultRow& r) {
        out.push_back({r.text(0), payee_cin, r.text(1)});
      });
  return out;
}

std::vector<Absence> Store::absences_of(const std::string& massar) {
  std::vector<Absence> out;
  db_->query(
      "SELECT a.day, a.justified FROM absences a JOIN pupils p ON p.id = a.pupil_id WHERE "
      "p.massar = $1 ORDER BY a.day",
      {massar}, [&](const ResultRow& r) {
        out.push_back(Absence{massar, r.text(0), r.i64(1) != 0});
      });
  return out;
}

std::vector<std::string> Store::school_years() {
  std::vector<std::string> out;
  db_->query("SELECT code FROM school_years ORDER BY code", {},
             [&](const ResultRow& r) { out.push_back(r.text(0)); });
  return out;
}

std::vector<std::pair<std::string, int64_t>> Store::pupils_per_school(const std::string& year) {
  std::vector<std::pair<std::string, int64_t>> out;
  db_->query(
      "SELECT sc.code, n.pupils FROM (SELECT school_id, count(*) AS pupils FROM enrolments WHERE "
      "school_year = $1 AND status IN ('enrolled', 'repeating') GROUP BY school_id) n JOIN "
      "schools sc ON sc.id = n.school_id ORDER BY sc.code",
      {year}, [&](const ResultRow& r) { out.emplace_back(r.text(0), r.i64(1)); });
  return out;
}

// --- lists ------------------------------------------------------------------------------------

void Store::each_enrolment(const Scope& scope, const std::string& year,
                           const std::function<void(const Pupil&, const Enrolment&)>& fn) {
  auto [where, params] = scope_filter(scope);
  if (!year.empty()) {
    params.push_back(year);
    where += fmt::format(" AND e.school_year = ${}", params.size());
  }
  db_->query(
      "SELECT p.massar, p.last_ar, p.first_ar, p.last_fr, p.first_fr, p.sex, p.birth_date, "
      "p.birth_place, "
      "e.school_year, sc.code, e.level, e.class_name, e.status, e.transfer_to, e.left_date "
      "FROM enrolments e JOIN pupils p ON p.id = e.pupil_id JOIN schools sc ON sc.id = e.school_id "
      "JOIN communes cm ON cm.code = sc.commune_code WHERE " +
          where + " ORDER BY sc.code, e.school_year, e.level, e.class_name, p.massar",
      params, [&](const ResultRow& r) {
        Pupil p{r.text(0), r.text(1), r.text(2), r.text(3),
                r.text(4), r.text(5), r.text(6), r.text(7)};
        Enrolment e{p.massar,   r.text(8),  r.text(9),  r.text(10),
                    r.text(11), r.text(12), r.text(13), r.text(14)};
        fn(p, e);
      });
}

void Store::each_membership(const Scope& scope,
                            const std::function<void(const Household&, const Membership&)>& fn) {
  auto [where, params] = scope_filter(scope);
  std::string in_scope =
      scope.kind == NodeKind::nation
          ? std::string("1 = 1")
          : "EXISTS (SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN "
            "communes cm ON cm.code = sc.commune_code WHERE e.pupil_id = m.pupil_id AND " +
                where + ")";
  db_->query(
      "SELECT h.payee_cin, h.payee_name, h.phone, h.ramed, p.massar, m.relation FROM "
      "household_members m "
      "JOIN households h ON h.id = m.household_id JOIN pupils p ON p.id = m.pupil_id WHERE " +
          in_scope + " ORDER BY p.massar",
      params, [&](const ResultRow& r) {
        Household h{r.text(0), r.text(1), r.text(2), r.text(3)};
        Membership m{r.text(4), h.payee_cin, r.text(5)};
        fn(h, m);
      });
}

void Store::each_absence(const Scope& scope, const std::function<void(const Absence&)>& fn) {
  auto [where, params] = scope_filter(scope);
  std::string in_scope =
      scope.kind == NodeKind::nation
          ? std::string("1 = 1")
          : "EXISTS (SELECT 1 FROM enrolments e JOIN schools sc ON sc.id = e.school_id JOIN "
            "communes cm ON cm.code = sc.commune_code WHERE e.pupil_id = a.pupil_id AND " +
                where + ")";
  db_->query(
      "SELECT p.massar, a.day, a.justified FROM absences a JOIN pupils p ON p.id = a.pupil_id "
      "WHERE " +
          in_scope + " ORDER BY p.massar, a.day",
      params, [&](const ResultRow& r) {
        fn(Absence{r.text(0), r.text(1), r.i64(2) != 0});
      });
}

std::string Store::audit_head() {
  if (head_memo_on_ && head_memo_) return *head_memo_;
  std::string out = "0:";
  db_->query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", {},
             [&](const ResultRow& r) { out = fmt::format("{}:{}", r.i64(0), r.text(1)); });
  if (head_memo_on_) head_memo_ = out;
  return out;
}

int64_t Store::count(const std::string& table) {
  static const std::set<std::string> allowed = {
      "regions",      "provinces",  "directorates", "communes",          "schools",
      "pupils",       "enrolments", "households",   "household_members", "absences",
      "school_years", "audit_log",  "users",        "sessions"};
  if (!allowed.count(table)) throw DbError("unknown table " + table);
  return db_->scalar_i64("SELECT count(*) FROM " + table).value_or(0);
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

// --- territory ancestry ---------------------------------------------------------------------

std::optional<std::vector<Scope>> Store::ancestry(const Scope& node) {
  std::vector<Scope> out{Scope::nation()};
  std::optional<std::vector<Scope>> found;
  auto chain = [&](const std::string& sql, const std::string& code, bool school) {
    db_->query(sql, {code}, [&](const ResultRow& r) {
      out.push_back({NodeKind::region, r.text(0)});
      out.push_back({NodeKind::directorate, r.text(1)});
      out.push_back({NodeKind::commune, r.text(2)});
      if (school) out.push_back({NodeKind::school, r.text(3)});
      found = out;
    });
  };
  switch (node.kind) {
    case NodeKind::nation:
      return out;
    case NodeKind::region:
      if (db_->scalar_i64("SELECT 1 FROM regions WHERE code = $1", {node.code}))
        return std::vector<Scope>{Scope::nation(), node};
      return std::nullopt;
    case NodeKind::directorate: {
      auto r =
          db_->scalar_text("SELECT region_code FROM directorates WHERE code = $1", {node.code});
      if (!r) return std::nullopt;
      return std::vector<Scope>{Scope::nation(), {NodeKind::region, *r}, node};
    }
    case NodeKind::commune:
      chain("SELECT region_code, directorate_code, code FROM communes WHERE code = $1", node.code,
            false);
      return found;
    case NodeKind::school:
      chain(
          "SELECT cm.region_code, cm.directorate_code, cm.code, sc.code FROM schools sc JOIN "
          "communes cm ON cm.code = sc.commune_code WHERE sc.code = $1",
          node.code, true);
      return found;
  }
  return std::nullopt;
}

// --- accounts and sessions ----------------------------------------------------------------------

std::optional<UserRow> Store::user_by_login(const std::string& login) {
  std::optional<UserRow> u;
  db_->query(fmt::format("SELECT {} FROM users WHERE login = $1", kUserCols), {login},
             [&](const ResultRow& r) { u = read_user(r); });
  return u;
}

std::optional<UserRow> Store::user_by_id(int64_t id) {
  std::optional<UserRow> u;
  db_->query(fmt::format("SELECT {} FROM users WHERE id = $1", kUserCols), {id},
             [&](const ResultRow& r) { u = read_user(r); });
  return u;
}

std::vector<UserRow> Store::users() {
  std::vector<UserRow> out;
  db_->query(fmt::format("SELECT {} FROM users ORDER BY login", kUserCols), {},
             [&](const ResultRow& r) { out.push_back(read_user(r)); });
  return out;
}

int64_t Store::insert_user(const UserRow& u) {
  int64_t id = 0;
  db_->query(
      "INSERT INTO users (login, full_name, role, scope_code, password_hash, disabled, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {u.login, u.full_name, u.role, u.scope_code, u.password_hash, int64_t{u.disabled ? 1 : 0},
       u.created_at, u.updated_at},
      [&](const ResultRow& r) { id = r.i64(0); });
  return id;
}

void Store::update_user(const UserRow& u) {
  db_->execute(
      "UPDATE users SET full_name = $1, role = $2, scope_code = $3, password_hash = $4, disabled "
      "= $5, updated_at = $6 WHERE id = $7",
      {u.full_name, u.role, u.scope_code, u.password_hash, int64_t{u.disabled ? 1 : 0},
       u.updated_at, u.id});
}

void Store::put_session(const SessionRow& s) {
  db_->execute(
      "INSERT INTO sessions (token_hash, user_id, csrf, origin, created_at, expires_at) VALUES "
      "($1, $2, $3, $4, $5, $6)",
      {s.token_hash, s.user_id, s.csrf, s.origin, s.created_at, s.expires_at});
}

std::optional<SessionRow> Store::session(const std::string& token_hash) {
  std::optional<SessionRow> out;
  db_->query(
      "SELECT token_hash, user_id, csrf, origin, created_at, expires_at FROM sessions WHERE "
      "token_hash = $1",
      {token_hash}, [&](const ResultRow& r) {
        out = SessionRow{r.text(0), r.i64(1), r.text(2), r.text(3), r.text(4), r.text(5)};
      });
  return out;
}

void Store::delete_session(const std::string& token_hash) {
  db_->execute("DELETE FROM sessions WHERE token_hash = $1", {token_hash});
}

void Store::delete_sessions_of(int64_t user_id) {
  db_->execute("DELETE FROM sessions WHERE user_id = $1", {user_id});
}

void Store::delete_expired_sessions(const std::string& now) {
  db_->execute("DELETE FROM sessions WHERE expires_at <= $1", {now});
}

void Store::add_login_failure(const std::string& login, const std::string& origin,
                              const std::string& network, const std::string& at) {
  db_->execute("INSERT INTO login_failures (login, origin, network, at) VALUES ($1, $2, $3, $4)",
               {login, origin, network, at});
}

int64_t Store::login_failures_from_network(const std::string& network, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE network = $1 AND at >= $2",
                   {network, since})
      .value_or(0);
}

int64_t Store::login_failures_since(const std::string& login, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE login = $1 AND at >= $2",
                   {login, since})
      .value_or(0);
}

int64_t Store::login_failures_from(const std::string& origin, const std::string& since) {
  return db_
      ->scalar_i64("SELECT count(*) FROM login_failures WHERE origin = $1 AND at >= $2",
                   {origin, since})
      .value_or(0);
}

void Store::clear_login_failures(const std::string& login) {
  db_->execute("DELETE FROM login_failures WHERE login = $1", {login});
}

}  // namespace sanad::store
