#include "store/pg_conn.h"

#include <poll.h>

#include <charconv>
#include <cstring>

namespace isocourse::store::pg {
namespace {

// SQLSTATE classes and codes that decide the error code.
ErrorCode CodeFor(std::string_view state, bool connection_ok) {
  if (!connection_ok) return ErrorCode::kUnavailable;
  if (state == "23505") return ErrorCode::kAlreadyExists;           // unique_violation
  if (state == "P0001") return ErrorCode::kFailedPrecondition;      // RAISE in our triggers
  if (state.starts_with("23")) return ErrorCode::kInvalidArgument;  // other constraints
  if (state.starts_with("22")) return ErrorCode::kInvalidArgument;  // data exception
  // connection exception, insufficient resources, operator intervention, serialization,
  // lock not available (lock_timeout)
  if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57") ||
      state.starts_with("40") || state == "55P03")
    return ErrorCode::kUnavailable;
  return ErrorCode::kInternal;
}

std::string FirstLine(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string Row::Text(int col) const {
  return std::string(PQgetvalue(r_, i_, col), static_cast<size_t>(PQgetlength(r_, i_, col)));
}

int64_t Row::Int(int col) const {
  const char* v = PQgetvalue(r_, i_, col);
  int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_, i_, col), out);
  return out;
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(r_.get());
  int64_t out = 0;
  std::from_chars(n, n + std::strlen(n), out);
  return out;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& conninfo) {
  // Defaults for a database host that goes silent: give up connecting after 10 s and
  // notice a dead TCP peer within about a minute instead of hours. Settings in the
  // connection string win (it is expanded after these; ignored on unix sockets).
  const char* keys[] = {"connect_timeout",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        "dbname",
                        nullptr};
  const char* values[] = {"10", "30", "10", "3", "60000", conninfo.c_str(), nullptr};
  PGconn* c = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    std::string msg = c ? FirstLine(PQerrorMessage(c)) : "out of memory";
    PQfinish(c);
    return MakeError(ErrorCode::kUnavailable, "database", "cannot connect to PostgreSQL: " + msg);
  }
  // Notices (e.g. "there is no transaction in progress" after a failed COMMIT) would
  // otherwise go to stderr; failures are reported as errors.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  std::unique_ptr<Conn> conn(new Conn(c));
  // The role or the database may default otherwise; the store's promises need these.
  // synchronous_commit on: a write returns only after its COMMIT is durable. READ
  // COMMITTED: a writer that waited for a row lock then reads what the other committed
  // (under REPEATABLE READ or SERIALIZABLE it would fail with a serialization error).
  // lock_timeout: a write that waits 30 s for a patient's row or the audit chain fails
  // (503, retry) instead of holding its thread and connection indefinitely.
  ISO_RETURN_IF_ERROR(
      conn->Exec("SET synchronous_commit = on; "
                 "SET default_transaction_isolation = 'read committed'; "
                 "SET lock_timeout = '30s'; SET standard_conforming_strings = on; "
                 "SET client_encoding = 'UTF8'; "
                 "SET TIME ZONE 'UTC'; SET client_min_messages = warning"));
  return conn;
}

Conn::~Conn() { PQfinish(c_); }

bool Conn::Alive() const {
  if (PQstatus(c_) != CONNECTION_OK) return false;
  // An idle connection has nothing to read (the store uses no LISTEN/NOTIFY), unless
  // the server closed it: then its final error and EOF are waiting on the socket. A
  // connection dropped here for some other message is merely reopened.
  pollfd p{PQsocket(c_), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

bool Conn::Reusable() const {
  return PQstatus(c_) == CONNECTION_OK && PQtransactionStatus(c_) == PQTRANS_IDLE;
}

Error Conn::Fail(PGresult* r) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  // The primary message only: DETAIL and CONTEXT lines can quote stored values
  // ("Failing row contains (...)"), which must not reach a client or a log.
  const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string msg = FirstLine(primary ? primary : PQerrorMessage(c_));
  if (msg.empty()) msg = FirstLine(PQerrorMessage(c_));
  if (msg.starts_with("ERROR:  ")) msg = msg.substr(8);
  bool connected = PQstatus(c_) == CONNECTION_OK;
  ErrorCode code = CodeFor(last_sqlstate_, connected);
  if (r) PQclear(r);
  std::string text = !connected ? "the connection to PostgreSQL was lost: " + msg
                     : code == ErrorCode::kInternal ? "database error: " + msg
                                                    : msg;
  return Error{code, std::move(text), "database", {}};
}

Status Conn::Exec(const char* sql) {
  PGresult* r = PQexec(c_, sql);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return std::unexpected(Fail(r));
  PQclear(r);
  last_sqlstate_.clear();
  return {};
}

Result<Rows> Conn::Run(const char* sql, bool prepare, const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) {
    // libpq sends text parameters up to their first NUL: the value would be stored cut
    // short (and a hash computed over the whole value would no longer match).
    if (p && p->find('\0') != std::string::npos)
      return MakeError(ErrorCode::kInvalidArgument, "text",
                       "a value contains a NUL character, which cannot be stored");
    values.push_back(p ? p->c_str() : nullptr);
  }
  const int n = static_cast<int>(params.size());
  PGresult* r = nullptr;
  if (prepare) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size());
      PGresult* pr = PQprepare(c_, name.c_str(), sql, n, nullptr);
      if (!pr || PQresultStatus(pr) != PGRES_COMMAND_OK) return std::unexpected(Fail(pr));
      PQclear(pr);
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    r = PQexecPrepared(c_, it->second.c_str(), n, values.data(), nullptr, nullptr, 0);
  } else {
    r = PQexecParams(c_, sql, n, nullptr, values.data(), nullptr, nullptr, 0);
  }
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return std::unexpected(Fail(r));
  last_sqlstate_.clear();
  return Rows(r);
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, wait_, [&] { return !idle_.empty() || open_ < max_; }))
    return MakeError(
        ErrorCode::kUnavailable, "database",
        "all " + std::to_string(max_) + " PostgreSQL connections stayed busy; try again");
  // An idle connection the server has closed meanwhile (a restart, an administrator's
  // pg_terminate_backend) is dropped here rather than failing the caller's request.
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (c->Alive()) return Lease(this, std::move(c));
    --open_;
  }
  ++open_;  // reserve the slot; connect without holding the lock
  lock.unlock();
  auto c = Conn::Open(conninfo_);
  if (!c) {
    Release(nullptr);
    return std::unexpected(c.error());
  }
  return Lease(this, std::move(*c));
}

void Pool::Release(std::unique_ptr<Conn> c) {
  {
    std::lock_guard lock(mu_);
    if (c && c->Reusable()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;  // dropped: closed below, outside the lock
    }
  }
  cv_.notify_one();
}

}  // namespace isocourse::store::pg
