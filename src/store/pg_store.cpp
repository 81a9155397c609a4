#include "store/pg_store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <thread>

#include "store/crypto.h"
#include "store/pg_conn.h"
#include "store/pg_migrations.h"
#include "store/rows.h"
#include "store/store_rules.h"

namespace isocourse::store {

using pg::Conn;
using pg::Param;
using pg::Rows;
using rows::ReadAudit;
using rows::ReadClinic;
using rows::ReadClinicSettings;
using rows::ReadEvent;
using rows::ReadPatient;
using rows::ReadSession;
using rows::ReadToken;
using rows::ReadUser;

namespace {

// Advisory lock keys (any bigint; they only need to differ from each other and from
// what else might share the database). The migration lock is held for the session
// while Open migrates; the audit lock for the transaction that extends the audit chain.
#define ISO_PG_MIGRATE_LOCK "7305880414917150001"
#define ISO_PG_AUDIT_LOCK "7305880414917150002"

// Audit entries read per round trip by Verify, so a long log is never held in memory.
constexpr int kVerifyAuditPage = 10000;

Status Discard(const Result<Rows>& r) {
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<int> CurrentSchemaVersion(Conn& c) {
  ISO_RETURN_IF_ERROR(
      c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
             "name TEXT NOT NULL, applied_at TEXT NOT NULL)"));
  ISO_ASSIGN_OR_RETURN(auto r, c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(r[0].Int(0));
}

Result<int> MigrateLocked(Conn& c, int target) {
  ISO_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(c));
  const int latest = pg::Migrations().back().version;
  if (current > latest) return std::unexpected(NewerSchema(current, latest));
  if (target <= 0 || target > latest) target = latest;
  for (const sql::Migration& m : pg::Migrations()) {
    if (m.version <= current || m.version > target) continue;
    ISO_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Status st = c.Exec(m.sql);
    if (st) {
      st =
          Discard(c.Query("INSERT INTO schema_migrations(version, name, applied_at) "
                          "VALUES ($1,$2,$3)",
                          m.version, m.name, SystemNow()));
    }
    if (st) st = c.Exec("COMMIT");
    if (!st) {
      (void)c.Exec("ROLLBACK");
      Error e = st.error();
      e.message =
          "migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + e.message;
      return std::unexpected(e);
    }
    current = m.version;
  }
  return current;
}

// Migrates under a session advisory lock, so two processes opening a new database at
// once apply each migration once.
Result<int> Migrate(Conn& c, int target) {
  ISO_RETURN_IF_ERROR(c.Exec("SELECT pg_advisory_lock(" ISO_PG_MIGRATE_LOCK ")"));
  auto version = MigrateLocked(c, target);
  Status unlocked = c.Exec("SELECT pg_advisory_unlock(" ISO_PG_MIGRATE_LOCK ")");
  if (version && !unlocked) return std::unexpected(unlocked.error());
  return version;
}

// An UPDATE or DELETE that must touch a row: kNotFound otherwise.
Status ExpectRow(const Result<Rows>& r, const char* what, const std::string& id) {
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return NotFound(what, std::string("no ") + what + " " + id);
  return {};
}

Result<bool> Exists(Conn& c, const char* sql, const std::string& id) {
  ISO_ASSIGN_OR_RETURN(auto r, c.Query(sql, id));
  return !r.empty();
}

// The audit chain's tail inside one transaction: read once, after taking the lock that
// keeps every other writer out until this transaction ends.
struct AuditTail {
  bool locked = false;
  int64_t seq = 0;
  std::string hash;
};

// Takes the audit chain's lock for this transaction and reads its last entry.
Status LockAuditTail(Conn& c, AuditTail& tail) {
  if (!tail.locked) {
    ISO_RETURN_IF_ERROR(c.Exec("SELECT pg_advisory_xact_lock(" ISO_PG_AUDIT_LOCK ")"));
    // READ COMMITTED: this statement's snapshot is taken after the lock was granted,
    // so it sees the entries of whoever held the lock before.
    ISO_ASSIGN_OR_RETURN(auto last,
                         c.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    tail.seq = last.empty() ? 0 : last[0].Int(0);
    tail.hash = last.empty() ? std::string(kGenesisHash) : last[0].Text(1);
    tail.locked = true;
  }
  return {};
}

Status AppendAuditLink(Conn& c, AuditTail& tail, AuditEntry& a, const Timestamp& now) {
  ISO_RETURN_IF_ERROR(LockAuditTail(c, tail));
  a.seq = tail.seq + 1;
  a.prev_hash = tail.hash;
  a.at = now;
  a.hash = AuditHash(a.prev_hash, a);
  const AuditDraft& d = a.what;
  ISO_RETURN_IF_ERROR(
      Discard(c.Query("INSERT INTO audit_log(" ISO_AUDIT_COLS
                      ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                      a.seq, a.at, d.actor, d.role, d.action, d.resource, OptId(d.patient),
                      OptId(d.clinic), d.remote, d.reason, d.outcome, a.hash, a.prev_hash)));
  tail.seq = a.seq;
  tail.hash = a.hash;
  return {};
}

Result<std::vector<Event>> EventsBetween(Conn& c, const PatientId& patient, int64_t first,
                                         int64_t last) {
  ISO_ASSIGN_OR_RETURN(auto r, c.Query("SELECT " ISO_EVENT_COLS
                                       " FROM events WHERE patient_id = $1 AND seq BETWEEN $2 "
                                       "AND $3 ORDER BY seq",
                                       patient.value(), first, last));
  std::vector<Event> out;
  out.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    ISO_ASSIGN_OR_RETURN(auto e, ReadEvent(r[i]));
    out.push_back(std::move(e));
  }
  return out;
}

// The latest settings, or version 0 ("{}") when the clinic exists but never set any.
Result<ClinicSettings> LatestSettings(Conn& c, const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(
      auto r, c.Query("SELECT " ISO_SETTINGS_COLS " FROM clinic_settings WHERE clinic_id = $1 "
                      "ORDER BY version DESC LIMIT 1",
                      clinic.value()));
  if (!r.empty()) return ReadClinicSettings(r[0]);
  ISO_ASSIGN_OR_RETURN(bool found,
                       Exists(c, "SELECT 1 FROM clinics WHERE id = $1", clinic.value()));
  if (!found) return NotFound("clinic_id", "no clinic " + clinic.value());
  ClinicSettings none;
  none.clinic = clinic;
  return none;
}

// Maps every row with `read` (which returns T or Result<T>).
template <class T, class F>
Result<std::vector<T>> All(const Rows& r, F read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    if constexpr (std::is_same_v<decltype(read(r[i])), T>) {
      out.push_back(read(r[i]));
    } else {
      ISO_ASSIGN_OR_RETURN(T v, read(r[i]));
      out.push_back(std::move(v));
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------

struct PgStore::Impl {
  PgOptions opt;
  std::unique_ptr<pg::Pool> pool;
  int schema_version = 0;
  std::atomic<uint64_t> commits{0}, writes{0}, events{0};

  // The async audit writer.
  struct Queued {
    AuditDraft draft;
    std::function<void(Status)> done;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Queued> queue;
  bool stopping = false;
  std::thread writer;

  Timestamp Now() const { return opt.clock ? opt.clock() : SystemNow(); }

  // Runs `fn` in one READ COMMITTED transaction and returns after its COMMIT (or the
  // rollback, when `fn` or the COMMIT failed). `jobs` counts the writes it carries.
  Status Write(const std::function<Status(Conn&)>& fn, uint64_t jobs = 1) {
    ISO_ASSIGN_OR_RETURN(auto c, pool->Acquire());
    ISO_RETURN_IF_ERROR(c->Exec("BEGIN"));
    Status st;
    try {
      st = fn(*c);
    } catch (const std::exception& ex) {
      st = std::unexpected(Internal(std::string("write failed: ") + ex.what()));
    }
    if (st) st = c->Exec("COMMIT");
    if (!st) {
      (void)c->Exec("ROLLBACK");  // after a failed COMMIT there is nothing left to roll back
      return st;
    }
    commits.fetch_add(1, std::memory_order_relaxed);
    writes.fetch_add(jobs, std::memory_order_relaxed);
    return {};
  }

  void WriterLoop() {
    std::vector<Queued> batch;
    std::vector<Status> each;
    for (;;) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        size_t n = std::min(queue.size(), static_cast<size_t>(std::max(1, opt.max_batch)));
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      // One transaction for the batch; each entry in a savepoint, so a bad entry fails
      // alone (a failed statement would abort the whole transaction). The chain's lock
      // is taken first, outside the savepoints, so no rollback can release it.
      each.assign(batch.size(), Status{});
      Status st;
      try {
        st = Write(
            [&](Conn& c) -> Status {
              AuditTail tail;
              ISO_RETURN_IF_ERROR(LockAuditTail(c, tail));
              const Timestamp now = Now();
              for (size_t i = 0; i < batch.size(); ++i) {
                AuditEntry a{0, "", batch[i].draft, "", ""};
                ISO_RETURN_IF_ERROR(c.Exec("SAVEPOINT entry"));
                each[i] = AppendAuditLink(c, tail, a, now);
                ISO_RETURN_IF_ERROR(
                    c.Exec(each[i] ? "RELEASE SAVEPOINT entry" : "ROLLBACK TO SAVEPOINT entry"));
              }
              return {};
            },
            batch.size());
      } catch (const std::exception& ex) {
        st = std::unexpected(Internal(std::string("audit write failed: ") + ex.what()));
      }
      for (size_t i = 0; i < batch.size(); ++i) {
        try {
          batch[i].done(st ? each[i] : st);
        } catch (...) {
          // `done` must not throw; the writer keeps serving the others regardless.
        }
      }
      batch.clear();
    }
  }
};

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PgStore::~PgStore() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
}

int PgStore::LatestSchemaVersion() { return pg::Migrations().back().version; }
int PgStore::SchemaVersion() const { return impl_->schema_version; }

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, PgOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->pool = std::make_unique<pg::Pool>(conninfo, impl->opt.max_connections,
                                          std::chrono::milliseconds(impl->opt.connection_wait_ms));
  {
    ISO_ASSIGN_OR_RETURN(auto c, impl->pool->Acquire());
    ISO_ASSIGN_OR_RETURN(impl->schema_version, Migrate(*c, impl->opt.migrate_to));
  }
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->WriterLoop(); });
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

Timestamp PgStore::Now() const { return impl_->Now(); }

StoreStats PgStore::Stats() const {
  return StoreStats{impl_->commits.load(), impl_->writes.load(), impl_->events.load()};
}

Status PgStore::Ping() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  return Discard(c->Query("SELECT 1"));
}

