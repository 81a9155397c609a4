#include "store/pg_migrations.h"

namespace isocourse::store::pg {
namespace {

// Like the SQLite schema, with PostgreSQL's types. Text that is sorted or compared
// (ids, names, timestamps) uses the "C" collation, so ordering is by bytes as in
// SQLite whatever the database's locale; lower() under "C" folds ASCII only, like
// SQLite's NOCASE. Events, audit entries and clinic settings are append-only: the
// triggers refuse UPDATE, DELETE and TRUNCATE. (Someone with enough privileges can
// drop a trigger; the hash chains are what detect that.)
constexpr sql::Migration kMigrations[] = {
    {1, "clinics, patients and timelines", R"sql(
CREATE FUNCTION isocourse_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0];
END $$;
CREATE TABLE clinics (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  jurisdiction TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE patients (
  id TEXT COLLATE "C" PRIMARY KEY,
  clinic_id TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
  given_name TEXT COLLATE "C" NOT NULL,
  family_name TEXT COLLATE "C" NOT NULL,
  birth_date TEXT COLLATE "C" NOT NULL,
  sex TEXT NOT NULL,
  mrn TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 0,
  head_hash TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX patients_by_clinic_name ON patients(clinic_id, family_name, given_name, id);
CREATE TABLE events (
  id TEXT COLLATE "C" PRIMARY KEY,
  patient_id TEXT COLLATE "C" NOT NULL REFERENCES patients(id),
  seq BIGINT NOT NULL,
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
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW
  EXECUTE FUNCTION isocourse_refuse('events are append-only: record a correction instead');
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW
  EXECUTE FUNCTION isocourse_refuse('events are append-only: record a correction instead');
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT
  EXECUTE FUNCTION isocourse_refuse('events are append-only: record a correction instead');
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
)sql"},
    {2, "users, sessions and API tokens", R"sql(
CREATE TABLE users (
  id TEXT COLLATE "C" PRIMARY KEY,
  username TEXT COLLATE "C" NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  clinic_id TEXT COLLATE "C" REFERENCES clinics(id),
  patient_id TEXT COLLATE "C" REFERENCES patients(id),
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_by_name ON users (lower(username));
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE TABLE api_tokens (
  id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT COLLATE "C" NOT NULL,
  revoked_at TEXT NOT NULL DEFAULT ''
);
)sql"},
    {3, "audit log", R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at TEXT COLLATE "C" NOT NULL,
  actor TEXT COLLATE "C" NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  patient_id TEXT COLLATE "C",
  clinic_id TEXT COLLATE "C",
  remote TEXT NOT NULL,
  reason TEXT NOT NULL,
  outcome TEXT NOT NULL,
  hash TEXT NOT NULL,
  prev_hash TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_log(patient_id, seq);
CREATE INDEX audit_by_at ON audit_log(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
  EXECUTE FUNCTION isocourse_refuse('the audit log is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
  EXECUTE FUNCTION isocourse_refuse('the audit log is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT
  EXECUTE FUNCTION isocourse_refuse('the audit log is append-only');
)sql"},
    {4, "clinic settings, versioned; audit entries by actor", R"sql(
CREATE INDEX audit_by_actor ON audit_log(actor, seq);
CREATE TABLE clinic_settings (
  clinic_id TEXT COLLATE "C" NOT NULL REFERENCES clinics(id),
  version BIGINT NOT NULL,
  settings TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (clinic_id, version)
);
CREATE TRIGGER clinic_settings_no_update BEFORE UPDATE ON clinic_settings
  FOR EACH ROW EXECUTE FUNCTION isocourse_refuse('clinic settings are versioned: add a version');
CREATE TRIGGER clinic_settings_no_delete BEFORE DELETE ON clinic_settings
  FOR EACH ROW EXECUTE FUNCTION isocourse_refuse('clinic settings are versioned: add a version');
CREATE TRIGGER clinic_settings_no_truncate BEFORE TRUNCATE ON clinic_settings
  FOR EACH STATEMENT
  EXECUTE FUNCTION isocourse_refuse('clinic settings are versioned: add a version');
)sql"},
};

}  // namespace

std::span<const sql::Migration> Migrations() { return kMigrations; }

}  // namespace isocourse::store::pg
