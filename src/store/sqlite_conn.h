// File: sqlite_conn.h (internal to the store)
//
// A thin RAII layer over the SQLite C API: a connection with a prepared-statement
// cache, and a statement handle that binds, steps and reads columns. Errors become
// isocourse Errors: a busy or unwritable database is kUnavailable, a file that is not
// a database is kFailedPrecondition, anything else kInternal.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace isocourse::store::sql {

Error SqlError(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s, bool owned) : db_(db), s_(s), owned_(owned) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_), owned_(o.owned_), bind_rc_(o.bind_rc_) {
    o.s_ = nullptr;
  }
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt() {
    if (!s_) return;
    if (owned_) {
      sqlite3_finalize(s_);
    } else {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }

  Stmt& Bind(int i, std::string_view v) {
    Check(sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string_view(v)); }
  Stmt& Bind(int i, int64_t v) {
    Check(sqlite3_bind_int64(s_, i, v));
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& BindNull(int i) {
    Check(sqlite3_bind_null(s_, i));
    return *this;
  }
  Stmt& BindOpt(int i, const std::optional<std::string>& v) {
    return v ? Bind(i, *v) : BindNull(i);
  }

  // Makes the statement ready to run again with new bindings.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    bind_rc_ = SQLITE_OK;
  }

  // true: a row is ready; false: done.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return std::unexpected(SqlError(db_, bind_rc_, "bind"));
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(SqlError(db_, rc, sqlite3_sql(s_)));
  }
  // Runs a statement that returns no rows.
  Status Run() {
    auto r = Step();
    if (!r) return std::unexpected(r.error());
    return {};
  }

  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(s_, col);
    if (!t) return {};
    return std::string(reinterpret_cast<const char*>(t),
                       static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3* db_;
  sqlite3_stmt* s_;
  bool owned_;
  int bind_rc_ = SQLITE_OK;
};

class Conn {
 public:
  // Opens read-write (creating the file), sets WAL, synchronous=FULL, foreign keys and
  // a busy timeout.
  static Result<std::unique_ptr<Conn>> Open(const std::filesystem::path& path);
  ~Conn();

  sqlite3* db() const { return db_; }
  // A cached prepared statement; `sql` must be a string literal (the cache keys on
  // its address).
  Result<Stmt> Prepare(const char* sql);
  // A one-off statement (dynamic SQL), finalized when the Stmt goes away.
  Result<Stmt> PrepareOnce(const std::string& sql);
  // Runs one or more statements without results.
  Status Exec(const char* sql);

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace isocourse::store::sql