// --- clinics ---

Result<Clinic> PgStore::CreateClinic(Clinic clinic) {
  ISO_RETURN_IF_ERROR(PrepareClinic(clinic, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    auto r = c.Query("INSERT INTO clinics(" ISO_CLINIC_COLS ") VALUES ($1,$2,$3,$4)",
                     clinic.id.value(), clinic.name, clinic.jurisdiction, clinic.created_at);
    if (!r && r.error().code == ErrorCode::kAlreadyExists)
      return MakeError(ErrorCode::kAlreadyExists, "id",
                       "clinic " + clinic.id.value() + " already exists");
    return Discard(r);
  });
  if (!written) return std::unexpected(written.error());
  return clinic;
}

Result<Clinic> PgStore::GetClinic(const ClinicId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_CLINIC_COLS " FROM clinics WHERE id = $1", id.value()));
  if (r.empty()) return NotFound("clinic", "no clinic " + id.value());
  return ReadClinic(r[0]);
}

Result<std::vector<Clinic>> PgStore::ListClinics() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r,
                       c->Query("SELECT " ISO_CLINIC_COLS " FROM clinics ORDER BY name, id"));
  return All<Clinic>(r, ReadClinic<pg::Row>);
}

// --- clinic settings ---

Result<ClinicSettings> PgStore::GetClinicSettings(const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  return LatestSettings(*c, clinic);
}

