#include "server/authz.h"

namespace isocourse::server {

using store::Role;

namespace {
Error Denied(std::string message) {
  return Error{ErrorCode::kPermissionDenied, std::move(message), "authorization", {}};
}
std::string RoleText(const Principal& who) { return store::RoleName(who.role); }
}  // namespace

Status RequireRole(const Principal& who, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (who.role == r) return {};
  }
  std::string list;
  for (Role r : roles) {
    if (!list.empty()) list += ", ";
    list += store::RoleName(r);
  }
  return std::unexpected(Denied("a " + RoleText(who) + " may not do this (allowed: " + list + ")"));
}

Status AuthorizePatient(const Principal& who, const store::Patient& patient, PatientAction action) {
  auto hidden = [&] { return NotFound("patient_id", "no patient " + patient.id.value()); };
  switch (who.role) {
    case Role::kAdmin:
      return {};
    case Role::kPrescriber:
    case Role::kStaff:
      if (!who.clinic || *who.clinic != patient.clinic) return hidden();
      return {};
    case Role::kPharmacist:
      return std::unexpected(
          Denied("a pharmacist sees only what the dispense check needs, not patient records"));
    case Role::kPatient:
      if (!who.patient || *who.patient != patient.id) return hidden();
      if (action == PatientAction::kWrite)
        return std::unexpected(Denied("a patient may read their record but not change it here"));
      return {};
  }
  return std::unexpected(Denied("unknown role"));
}

Result<std::optional<ClinicId>> ListScope(const Principal& who,
                                          const std::optional<ClinicId>& requested) {
  switch (who.role) {
    case Role::kAdmin:
      return requested;
    case Role::kPrescriber:
    case Role::kStaff:
      if (requested && who.clinic && *requested != *who.clinic)
        return std::unexpected(Denied("you may list only your own clinic's patients"));
      return who.clinic;
    case Role::kPharmacist:
    case Role::kPatient:
      break;
  }
  return std::unexpected(Denied("a " + RoleText(who) + " may not list or search patients"));
}

Result<ClinicId> CreateScope(const Principal& who, const std::optional<ClinicId>& requested) {
  switch (who.role) {
    case Role::kAdmin:
      if (!requested) return InvalidArgument("clinic_id", "an admin must name the clinic");
      return *requested;
    case Role::kPrescriber:
    case Role::kStaff:
      if (!who.clinic) return std::unexpected(Denied("your account has no clinic"));
      if (requested && *requested != *who.clinic)
        return std::unexpected(Denied("you may add patients only to your own clinic"));
      return *who.clinic;
    case Role::kPharmacist:
    case Role::kPatient:
      break;
  }
  return std::unexpected(Denied("a " + RoleText(who) + " may not add patients"));
}

}  // namespace isocourse::server
