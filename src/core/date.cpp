#include "core/date.h"

#include <charconv>
#include <cstdio>

namespace isocourse {

namespace {
bool ParseUnsigned(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Date Date::FromYmd(int year, unsigned month, unsigned day) {
  std::chrono::sys_days d{std::chrono::year{year} / std::chrono::month{month} /
                          std::chrono::day{day}};
  return Date(static_cast<int>(d.time_since_epoch().count()));
}

Result<Date> Date::Parse(std::string_view text, std::string_view where) {
  const std::string w(where);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return InvalidArgument(w, "'" + std::string(text) + "' is not a date; expected YYYY-MM-DD");
  }
  int y = 0, m = 0, d = 0;
  if (!ParseUnsigned(text.substr(0, 4), y) || !ParseUnsigned(text.substr(5, 2), m) ||
      !ParseUnsigned(text.substr(8, 2), d)) {
    return InvalidArgument(w, "'" + std::string(text) + "' is not a date; expected YYYY-MM-DD");
  }
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900 || y > 2200) {
    return InvalidArgument(w, "'" + std::string(text) + "' is not a real calendar date");
  }
  return FromYmd(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::chrono::year_month_day Date::ymd() const {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days_}}};
}
int Date::year() const { return static_cast<int>(ymd().year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd().month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd().day()); }

Date Date::AddMonths(int n) const {
  auto ymd_now = ymd();
  auto target = std::chrono::year_month{ymd_now.year(), ymd_now.month()} + std::chrono::months{n};
  auto last =
      std::chrono::year_month_day_last{target.year(), std::chrono::month_day_last{target.month()}};
  std::chrono::day dd = ymd_now.day() > last.day() ? last.day() : ymd_now.day();
  std::chrono::sys_days out{target.year() / target.month() / dd};
  return Date(static_cast<int>(out.time_since_epoch().count()));
}

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year(), month(), day());
  return buf;
}

}  // namespace isocourse
