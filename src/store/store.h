// File: store.h
//
// The durable store behind the server: clinics, patients, each patient's append-only
// timeline of events, accounts (users, sessions, API tokens) and the audit log.
//
// This is an interface with two implementations, `sqlite_store.h` (the default) and
// `pg_store.h`, that the server and the engine cannot tell apart; `open_store.h` opens
// the one a `--db` value names. Every method
// returns a Result: kNotFound for a missing id, kConflict for a stale expected version,
// kAlreadyExists for a duplicate name or a reused idempotency key, kInvalidArgument
// for a malformed value (with `where` naming the field), kUnavailable when the disk or
// database cannot be reached.
//
// The store does not know the course engine's event types: an event's payload is JSON
// text that the server validated before calling Append. What the store guarantees is
// the envelope: ordering (sequence numbers 1..n per patient, no gaps), durability (a
// write returns only after its transaction committed with a full sync), optimistic
// concurrency, idempotent retries and a BLAKE2b hash chain per patient and over the
// audit log so that an edit made behind the store's back is found by Verify().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/ids.h"
#include "core/result.h"

namespace isocourse::store {

// RFC 3339 UTC with milliseconds, e.g. "2026-03-01T09:30:00.125Z". Sorts as text.
using Timestamp = std::string;

// Current UTC time as a Timestamp.
Timestamp SystemNow();
// A Timestamp `seconds` after `t` (t must be a Timestamp this module produced).
Timestamp AddSeconds(const Timestamp& t, int64_t seconds);

// The hash that precedes the first link of every chain.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct Clinic {
  ClinicId id;
  std::string name;
  std::string jurisdiction;  // e.g. "US", "EU", "UK", "AU"; the program rules to apply
  Timestamp created_at;
};

// One version of a clinic's course-engine settings (lab profile, iPLEDGE cutover date,
// retreatment interval...: the JSON that codec::SettingsFromJson reads). Versions are
// append-only, so every earlier choice stays on record; version 0 is "never set" (the
// engine's defaults, "{}").
struct ClinicSettings {
  ClinicId clinic;
  int64_t version = 0;
  std::string settings_json = "{}";
  UserId changed_by;
  Timestamp changed_at;
};

struct Patient {
  PatientId id;
  ClinicId clinic;
  std::string given_name;
  std::string family_name;
  Date birth_date;
  std::string sex;                      // "female", "male", "other", "unknown"
  std::string mrn;                      // the clinic's own record number; may be empty
  int64_t version = 0;                  // number of events in the timeline
  std::string head_hash{kGenesisHash};  // hash of the last event (genesis when none)
  Timestamp created_at;
  UserId created_by;
};

struct NewPatient {
  ClinicId clinic;
  std::string given_name;
  std::string family_name;
  Date birth_date;
  std::string sex;
  std::string mrn;
  UserId created_by;
};

struct PatientQuery {
  std::optional<ClinicId> clinic;  // unset = every clinic (admins only; the server decides)
  std::string name;                // case-insensitive substring of given or family name
  std::optional<Date> birth_date;
  int64_t offset = 0;
  int limit = 50;
};

// What one audit entry records: who, what, when (assigned by the store), from where
// and why.
struct AuditDraft {
  std::string actor;     // user id, or "anonymous"
  std::string role;      // the actor's role name
  std::string action;    // e.g. "patient.read", "events.append", "login.failed"
  std::string resource;  // e.g. "patients/pat_x/events"
  std::optional<PatientId> patient;
  std::optional<ClinicId> clinic;
  std::string remote;   // client address
  std::string reason;   // purpose of use, e.g. "treatment"
  std::string outcome;  // "allowed", "denied", "failed"
};

// One event to append. The store assigns id, sequence number, time and hashes.
struct EventDraft {
  std::string type;                 // the engine's event type name, e.g. "weight"
  Date effective;                   // the clinical date the event is about
  std::optional<EventId> corrects;  // set when this event corrects an earlier one
  std::string payload_json;         // a JSON object, validated by the caller
};

