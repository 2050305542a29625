#include "core/store/db.hpp"

namespace sanad::store {

std::optional<int64_t> Db::scalar_i64(std::string_view sql, const std::vector<Value>& params) {
  std::optional<int64_t> r;
  query(sql, params, [&](const ResultRow& row) {
    if (!r && !row.is_null(0)) r = row.i64(0);
  });
  return r;
}

std::optional<std::string> Db::scalar_text(std::string_view sql, const std::vector<Value>& params) {
  std::optional<std::string> r;
  query(sql, params, [&](const ResultRow& row) {
    if (!r && !row.is_null(0)) r = row.text(0);
  });
  return r;
}

bool is_postgres_url(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Db> open_db(const std::string& url) {
  if (is_postgres_url(url)) return open_postgres(url);
  if (url.rfind("sqlite:", 0) == 0) return open_sqlite(url.substr(7));
  return open_sqlite(url);
}

}  // namespace sanad::store
