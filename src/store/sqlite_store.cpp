#include "store/sqlite_store.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "store/crypto.h"
#include "store/rows.h"
#include "store/sqlite_conn.h"
#include "store/sqlite_migrations.h"
#include "store/store_rules.h"

namespace isocourse::store {

using rows::ReadAudit;
using rows::ReadClinic;
using rows::ReadClinicSettings;
using rows::ReadEvent;
using rows::ReadPatient;
using rows::ReadSession;
using rows::ReadToken;
using rows::ReadUser;
using sql::Conn;
using sql::Stmt;

std::filesystem::path DefaultDatabasePath() {
  if (const char* env = std::getenv("ISOCOURSE_DB"); env && *env) return env;
  return std::filesystem::path("data") / "isocourse.db";
}

namespace {

Result<int> CurrentSchemaVersion(Conn& c) {
  ISO_RETURN_IF_ERROR(
      c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT "
             "NOT NULL, applied_at TEXT NOT NULL)"));
  ISO_ASSIGN_OR_RETURN(auto s,
                       c.PrepareOnce("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<int>(s.Int(0)) : 0;
}

Result<int> Migrate(Conn& c, int target) {
  ISO_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(c));
  int latest = sql::Migrations().back().version;
  if (current > latest) {
    return std::unexpected(NewerSchema(current, latest));
  }
  if (target <= 0 || target > latest) target = latest;
  for (const sql::Migration& m : sql::Migrations()) {
    if (m.version <= current || m.version > target) continue;
    ISO_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    Status st = c.Exec(m.sql);
    if (st) {
      auto ins =
          c.PrepareOnce("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?,?,?)");
      if (!ins) {
        st = std::unexpected(ins.error());
      } else {
        ins->Bind(1, m.version).Bind(2, m.name).Bind(3, SystemNow());
        st = ins->Run();
      }
    }
    if (!st) {
      (void)c.Exec("ROLLBACK");
      Error e = st.error();
      e.message =
          "migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + e.message;
      return std::unexpected(e);
    }
    ISO_RETURN_IF_ERROR(c.Exec("COMMIT"));
    current = m.version;
  }
  return current;
}

}  // namespace

// The last entry of the audit chain, as the writer last wrote or read it.
struct AuditHead {
  bool known = false;
  int64_t seq = 0;
  std::string hash;
};

// ---------------------------------------------------------------------------

struct SqliteStore::Impl {
  std::filesystem::path path;
  SqliteOptions opt;
  int schema_version = 0;

  std::unique_ptr<Conn> writer_conn;
  std::mutex mu;
  std::condition_variable cv;
  struct Pending {
    std::function<Status(Conn&)> fn;
    std::promise<Status>* waiter = nullptr;  // Write: the caller blocks on it
    std::function<void(Status)> then;        // WriteAsync: called by the writer thread
    bool one_statement = false;              // a single INSERT is atomic by itself: no savepoint
  };
  std::deque<Pending*> queue;
  // Only the writer thread touches these. The head of the audit chain after our last
  // write, so an audit entry does not read it back; `data_version` tells whether
  // another connection (another process) wrote since, which makes it unknown again.
  AuditHead audit_head;
  int64_t data_version = -1;
  bool stopping = false;
  std::thread writer;

  // Checkpoints (copying the WAL back into the database file, with its own fsync) run
  // on a separate thread and connection, so the writer never pays for them inside a
  // commit. The writer's WAL hook asks for one once the log passes kCheckpointPages.
  static constexpr int kCheckpointPages = 1000;
  std::mutex ckpt_mu;
  std::condition_variable ckpt_cv;
  bool ckpt_wanted = false;
  bool ckpt_stop = false;
  std::unique_ptr<Conn> ckpt_conn;
  std::thread checkpointer;

  static int OnWal(void* self, sqlite3*, const char*, int pages) {
    if (pages >= kCheckpointPages) {
      auto* impl = static_cast<Impl*>(self);
      {
        std::lock_guard lock(impl->ckpt_mu);
        impl->ckpt_wanted = true;
      }
      impl->ckpt_cv.notify_one();
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    for (;;) {
      {
        std::unique_lock lock(ckpt_mu);
        ckpt_cv.wait(lock, [&] { return ckpt_stop || ckpt_wanted; });
        if (ckpt_stop) return;
        ckpt_wanted = false;
      }
      // PASSIVE: copies what it can without waiting for readers or the writer.
      (void)ckpt_conn->Exec("PRAGMA wal_checkpoint(PASSIVE)");
    }
  }

  std::mutex pool_mu;
  std::vector<std::unique_ptr<Conn>> pool;

  std::atomic<uint64_t> commits{0}, writes{0}, events{0};

  Timestamp Now() const { return opt.clock ? opt.clock() : SystemNow(); }

  // Runs `fn` inside the writer's next transaction and returns once that transaction
  // has committed (or failed).
  Status Write(std::function<Status(Conn&)> fn) {
    std::promise<Status> done;
    auto fut = done.get_future();
    Pending p{std::move(fn), &done, {}, false};
    if (Status st = Enqueue(&p); !st) return st;
    return fut.get();
  }

  // Like Write, but returns at once; `then` runs on the writer thread after the commit
  // (or failure), so it must be quick. Not after the store has begun closing.
  void WriteAsync(std::function<Status(Conn&)> fn, std::function<void(Status)> then,
                  bool one_statement) {
    auto* p = new Pending{std::move(fn), nullptr, std::move(then), one_statement};
    if (Status st = Enqueue(p); !st) {
      p->then(st);
      delete p;
    }
  }

  Status Enqueue(Pending* p) {
    {
      std::lock_guard lock(mu);
      if (stopping) return MakeError(ErrorCode::kUnavailable, "database", "the store is closing");
      queue.push_back(p);
    }
    cv.notify_one();
    return {};
  }

  void WriterLoop() {
    std::vector<Pending*> batch;
    std::vector<Status> results;
    for (;;) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        size_t n = std::min(queue.size(), static_cast<size_t>(std::max(1, opt.max_batch)));
        batch.assign(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
      }
      RunBatch(batch, results);
      for (size_t i = 0; i < batch.size(); ++i) {
        Pending* p = batch[i];
        if (p->waiter) {
          p->waiter->set_value(std::move(results[i]));
        } else {
          try {
            p->then(std::move(results[i]));
          } catch (...) {
            // `then` must not throw; the writer keeps serving the others regardless.
          }
          delete p;
        }
      }
    }
  }