Result<ClinicSettings> PgStore::SetClinicSettings(const ClinicId& clinic, int64_t expected_version,
                                                  const std::string& settings_json,
                                                  const UserId& by) {
  if (by.empty()) return InvalidArgument("changed_by", "the changing user is required");
  ClinicSettings out;
  Status written = impl_->Write([&](Conn& c) -> Status {
    // The clinic row's lock serializes writers of its settings, so two at the same
    // version cannot both insert the next one: the second sees the first's and conflicts.
    ISO_ASSIGN_OR_RETURN(
        bool found,
        Exists(c, "SELECT 1 FROM clinics WHERE id = $1 FOR NO KEY UPDATE", clinic.value()));
    if (!found) return NotFound("clinic_id", "no clinic " + clinic.value());
    ISO_ASSIGN_OR_RETURN(ClinicSettings current, LatestSettings(c, clinic));
    if (current.version != expected_version)
      return std::unexpected(SettingsConflict(current.version, expected_version));
    out = ClinicSettings{clinic, current.version + 1, settings_json, by, impl_->Now()};
    return Discard(c.Query("INSERT INTO clinic_settings(" ISO_SETTINGS_COLS
                           ") VALUES ($1,$2,$3,$4,$5)",
                           out.clinic.value(), out.version, out.settings_json,
                           out.changed_by.value(), out.changed_at));
  });
  if (!written) return std::unexpected(written.error());
  return out;
}

