// File: store_rules.h (internal to the store)
//
// What every Store backend must do the same way, whatever its database: validating
// inputs, the idempotency fingerprint, the wording of conflicts, building new records,
// reading rows into records, and checking hash chains. The backends differ only in
// how they talk to their database.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace isocourse::store {

Error Internal(std::string message);

// Envelope checks of an append (field names in `where`), before any database work.
Status ValidateAppend(const AppendRequest& req);
// BLAKE2b over everything a retry must repeat: the patient, the expected version, the
// recorder and every event. The same key with another fingerprint is a different request.
std::string Fingerprint(const AppendRequest& req);
// Draft `d` of `req` as link `seq` of the patient's chain, after `prev_hash`: with a
// new id, the recorder, `now` and its hash.
Event ChainedEvent(const AppendRequest& req, const EventDraft& d, int64_t seq,
                   const std::string& prev_hash, const Timestamp& now);
// kAlreadyExists for an idempotency key already used by a different request.
Error IdempotencyKeyReused();
// kInvalidArgument for events[i].corrects naming no event of this patient.
Error NoEventToCorrect(size_t i, const EventId& id);
// kConflict at "expected_version" with the current version as the detail
// "current_version" (read back by ConflictCurrentVersion).
Error TimelineConflict(int64_t current, int64_t expected);
Error SettingsConflict(int64_t current, int64_t expected);
// kFailedPrecondition: the database was migrated by a newer isocourse.
Error NewerSchema(int current, int latest);

// Validate a create and fill in what the store assigns (id, defaults, created_at).
Status PrepareClinic(Clinic& clinic, const Timestamp& now);
Result<Patient> NewPatientRecord(const NewPatient& np, const Timestamp& now);
Result<User> NewUserRecord(const NewUser& nu, const Timestamp& now);
// Validate a token and assign its id and creation time.
Status PrepareApiToken(ApiToken& t, const Timestamp& now);

// A LIKE pattern matching `text` literally as a substring (escape character '\').
std::string LikeSubstring(std::string_view text);

// A stored id column: null -> nullopt.
template <class IdT>
std::optional<std::string> OptId(const std::optional<IdT>& id) {
  if (!id) return std::nullopt;
  return id->value();
}

// Walks hash chains link by link and keeps the first break. Feed patients in id order,
// each patient's events in seq order, then the audit log in seq order; stop feeding
// once broken() (the report keeps counting only what was fed).
class ChainChecker {
 public:
  bool broken() const { return report_.first_break.has_value(); }
  void BeginPatient(const std::string& id);
  void AddEvent(const Event& e);
  // An event row that could not be read back (e.g. a stored date that is not a date).
  void AddUnreadableEvent(int64_t seq, const std::string& id, const std::string& problem);
  // The patient row's version and head hash must match the events fed.
  void EndPatient(int64_t version, const std::string& head_hash);
  void AddAudit(const AuditEntry& a);
  const VerifyReport& report() const { return report_; }

 private:
  void Break(std::string chain, int64_t seq, std::string id, std::string problem);
  VerifyReport report_;
  std::string chain_;
  std::string prev_{kGenesisHash};
  int64_t expect_seq_ = 1;
  bool in_audit_ = false;
};

}  // namespace isocourse::store
