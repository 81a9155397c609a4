// File: date.h
//
// Calendar dates without time zones. Clinical windows are counted in whole days:
// "day 1" of an iPLEDGE window is the specimen date itself, so window arithmetic is
// `start.AddDays(6)` for a 7-day window. Core never reads the clock: "today" is
// always a parameter.
#pragma once

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

#include "core/result.h"

namespace isocourse {

class Date {
 public:
  Date() = default;
  static constexpr Date FromDays(int days_since_epoch) { return Date(days_since_epoch); }
  static Date FromYmd(int year, unsigned month, unsigned day);

  // Parses YYYY-MM-DD. Errors (kInvalidArgument) name `where` and say what was wrong:
  // wrong shape, or a calendar date that does not exist (2026-02-30).
  static Result<Date> Parse(std::string_view text, std::string_view where);

  int days_since_epoch() const { return days_; }
  std::chrono::year_month_day ymd() const;
  int year() const;
  unsigned month() const;
  unsigned day() const;

  Date AddDays(int n) const { return Date(days_ + n); }
  // Same day-of-month n months later, clamped to the month's end (Jan 31 + 1 month =
  // Feb 28/29).
  Date AddMonths(int n) const;
  // Whole days from `this` to `later` (negative if `later` is earlier).
  int DaysUntil(Date later) const { return later.days_ - days_; }

  std::string ToString() const;
  auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(int days) : days_(days) {}
  int days_ = 0;
};

}  // namespace isocourse