struct AppendRequest {
  PatientId patient;
  // The version (event count) the caller last saw. A different current version fails
  // with kConflict; ConflictCurrentVersion() reads the current one from the error.
  int64_t expected_version = 0;
  // Optional. A retried request with the same key and the same content returns the
  // first result (replayed = true) and writes nothing; the same key with different
  // content fails with kAlreadyExists.
  std::string idempotency_key;
  UserId recorded_by;
  std::vector<EventDraft> events;
  // Written in the same transaction as the events (also for a replay), so a write and
  // its audit entry are durable together or not at all.
  std::optional<AuditDraft> audit = std::nullopt;
};

struct Event {
  EventId id;
  PatientId patient;
  int64_t seq = 0;
  std::string type;
  Date effective;
  UserId recorded_by;
  Timestamp recorded_at;
  std::optional<EventId> corrects;
  std::string payload_json;
  std::string hash;
  std::string prev_hash;
};

struct AppendResult {
  int64_t version = 0;  // the timeline's version after the append
  std::vector<Event> events;
  bool replayed = false;  // true when an idempotency key matched an earlier append
};

// The current version carried by a kConflict error from Append, if any.
std::optional<int64_t> ConflictCurrentVersion(const Error& e);

enum class Role { kAdmin, kPrescriber, kStaff, kPharmacist, kPatient };
inline constexpr Role kAllRoles[] = {Role::kAdmin, Role::kPrescriber, Role::kStaff,
                                     Role::kPharmacist, Role::kPatient};
const char* RoleName(Role role);
Result<Role> ParseRole(std::string_view text, std::string_view where);

struct User {
  UserId id;
  std::string username;
  std::string display_name;
  Role role = Role::kStaff;
  std::optional<ClinicId> clinic;    // every role but admin belongs to one clinic
  std::optional<PatientId> patient;  // set for role patient: the record they may see
  std::string password_hash;         // Argon2id string (crypto_pwhash_str)
  bool disabled = false;
  int failed_logins = 0;
  Timestamp locked_until;  // empty = not locked
  Timestamp created_at;
};

struct NewUser {
  std::string username;
  std::string display_name;
  Role role = Role::kStaff;
  std::optional<ClinicId> clinic;
  std::optional<PatientId> patient;
  std::string password_hash;
};

struct Session {
  std::string token_hash;  // BLAKE2b of the cookie value; the value itself is never stored
  UserId user;
  std::string csrf_token;
  Timestamp created_at;
  Timestamp expires_at;
};

struct ApiToken {
  std::string id;
  UserId user;
  std::string name;
  std::string token_hash;
  Timestamp created_at;
  Timestamp revoked_at;  // empty = active
};

struct AuditEntry {
  int64_t seq = 0;
  Timestamp at;
  AuditDraft what;
  std::string hash;
  std::string prev_hash;
};

struct AuditQuery {
  int64_t after_seq = 0;
  int limit = 100;
  std::optional<PatientId> patient;
  std::string actor;  // empty = any
  Timestamp from;     // inclusive; empty = unbounded
  Timestamp to;       // exclusive; empty = unbounded
};

// The first broken link of a hash chain.
struct ChainBreak {
  std::string chain;  // "patient <id>" or "audit"
  int64_t seq = 0;    // sequence number of the bad link
  std::string id;     // event id or audit seq
  std::string problem;
};

struct VerifyReport {
  int64_t patients = 0;
  int64_t events = 0;
  int64_t audit_entries = 0;
  std::optional<ChainBreak> first_break;
  bool ok() const { return !first_break; }
};

struct StoreStats {
  uint64_t commits = 0;          // durable transactions
  uint64_t writes = 0;           // write jobs (each rides in one commit)
  uint64_t events_appended = 0;  // events written (replays excluded)
};

class Store {
 public:
  virtual ~Store() = default;