Result<std::vector<ClinicSettings>> PgStore::ClinicSettingsHistory(const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_RETURN_IF_ERROR(LatestSettings(*c, clinic));  // kNotFound for an unknown clinic
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_SETTINGS_COLS " FROM clinic_settings WHERE clinic_id = $1 "
                       "ORDER BY version",
                       clinic.value()));
  return All<ClinicSettings>(r, ReadClinicSettings<pg::Row>);
}

// --- patients ---

Result<Patient> PgStore::CreatePatient(const NewPatient& np) {
  ISO_ASSIGN_OR_RETURN(Patient p, NewPatientRecord(np, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(bool exists,
                         Exists(c, "SELECT 1 FROM clinics WHERE id = $1", p.clinic.value()));
    if (!exists) return NotFound("clinic", "no clinic " + p.clinic.value());
    return Discard(c.Query(
        "INSERT INTO patients(" ISO_PATIENT_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        p.id.value(), p.clinic.value(), p.given_name, p.family_name, p.birth_date.ToString(), p.sex,
        p.mrn, p.version, p.head_hash, p.created_at, p.created_by.value()));
  });
  if (!written) return std::unexpected(written.error());
  return p;
}

Result<Patient> PgStore::GetPatient(const PatientId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_PATIENT_COLS " FROM patients WHERE id = $1", id.value()));
  if (r.empty()) return NotFound("patient", "no patient " + id.value());
  return ReadPatient(r[0]);
}

Result<std::vector<Patient>> PgStore::ListPatients(const PatientQuery& q) {
  std::string sql = "SELECT " ISO_PATIENT_COLS " FROM patients WHERE true";
  std::vector<Param> params;
  auto next = [&params](Param p) {
    params.push_back(std::move(p));
    return "$" + std::to_string(params.size());
  };
  if (q.clinic) sql += " AND clinic_id = " + next(q.clinic->value());
  if (!q.name.empty()) {
    // ILIKE under the "C" collation folds ASCII case, like SQLite's LIKE; the pattern
    // is escaped so '%' and '_' in the search text match literally.
    std::string pat = next(LikeSubstring(q.name));
    sql += " AND (given_name ILIKE " + pat + " ESCAPE '\\' OR family_name ILIKE " + pat +
           " ESCAPE '\\' OR (given_name || ' ' || family_name) ILIKE " + pat + " ESCAPE '\\')";
  }
  if (q.birth_date) sql += " AND birth_date = " + next(q.birth_date->ToString());
  sql += " ORDER BY lower(family_name), lower(given_name), id";
  sql += " LIMIT " + next(std::to_string(std::clamp(q.limit, 1, 1000)));
  sql += " OFFSET " + next(std::to_string(std::max<int64_t>(0, q.offset)));
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r, c->QueryOnce(sql, params));
  return All<Patient>(r, ReadPatient<pg::Row>);
}