  // Runs a cached statement that returns no rows (BEGIN, SAVEPOINT...): these run
  // for every write, so they are prepared once.
  static Status Run(Conn& c, const char* sql) {
    auto s = c.Prepare(sql);
    if (!s) return std::unexpected(s.error());
    return s->Run();
  }

  void RunBatch(const std::vector<Pending*>& batch, std::vector<Status>& results) {
    results.assign(batch.size(), Status{});
    Conn& c = *writer_conn;
    if (Status st = Run(c, "BEGIN IMMEDIATE"); !st) {
      for (auto& r : results) r = st;
      return;
    }
    if (auto dv = c.Prepare("PRAGMA data_version"); dv && dv->Step().value_or(false)) {
      if (dv->Int(0) != data_version) audit_head.known = false;
      data_version = dv->Int(0);
    } else {
      audit_head.known = false;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      const bool savepoint = !batch[i]->one_statement;
      Status st = savepoint ? Run(c, "SAVEPOINT w") : Status{};
      if (st) {
        try {
          st = batch[i]->fn(c);
        } catch (const std::exception& ex) {
          st = std::unexpected(Internal(std::string("write failed: ") + ex.what()));
        }
        if (!st) {
          audit_head.known = false;  // its audit entry, if any, is rolled back
          // Some errors (disk full, I/O, out of memory) make SQLite roll back the whole
          // transaction. Then nothing of this batch is written, and what follows must
          // not run in autocommit mode, each statement committing on its own.
          if (sqlite3_get_autocommit(c.db())) {
            Status lost = std::unexpected(
                Error{ErrorCode::kUnavailable,
                      "the database rolled back the transaction: " + st.error().message,
                      "database",
                      {}});
            for (size_t j = 0; j < batch.size(); ++j) results[j] = j == i ? st : lost;
            return;
          }
          if (savepoint) (void)Run(c, "ROLLBACK TO w");
        }
        if (savepoint) (void)Run(c, "RELEASE w");
      }
      results[i] = st;
    }
    if (Status st = Run(c, "COMMIT"); !st) {
      (void)c.Exec("ROLLBACK");
      audit_head.known = false;
      for (auto& r : results) {
        if (r) r = st;
      }
      return;
    }
    commits.fetch_add(1, std::memory_order_relaxed);
    writes.fetch_add(batch.size(), std::memory_order_relaxed);
  }

  class Lease {
   public:
    Lease(Impl* impl, std::unique_ptr<Conn> c) : impl_(impl), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (!c_) return;
      std::lock_guard lock(impl_->pool_mu);
      if (static_cast<int>(impl_->pool.size()) < std::max(1, impl_->opt.read_connections))
        impl_->pool.push_back(std::move(c_));
    }
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }

   private:
    Impl* impl_;
    std::unique_ptr<Conn> c_;
  };

  Result<Lease> Reader() {
    {
      std::lock_guard lock(pool_mu);
      if (!pool.empty()) {
        auto c = std::move(pool.back());
        pool.pop_back();
        return Lease(this, std::move(c));
      }
    }
    ISO_ASSIGN_OR_RETURN(auto c, Conn::Open(path));
    return Lease(this, std::move(c));
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  {
    std::lock_guard lock(impl_->ckpt_mu);
    impl_->ckpt_stop = true;
  }
  impl_->ckpt_cv.notify_all();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
}

int SqliteStore::LatestSchemaVersion() { return sql::Migrations().back().version; }
int SqliteStore::SchemaVersion() const { return impl_->schema_version; }
const std::filesystem::path& SqliteStore::path() const { return impl_->path; }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::filesystem::path& path,
                                                       SqliteOptions options) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      return MakeError(ErrorCode::kUnavailable, path.parent_path().string(),
                       "cannot create the database directory: " + ec.message());
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->opt = std::move(options);
  auto conn = Conn::Open(path);
  if (!conn) {
    Error e = conn.error();
    e.where = path.string();
    return std::unexpected(e);
  }
  impl->writer_conn = std::move(*conn);
  auto version = Migrate(*impl->writer_conn, impl->opt.migrate_to);
  if (!version) {
    Error e = version.error();
    e.where = path.string();
    return std::unexpected(e);
  }
  impl->schema_version = *version;
  Impl* raw = impl.get();
  if (auto ck = Conn::Open(path)) {
    impl->ckpt_conn = std::move(*ck);
    // Replaces SQLite's automatic checkpoint on the writer's connection.
    sqlite3_wal_hook(impl->writer_conn->db(), &Impl::OnWal, raw);
    impl->checkpointer = std::thread([raw] { raw->CheckpointLoop(); });
  }
  impl->writer = std::thread([raw] { raw->WriterLoop(); });
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

