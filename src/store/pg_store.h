// File: pg_store.h
//
// The PostgreSQL implementation of Store (libpq), for deployments that outgrow one
// SQLite file. Same contracts as SqliteStore: the same envelope validation, conflict
// and idempotency semantics, and the same BLAKE2b hash chains (crypto.h), so Verify
// means the same on either backend.
//
// Durability: every session runs with synchronous_commit = on, and every write method
// returns only after its COMMIT (flushed to the server's WAL on disk).
//
// Concurrency: a bounded pool of connections shared by all threads; any number of
// writers run at once in READ COMMITTED transactions. Appends to one patient are
// serialized by `SELECT ... FOR NO KEY UPDATE` on the patient row (so versions and the
// patient's chain never fork); the audit chain by a transaction-scoped advisory lock
// taken before its head is read, so audit seq and prev_hash never fork either, also
// across processes sharing the database. Lock order is always patient, then audit, so
// writers cannot deadlock. AppendAuditAsync hands entries to one writer thread that
// commits whatever is queued in a single transaction and calls `done` after COMMIT.
//
// Schema: forward-only numbered migrations (pg_migrations.cpp, numbered like the
// SQLite ones), applied at Open under a session advisory lock (two processes opening
// at once do not race), each in its own transaction and recorded in
// `schema_migrations`. A database written by a newer isocourse is refused.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "store/store.h"

namespace isocourse::store {

struct PgOptions {
  // Apply migrations up to this number only (0 = all). Tests use it to make an old
  // database.
  int migrate_to = 0;
  // Most connections open at once (the server's max_connections must allow it, for
  // every process). A caller finding all in use waits up to `connection_wait_ms`.
  int max_connections = 16;
  int connection_wait_ms = 30000;
  // Most queued audit entries committed together by the async writer.
  int max_batch = 512;
  // The clock behind recorded_at and audit times; default: the system clock (UTC).
  std::function<Timestamp()> clock;
};

class PgStore final : public Store {
 public:
  // Connects with a libpq connection string (a postgresql:// URL or key=value pairs)
  // and migrates. The database must exist. Errors: kUnavailable if the server cannot
  // be reached or refuses the login; kFailedPrecondition if the database was written
  // by a newer isocourse; kInternal if a migration fails.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo, PgOptions options = {});
  static int LatestSchemaVersion();

  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  int SchemaVersion() const override;

  Result<Clinic> CreateClinic(Clinic clinic) override;
  Result<Clinic> GetClinic(const ClinicId& id) override;
  Result<std::vector<Clinic>> ListClinics() override;
  Result<ClinicSettings> GetClinicSettings(const ClinicId& clinic) override;
  Result<ClinicSettings> SetClinicSettings(const ClinicId& clinic, int64_t expected_version,
                                           const std::string& settings_json,
                                           const UserId& by) override;
  Result<std::vector<ClinicSettings>> ClinicSettingsHistory(const ClinicId& clinic) override;
  Result<Patient> CreatePatient(const NewPatient& p) override;
  Result<Patient> GetPatient(const PatientId& id) override;
  Result<std::vector<Patient>> ListPatients(const PatientQuery& q) override;
  Result<int64_t> CountPatients() override;
  Result<AppendResult> Append(const AppendRequest& req) override;
  Result<std::vector<Event>> ReadEvents(const PatientId& patient, int64_t after_seq = 0,
                                        int limit = 0) override;
  Result<Event> GetEvent(const PatientId& patient, const EventId& id) override;
  Result<User> CreateUser(const NewUser& u) override;
  Result<User> GetUser(const UserId& id) override;
  Result<User> FindUserByName(std::string_view username) override;
  Result<std::vector<User>> ListUsers() override;
  Result<int64_t> CountUsers() override;
  Status SetUserDisabled(const UserId& id, bool disabled) override;
  Status SetPassword(const UserId& id, const std::string& password_hash) override;
  Status SetLoginState(const UserId& id, int failed_logins, const Timestamp& locked_until) override;
  Status CreateSession(const Session& s) override;
  Result<Session> FindSession(const std::string& token_hash) override;
  Status DeleteSession(const std::string& token_hash) override;
  Status DeleteUserSessions(const UserId& user) override;
  Result<ApiToken> CreateApiToken(ApiToken t) override;
  Result<ApiToken> FindApiToken(const std::string& token_hash) override;
  Result<std::vector<ApiToken>> ListApiTokens() override;
  Status RevokeApiToken(const std::string& id) override;
  Result<AuditEntry> AppendAudit(const AuditDraft& d) override;
  // Rides in the audit writer's next batch; `done` runs on the writer thread after
  // that batch's COMMIT (or its failure: then every entry of the batch failed).
  void AppendAuditAsync(const AuditDraft& d, std::function<void(Status)> done) override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) override;
  // Reads one REPEATABLE READ snapshot, so it can run while others write.
  Result<VerifyReport> Verify() override;
  Status Ping() override;
  StoreStats Stats() const override;
  Timestamp Now() const override;

  struct Impl;

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace isocourse::store
