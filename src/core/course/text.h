// File: text.h (internal to src/core/course/ and src/core/program/)
//
// Building the engines' messages without the allocations of `a + b + c`: every
// evaluation writes dozens of reason, task and alert texts, and each `+` on a growing
// std::string may allocate again. Cat() sizes the result once; DateText() formats a
// date without snprintf.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/date.h"

namespace isocourse::course {

// The concatenation of `parts` (anything that converts to std::string_view), with one
// allocation.
template <class... Parts>
std::string Cat(const Parts&... parts) {
  const std::string_view views[] = {std::string_view(parts)...};
  size_t size = 0;
  for (std::string_view v : views) size += v.size();
  std::string out;
  out.reserve(size);
  for (std::string_view v : views) out.append(v);
  return out;
}

// "YYYY-MM-DD": the same text as Date::ToString.
inline std::string DateText(Date d) {
  const std::chrono::year_month_day ymd = d.ymd();
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return d.ToString();
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned day = static_cast<unsigned>(ymd.day());
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + day / 10);
  out[9] = static_cast<char>('0' + day % 10);
  return out;
}

}  // namespace isocourse::course