Timestamp SqliteStore::Now() const { return impl_->Now(); }

StoreStats SqliteStore::Stats() const {
  return StoreStats{impl_->commits.load(), impl_->writes.load(), impl_->events.load()};
}

Status SqliteStore::Ping() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT 1"));
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::unexpected(Internal("SELECT 1 returned nothing"));
  return {};
}

// --- clinics ---

Result<Clinic> SqliteStore::CreateClinic(Clinic clinic) {
  ISO_RETURN_IF_ERROR(PrepareClinic(clinic, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s,
                         c.Prepare("INSERT INTO clinics(" ISO_CLINIC_COLS ") VALUES (?,?,?,?)"));
    s.Bind(1, clinic.id.value())
        .Bind(2, clinic.name)
        .Bind(3, clinic.jurisdiction)
        .Bind(4, clinic.created_at);
    auto r = s.Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists)
      return MakeError(ErrorCode::kAlreadyExists, "id",
                       "clinic " + clinic.id.value() + " already exists");
    return r;
  });
  if (!written) return std::unexpected(written.error());
  return clinic;
}

Result<Clinic> SqliteStore::GetClinic(const ClinicId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT " ISO_CLINIC_COLS " FROM clinics WHERE id = ?"));
  s.Bind(1, id.value());
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("clinic", "no clinic " + id.value());
  return ReadClinic(s);
}

Result<std::vector<Clinic>> SqliteStore::ListClinics() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s,
                       c->Prepare("SELECT " ISO_CLINIC_COLS " FROM clinics ORDER BY name, id"));
  std::vector<Clinic> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadClinic(s));
  }
  return out;
}

// --- clinic settings ---

namespace {
// The latest version, or version 0 ("{}") when the clinic exists but never set any.
Result<ClinicSettings> LatestSettings(Conn& c, const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(
      auto s, c.Prepare("SELECT " ISO_SETTINGS_COLS " FROM clinic_settings WHERE clinic_id = ? "
                        "ORDER BY version DESC LIMIT 1"));
  s.Bind(1, clinic.value());
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) return ReadClinicSettings(s);
  ISO_ASSIGN_OR_RETURN(auto exists, c.Prepare("SELECT 1 FROM clinics WHERE id = ?"));
  exists.Bind(1, clinic.value());
  ISO_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) return NotFound("clinic_id", "no clinic " + clinic.value());
  ClinicSettings none;
  none.clinic = clinic;
  return none;
}
}  // namespace

Result<ClinicSettings> SqliteStore::GetClinicSettings(const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  return LatestSettings(*c, clinic);
}

Result<ClinicSettings> SqliteStore::SetClinicSettings(const ClinicId& clinic,
                                                      int64_t expected_version,
                                                      const std::string& settings_json,
                                                      const UserId& by) {
  if (by.empty()) return InvalidArgument("changed_by", "the changing user is required");
  ClinicSettings out;
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(ClinicSettings current, LatestSettings(c, clinic));
    if (current.version != expected_version)
      return std::unexpected(SettingsConflict(current.version, expected_version));
    out = ClinicSettings{clinic, current.version + 1, settings_json, by, impl_->Now()};
    ISO_ASSIGN_OR_RETURN(
        auto s, c.Prepare("INSERT INTO clinic_settings(" ISO_SETTINGS_COLS ") VALUES (?,?,?,?,?)"));
    s.Bind(1, out.clinic.value())
        .Bind(2, out.version)
        .Bind(3, out.settings_json)
        .Bind(4, out.changed_by.value())
        .Bind(5, out.changed_at);
    return s.Run();
  });
  if (!written) return std::unexpected(written.error());
  return out;
}

Result<std::vector<ClinicSettings>> SqliteStore::ClinicSettingsHistory(const ClinicId& clinic) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(ClinicSettings latest, LatestSettings(*c, clinic));  // kNotFound
  (void)latest;
  ISO_ASSIGN_OR_RETURN(
      auto s, c->Prepare("SELECT " ISO_SETTINGS_COLS " FROM clinic_settings WHERE clinic_id = ? "
                         "ORDER BY version"));
  s.Bind(1, clinic.value());
  std::vector<ClinicSettings> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadClinicSettings(s));
  }
  return out;
}

// --- patients ---

Result<Patient> SqliteStore::CreatePatient(const NewPatient& np) {
  ISO_ASSIGN_OR_RETURN(Patient p, NewPatientRecord(np, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto chk, c.Prepare("SELECT 1 FROM clinics WHERE id = ?"));
    chk.Bind(1, p.clinic.value());
    ISO_ASSIGN_OR_RETURN(bool exists, chk.Step());
    if (!exists) return NotFound("clinic", "no clinic " + p.clinic.value());
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO patients(" ISO_PATIENT_COLS
                                           ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, p.id.value())
        .Bind(2, p.clinic.value())
        .Bind(3, p.given_name)
        .Bind(4, p.family_name)
        .Bind(5, p.birth_date.ToString())
        .Bind(6, p.sex)
        .Bind(7, p.mrn)
        .Bind(8, p.version)
        .Bind(9, p.head_hash)
        .Bind(10, p.created_at)
        .Bind(11, p.created_by.value());
    return s.Run();
  });
  if (!written) return std::unexpected(written.error());
  return p;
}

