// File: demo.h
//
// A realistic demo clinic network for trying isocourse: three clinics (US iPLEDGE, EU
// PPP, UK MHRA), prescribers, staff, pharmacists and one patient login, and about 200
// patients spread over every phase (screening, first months, mid-course, finished),
// both program categories and all three jurisdictions, with weights, diagnoses, labs
// (some with alerts: high triglycerides, raised ALT), pregnancy tests, prescriptions,
// dispenses, mood screens (a few positive) and side effects. Dates are relative to
// `today`, so the demo always looks current. Every event passes the course engine's
// timeline codec before it is stored.
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

// Seeds an empty database. kFailedPrecondition if it already holds patients.
Result<DemoSummary> SeedDemo(store::Store& store, Date today, int patients = 200);

}  // namespace isocourse::server
