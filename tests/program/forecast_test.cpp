// Forecaster tests: the proposed schedule keeps every window open with the fewest
// visits, and every planned date that would make a step slip is named in a warning.
#include <gtest/gtest.h>

#include "program/program_test_util.h"

namespace isocourse::program::testing {
namespace {

using course::EnteredBy;

const ForecastStep* FindStep(const ForecastResult& f, StepKind kind, std::string_view title_part) {
  for (const auto& s : f.steps) {
    if (s.kind == kind && s.title.find(title_part) != std::string::npos) return &s;
  }
  return nullptr;
}
const ForecastWarning* FindWarning(const ForecastResult& f, std::string_view step_part) {
  for (const auto& w : f.warnings) {
    if (w.step.find(step_part) != std::string::npos) return &w;
  }
  return nullptr;
}
std::string Dump(const ForecastResult& f) {
  std::string out;
  for (const auto& s : f.steps) {
    out += "  " + std::string(course::Name(s.kind)) + " " +
           (s.proposed ? s.proposed->ToString() : "-") + (s.from_plan ? " (plan) " : " ") +
           s.title + " [" + std::string(s.explanation.rule_id) + "]\n";
  }
  for (const auto& w : f.warnings) out += "  WARN " + w.step + ": " + w.message + "\n";
  return out;
}

// Enrolled, counseled, two methods since 2025-12-01, screening test on 2026-01-05.
Patient UsScreened(std::string_view day = "2026-01-05") {
  Patient p = Patient::UsCgp();
  p.Enroll(day).Counsel(day).TwoMethods(day, "2025-12-01");
  p.Test(day, PregnancyTestPurpose::kScreening);
  return p;
}

TEST(Forecast, UsFirstCourseWithoutPlanUsesTheFirstAllowedDays) {
  Patient p = UsScreened();
  auto f = p.Plan("2026-01-05");
  ASSERT_TRUE(f.has_value()) << f.error().ToString();
  const ForecastStep* conf = FindStep(*f, StepKind::kPregnancyTest, "Confirmation");
  ASSERT_NE(conf, nullptr) << Dump(*f);
  EXPECT_EQ(conf->proposed, D("2026-01-24"));  // screening + 19 days
  EXPECT_EQ(conf->explanation.rule_id, "ipledge.test.confirmation.min-gap");
  const ForecastStep* pickup = FindStep(*f, StepKind::kPickup, "Pickup");
  ASSERT_NE(pickup, nullptr);
  EXPECT_EQ(pickup->proposed, D("2026-01-24"));
  EXPECT_EQ(pickup->latest, D("2026-01-30"));
  // Month 2: supply 01-24..02-22, needed 02-23; window from 02-17 still covers it.
  const ForecastStep* m2 = FindStep(*f, StepKind::kPregnancyTest, "month 2");
  ASSERT_NE(m2, nullptr) << Dump(*f);
  EXPECT_EQ(m2->earliest, D("2026-02-17"));
  EXPECT_EQ(m2->latest, D("2026-02-23"));
  EXPECT_EQ(m2->proposed, D("2026-02-17"));
  EXPECT_TRUE(f->warnings.empty()) << Dump(*f);
  // One visit per test day, nothing else: 01-24, 02-17, 03-13, 04-06 within 120 days.
  EXPECT_EQ(f->visits, 4) << Dump(*f);
}

TEST(Forecast, PlannedConfirmationEighteenDaysAfterScreeningIsNamed) {
  Patient p = UsScreened();
  ForecastRequest req;
  req.planned.push_back({StepKind::kPregnancyTest, D("2026-01-23"), ""});
  auto f = p.Plan("2026-01-05", req);
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "confirmation test planned on 2026-01-23");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_EQ(w->explanation.rule_id, "ipledge.test.confirmation.min-gap");
  EXPECT_NE(w->message.find("2026-01-24"), std::string::npos) << w->message;
}

TEST(Forecast, PlannedPickupOnDay8CausesTheV2021Lockout) {
  Patient p = UsScreened();
  ForecastRequest req;
  req.planned.push_back({StepKind::kPregnancyTest, D("2026-01-24"), ""});
  req.planned.push_back({StepKind::kPickup, D("2026-01-31"), ""});
  auto f = p.Plan("2026-01-05", req);
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "first pickup planned on 2026-01-31");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_EQ(w->explanation.rule_id, "ipledge.missed-first-window.lockout");
  EXPECT_TRUE(w->slips);
  EXPECT_NE(w->message.find("2026-02-12"), std::string::npos) << w->message;
  // The schedule continues after the lockout with a new confirmation test.
  bool found = false;
  for (const auto& s : f->steps) {
    if (s.kind == StepKind::kPregnancyTest && s.proposed == D("2026-02-12")) found = true;
  }
  EXPECT_TRUE(found) << Dump(*f);
}

TEST(Forecast, PlannedPickupOnDay7IsFine) {
  Patient p = UsScreened();
  ForecastRequest req;
  req.planned.push_back({StepKind::kPregnancyTest, D("2026-01-24"), ""});
  req.planned.push_back({StepKind::kPickup, D("2026-01-30"), ""});
  auto f = p.Plan("2026-01-05", req);
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(f->warnings.empty()) << Dump(*f);
  const ForecastStep* pickup = FindStep(*f, StepKind::kPickup, "Pickup");
  ASSERT_NE(pickup, nullptr);
  EXPECT_TRUE(pickup->from_plan);
}