Result<Patient> SqliteStore::GetPatient(const PatientId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s,
                       c->Prepare("SELECT " ISO_PATIENT_COLS " FROM patients WHERE id = ?"));
  s.Bind(1, id.value());
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("patient", "no patient " + id.value());
  return ReadPatient(s);
}

Result<std::vector<Patient>> SqliteStore::ListPatients(const PatientQuery& q) {
  std::string sql = "SELECT " ISO_PATIENT_COLS " FROM patients WHERE 1=1";
  std::vector<std::string> binds;
  if (q.clinic) {
    sql += " AND clinic_id = ?";
    binds.push_back(q.clinic->value());
  }
  if (!q.name.empty()) {
    // LIKE is case-insensitive for ASCII; the pattern is escaped so '%' and '_' in
    // the search text match literally.
    sql +=
        " AND (given_name LIKE ? ESCAPE '\\' OR family_name LIKE ? ESCAPE '\\' OR "
        "(given_name || ' ' || family_name) LIKE ? ESCAPE '\\')";
    std::string pat = LikeSubstring(q.name);
    binds.insert(binds.end(), {pat, pat, pat});
  }
  if (q.birth_date) {
    sql += " AND birth_date = ?";
    binds.push_back(q.birth_date->ToString());
  }
  sql += " ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id LIMIT ? OFFSET ?";
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->PrepareOnce(sql));
  int i = 1;
  for (const auto& b : binds) s.Bind(i++, b);
  s.Bind(i++, static_cast<int64_t>(std::clamp(q.limit, 1, 1000)));
  s.Bind(i++, std::max<int64_t>(0, q.offset));
  std::vector<Patient> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ISO_ASSIGN_OR_RETURN(auto p, ReadPatient(s));
    out.push_back(std::move(p));
  }
  return out;
}

Result<int64_t> SqliteStore::CountPatients() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT COUNT(*) FROM patients"));
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

// --- timelines ---

namespace {
Status InsertAudit(Conn& c, AuditHead& head, AuditEntry& a, const Timestamp& now);
}  // namespace

