#include "store/store_rules.h"

#include "store/crypto.h"

namespace isocourse::store {
namespace {

constexpr int kMaxEventsPerAppend = 500;
constexpr size_t kMaxPayloadBytes = 64 * 1024;
constexpr size_t kMaxIdempotencyKey = 200;

bool ValidTypeName(std::string_view t) {
  if (t.empty() || t.size() > 64) return false;
  if (!(t[0] >= 'a' && t[0] <= 'z')) return false;
  for (char ch : t) {
    bool ok =
        (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

Status ValidateUsername(std::string_view name) {
  if (name.empty() || name.size() > 64)
    return InvalidArgument("username", "must be 1 to 64 characters");
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-' || ch == '@';
    if (!ok)
      return InvalidArgument("username", "may contain only letters, digits and . _ - @ (got '" +
                                             std::string(name.substr(0, 64)) + "')");
  }
  return {};
}

Error StaleVersion(std::string message, int64_t current) {
  return Error{ErrorCode::kConflict,
               std::move(message),
               "expected_version",
               {Error{ErrorCode::kConflict, std::to_string(current), "current_version", {}}}};
}

}  // namespace

Error Internal(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message), "database", {}};
}

Status ValidateAppend(const AppendRequest& req) {
  if (req.patient.empty()) return InvalidArgument("patient", "a patient id is required");
  if (req.recorded_by.empty())
    return InvalidArgument("recorded_by", "the recording user is required");
  if (req.expected_version < 0) return InvalidArgument("expected_version", "must be 0 or more");
  if (req.events.empty()) return InvalidArgument("events", "at least one event is required");
  if (req.events.size() > kMaxEventsPerAppend)
    return InvalidArgument("events",
                           "at most " + std::to_string(kMaxEventsPerAppend) + " events per append");
  if (req.idempotency_key.size() > kMaxIdempotencyKey)
    return InvalidArgument("idempotency_key",
                           "longer than " + std::to_string(kMaxIdempotencyKey) + " characters");
  for (char ch : req.idempotency_key) {
    if (ch < 0x21 || ch > 0x7e)
      return InvalidArgument("idempotency_key", "must be printable ASCII without spaces");
  }
  for (size_t i = 0; i < req.events.size(); ++i) {
    const EventDraft& e = req.events[i];
    std::string where = "events[" + std::to_string(i) + "]";
    if (!ValidTypeName(e.type))
      return InvalidArgument(where + ".type",
                             "'" + e.type.substr(0, 80) +
                                 "' is not an event type name (lowercase letters, digits, "
                                 "'_', '.', '-'; at most 64)");
    if (e.payload_json.empty()) return InvalidArgument(where + ".payload", "is empty");
    if (e.payload_json.size() > kMaxPayloadBytes)
      return InvalidArgument(where + ".payload",
                             "larger than " + std::to_string(kMaxPayloadBytes) + " bytes");
    if (e.corrects && e.corrects->empty())
      return InvalidArgument(where + ".corrects", "is an empty event id");
  }
  return {};
}

std::string Fingerprint(const AppendRequest& req) {
  std::string s;
  auto add = [&s](std::string_view v) {
    s += std::to_string(v.size());
    s += ':';
    s += v;
    s += ';';
  };
  add(req.patient.value());
  add(std::to_string(req.expected_version));
  add(req.recorded_by.value());
  for (const EventDraft& e : req.events) {
    add(e.type);
    add(e.effective.ToString());
    add(e.corrects ? e.corrects->value() : "");
    add(e.payload_json);
  }
  return Blake2bHex(s);
}

Event ChainedEvent(const AppendRequest& req, const EventDraft& d, int64_t seq,
                   const std::string& prev_hash, const Timestamp& now) {
  Event e;
  e.id = EventId(NewId("evt"));
  e.patient = req.patient;
  e.seq = seq;
  e.type = d.type;
  e.effective = d.effective;
  e.recorded_by = req.recorded_by;
  e.recorded_at = now;
  e.corrects = d.corrects;
  e.payload_json = d.payload_json;
  e.prev_hash = prev_hash;
  e.hash = EventHash(prev_hash, e);
  return e;
}

Error IdempotencyKeyReused() {
  return Error{ErrorCode::kAlreadyExists,
               "this idempotency key was already used for a different request; use a new key "
               "for a new request",
               "Idempotency-Key",
               {}};
}

Error NoEventToCorrect(size_t i, const EventId& id) {
  return Error{ErrorCode::kInvalidArgument,
               "no event " + id.value() + " in this patient's timeline",
               "events[" + std::to_string(i) + "].corrects",
               {}};
}

Error TimelineConflict(int64_t current, int64_t expected) {
  return StaleVersion("the timeline is at version " + std::to_string(current) + ", not " +
                          std::to_string(expected) +
                          ": someone else wrote first; read the new events and retry",
                      current);
}

Error SettingsConflict(int64_t current, int64_t expected) {
  return StaleVersion("the clinic's settings are at version " + std::to_string(current) + ", not " +
                          std::to_string(expected) +
                          ": someone else changed them first; read them and retry",
                      current);
}

Error NewerSchema(int current, int latest) {
  return Error{ErrorCode::kFailedPrecondition,
               "the database has schema version " + std::to_string(current) +
                   " but this isocourse knows only up to " + std::to_string(latest) +
                   "; use a newer isocourse",
               "database",
               {}};
}

std::string LikeSubstring(std::string_view text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '%';
  return out;
}

Status PrepareClinic(Clinic& clinic, const Timestamp& now) {
  if (clinic.name.empty()) return InvalidArgument("name", "a clinic name is required");
  if (clinic.jurisdiction.empty())
    return InvalidArgument("jurisdiction", "a jurisdiction is required (e.g. US, EU, UK, AU)");
  if (clinic.id.empty()) clinic.id = ClinicId(NewId("cln"));
  clinic.created_at = now;
  return {};
}

Result<Patient> NewPatientRecord(const NewPatient& np, const Timestamp& now) {
  if (np.clinic.empty()) return InvalidArgument("clinic", "a clinic is required");
  if (np.given_name.empty() && np.family_name.empty())
    return InvalidArgument("family_name", "a name is required");
  if (np.created_by.empty()) return InvalidArgument("created_by", "the creating user is required");
  Patient p;
  p.id = PatientId(NewId("pat"));
  p.clinic = np.clinic;
  p.given_name = np.given_name;
  p.family_name = np.family_name;
  p.birth_date = np.birth_date;
  p.sex = np.sex.empty() ? "unknown" : np.sex;
  p.mrn = np.mrn;
  p.created_by = np.created_by;
  p.created_at = now;
  return p;
}

Result<User> NewUserRecord(const NewUser& nu, const Timestamp& now) {
  ISO_RETURN_IF_ERROR(ValidateUsername(nu.username));
  if (nu.role != Role::kAdmin && !nu.clinic)
    return InvalidArgument("clinic",
                           std::string("a ") + RoleName(nu.role) + " must belong to a clinic");
  if (nu.role == Role::kPatient && !nu.patient)
    return InvalidArgument("patient", "a patient login must name the patient record it may see");
  if (nu.role != Role::kPatient && nu.patient)
    return InvalidArgument("patient", "only a patient login is linked to a patient record");
  if (nu.password_hash.empty()) return InvalidArgument("password", "a password is required");
  User u;
  u.id = UserId(NewId("usr"));
  u.username = nu.username;
  u.display_name = nu.display_name.empty() ? nu.username : nu.display_name;
  u.role = nu.role;
  u.clinic = nu.clinic;
  u.patient = nu.patient;
  u.password_hash = nu.password_hash;
  u.created_at = now;
  return u;
}

Status PrepareApiToken(ApiToken& t, const Timestamp& now) {
  if (t.name.empty()) return InvalidArgument("name", "a token name is required");
  if (t.token_hash.empty()) return InvalidArgument("token", "the token hash is missing");
  t.id = NewId("tok");
  t.created_at = now;
  t.revoked_at.clear();
  return {};
}

// --- ChainChecker ---

void ChainChecker::Break(std::string chain, int64_t seq, std::string id, std::string problem) {
  if (!report_.first_break)
    report_.first_break = ChainBreak{std::move(chain), seq, std::move(id), std::move(problem)};
}

void ChainChecker::BeginPatient(const std::string& id) {
  ++report_.patients;
  chain_ = "patient " + id;
  prev_ = std::string(kGenesisHash);
  expect_seq_ = 1;
}

void ChainChecker::AddUnreadableEvent(int64_t seq, const std::string& id,
                                      const std::string& problem) {
  ++report_.events;
  Break(chain_, seq, id, problem);
}

void ChainChecker::AddEvent(const Event& e) {
  ++report_.events;
  if (e.seq != expect_seq_) {
    Break(chain_, e.seq, e.id.value(),
          "sequence number " + std::to_string(e.seq) + " where " + std::to_string(expect_seq_) +
              " was expected (an event is missing)");
  } else if (e.prev_hash != prev_) {
    Break(chain_, e.seq, e.id.value(), "prev_hash does not match the hash of the event before it");
  } else if (EventHash(prev_, e) != e.hash) {
    Break(chain_, e.seq, e.id.value(),
          "the stored hash does not match the event's content (it was changed)");
  }
  if (broken()) return;
  prev_ = e.hash;
  ++expect_seq_;
}

void ChainChecker::EndPatient(int64_t version, const std::string& head_hash) {
  if (broken()) return;
  if (expect_seq_ - 1 != version || prev_ != head_hash) {
    Break(chain_, expect_seq_, "",
          "the patient's recorded version " + std::to_string(version) +
              " and head hash do not match its " + std::to_string(expect_seq_ - 1) +
              " events (an event was removed or the head was changed)");
  }
}

void ChainChecker::AddAudit(const AuditEntry& a) {
  if (!in_audit_) {
    in_audit_ = true;
    prev_ = std::string(kGenesisHash);
    expect_seq_ = 1;
  }
  ++report_.audit_entries;
  std::string id = std::to_string(a.seq);
  if (a.seq != expect_seq_) {
    Break("audit", a.seq, id,
          "sequence number " + id + " where " + std::to_string(expect_seq_) +
              " was expected (an entry is missing)");
  } else if (a.prev_hash != prev_) {
    Break("audit", a.seq, id, "prev_hash does not match the hash of the entry before it");
  } else if (AuditHash(prev_, a) != a.hash) {
    Break("audit", a.seq, id,
          "the stored hash does not match the entry's content (it was changed)");
  }
  if (broken()) return;
  prev_ = a.hash;
  ++expect_seq_;
}

}  // namespace isocourse::store