TEST(Forecast, V2026MissedFirstPickupMeansImmediateRetest) {
  Patient p = UsScreened("2026-09-01");
  ForecastRequest req;
  req.planned.push_back({StepKind::kPregnancyTest, D("2026-09-20"), ""});
  req.planned.push_back({StepKind::kPickup, D("2026-09-29"), ""});
  auto f = p.Plan("2026-09-01", req);
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "first pickup planned on 2026-09-29");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_EQ(w->explanation.rule_id, "ipledge.missed-first-window.retest");
  bool retest = false;
  for (const auto& s : f->steps) {
    if (s.kind == StepKind::kPregnancyTest && s.proposed == D("2026-09-29")) retest = true;
  }
  EXPECT_TRUE(retest) << Dump(*f);
}

TEST(Forecast, MonthlyTestPlannedAfterTheSupplyRunsOutIsNamed) {
  Patient p = UsScreened();
  p.Test("2026-01-24", PregnancyTestPurpose::kConfirmation).Quiz("2026-01-24");
  p.Rx("2026-01-24").Fill("2026-01-24");
  ForecastRequest req;
  req.planned.push_back({StepKind::kPregnancyTest, D("2026-02-26"), ""});
  auto f = p.Plan("2026-02-01", req);
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "monthly test planned on 2026-02-26");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_NE(w->message.find("3 days without isotretinoin"), std::string::npos) << w->message;
  EXPECT_NE(w->message.find("2026-02-23"), std::string::npos) << w->message;
}

TEST(Forecast, RegularCyclesMoveTheConfirmationToTheNextPeriod) {
  Patient p = UsScreened();
  p.RegularCycles().Menses("2026-01-10");
  auto f = p.Plan("2026-01-12");
  ASSERT_TRUE(f.has_value());
  const ForecastStep* conf = FindStep(*f, StepKind::kPregnancyTest, "Confirmation");
  ASSERT_NE(conf, nullptr) << Dump(*f);
  EXPECT_EQ(conf->earliest, D("2026-01-24"));
  EXPECT_EQ(conf->proposed, D("2026-02-07"));  // 01-10 + 28 days
}

TEST(Forecast, CutoverInsideTheHorizonIsAnnounced) {
  Patient p = UsScreened("2026-06-01");
  auto f = p.Plan("2026-06-01");
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "rule pack");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_FALSE(w->slips);  // a note, not a slip
  EXPECT_NE(w->message.find("us.ipledge.v2026"), std::string::npos) << w->message;
}

TEST(Forecast, NewPatientGetsOneEnrollmentVisit) {
  Patient p = Patient::UsCgp();
  auto f = p.Plan("2026-01-05");
  ASSERT_TRUE(f.has_value());
  const ForecastStep* v = FindStep(*f, StepKind::kVisit, "Enrollment");
  ASSERT_NE(v, nullptr) << Dump(*f);
  const ForecastStep* conf = FindStep(*f, StepKind::kPregnancyTest, "Confirmation");
  ASSERT_NE(conf, nullptr);
  // Contraception assumed to start at the visit: 1 month later beats 19 days.
  EXPECT_EQ(conf->proposed, D("2026-02-05"));
}

TEST(Forecast, EuSchedulesTestPrescriptionAndDispensingTogether) {
  Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCanGetPregnant);
  p.Methods("2026-01-01", EnteredBy::kClinic, {ContraceptionMethod::kImplant}, "2025-12-01");
  auto f = p.Plan("2026-02-01");
  ASSERT_TRUE(f.has_value());
  const ForecastStep* first = FindStep(*f, StepKind::kPregnancyTest, "First");
  ASSERT_NE(first, nullptr) << Dump(*f);
  EXPECT_EQ(first->proposed, D("2026-02-01"));
  const ForecastStep* monthly = FindStep(*f, StepKind::kPregnancyTest, "Monthly");
  ASSERT_NE(monthly, nullptr) << Dump(*f);
  EXPECT_EQ(monthly->proposed, D("2026-02-24"));  // supply needed 03-03, minus 7 days
  EXPECT_TRUE(f->warnings.empty()) << Dump(*f);
}

TEST(Forecast, EuDispensingPlannedEightDaysAfterPrescriptionIsNamed) {
  Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCanGetPregnant);
  p.Methods("2026-01-01", EnteredBy::kClinic, {ContraceptionMethod::kImplant}, "2025-12-01");
  ForecastRequest req;
  req.planned.push_back({StepKind::kPrescription, D("2026-02-02"), ""});
  req.planned.push_back({StepKind::kPickup, D("2026-02-10"), ""});
  auto f = p.Plan("2026-02-01", req);
  ASSERT_TRUE(f.has_value());
  const ForecastWarning* w = FindWarning(*f, "dispensing planned on 2026-02-10");
  ASSERT_NE(w, nullptr) << Dump(*f);
  EXPECT_EQ(w->explanation.rule_id, "ppp.dispense.within");
}

TEST(Forecast, BadHorizonIsAnError) {
  Patient p = Patient::UsCgp();
  ForecastRequest req;
  req.horizon_days = 0;
  auto f = p.Plan("2026-01-05", req);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().where, "horizon_days");
}

}  // namespace
}  // namespace isocourse::program::testing
