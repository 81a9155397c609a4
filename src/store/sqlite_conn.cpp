#include "store/sqlite_conn.h"

#include <string>

namespace isocourse::store::sql {

Error SqlError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int primary = rc & 0xff;
  ErrorCode code = ErrorCode::kInternal;
  std::string text;
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      text = "the database is busy (another process holds a lock): " + msg;
      break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = ErrorCode::kUnavailable;
      text = "the database file cannot be read or written: " + msg;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = ErrorCode::kFailedPrecondition;
      text = "the file is not a valid isocourse database: " + msg;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kAlreadyExists;
      text = msg;
      break;
    default:
      text = "database error: " + msg;
  }
  Error e{code, text, "database", {}};
  (void)what;
  return e;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqlError(db, rc, "open");
    e.where = path.string();
    sqlite3_close(db);
    return std::unexpected(e);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<Conn> c(new Conn(db));
  // journal_mode=WAL reads the header, so this is where "not a database" shows up.
  // synchronous=FULL: in WAL mode, fsync the WAL at every commit, so a committed
  // transaction survives power loss, not only a process crash.
  ISO_RETURN_IF_ERROR(
      c->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return c;
}

Conn::~Conn() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<Stmt> Conn::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(db_, it->second, false);
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqlError(db_, rc, sql));
  cache_.emplace(sql, s);
  return Stmt(db_, s, false);
}

Result<Stmt> Conn::PrepareOnce(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqlError(db_, rc, sql));
  return Stmt(db_, s, true);
}

Status Conn::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return std::unexpected(SqlError(db_, rc, sql));
  return {};
}

}  // namespace isocourse::store::sql
