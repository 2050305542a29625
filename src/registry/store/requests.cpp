#include "registry/store/requests.hpp"

#include <fmt/format.h>

#include <map>

#include "core/store/scope_sql.hpp"

namespace sanad::store {
namespace {

constexpr const char* kColumns =
    "r.id, r.kind, r.massar, r.school_code, r.payee_cin, r.school_year, r.payload, r.state, "
    "r.requested_by, r.requested_at, r.origin, r.file, r.file_row, r.decided_by, r.decided_at, "
    "r.note";

ImportRequestRow read_row(const ResultRow& r) {
  ImportRequestRow x;
  x.id = r.i64(0);
  x.kind = r.text(1);
  x.massar = r.text(2);
  x.school_code = r.text(3);
  x.payee_cin = r.text(4);
  x.school_year = r.text(5);
  x.payload = r.text(6);
  x.state = r.text(7);
  x.requested_by = r.text(8);
  x.requested_at = r.text(9);
  x.origin = r.text(10);
  x.file = r.text(11);
  x.file_row = r.i64(12);
  x.decided_by = r.text(13);
  x.decided_at = r.text(14);
  x.note = r.text(15);
  return x;
}

}  // namespace

MergeCounts RequestStore::put(const std::vector<ImportRequestRow>& rows) {
  MergeCounts counts;
  for (const auto& x : rows) {
    auto pending = db_.scalar_i64(
        "SELECT id FROM import_requests WHERE kind = $1 AND massar = $2 AND school_code = $3 AND "
        "payee_cin = $4 AND state = 'pending'",
        {x.kind, x.massar, x.school_code, x.payee_cin});
    int64_t id = 0;
    if (pending) {
      id = *pending;
      auto same = db_.scalar_i64(
          "SELECT COUNT(*) FROM import_requests WHERE id = $1 AND payload = $2 AND school_year = "
          "$3",
          {id, x.payload, x.school_year});
      db_.execute(
          "UPDATE import_requests SET payload = $2, school_year = $3, requested_by = $4, "
          "requested_at = $5, origin = $6, file = $7, file_row = $8 WHERE id = $1",
          {id, x.payload, x.school_year, x.requested_by, x.requested_at, x.origin, x.file,
           x.file_row});
      db_.execute("DELETE FROM import_request_holders WHERE request_id = $1", {id});
      ++(same.value_or(0) ? counts.unchanged : counts.updated);
    } else {
      db_.query(
          "INSERT INTO import_requests (kind, massar, school_code, payee_cin, school_year, "
          "payload, requested_by, requested_at, origin, file, file_row) VALUES ($1, $2, $3, $4, "
          "$5, $6, $7, $8, $9, $10, $11) RETURNING id",
          {x.kind, x.massar, x.school_code, x.payee_cin, x.school_year, x.payload, x.requested_by,
           x.requested_at, x.origin, x.file, x.file_row},
          [&](const ResultRow& r) { id = r.i64(0); });
      if (!id) throw DbError("the import request was not filed");
      ++counts.inserted;
    }
    for (const auto& h : x.holders)
      db_.execute("INSERT INTO import_request_holders (request_id, school_code) VALUES ($1, $2)",
                  {id, h});
  }
  return counts;
}

void RequestStore::read_holders(std::vector<ImportRequestRow>& rows) {
  if (rows.empty()) return;
  std::map<int64_t, std::size_t> at;
  std::vector<int64_t> ids;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    at[rows[i].id] = i;
    ids.push_back(rows[i].id);
  }
  stage_ids(db_, "stage_request_ids", ids);
  db_.query(
      "SELECT h.request_id, h.school_code FROM import_request_holders h JOIN stage_request_ids s "
      "ON s.id = h.request_id ORDER BY h.request_id, h.school_code",
      {}, [&](const ResultRow& r) { rows[at.at(r.i64(0))].holders.push_back(r.text(1)); });
  db_.execute("DROP TABLE stage_request_ids");
}

std::optional<ImportRequestRow> RequestStore::get(int64_t id) {
  std::vector<ImportRequestRow> out;
  db_.query(fmt::format("SELECT {} FROM import_requests r WHERE r.id = $1", kColumns), {id},
            [&](const ResultRow& r) { out.push_back(read_row(r)); });
  if (out.empty()) return std::nullopt;
  db_.query("SELECT school_code FROM import_request_holders WHERE request_id = $1 ORDER BY 1", {id},
            [&](const ResultRow& r) { out[0].holders.push_back(r.text(0)); });
  return out[0];
}

std::vector<ImportRequestRow> RequestStore::list(const Scope& scope, bool incoming,
                                                 const std::string& state, int64_t limit) {
  auto [where, params] = scope_filter(scope);
  std::string cond = where;
  if (!state.empty()) {
    params.emplace_back(state);
    cond += fmt::format(" AND r.state = ${}", params.size());
  }
  params.emplace_back(limit);
  const std::string sql =
      incoming
          ? fmt::format(
                "SELECT {} FROM import_requests r WHERE EXISTS (SELECT 1 FROM "
                "import_request_holders h JOIN schools sc ON sc.code = h.school_code JOIN communes "
                "cm ON cm.code = sc.commune_code WHERE h.request_id = r.id AND {}) ORDER BY r.id "
                "DESC LIMIT ${}",
                kColumns, cond, params.size())
          : fmt::format(
                "SELECT {} FROM import_requests r JOIN schools sc ON sc.code = r.school_code JOIN "
                "communes cm ON cm.code = sc.commune_code WHERE {} ORDER BY r.id DESC LIMIT ${}",
                kColumns, cond, params.size());
  std::vector<ImportRequestRow> out;
  db_.query(sql, params, [&](const ResultRow& r) { out.push_back(read_row(r)); });
  read_holders(out);
  return out;
}

std::pair<int64_t, int64_t> RequestStore::pending_counts(const Scope& scope) {
  auto [where, params] = scope_filter(scope);
  auto in = db_.scalar_i64(
      "SELECT COUNT(*) FROM import_requests r WHERE r.state = 'pending' AND EXISTS (SELECT 1 "
      "FROM import_request_holders h JOIN schools sc ON sc.code = h.school_code JOIN communes cm "
      "ON cm.code = sc.commune_code WHERE h.request_id = r.id AND " +
          where + ")",
      params);
  auto out = db_.scalar_i64(
      "SELECT COUNT(*) FROM import_requests r JOIN schools sc ON sc.code = r.school_code JOIN "
      "communes cm ON cm.code = sc.commune_code WHERE r.state = 'pending' AND " +
          where,
      params);
  return {in.value_or(0), out.value_or(0)};
}

bool RequestStore::decide(int64_t id, const std::string& state, const std::string& by,
                          const std::string& at, const std::string& note) {
  return db_.execute(
             "UPDATE import_requests SET state = $2, decided_by = $3, decided_at = $4, note = $5 "
             "WHERE id = $1 AND state = 'pending'",
             {id, state, by, at, note}) == 1;
}

}  // namespace sanad::store
