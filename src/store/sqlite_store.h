// File: sqlite_store.h
//
// The SQLite implementation of Store.
//
// Durability: WAL journal with synchronous=FULL, so a transaction is on disk (the WAL
// is fsynced) before COMMIT returns, and every write method returns only after its
// COMMIT. Writes go through one writer thread that batches whatever is queued into a
// single transaction (group commit): each write runs inside its own SAVEPOINT, so a
// write that fails (a stale version, say) is rolled back alone, and one fsync
// acknowledges the whole batch. Reads use a small pool of separate connections and
// never wait for the writer (WAL readers see the last committed snapshot).
//
// Schema: forward-only numbered migrations (sqlite_migrations.cpp), applied in order
// at Open, each in its own transaction and recorded in `schema_migrations`. A database
// written by a newer isocourse (a migration number this build does not know) is
// refused rather than guessed at.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "store/store.h"

namespace isocourse::store {

struct SqliteOptions {
  // Apply migrations up to this number only (0 = all). Tests use it to make an old file.
  int migrate_to = 0;
  // Read connections kept open for reuse. At least as many as threads that read at
  // once (the server's request threads): a reader that finds the pool empty opens a
  // new connection (a file open and a schema read, ~100 us) and drops it afterwards.
  // Each idle connection costs a few hundred kB at most (its page cache grows on use).
  int read_connections = 64;
  // Most writes committed together in one transaction.
  int max_batch = 512;
  // The clock behind recorded_at and audit times; default: the system clock (UTC).
  std::function<Timestamp()> clock;
};

// Called during backup and restore with pages copied so far and the total.
using ProgressFn = std::function<void(int done, int total)>;

class SqliteStore final : public Store {
 public:
  // Opens (creating the file and its parent directory if needed) and migrates.
  // Errors: kUnavailable if the file cannot be opened or written; kFailedPrecondition
  // if it is not an isocourse database or was written by a newer version.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& path,
                                                   SqliteOptions options = {});
  static int LatestSchemaVersion();

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  int SchemaVersion() const override;
  const std::filesystem::path& path() const;

  // Online, consistent copy of the whole database into `dest` (which must not exist),
  // made with SQLite's backup API while the store keeps serving. The copy is a
  // single self-contained file (rollback journal mode).
  Status Backup(const std::filesystem::path& dest, const ProgressFn& progress = {});

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
  // Rides in the writer's next group commit; `done` runs on the writer thread.
  void AppendAuditAsync(const AuditDraft& d, std::function<void(Status)> done) override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) override;
  Result<VerifyReport> Verify() override;
  Status Ping() override;
  StoreStats Stats() const override;
  Timestamp Now() const override;

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Replaces the database at `db_path` with the backup at `backup`. The backup is
// first copied aside, opened (and migrated if it is older), integrity-checked and its
// hash chains verified; only then is it copied over the live file with the backup API.
// Stop the server before restoring. Errors: kNotFound (no backup file),
// kFailedPrecondition (not a valid isocourse database, or a chain is broken: the
// message names the first broken link), kUnavailable (I/O).
Status RestoreDatabase(const std::filesystem::path& backup, const std::filesystem::path& db_path,
                       const ProgressFn& progress = {});

// $ISOCOURSE_DB if set, else ./data/isocourse.db.
std::filesystem::path DefaultDatabasePath();

}  // namespace isocourse::store
