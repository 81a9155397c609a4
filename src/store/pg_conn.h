// File: pg_conn.h (internal to the store)
//
// A thin RAII layer over libpq: a connection that runs SQL with text parameters
// (prepared once per connection for SQL given as string literals), results that read
// like sql::Stmt rows, and a bounded connection pool. Errors become isocourse Errors:
// a lost or refused connection is kUnavailable, a unique violation kAlreadyExists, a
// trigger's refusal kFailedPrecondition, anything else kInternal.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace isocourse::store::pg {

// One query parameter as text; nullopt is SQL NULL.
using Param = std::optional<std::string>;
inline Param ToParam(std::string_view v) { return std::string(v); }
inline Param ToParam(const std::string& v) { return v; }
inline Param ToParam(const char* v) { return std::string(v); }
inline Param ToParam(int64_t v) { return std::to_string(v); }
inline Param ToParam(int v) { return std::to_string(v); }
inline Param ToParam(const std::optional<std::string>& v) { return v; }

// One row of a Rows: the same accessors as sql::Stmt, for the shared row readers.
class Row {
 public:
  Row(const PGresult* r, int i) : r_(r), i_(i) {}
  std::string Text(int col) const;
  int64_t Int(int col) const;
  bool IsNull(int col) const { return PQgetisnull(r_, i_, col) != 0; }

 private:
  const PGresult* r_;
  int i_;
};

class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  Row operator[](int i) const { return Row(r_.get(), i); }
  // Rows touched by an INSERT, UPDATE or DELETE.
  int64_t affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Conn {
 public:
  // Connects with a libpq URL or key=value string and sets the session up whatever
  // the server's defaults: synchronous_commit on (a COMMIT returns only once it is
  // flushed to disk), READ COMMITTED transactions, UTC.
  static Result<std::unique_ptr<Conn>> Open(const std::string& conninfo);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs one or more statements without parameters or results.
  Status Exec(const char* sql);
  // Runs `sql` (a string literal: prepared once per connection, keyed on its
  // address) with the given parameters.
  template <class... Args>
  Result<Rows> Query(const char* sql, const Args&... args) {
    return Run(sql, true, {ToParam(args)...});
  }
  // Dynamic SQL, not prepared.
  Result<Rows> QueryOnce(const std::string& sql, const std::vector<Param>& params) {
    return Run(sql.c_str(), false, params);
  }

  // The SQLSTATE of the last failed statement ("" when it succeeded).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // Connected and not inside a transaction: fit to go back to the pool.
  bool Reusable() const;
  // Still connected, as far as can be told without a round trip.
  bool Alive() const;

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  Result<Rows> Run(const char* sql, bool prepare, const std::vector<Param>& params);
  Error Fail(PGresult* r);

  PGconn* c_;
  std::unordered_map<const char*, std::string> prepared_;
  std::string last_sqlstate_;
};

// Up to `max` open connections shared by every thread. Acquire waits for a free one
// (up to `wait`) when all are in use, so a burst of requests cannot exhaust the
// server's connection slots.
class Pool {
 public:
  Pool(std::string conninfo, int max, std::chrono::milliseconds wait)
      : conninfo_(std::move(conninfo)), max_(max < 1 ? 1 : max), wait_(wait) {}

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) { o.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_) pool_->Release(std::move(c_));
    }
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> c_;
  };

  Result<Lease> Acquire();
  const std::string& conninfo() const { return conninfo_; }

 private:
  void Release(std::unique_ptr<Conn> c);

  const std::string conninfo_;
  const int max_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;  // idle plus leased
};

}  // namespace isocourse::store::pg
