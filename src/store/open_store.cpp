#include "store/open_store.h"

#include <regex>

#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace isocourse::store {

bool IsPostgresSpec(std::string_view spec) {
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) return true;
  // A libpq key=value string ("user=iso host=/run/postgresql dbname=iso"): it starts
  // with a keyword and '='. Taking it for a file name would create an empty SQLite
  // database and start a server on it.
  static const std::regex kKeyValue(R"(^\s*[A-Za-z_]+\s*=)");
  return std::regex_search(spec.begin(), spec.end(), kKeyValue);
}

std::string DatabaseSpec(const std::string& flag) {
  return flag.empty() ? DefaultDatabasePath().string() : flag;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& flag) {
  const std::string spec = DatabaseSpec(flag);
  if (IsPostgresSpec(spec)) {
    auto pg = PgStore::Open(spec);
    if (!pg) return std::unexpected(pg.error());
    return std::unique_ptr<Store>(std::move(*pg));
  }
  auto lite = SqliteStore::Open(spec);
  if (!lite) return std::unexpected(lite.error());
  return std::unique_ptr<Store>(std::move(*lite));
}

std::string RedactSpec(const std::string& spec) {
  if (!IsPostgresSpec(spec)) return spec;
  // URL: scheme://user:PASSWORD@host... or ?password=...; key=value: password=VALUE or
  // password='VALUE'.
  static const std::regex url_password(R"(^(postgres(?:ql)?://[^:/@?]*:)[^@/?]*@)");
  static const std::regex kv_password(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
  static const std::regex query_password(R"(([?&]password=)[^&]*)");
  if (spec.find("://") == std::string::npos) return std::regex_replace(spec, kv_password, "$1***");
  return std::regex_replace(std::regex_replace(spec, url_password, "$1***@"), query_password,
                            "$1***");
}

}  // namespace isocourse::store