Result<int64_t> PgStore::CountPatients() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r, c->Query("SELECT COUNT(*) FROM patients"));
  return r[0].Int(0);
}

// --- timelines ---

Result<AppendResult> PgStore::Append(const AppendRequest& req) {
  ISO_RETURN_IF_ERROR(ValidateAppend(req));
  const std::string fingerprint = req.idempotency_key.empty() ? "" : Fingerprint(req);
  AppendResult result;
  Impl* impl = impl_.get();
  Status written = impl->Write([&](Conn& c) -> Status {
    result = AppendResult{};
    // The row lock serializes appends to this patient until COMMIT; other patients'
    // appends run in parallel.
    ISO_ASSIGN_OR_RETURN(auto pr, c.Query("SELECT version, head_hash FROM patients "
                                          "WHERE id = $1 FOR NO KEY UPDATE",
                                          req.patient.value()));
    if (pr.empty()) return NotFound("patient", "no patient " + req.patient.value());
    int64_t version = pr[0].Int(0);
    std::string head = pr[0].Text(1);
    AuditTail tail;

    if (!req.idempotency_key.empty()) {
      ISO_ASSIGN_OR_RETURN(auto ks, c.Query("SELECT patient_id, fingerprint, first_seq, last_seq "
                                            "FROM idempotency_keys WHERE key = $1",
                                            req.idempotency_key));
      if (!ks.empty()) {
        if (ks[0].Text(0) != req.patient.value() || ks[0].Text(1) != fingerprint)
          return std::unexpected(IdempotencyKeyReused());
        int64_t first = ks[0].Int(2), last = ks[0].Int(3);
        ISO_ASSIGN_OR_RETURN(result.events, EventsBetween(c, req.patient, first, last));
        result.version = last;
        result.replayed = true;
        if (req.audit) {
          AuditEntry a{0, "", *req.audit, "", ""};
          return AppendAuditLink(c, tail, a, impl->Now());
        }
        return {};
      }
    }

    if (version != req.expected_version)
      return std::unexpected(TimelineConflict(version, req.expected_version));

    for (size_t i = 0; i < req.events.size(); ++i) {
      const EventDraft& d = req.events[i];
      if (!d.corrects) continue;
      ISO_ASSIGN_OR_RETURN(auto cs,
                           c.Query("SELECT 1 FROM events WHERE id = $1 AND patient_id = $2",
                                   d.corrects->value(), req.patient.value()));
      if (cs.empty()) return std::unexpected(NoEventToCorrect(i, *d.corrects));
    }

    const Timestamp now = impl->Now();
    for (const EventDraft& d : req.events) {
      Event e = ChainedEvent(req, d, ++version, head, now);
      head = e.hash;
      ISO_RETURN_IF_ERROR(Discard(c.Query(
          "INSERT INTO events(" ISO_EVENT_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
          e.id.value(), e.patient.value(), e.seq, e.type, e.effective.ToString(),
          e.recorded_by.value(), e.recorded_at, OptId(e.corrects), e.payload_json, e.hash,
          e.prev_hash)));
      result.events.push_back(std::move(e));
    }
    ISO_RETURN_IF_ERROR(
        Discard(c.Query("UPDATE patients SET version = $1, head_hash = $2 "
                        "WHERE id = $3",
                        version, head, req.patient.value())));
    if (!req.idempotency_key.empty()) {
      auto ins = c.Query(
          "INSERT INTO idempotency_keys(key, patient_id, fingerprint, first_seq, "
          "last_seq, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
          req.idempotency_key, req.patient.value(), fingerprint, result.events.front().seq,
          result.events.back().seq, now);
      // Another patient's append took the same key at the same moment (a different
      // request, so not a replay).
      if (!ins && ins.error().code == ErrorCode::kAlreadyExists)
        return std::unexpected(IdempotencyKeyReused());
      ISO_RETURN_IF_ERROR(Discard(ins));
    }
    result.version = version;
    if (req.audit) {
      AuditEntry a{0, "", *req.audit, "", ""};
      ISO_RETURN_IF_ERROR(AppendAuditLink(c, tail, a, now));
    }
    return {};
  });
  if (!written) return std::unexpected(written.error());
  if (!result.replayed) impl->events.fetch_add(result.events.size(), std::memory_order_relaxed);
  return result;
}