  // Clinics. CreateClinic assigns the id when `clinic.id` is empty.
  virtual Result<Clinic> CreateClinic(Clinic clinic) = 0;
  virtual Result<Clinic> GetClinic(const ClinicId& id) = 0;
  virtual Result<std::vector<Clinic>> ListClinics() = 0;
  // The clinic's current settings (version 0 when never set). kNotFound: no clinic.
  virtual Result<ClinicSettings> GetClinicSettings(const ClinicId& clinic) = 0;
  // Stores `settings_json` (already validated by the caller) as the next version.
  // kConflict when the current version is not `expected_version` (someone else changed
  // them first; the error's detail "current_version" says which is current).
  virtual Result<ClinicSettings> SetClinicSettings(const ClinicId& clinic, int64_t expected_version,
                                                   const std::string& settings_json,
                                                   const UserId& by) = 0;
  // Every version, oldest first.
  virtual Result<std::vector<ClinicSettings>> ClinicSettingsHistory(const ClinicId& clinic) = 0;

  // Patients.
  virtual Result<Patient> CreatePatient(const NewPatient& p) = 0;
  virtual Result<Patient> GetPatient(const PatientId& id) = 0;
  virtual Result<std::vector<Patient>> ListPatients(const PatientQuery& q) = 0;
  virtual Result<int64_t> CountPatients() = 0;

  // Timelines.
  virtual Result<AppendResult> Append(const AppendRequest& req) = 0;
  // Events with seq > after_seq, in order; limit 0 = all.
  virtual Result<std::vector<Event>> ReadEvents(const PatientId& patient, int64_t after_seq = 0,
                                                int limit = 0) = 0;
  virtual Result<Event> GetEvent(const PatientId& patient, const EventId& id) = 0;

  // Users.
  virtual Result<User> CreateUser(const NewUser& u) = 0;
  virtual Result<User> GetUser(const UserId& id) = 0;
  virtual Result<User> FindUserByName(std::string_view username) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<int64_t> CountUsers() = 0;
  virtual Status SetUserDisabled(const UserId& id, bool disabled) = 0;
  virtual Status SetPassword(const UserId& id, const std::string& password_hash) = 0;
  // Records the outcome of a login attempt: the new failure count and lock time.
  virtual Status SetLoginState(const UserId& id, int failed_logins,
                               const Timestamp& locked_until) = 0;

  // Sessions.
  virtual Status CreateSession(const Session& s) = 0;
  virtual Result<Session> FindSession(const std::string& token_hash) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;
  virtual Status DeleteUserSessions(const UserId& user) = 0;

  // API tokens. CreateApiToken assigns the id.
  virtual Result<ApiToken> CreateApiToken(ApiToken t) = 0;
  virtual Result<ApiToken> FindApiToken(const std::string& token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens() = 0;
  virtual Status RevokeApiToken(const std::string& id) = 0;

  // Audit log (append-only, hash-chained).
  virtual Result<AuditEntry> AppendAudit(const AuditDraft& d) = 0;
  // AppendAudit without waiting: returns at once and calls `done` exactly once, when
  // the entry is durable or has failed, on a thread of the store's choosing. `done`
  // must be quick and must not call the store. The default appends inline.
  virtual void AppendAuditAsync(const AuditDraft& d, std::function<void(Status)> done) {
    auto a = AppendAudit(d);
    done(a ? Status{} : Status(std::unexpected(a.error())));
  }
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) = 0;

  // Walks every patient chain and the audit chain.
  virtual Result<VerifyReport> Verify() = 0;
  // Cheap readiness probe: the database answers a query.
  virtual Status Ping() = 0;
  virtual StoreStats Stats() const = 0;
  // The numbered schema migration the database is at (logged at start-up).
  virtual int SchemaVersion() const = 0;
  // The current time as the store records it.
  virtual Timestamp Now() const = 0;
};

}  // namespace isocourse::store