namespace {

Result<std::vector<Event>> EventsBetween(Conn& c, const PatientId& patient, int64_t first,
                                         int64_t last) {
  ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT " ISO_EVENT_COLS
                                         " FROM events WHERE patient_id = ? AND seq BETWEEN ? AND "
                                         "? ORDER BY seq"));
  s.Bind(1, patient.value()).Bind(2, first).Bind(3, last);
  std::vector<Event> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ISO_ASSIGN_OR_RETURN(auto e, ReadEvent(s));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<AppendResult> SqliteStore::Append(const AppendRequest& req) {
  ISO_RETURN_IF_ERROR(ValidateAppend(req));
  const std::string fingerprint = req.idempotency_key.empty() ? "" : Fingerprint(req);
  AppendResult result;
  Impl* impl = impl_.get();
  Status written = impl->Write([&](Conn& c) -> Status {
    result = AppendResult{};
    ISO_ASSIGN_OR_RETURN(auto ps,
                         c.Prepare("SELECT version, head_hash FROM patients WHERE id = ?"));
    ps.Bind(1, req.patient.value());
    ISO_ASSIGN_OR_RETURN(bool found, ps.Step());
    if (!found) return NotFound("patient", "no patient " + req.patient.value());
    int64_t version = ps.Int(0);
    std::string head = ps.Text(1);

    if (!req.idempotency_key.empty()) {
      ISO_ASSIGN_OR_RETURN(auto ks, c.Prepare("SELECT patient_id, fingerprint, first_seq, last_seq "
                                              "FROM idempotency_keys WHERE key = ?"));
      ks.Bind(1, req.idempotency_key);
      ISO_ASSIGN_OR_RETURN(bool seen, ks.Step());
      if (seen) {
        if (ks.Text(0) != req.patient.value() || ks.Text(1) != fingerprint)
          return std::unexpected(IdempotencyKeyReused());
        int64_t first = ks.Int(2), last = ks.Int(3);
        ISO_ASSIGN_OR_RETURN(result.events, EventsBetween(c, req.patient, first, last));
        result.version = last;
        result.replayed = true;
        if (req.audit) {
          AuditEntry a{0, "", *req.audit, "", ""};
          return InsertAudit(c, impl->audit_head, a, impl->Now());
        }
        return {};
      }
    }

    if (version != req.expected_version)
      return std::unexpected(TimelineConflict(version, req.expected_version));

    for (size_t i = 0; i < req.events.size(); ++i) {
      const EventDraft& d = req.events[i];
      if (d.corrects) {
        ISO_ASSIGN_OR_RETURN(auto cs,
                             c.Prepare("SELECT 1 FROM events WHERE id = ? AND patient_id = ?"));
        cs.Bind(1, d.corrects->value()).Bind(2, req.patient.value());
        ISO_ASSIGN_OR_RETURN(bool exists, cs.Step());
        if (!exists) return std::unexpected(NoEventToCorrect(i, *d.corrects));
      }
    }

    const Timestamp now = impl->Now();
    ISO_ASSIGN_OR_RETURN(auto ins, c.Prepare("INSERT INTO events(" ISO_EVENT_COLS
                                             ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    for (const EventDraft& d : req.events) {
      Event e = ChainedEvent(req, d, ++version, head, now);
      head = e.hash;
      ins.Bind(1, e.id.value())
          .Bind(2, e.patient.value())
          .Bind(3, e.seq)
          .Bind(4, e.type)
          .Bind(5, e.effective.ToString())
          .Bind(6, e.recorded_by.value())
          .Bind(7, e.recorded_at)
          .BindOpt(8, OptId(e.corrects))
          .Bind(9, e.payload_json)
          .Bind(10, e.hash)
          .Bind(11, e.prev_hash);
      ISO_RETURN_IF_ERROR(ins.Run());
      ins.Reset();
      result.events.push_back(std::move(e));
    }
    ISO_ASSIGN_OR_RETURN(auto up,
                         c.Prepare("UPDATE patients SET version = ?, head_hash = ? WHERE id = ?"));
    up.Bind(1, version).Bind(2, head).Bind(3, req.patient.value());
    ISO_RETURN_IF_ERROR(up.Run());
    if (!req.idempotency_key.empty()) {
      ISO_ASSIGN_OR_RETURN(auto ks, c.Prepare("INSERT INTO idempotency_keys(key, patient_id, "
                                              "fingerprint, first_seq, last_seq, created_at) "
                                              "VALUES (?,?,?,?,?,?)"));
      ks.Bind(1, req.idempotency_key)
          .Bind(2, req.patient.value())
          .Bind(3, fingerprint)
          .Bind(4, result.events.front().seq)
          .Bind(5, result.events.back().seq)
          .Bind(6, now);
      ISO_RETURN_IF_ERROR(ks.Run());
    }
    result.version = version;
    if (req.audit) {
      AuditEntry a{0, "", *req.audit, "", ""};
      ISO_RETURN_IF_ERROR(InsertAudit(c, impl->audit_head, a, now));
    }
    return {};
  });
  if (!written) return std::unexpected(written.error());
  if (!result.replayed) impl->events.fetch_add(result.events.size(), std::memory_order_relaxed);
  return result;
}

Result<std::vector<Event>> SqliteStore::ReadEvents(const PatientId& patient, int64_t after_seq,
                                                   int limit) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  int64_t last = limit > 0 ? after_seq + limit : std::numeric_limits<int64_t>::max();
  return EventsBetween(*c, patient, after_seq + 1, last);
}

Result<Event> SqliteStore::GetEvent(const PatientId& patient, const EventId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(
      auto s, c->Prepare("SELECT " ISO_EVENT_COLS " FROM events WHERE id = ? AND patient_id = ?"));
  s.Bind(1, id.value()).Bind(2, patient.value());
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("event", "no event " + id.value() + " in this patient's timeline");
  return ReadEvent(s);
}

// --- users ---

Result<User> SqliteStore::CreateUser(const NewUser& nu) {
  ISO_ASSIGN_OR_RETURN(User u, NewUserRecord(nu, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    if (u.clinic) {
      ISO_ASSIGN_OR_RETURN(auto chk, c.Prepare("SELECT 1 FROM clinics WHERE id = ?"));
      chk.Bind(1, u.clinic->value());
      ISO_ASSIGN_OR_RETURN(bool exists, chk.Step());
      if (!exists) return NotFound("clinic", "no clinic " + u.clinic->value());
    }
    if (u.patient) {
      ISO_ASSIGN_OR_RETURN(auto chk, c.Prepare("SELECT clinic_id FROM patients WHERE id = ?"));
      chk.Bind(1, u.patient->value());
      ISO_ASSIGN_OR_RETURN(bool exists, chk.Step());
      if (!exists) return NotFound("patient", "no patient " + u.patient->value());
      if (chk.Text(0) != u.clinic->value())
        return InvalidArgument("patient", "the patient belongs to another clinic");
    }
    ISO_ASSIGN_OR_RETURN(
        auto s, c.Prepare("INSERT INTO users(" ISO_USER_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    s.Bind(1, u.id.value())
        .Bind(2, u.username)
        .Bind(3, u.display_name)
        .Bind(4, RoleName(u.role))
        .BindOpt(5, OptId(u.clinic))
        .BindOpt(6, OptId(u.patient))
        .Bind(7, u.password_hash)
        .Bind(8, 0)
        .Bind(9, 0)
        .Bind(10, "")
        .Bind(11, u.created_at);
    auto r = s.Run();
    if (!r && r.error().code == ErrorCode::kAlreadyExists)
      return MakeError(ErrorCode::kAlreadyExists, "username",
                       "a user named '" + u.username + "' already exists");
    return r;
  });
  if (!written) return std::unexpected(written.error());
  return u;
}

Result<User> SqliteStore::GetUser(const UserId& id) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT " ISO_USER_COLS " FROM users WHERE id = ?"));
  s.Bind(1, id.value());
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("user", "no user " + id.value());
  return ReadUser(s);
}

Result<User> SqliteStore::FindUserByName(std::string_view username) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s,
                       c->Prepare("SELECT " ISO_USER_COLS " FROM users WHERE username = ?"));
  s.Bind(1, username);
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("username", "no user named '" + std::string(username) + "'");
  return ReadUser(s);
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT " ISO_USER_COLS " FROM users ORDER BY username"));
  std::vector<User> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ISO_ASSIGN_OR_RETURN(auto u, ReadUser(s));
    out.push_back(std::move(u));
  }
  return out;
}