Result<std::vector<Event>> PgStore::ReadEvents(const PatientId& patient, int64_t after_seq,
                                               int limit) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  int64_t last = limit > 0 ? after_seq + limit : std::numeric_limits<int64_t>::max();
  return EventsBetween(*c, patient, after_seq + 1, last);
}

Result<Event> PgStore::GetEvent(const PatientId& patient, const EventId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_EVENT_COLS " FROM events WHERE id = $1 AND patient_id = $2",
                       id.value(), patient.value()));
  if (r.empty()) return NotFound("event", "no event " + id.value() + " in this patient's timeline");
  return ReadEvent(r[0]);
}

// --- users ---

Result<User> PgStore::CreateUser(const NewUser& nu) {
  ISO_ASSIGN_OR_RETURN(User u, NewUserRecord(nu, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    if (u.clinic) {
      ISO_ASSIGN_OR_RETURN(bool exists,
                           Exists(c, "SELECT 1 FROM clinics WHERE id = $1", u.clinic->value()));
      if (!exists) return NotFound("clinic", "no clinic " + u.clinic->value());
    }
    if (u.patient) {
      ISO_ASSIGN_OR_RETURN(
          auto r, c.Query("SELECT clinic_id FROM patients WHERE id = $1", u.patient->value()));
      if (r.empty()) return NotFound("patient", "no patient " + u.patient->value());
      if (r[0].Text(0) != u.clinic->value())
        return InvalidArgument("patient", "the patient belongs to another clinic");
    }
    auto r =
        c.Query("INSERT INTO users(" ISO_USER_COLS ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                u.id.value(), u.username, u.display_name, RoleName(u.role), OptId(u.clinic),
                OptId(u.patient), u.password_hash, 0, 0, "", u.created_at);
    if (!r && r.error().code == ErrorCode::kAlreadyExists)
      return MakeError(ErrorCode::kAlreadyExists, "username",
                       "a user named '" + u.username + "' already exists");
    return Discard(r);
  });
  if (!written) return std::unexpected(written.error());
  return u;
}

Result<User> PgStore::GetUser(const UserId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r,
                       c->Query("SELECT " ISO_USER_COLS " FROM users WHERE id = $1", id.value()));
  if (r.empty()) return NotFound("user", "no user " + id.value());
  return ReadUser(r[0]);
}

Result<User> PgStore::FindUserByName(std::string_view username) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  // lower() under the "C" collation folds ASCII only: SQLite's NOCASE.
  ISO_ASSIGN_OR_RETURN(
      auto r,
      c->Query("SELECT " ISO_USER_COLS " FROM users WHERE lower(username) = lower($1)", username));
  if (r.empty()) return NotFound("username", "no user named '" + std::string(username) + "'");
  return ReadUser(r[0]);
}

Result<std::vector<User>> PgStore::ListUsers() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_USER_COLS " FROM users ORDER BY lower(username), username"));
  return All<User>(r, ReadUser<pg::Row>);
}

