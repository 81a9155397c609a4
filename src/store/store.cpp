#include "store/store.h"

#include <charconv>
#include <string>

namespace isocourse::store {

std::optional<int64_t> ConflictCurrentVersion(const Error& e) {
  if (e.code != ErrorCode::kConflict) return std::nullopt;
  for (const Error& d : e.details) {
    if (d.where != "current_version") continue;
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(d.message.data(), d.message.data() + d.message.size(), v);
    if (ec == std::errc() && ptr == d.message.data() + d.message.size()) return v;
  }
  return std::nullopt;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kPrescriber:
      return "prescriber";
    case Role::kStaff:
      return "staff";
    case Role::kPharmacist:
      return "pharmacist";
    case Role::kPatient:
      return "patient";
  }
  return "staff";
}

Result<Role> ParseRole(std::string_view text, std::string_view where) {
  for (Role r : kAllRoles) {
    if (text == RoleName(r)) return r;
  }
  return InvalidArgument(std::string(where),
                         "unknown role '" + std::string(text) +
                             "' (expected admin, prescriber, staff, pharmacist or patient)");
}

}  // namespace isocourse::store
