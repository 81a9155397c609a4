// File: demo.h
//
// A realistic demo clinic network for trying isocourse: three clinics (US iPLEDGE, EU
// PPP, UK MHRA), prescribers, staff, pharmacists and one patient login, and about 200
// patients spread over every phase (screening, first months, mid-course, paused,
// finished), both program categories and all three jurisdictions, with weights,
// diagnoses, labs, pregnancy tests, contraception entries, counselling, prescriptions,
// dispenses, mood screens and side effects.
//
// In every clinic a showcase patient per situation the screens are about, named by
// MRN (docs/operations.md): DEMO-XX-READY may be dispensed today, -REFUSED is refused
// for a reason of that programme, -ONTRACK, -PAUSED, -POST (completed), -OVERDUE,
// -BLOCKED (US) / -LEADIN (EU, UK), -ALERT-TG (> 800 mg/dL), -ALERT-PHQ9 (item 9),
// -ALERT-REDFLAG; so every worklist status appears. Dates are relative to `today`
// (the server's clock, passed in), so the demo is alive whenever it is seeded.
// Every event passes the course engine's timeline codec before it is stored.
#pragma once

#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "store/store.h"

namespace isocourse::server {

inline constexpr const char* kDemoPassword = "isocourse-demo";

struct DemoLogin {
  std::string username;
  std::string role;
  std::string clinic;  // clinic name, empty for admin
};

struct DemoSummary {
  int clinics = 0;
  int patients = 0;
  int events = 0;
  std::vector<DemoLogin> logins;  // all share kDemoPassword
};

// Today by the server's clock (the store's, UTC): what `isocourse serve --demo` and
// `isocourse demo` seed as of, and the engine routes' default as_of.
Date ServerToday(const store::Store& store);

// Seeds an empty database as of `today`: `patients` in all, at least the 30 showcase
// ones. kFailedPrecondition if it already holds patients.
Result<DemoSummary> SeedDemo(store::Store& store, Date today, int patients = 200);

}  // namespace isocourse::server