Result<int64_t> PgStore::CountUsers() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r, c->Query("SELECT COUNT(*) FROM users"));
  return r[0].Int(0);
}

Status PgStore::SetUserDisabled(const UserId& id, bool disabled) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_RETURN_IF_ERROR(ExpectRow(
        c.Query("UPDATE users SET disabled = $1 WHERE id = $2", disabled ? 1 : 0, id.value()),
        "user", id.value()));
    if (!disabled) return {};
    return Discard(c.Query("DELETE FROM sessions WHERE user_id = $1", id.value()));
  });
}

Status PgStore::SetPassword(const UserId& id, const std::string& password_hash) {
  return impl_->Write([&](Conn& c) -> Status {
    return ExpectRow(c.Query("UPDATE users SET password_hash = $1, failed_logins = 0, "
                             "locked_until = '' WHERE id = $2",
                             password_hash, id.value()),
                     "user", id.value());
  });
}

Status PgStore::SetLoginState(const UserId& id, int failed_logins, const Timestamp& locked_until) {
  return impl_->Write([&](Conn& c) -> Status {
    return ExpectRow(c.Query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
                             failed_logins, locked_until, id.value()),
                     "user", id.value());
  });
}

// --- sessions ---

Status PgStore::CreateSession(const Session& s) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_RETURN_IF_ERROR(
        Discard(c.Query("INSERT INTO sessions(" ISO_SESSION_COLS ") VALUES ($1,$2,$3,$4,$5)",
                        s.token_hash, s.user.value(), s.csrf_token, s.created_at, s.expires_at)));
    // Housekeeping rides along: expired sessions are removed when new ones start.
    return Discard(c.Query("DELETE FROM sessions WHERE expires_at < $1", s.created_at));
  });
}

Result<Session> PgStore::FindSession(const std::string& token_hash) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r,
      c->Query("SELECT " ISO_SESSION_COLS " FROM sessions WHERE token_hash = $1", token_hash));
  if (r.empty()) return NotFound("session", "no such session");
  return ReadSession(r[0]);
}

Status PgStore::DeleteSession(const std::string& token_hash) {
  return impl_->Write([&](Conn& c) -> Status {
    return Discard(c.Query("DELETE FROM sessions WHERE token_hash = $1", token_hash));
  });
}

Status PgStore::DeleteUserSessions(const UserId& user) {
  return impl_->Write([&](Conn& c) -> Status {
    return Discard(c.Query("DELETE FROM sessions WHERE user_id = $1", user.value()));
  });
}

// --- API tokens ---

Result<ApiToken> PgStore::CreateApiToken(ApiToken t) {
  ISO_RETURN_IF_ERROR(PrepareApiToken(t, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(bool exists,
                         Exists(c, "SELECT 1 FROM users WHERE id = $1", t.user.value()));
    if (!exists) return NotFound("user", "no user " + t.user.value());
    return Discard(c.Query("INSERT INTO api_tokens(" ISO_TOKEN_COLS ") VALUES ($1,$2,$3,$4,$5,$6)",
                           t.id, t.user.value(), t.name, t.token_hash, t.created_at, ""));
  });
  if (!written) return std::unexpected(written.error());
  return t;
}

Result<ApiToken> PgStore::FindApiToken(const std::string& token_hash) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r,
      c->Query("SELECT " ISO_TOKEN_COLS " FROM api_tokens WHERE token_hash = $1", token_hash));
  if (r.empty()) return NotFound("token", "no such API token");
  return ReadToken(r[0]);
}

Result<std::vector<ApiToken>> PgStore::ListApiTokens() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(
      auto r, c->Query("SELECT " ISO_TOKEN_COLS " FROM api_tokens ORDER BY created_at, id"));
  return All<ApiToken>(r, ReadToken<pg::Row>);
}

Status PgStore::RevokeApiToken(const std::string& id) {
  Timestamp now = impl_->Now();
  return impl_->Write([&](Conn& c) -> Status {
    return ExpectRow(c.Query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND "
                             "revoked_at = ''",
                             now, id),
                     "token", id + " (or it is already revoked)");
  });
}

