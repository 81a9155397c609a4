// File: rows.h (internal to the store)
//
// Column lists and row readers shared by the SQLite and PostgreSQL backends, so both
// store and read the same columns the same way. A Row is anything with
// `std::string Text(int col)`, `int64_t Int(int col)` and `bool IsNull(int col)`:
// sql::Stmt (SQLite) and pg::Row (PostgreSQL). Column indexes follow the lists.
#pragma once

#include <string>

#include "store/store_rules.h"

namespace isocourse::store::rows {

#define ISO_CLINIC_COLS "id, name, jurisdiction, created_at"
#define ISO_PATIENT_COLS                                                               \
  "id, clinic_id, given_name, family_name, birth_date, sex, mrn, version, head_hash, " \
  "created_at, created_by"
#define ISO_EVENT_COLS                                                                       \
  "id, patient_id, seq, type, effective_date, recorded_by, recorded_at, corrects, payload, " \
  "hash, prev_hash"
#define ISO_USER_COLS                                                                  \
  "id, username, display_name, role, clinic_id, patient_id, password_hash, disabled, " \
  "failed_logins, locked_until, created_at"
#define ISO_AUDIT_COLS                                                                       \
  "seq, at, actor, role, action, resource, patient_id, clinic_id, remote, reason, outcome, " \
  "hash, prev_hash"
#define ISO_TOKEN_COLS "id, user_id, name, token_hash, created_at, revoked_at"
#define ISO_SETTINGS_COLS "clinic_id, version, settings, changed_by, changed_at"
#define ISO_SESSION_COLS "token_hash, user_id, csrf_token, created_at, expires_at"

template <class Row>
Result<Date> DateColumn(const Row& s, int col, const char* what) {
  std::string text = s.Text(col);
  auto d = Date::Parse(text, what);
  if (!d)
    return std::unexpected(
        Internal(std::string("stored ") + what + " '" + text + "' is not a date"));
  return *d;
}

template <class Row>
Clinic ReadClinic(const Row& s) {
  return Clinic{ClinicId(s.Text(0)), s.Text(1), s.Text(2), s.Text(3)};
}

template <class Row>
Result<Patient> ReadPatient(const Row& s) {
  Patient p;
  p.id = PatientId(s.Text(0));
  p.clinic = ClinicId(s.Text(1));
  p.given_name = s.Text(2);
  p.family_name = s.Text(3);
  ISO_ASSIGN_OR_RETURN(p.birth_date, DateColumn(s, 4, "birth_date"));
  p.sex = s.Text(5);
  p.mrn = s.Text(6);
  p.version = s.Int(7);
  p.head_hash = s.Text(8);
  p.created_at = s.Text(9);
  p.created_by = UserId(s.Text(10));
  return p;
}

template <class Row>
Result<Event> ReadEvent(const Row& s) {
  Event e;
  e.id = EventId(s.Text(0));
  e.patient = PatientId(s.Text(1));
  e.seq = s.Int(2);
  e.type = s.Text(3);
  ISO_ASSIGN_OR_RETURN(e.effective, DateColumn(s, 4, "effective_date"));
  e.recorded_by = UserId(s.Text(5));
  e.recorded_at = s.Text(6);
  if (!s.IsNull(7)) e.corrects = EventId(s.Text(7));
  e.payload_json = s.Text(8);
  e.hash = s.Text(9);
  e.prev_hash = s.Text(10);
  return e;
}

template <class Row>
Result<User> ReadUser(const Row& s) {
  User u;
  u.id = UserId(s.Text(0));
  u.username = s.Text(1);
  u.display_name = s.Text(2);
  auto role = ParseRole(s.Text(3), "role");
  if (!role) return std::unexpected(Internal("stored role '" + s.Text(3) + "' is unknown"));
  u.role = *role;
  if (!s.IsNull(4)) u.clinic = ClinicId(s.Text(4));
  if (!s.IsNull(5)) u.patient = PatientId(s.Text(5));
  u.password_hash = s.Text(6);
  u.disabled = s.Int(7) != 0;
  u.failed_logins = static_cast<int>(s.Int(8));
  u.locked_until = s.Text(9);
  u.created_at = s.Text(10);
  return u;
}

template <class Row>
AuditEntry ReadAudit(const Row& s) {
  AuditEntry a;
  a.seq = s.Int(0);
  a.at = s.Text(1);
  a.what.actor = s.Text(2);
  a.what.role = s.Text(3);
  a.what.action = s.Text(4);
  a.what.resource = s.Text(5);
  if (!s.IsNull(6)) a.what.patient = PatientId(s.Text(6));
  if (!s.IsNull(7)) a.what.clinic = ClinicId(s.Text(7));
  a.what.remote = s.Text(8);
  a.what.reason = s.Text(9);
  a.what.outcome = s.Text(10);
  a.hash = s.Text(11);
  a.prev_hash = s.Text(12);
  return a;
}

template <class Row>
ApiToken ReadToken(const Row& s) {
  return ApiToken{s.Text(0), UserId(s.Text(1)), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
}

template <class Row>
ClinicSettings ReadClinicSettings(const Row& s) {
  return ClinicSettings{ClinicId(s.Text(0)), s.Int(1), s.Text(2), UserId(s.Text(3)), s.Text(4)};
}

template <class Row>
Session ReadSession(const Row& s) {
  return Session{s.Text(0), UserId(s.Text(1)), s.Text(2), s.Text(3), s.Text(4)};
}

}  // namespace isocourse::store::rows
