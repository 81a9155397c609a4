#include "store/sqlite_migrations.h"

namespace isocourse::store::sql {
namespace {

// Events and audit entries are append-only: the triggers make an UPDATE or DELETE
// through SQL fail loudly. (Someone with the file can drop a trigger; the hash chains
// are what detect that.)
constexpr Migration kMigrations[] = {
    {1, "clinics, patients and timelines", R"sql(
CREATE TABLE clinics (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  clinic_id TEXT NOT NULL REFERENCES clinics(id),
  given_name TEXT NOT NULL,
  family_name TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  sex TEXT NOT NULL,
  mrn TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 0,
  head_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX patients_by_clinic_name ON patients(clinic_id, family_name, given_name, id);
CREATE TABLE events (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  effective_date TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  corrects TEXT,
  payload TEXT NOT NULL,
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  UNIQUE (patient_id, seq)
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: record a correction instead'); END;
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
)sql"},
    {2, "users, sessions and API tokens", R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  clinic_id TEXT REFERENCES clinics(id),
  patient_id TEXT REFERENCES patients(id),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT ''
);
)sql"},
    {3, "audit log", R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  patient_id TEXT,
  clinic_id TEXT,
  remote TEXT NOT NULL,
  reason TEXT NOT NULL,
  outcome TEXT NOT NULL,
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_log(patient_id, seq);
CREATE INDEX audit_by_at ON audit_log(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
    {4, "clinic settings, versioned; audit entries by actor", R"sql(
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
CREATE TABLE clinic_settings (
  clinic_id TEXT NOT NULL REFERENCES clinics(id),
  version INTEGER NOT NULL,
  settings TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (clinic_id, version)
);
CREATE TRIGGER clinic_settings_no_update BEFORE UPDATE ON clinic_settings
  BEGIN SELECT RAISE(ABORT, 'clinic settings are versioned: add a version'); END;
CREATE TRIGGER clinic_settings_no_delete BEFORE DELETE ON clinic_settings
  BEGIN SELECT RAISE(ABORT, 'clinic settings are versioned: add a version'); END;
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace isocourse::store::sql