// --- audit ---

Result<AuditEntry> PgStore::AppendAudit(const AuditDraft& d) {
  if (d.action.empty()) return InvalidArgument("action", "an audit entry needs an action");
  AuditEntry a;
  a.what = d;
  Impl* impl = impl_.get();
  Status written = impl->Write([&](Conn& c) -> Status {
    AuditTail tail;
    return AppendAuditLink(c, tail, a, impl->Now());
  });
  if (!written) return std::unexpected(written.error());
  return a;
}

void PgStore::AppendAuditAsync(const AuditDraft& d, std::function<void(Status)> done) {
  if (d.action.empty()) return done(InvalidArgument("action", "an audit entry needs an action"));
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->queue.push_back(Impl::Queued{d, std::move(done)});
      done = nullptr;
    }
  }
  if (done) return done(MakeError(ErrorCode::kUnavailable, "database", "the store is closing"));
  impl_->cv.notify_one();
}

Result<std::vector<AuditEntry>> PgStore::ListAudit(const AuditQuery& q) {
  std::vector<Param> params{std::to_string(q.after_seq)};
  std::string sql = "SELECT " ISO_AUDIT_COLS " FROM audit_log WHERE seq > $1";
  auto next = [&params](Param p) {
    params.push_back(std::move(p));
    return "$" + std::to_string(params.size());
  };
  if (q.patient) sql += " AND patient_id = " + next(q.patient->value());
  if (!q.actor.empty()) sql += " AND actor = " + next(q.actor);
  if (!q.from.empty()) sql += " AND at >= " + next(q.from);
  if (!q.to.empty()) sql += " AND at < " + next(q.to);
  sql += " ORDER BY seq LIMIT " + next(std::to_string(std::clamp(q.limit, 1, 100000)));
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  ISO_ASSIGN_OR_RETURN(auto r, c->QueryOnce(sql, params));
  return All<AuditEntry>(r, ReadAudit<pg::Row>);
}

// --- integrity ---

Result<VerifyReport> PgStore::Verify() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->pool->Acquire());
  // One snapshot for the whole walk, even while others keep writing.
  ISO_RETURN_IF_ERROR(c->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  struct EndTxn {
    Conn* c;
    ~EndTxn() { (void)c->Exec("COMMIT"); }
  } end{&*c};

  ChainChecker check;
  ISO_ASSIGN_OR_RETURN(auto patients,
                       c->Query("SELECT id, version, head_hash FROM patients ORDER BY id"));
  for (int i = 0; i < patients.size() && !check.broken(); ++i) {
    std::string pid = patients[i].Text(0);
    check.BeginPatient(pid);
    ISO_ASSIGN_OR_RETURN(
        auto es,
        c->Query("SELECT " ISO_EVENT_COLS " FROM events WHERE patient_id = $1 ORDER BY seq", pid));
    for (int j = 0; j < es.size() && !check.broken(); ++j) {
      auto ev = ReadEvent(es[j]);
      if (ev) {
        check.AddEvent(*ev);
      } else {
        check.AddUnreadableEvent(es[j].Int(2), es[j].Text(0), ev.error().message);
      }
    }
    check.EndPatient(patients[i].Int(1), patients[i].Text(2));
  }

  int64_t after = 0;
  while (!check.broken()) {
    ISO_ASSIGN_OR_RETURN(auto as, c->Query("SELECT " ISO_AUDIT_COLS " FROM audit_log WHERE seq > "
                                           "$1 ORDER BY seq LIMIT $2",
                                           after, kVerifyAuditPage));
    for (int j = 0; j < as.size() && !check.broken(); ++j) {
      AuditEntry a = ReadAudit(as[j]);
      after = a.seq;
      check.AddAudit(a);
    }
    if (as.size() < kVerifyAuditPage) break;
  }
  return check.report();
}

}  // namespace isocourse::store