Result<int64_t> SqliteStore::CountUsers() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->Prepare("SELECT COUNT(*) FROM users"));
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : 0;
}

namespace {
// Runs an UPDATE/DELETE and fails with kNotFound when it touched no row.
Status RunExpectingRow(Conn& c, Stmt& s, const char* what, const std::string& id) {
  ISO_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(c.db()) == 0) return NotFound(what, std::string("no ") + what + " " + id);
  return {};
}
}  // namespace

Status SqliteStore::SetUserDisabled(const UserId& id, bool disabled) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE users SET disabled = ? WHERE id = ?"));
    s.Bind(1, disabled ? 1 : 0).Bind(2, id.value());
    ISO_RETURN_IF_ERROR(RunExpectingRow(c, s, "user", id.value()));
    if (disabled) {
      ISO_ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM sessions WHERE user_id = ?"));
      d.Bind(1, id.value());
      ISO_RETURN_IF_ERROR(d.Run());
    }
    return {};
  });
}

Status SqliteStore::SetPassword(const UserId& id, const std::string& password_hash) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE users SET password_hash = ?, failed_logins = 0, "
                                           "locked_until = '' WHERE id = ?"));
    s.Bind(1, password_hash).Bind(2, id.value());
    return RunExpectingRow(c, s, "user", id.value());
  });
}

Status SqliteStore::SetLoginState(const UserId& id, int failed_logins,
                                  const Timestamp& locked_until) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(
        auto s, c.Prepare("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?"));
    s.Bind(1, failed_logins).Bind(2, locked_until).Bind(3, id.value());
    return RunExpectingRow(c, s, "user", id.value());
  });
}

// --- sessions ---

Status SqliteStore::CreateSession(const Session& ses) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO sessions(token_hash, user_id, csrf_token, "
                                           "created_at, expires_at) VALUES (?,?,?,?,?)"));
    s.Bind(1, ses.token_hash)
        .Bind(2, ses.user.value())
        .Bind(3, ses.csrf_token)
        .Bind(4, ses.created_at)
        .Bind(5, ses.expires_at);
    ISO_RETURN_IF_ERROR(s.Run());
    // Housekeeping rides along: expired sessions are removed when new ones start.
    ISO_ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM sessions WHERE expires_at < ?"));
    d.Bind(1, ses.created_at);
    return d.Run();
  });
}

Result<Session> SqliteStore::FindSession(const std::string& token_hash) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(
      auto s, c->Prepare("SELECT " ISO_SESSION_COLS " FROM sessions WHERE token_hash = ?"));
  s.Bind(1, token_hash);
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("session", "no such session");
  return ReadSession(s);
}

Status SqliteStore::DeleteSession(const std::string& token_hash) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
    s.Bind(1, token_hash);
    return s.Run();
  });
}

Status SqliteStore::DeleteUserSessions(const UserId& user) {
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM sessions WHERE user_id = ?"));
    s.Bind(1, user.value());
    return s.Run();
  });
}

// --- API tokens ---

Result<ApiToken> SqliteStore::CreateApiToken(ApiToken t) {
  ISO_RETURN_IF_ERROR(PrepareApiToken(t, impl_->Now()));
  Status written = impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(auto chk, c.Prepare("SELECT 1 FROM users WHERE id = ?"));
    chk.Bind(1, t.user.value());
    ISO_ASSIGN_OR_RETURN(bool exists, chk.Step());
    if (!exists) return NotFound("user", "no user " + t.user.value());
    ISO_ASSIGN_OR_RETURN(
        auto s, c.Prepare("INSERT INTO api_tokens(" ISO_TOKEN_COLS ") VALUES (?,?,?,?,?,?)"));
    s.Bind(1, t.id)
        .Bind(2, t.user.value())
        .Bind(3, t.name)
        .Bind(4, t.token_hash)
        .Bind(5, t.created_at)
        .Bind(6, "");
    return s.Run();
  });
  if (!written) return std::unexpected(written.error());
  return t;
}

Result<ApiToken> SqliteStore::FindApiToken(const std::string& token_hash) {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(
      auto s, c->Prepare("SELECT " ISO_TOKEN_COLS " FROM api_tokens WHERE token_hash = ?"));
  s.Bind(1, token_hash);
  ISO_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("token", "no such API token");
  return ReadToken(s);
}

Result<std::vector<ApiToken>> SqliteStore::ListApiTokens() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(
      auto s, c->Prepare("SELECT " ISO_TOKEN_COLS " FROM api_tokens ORDER BY created_at, id"));
  std::vector<ApiToken> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadToken(s));
  }
  return out;
}

