// File: authz.h
//
// Who may see and change what. One place for the rules, so the authorization matrix
// test (tests/server/authz_test.cpp) can check them route by route.
//
//   role        patients of own clinic     other clinics   own record   admin routes
//   admin       read, write                read, write     -            yes
//   prescriber  read, write                none (404)      -            no (403)
//   staff       read, write                none (404)      -            no (403)
//   pharmacist  none (403): only what the dispense check needs         no (403)
//   patient     none (403)                 none (404)      read         no (403)
//
// A patient outside the caller's reach is reported as not found, so ids from other
// clinics cannot be probed. Every decision on patient data is audited by the caller.
#pragma once

#include <initializer_list>
#include <optional>

#include "core/result.h"
#include "server/accounts.h"
#include "store/store.h"

namespace isocourse::server {

enum class PatientAction { kRead, kWrite };

Status AuthorizePatient(const Principal& who, const store::Patient& patient, PatientAction action);

// Which clinic a patient list or search covers: the caller's own, or for an admin the
// requested one (nullopt = all). kPermissionDenied for roles that may not list.
Result<std::optional<ClinicId>> ListScope(const Principal& who,
                                          const std::optional<ClinicId>& requested);

// The clinic a new patient goes into. kPermissionDenied for roles that may not create
// patients or when another clinic is named; kInvalidArgument when an admin names none.
Result<ClinicId> CreateScope(const Principal& who, const std::optional<ClinicId>& requested);

Status RequireRole(const Principal& who, std::initializer_list<store::Role> roles);

}  // namespace isocourse::server
