#include "store/store.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace isocourse::store {

Timestamp SystemNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

Timestamp AddSeconds(const Timestamp& t, int64_t seconds) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6) {
    return t;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm) + static_cast<std::time_t>(seconds);
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

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