Status SqliteStore::RevokeApiToken(const std::string& id) {
  Timestamp now = impl_->Now();
  return impl_->Write([&](Conn& c) -> Status {
    ISO_ASSIGN_OR_RETURN(
        auto s, c.Prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''"));
    s.Bind(1, now).Bind(2, id);
    return RunExpectingRow(c, s, "token", id + " (or it is already revoked)");
  });
}

// --- audit ---

namespace {
// Appends one link to the audit chain inside the caller's transaction.
Status InsertAudit(Conn& c, AuditHead& head, AuditEntry& a, const Timestamp& now) {
  if (!head.known) {
    ISO_ASSIGN_OR_RETURN(auto last,
                         c.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    ISO_ASSIGN_OR_RETURN(bool any, last.Step());
    head.seq = any ? last.Int(0) : 0;
    head.hash = any ? last.Text(1) : std::string(kGenesisHash);
    head.known = true;
  }
  a.seq = head.seq + 1;
  a.prev_hash = head.hash;
  a.at = now;
  a.hash = AuditHash(a.prev_hash, a);
  const AuditDraft& d = a.what;
  ISO_ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO audit_log(" ISO_AUDIT_COLS
                                         ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  s.Bind(1, a.seq)
      .Bind(2, a.at)
      .Bind(3, d.actor)
      .Bind(4, d.role)
      .Bind(5, d.action)
      .Bind(6, d.resource)
      .BindOpt(7, OptId(d.patient))
      .BindOpt(8, OptId(d.clinic))
      .Bind(9, d.remote)
      .Bind(10, d.reason)
      .Bind(11, d.outcome)
      .Bind(12, a.hash)
      .Bind(13, a.prev_hash);
  if (Status st = s.Run(); !st) {
    head.known = false;
    return st;
  }
  head.seq = a.seq;
  head.hash = a.hash;
  return {};
}
}  // namespace

Result<AuditEntry> SqliteStore::AppendAudit(const AuditDraft& d) {
  if (d.action.empty()) return InvalidArgument("action", "an audit entry needs an action");
  AuditEntry a;
  a.what = d;
  Impl* impl = impl_.get();
  Status written = impl->Write(
      [&](Conn& c) -> Status { return InsertAudit(c, impl->audit_head, a, impl->Now()); });
  if (!written) return std::unexpected(written.error());
  return a;
}

void SqliteStore::AppendAuditAsync(const AuditDraft& d, std::function<void(Status)> done) {
  if (d.action.empty()) return done(InvalidArgument("action", "an audit entry needs an action"));
  Impl* impl = impl_.get();
  auto write = [impl, a = AuditEntry{0, "", d, "", ""}](Conn& c) mutable -> Status {
    return InsertAudit(c, impl->audit_head, a, impl->Now());
  };
  impl->WriteAsync(std::move(write), std::move(done), /*one_statement=*/true);
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(const AuditQuery& q) {
  std::string sql = "SELECT " ISO_AUDIT_COLS " FROM audit_log WHERE seq > ?";
  std::vector<std::string> binds;
  if (q.patient) {
    sql += " AND patient_id = ?";
    binds.push_back(q.patient->value());
  }
  if (!q.actor.empty()) {
    sql += " AND actor = ?";
    binds.push_back(q.actor);
  }
  if (!q.from.empty()) {
    sql += " AND at >= ?";
    binds.push_back(q.from);
  }
  if (!q.to.empty()) {
    sql += " AND at < ?";
    binds.push_back(q.to);
  }
  sql += " ORDER BY seq LIMIT ?";
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(auto s, c->PrepareOnce(sql));
  int i = 1;
  s.Bind(i++, q.after_seq);
  for (const auto& b : binds) s.Bind(i++, b);
  s.Bind(i++, static_cast<int64_t>(std::clamp(q.limit, 1, 100000)));
  std::vector<AuditEntry> out;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(ReadAudit(s));
  }
  return out;
}

// --- integrity ---

Result<VerifyReport> SqliteStore::Verify() {
  ISO_ASSIGN_OR_RETURN(auto c, impl_->Reader());
  // One read transaction: a consistent snapshot even while the server keeps writing.
  ISO_RETURN_IF_ERROR(c->Exec("BEGIN"));
  struct EndTxn {
    Conn* c;
    ~EndTxn() { (void)c->Exec("COMMIT"); }
  } end{&*c};

  ChainChecker check;
  ISO_ASSIGN_OR_RETURN(auto ps,
                       c->PrepareOnce("SELECT id, version, head_hash FROM patients ORDER BY id"));
  ISO_ASSIGN_OR_RETURN(auto es, c->PrepareOnce("SELECT " ISO_EVENT_COLS
                                               " FROM events WHERE patient_id = ? ORDER BY seq"));
  while (!check.broken()) {
    ISO_ASSIGN_OR_RETURN(bool prow, ps.Step());
    if (!prow) break;
    std::string pid = ps.Text(0);
    check.BeginPatient(pid);
    es.Bind(1, pid);
    while (!check.broken()) {
      ISO_ASSIGN_OR_RETURN(bool erow, es.Step());
      if (!erow) break;
      auto ev = ReadEvent(es);
      if (ev) {
        check.AddEvent(*ev);
      } else {
        check.AddUnreadableEvent(es.Int(2), es.Text(0), ev.error().message);
      }
    }
    es.Reset();
    check.EndPatient(ps.Int(1), ps.Text(2));
  }

  if (!check.broken()) {
    ISO_ASSIGN_OR_RETURN(auto as,
                         c->PrepareOnce("SELECT " ISO_AUDIT_COLS " FROM audit_log ORDER BY seq"));
    while (!check.broken()) {
      ISO_ASSIGN_OR_RETURN(bool row, as.Step());
      if (!row) break;
      check.AddAudit(ReadAudit(as));
    }
  }
  return check.report();
}

// --- backup and restore ---

namespace {

Status CopyDatabase(sqlite3* from, sqlite3* to, const ProgressFn& progress) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) return std::unexpected(sql::SqlError(to, sqlite3_errcode(to), "backup"));
  int rc;
  // Small steps release the source's read lock between them, so a live server's
  // writers are never held up for long; if a write changes the source meanwhile,
  // SQLite restarts the copy so the result is still one consistent snapshot.
  while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
         rc == SQLITE_LOCKED) {
    if (progress) {
      int total = sqlite3_backup_pagecount(b);
      progress(total - sqlite3_backup_remaining(b), total);
    }
    if (rc != SQLITE_OK) sqlite3_sleep(20);
  }
  if (progress) {
    int total = sqlite3_backup_pagecount(b);
    progress(total - sqlite3_backup_remaining(b), total);
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return std::unexpected(sql::SqlError(to, rc, "backup"));
  int err = sqlite3_errcode(to);
  if (err != SQLITE_OK) return std::unexpected(sql::SqlError(to, err, "backup"));
  return {};
}

Result<sqlite3*> OpenRaw(const std::filesystem::path& p, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(p.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sql::SqlError(db, rc, "open");
    e.where = p.string();
    sqlite3_close(db);
    return std::unexpected(e);
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

}  // namespace

Status SqliteStore::Backup(const std::filesystem::path& dest, const ProgressFn& progress) {
  std::error_code ec;
  if (std::filesystem::exists(dest, ec))
    return MakeError(ErrorCode::kAlreadyExists, dest.string(),
                     "the backup file already exists; choose a new name");
  if (dest.has_parent_path()) std::filesystem::create_directories(dest.parent_path(), ec);
  std::filesystem::path tmp = dest;
  tmp += ".partial";
  std::filesystem::remove(tmp, ec);
  ISO_ASSIGN_OR_RETURN(auto src, impl_->Reader());
  ISO_ASSIGN_OR_RETURN(sqlite3 * out, OpenRaw(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  Status st = CopyDatabase(src->db(), out, progress);
  if (st) {
    // The copy inherits WAL mode from the source; switch it to a rollback journal so
    // the backup is one self-contained file, and make sure it is on disk.
    char* err = nullptr;
    int rc = sqlite3_exec(out, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;", nullptr,
                          nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) st = std::unexpected(sql::SqlError(out, rc, "backup"));
  }
  sqlite3_close(out);
  if (!st) {
    std::filesystem::remove(tmp, ec);
    Error e = st.error();
    e.where = dest.string();
    return std::unexpected(e);
  }
  std::filesystem::rename(tmp, dest, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable, dest.string(),
                     "cannot rename the backup: " + ec.message());
  return {};
}

Status RestoreDatabase(const std::filesystem::path& backup, const std::filesystem::path& db_path,
                       const ProgressFn& progress) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(backup, ec))
    return NotFound(backup.string(), "no backup file here");
  // Check a scratch copy, never the backup itself (opening migrates and sets WAL).
  std::filesystem::path scratch = db_path;
  scratch += ".restore-check";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::path p = scratch;
    p += suffix;
    std::filesystem::remove(p, ec);
  }
  if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path(), ec);
  std::filesystem::copy_file(backup, scratch, ec);
  if (ec)
    return MakeError(ErrorCode::kUnavailable, backup.string(),
                     "cannot copy the backup: " + ec.message());
  auto cleanup = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::path p = scratch;
      p += suffix;
      std::filesystem::remove(p, ec);
    }
  };
  {
    ISO_ASSIGN_OR_RETURN(sqlite3 * probe, OpenRaw(scratch, SQLITE_OPEN_READWRITE));
    sqlite3_stmt* s = nullptr;
    std::string verdict;
    int rc = sqlite3_prepare_v2(probe, "PRAGMA integrity_check", -1, &s, nullptr);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      verdict = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    else
      verdict = sqlite3_errmsg(probe);
    sqlite3_finalize(s);
    sqlite3_close(probe);
    if (verdict != "ok") {
      cleanup();
      return MakeError(ErrorCode::kFailedPrecondition, backup.string(),
                       "the backup is not a valid database: " + verdict);
    }
  }
  {
    auto opened = SqliteStore::Open(scratch);
    if (!opened) {
      cleanup();
      Error e = opened.error();
      e.where = backup.string();
      return std::unexpected(e);
    }
    auto report = (*opened)->Verify();
    if (!report || !report->ok()) {
      cleanup();
      if (!report) return std::unexpected(report.error());
      const ChainBreak& b = *report->first_break;
      return MakeError(ErrorCode::kFailedPrecondition, backup.string(),
                       "the backup's hash chain is broken at " + b.chain + " seq " +
                           std::to_string(b.seq) + ": " + b.problem);
    }
  }
  Status st;
  {
    auto from = OpenRaw(scratch, SQLITE_OPEN_READONLY);
    auto to = OpenRaw(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!from || !to) {
      st = std::unexpected(!from ? from.error() : to.error());
    } else {
      st = CopyDatabase(*from, *to, progress);
      if (st) {
        char* err = nullptr;
        sqlite3_exec(*to, "PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE);", nullptr,
                     nullptr, &err);
        sqlite3_free(err);
      }
    }
    if (from) sqlite3_close(*from);
    if (to) sqlite3_close(*to);
  }
  cleanup();
  if (!st) {
    Error e = st.error();
    e.where = db_path.string();
    return std::unexpected(e);
  }
  return {};
}

}  // namespace isocourse::store
