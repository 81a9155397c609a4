// Unit tests of the pregnancy-prevention program rules (src/core/program/): each test
// states the clinical rule it checks and both sides of its boundary. The case files
// in tests/cases/{ipledge,eu-ppp,uk} check the same rules through the whole engine.
#include <gtest/gtest.h>

#include "program/program_test_util.h"

namespace isocourse::program::testing {
namespace {

using course::EnteredBy;
using course::TaskStatus;

// A patient who can get pregnant, ready for a first prescription under the 2021 REMS:
// two methods since 2025-12-01, screening test 2026-01-05, confirmation test
// 2026-01-24 (19 days later), counseling and questions done.
Patient UsReadyV2021() {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-01-05").Counsel("2026-01-05").TwoMethods("2026-01-05", "2025-12-01");
  p.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  p.Test("2026-01-24", PregnancyTestPurpose::kConfirmation);
  p.Quiz("2026-01-24");
  return p;
}

TEST(Ipledge, FirstPrescriptionAllowedInsideWindowWithDispenseBy) {
  Patient p = UsReadyV2021();
  ProgramState st = p.Eval("2026-01-24");
  EXPECT_TRUE(st.may_prescribe.allowed) << Why(st.may_prescribe);
  EXPECT_EQ(st.section.rule_pack, "us.ipledge.v2021");
  EXPECT_EQ(st.section.pack_version, "V2021");
  EXPECT_EQ(st.section.window_start, D("2026-01-24"));
  EXPECT_EQ(st.section.window_end, D("2026-01-30"));  // specimen date = day 1
  EXPECT_FALSE(st.may_dispense.allowed);              // nothing prescribed yet
  EXPECT_TRUE(Blocks(st.may_dispense, "no-prescription"));
  // Every reason carries its rule, pack and citation.
  for (const auto& r : st.may_prescribe.reasons) {
    EXPECT_FALSE(r.explanation.rule_id.empty()) << r.code;
    EXPECT_EQ(r.explanation.rule_pack, "us.ipledge.v2021") << r.code;
    EXPECT_FALSE(r.explanation.citation.source.empty()) << r.code;
  }
}

TEST(Ipledge, DispenseOnDay7AllowedDay8LockedOutFor19Days) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24");
  ProgramState day7 = p.Eval("2026-01-30");
  EXPECT_TRUE(day7.may_dispense.allowed) << Why(day7.may_dispense);
  EXPECT_EQ(day7.may_dispense.by, D("2026-01-30"));

  ProgramState day8 = p.Eval("2026-01-31");
  EXPECT_FALSE(day8.may_dispense.allowed);
  EXPECT_FALSE(day8.may_prescribe.allowed);
  const course::Reason* r = FindReason(day8.may_dispense, "first-window-missed");
  ASSERT_NE(r, nullptr) << Why(day8.may_dispense);
  EXPECT_EQ(r->explanation.rule_id, "ipledge.missed-first-window.lockout");
  EXPECT_EQ(day8.section.lockout_until, D("2026-02-12"));  // 2026-01-24 + 19
  EXPECT_EQ(day8.section.state, "locked_out");
  EXPECT_FALSE(day8.may_dispense.by.has_value());
  ASSERT_FALSE(day8.alerts.empty());
  EXPECT_EQ(day8.alerts[0].id, "ipledge.missed-first-window.lockout");
}

TEST(Ipledge, TestInsideLockoutIsRejectedAndOnTheLastDayAccepted) {
  Patient early = UsReadyV2021();
  early.Test("2026-02-11", PregnancyTestPurpose::kConfirmation).Quiz("2026-02-11");
  ProgramState st = early.Eval("2026-02-11");
  EXPECT_TRUE(Blocks(st.may_prescribe, "locked-out")) << Why(st.may_prescribe);

  Patient ok = UsReadyV2021();
  ok.Test("2026-02-12", PregnancyTestPurpose::kConfirmation).Quiz("2026-02-12");
  ProgramState st2 = ok.Eval("2026-02-12");
  EXPECT_TRUE(st2.may_prescribe.allowed) << Why(st2.may_prescribe);
}

TEST(Ipledge, ConfirmationEighteenDaysAfterScreeningIsTooEarlyNineteenIsNot) {
  Patient p18 = Patient::UsCgp();
  p18.Enroll("2026-01-05").Counsel("2026-01-05").TwoMethods("2026-01-05", "2025-12-01");
  p18.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  p18.Test("2026-01-23", PregnancyTestPurpose::kConfirmation).Quiz("2026-01-23");
  ProgramState st = p18.Eval("2026-01-23");
  EXPECT_FALSE(st.may_prescribe.allowed);
  const course::Reason* r = FindReason(st.may_prescribe, "confirmation-too-early");
  ASSERT_NE(r, nullptr) << Why(st.may_prescribe);
  EXPECT_EQ(r->explanation.rule_id, "ipledge.test.confirmation.min-gap");
  EXPECT_NE(r->message.find("2026-01-24"), std::string::npos) << r->message;
  const course::Task* t = FindTask(st, "ipledge.test.confirmation.min-gap");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->earliest, D("2026-01-24"));

  ProgramState st19 = UsReadyV2021().Eval("2026-01-24");
  EXPECT_TRUE(st19.may_prescribe.allowed) << Why(st19.may_prescribe);
}

TEST(Ipledge, NoConfirmationYetGivesBlockedTaskWithEarliestDay) {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-01-05").Counsel("2026-01-05").TwoMethods("2026-01-05", "2026-01-05");
  p.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  ProgramState st = p.Eval("2026-01-10");
  EXPECT_TRUE(Blocks(st.may_prescribe, "no-confirmation-test")) << Why(st.may_prescribe);
  const course::Task* t = FindTask(st, "ipledge.test.confirmation.min-gap");
  ASSERT_NE(t, nullptr);
  // Two methods since 2026-01-05: 1 month later (2026-02-05) beats 19 days (01-24).
  EXPECT_EQ(t->earliest, D("2026-02-05"));
  EXPECT_EQ(t->status, TaskStatus::kBlocked);
  EXPECT_EQ(st.section.state, "lead_in");
}

TEST(Ipledge, CutoverPicksPackByDateAndSetting) {
  Patient p = Patient::UsNcgp();
  p.Enroll("2026-07-01").Counsel("2026-07-01");
  EXPECT_EQ(p.Eval("2026-08-07").section.rule_pack, "us.ipledge.v2021");
  EXPECT_EQ(p.Eval("2026-08-08").section.rule_pack, "us.ipledge.v2026");
  p.settings().ipledge_2026_cutover = D("2026-10-01");
  EXPECT_EQ(p.Eval("2026-09-30").section.rule_pack, "us.ipledge.v2021");
  EXPECT_EQ(p.Eval("2026-10-01").section.rule_pack, "us.ipledge.v2026");
}

TEST(Ipledge, V2026MissedFirstWindowMeansImmediateRetestNoLockout) {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-09-01").Counsel("2026-09-01").TwoMethods("2026-09-01", "2026-08-01");
  p.Test("2026-09-01", PregnancyTestPurpose::kScreening);
  p.Test("2026-09-20", PregnancyTestPurpose::kConfirmation).Quiz("2026-09-20");
  ProgramState st = p.Eval("2026-09-27");
  EXPECT_EQ(st.section.rule_pack, "us.ipledge.v2026");
  const course::Reason* r = FindReason(st.may_prescribe, "first-window-missed");
  ASSERT_NE(r, nullptr) << Why(st.may_prescribe);
  EXPECT_EQ(r->explanation.rule_id, "ipledge.missed-first-window.retest");
  EXPECT_FALSE(st.section.lockout_until.has_value());
  // A repeat test the next day qualifies at once.
  p.Test("2026-09-28", PregnancyTestPurpose::kConfirmation, TestSetting::kMedicalOffice);
  ProgramState st2 = p.Eval("2026-09-28");
  EXPECT_TRUE(st2.may_prescribe.allowed) << Why(st2.may_prescribe);
}

TEST(Ipledge, V2021PreTreatmentTestsNeedClia) {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-01-05").Counsel("2026-01-05").TwoMethods("2026-01-05", "2025-12-01");
  p.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  p.Test("2026-01-24", PregnancyTestPurpose::kConfirmation, TestSetting::kMedicalOffice);
  p.Quiz("2026-01-24");
  ProgramState st = p.Eval("2026-01-24");
  const course::Reason* r = FindReason(st.may_prescribe, "test-not-clia");
  ASSERT_NE(r, nullptr) << Why(st.may_prescribe);
  EXPECT_EQ(r->explanation.rule_id, "ipledge.test.pre-treatment.clia");
}

// Under the 2026 REMS a home test is accepted only during treatment and only with the
// prescriber's opt-in.
TEST(Ipledge, V2026HomeTestBeforeTreatmentRejectedDuringTreatmentNeedsOptIn) {
  Patient pre = Patient::UsCgp();
  pre.Enroll("2026-09-01").Counsel("2026-09-01").TwoMethods("2026-09-01", "2026-08-01");
  pre.Test("2026-09-01", PregnancyTestPurpose::kScreening, TestSetting::kMedicalOffice);
  pre.Test("2026-09-20", PregnancyTestPurpose::kConfirmation, TestSetting::kHome)
      .Quiz("2026-09-20");
  pre.facts().home_tests_opt_in = true;
  ProgramState st = pre.Eval("2026-09-20");
  EXPECT_TRUE(Blocks(st.may_prescribe, "home-test-before-treatment")) << Why(st.may_prescribe);

  auto during = [](bool opt_in) {
    Patient p = Patient::UsCgp();
    p.Enroll("2026-09-01").Counsel("2026-09-01").TwoMethods("2026-09-01", "2026-08-01");
    p.Test("2026-09-01", PregnancyTestPurpose::kScreening);
    p.Test("2026-09-20", PregnancyTestPurpose::kConfirmation).Quiz("2026-09-20");
    p.Rx("2026-09-20").Fill("2026-09-21");
    p.Counsel("2026-10-18").Quiz("2026-10-18");
    p.Methods("2026-10-18", EnteredBy::kPatient,
              {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom}, "2026-08-01");
    p.Test("2026-10-18", PregnancyTestPurpose::kMonthly, TestSetting::kHome);
    p.facts().home_tests_opt_in = opt_in;
    return p.Eval("2026-10-18");
  };
  ProgramState no = during(false);
  EXPECT_TRUE(Blocks(no.may_prescribe, "home-test-not-opted-in")) << Why(no.may_prescribe);
  ProgramState yes = during(true);
  EXPECT_TRUE(yes.may_prescribe.allowed) << Why(yes.may_prescribe);
  EXPECT_NE(FindReason(yes.may_prescribe, "home-test-accepted"), nullptr);
}

TEST(Ipledge, MismatchedContraceptionEntriesBlock) {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-01-05").Counsel("2026-01-05");
  p.Methods("2026-01-05", EnteredBy::kClinic,
            {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom}, "2025-12-01");
  p.Methods("2026-01-06", EnteredBy::kPatient,
            {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kFemaleCondom}, "2025-12-01");
  p.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  p.Test("2026-01-24", PregnancyTestPurpose::kConfirmation).Quiz("2026-01-24");
  ProgramState st = p.Eval("2026-01-24");
  const course::Reason* r = FindReason(st.may_prescribe, "contraception-entries-mismatch");
  ASSERT_NE(r, nullptr) << Why(st.may_prescribe);
  EXPECT_TRUE(r->blocking);
  EXPECT_NE(r->message.find("female_condom"), std::string::npos) << r->message;
}

TEST(Ipledge, MinipillDoesNotCountAsOneOfTwoMethods) {
  Patient p = Patient::UsCgp();
  p.Enroll("2026-01-05").Counsel("2026-01-05");
  for (EnteredBy by : {EnteredBy::kClinic, EnteredBy::kPatient}) {
    p.Methods("2026-01-05", by,
              {ContraceptionMethod::kProgestinOnlyPill, ContraceptionMethod::kMaleCondom},
              "2025-12-01");
  }
  p.Test("2026-01-05", PregnancyTestPurpose::kScreening);
  ProgramState st = p.Eval("2026-01-06");
  EXPECT_TRUE(Blocks(st.may_prescribe, "contraception-inadequate")) << Why(st.may_prescribe);
}

TEST(Ipledge, RegularCyclesConfirmationOnCycleDay5OkDay6Not) {
  auto run = [](std::string_view menses) {
    Patient p = UsReadyV2021();
    p.RegularCycles().Menses(menses);
    return p.Eval("2026-01-24");
  };
  ProgramState day5 = run("2026-01-20");  // 01-24 is cycle day 5
  EXPECT_TRUE(day5.may_prescribe.allowed) << Why(day5.may_prescribe);
  ProgramState day6 = run("2026-01-19");
  EXPECT_TRUE(Blocks(day6.may_prescribe, "confirmation-outside-menses")) << Why(day6.may_prescribe);
}

TEST(Ipledge, MonthlyCycleNeedsNewTestCounselingQuestionsAndPatientEntry) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24").Fill("2026-01-25");
  ProgramState st = p.Eval("2026-02-18");
  EXPECT_TRUE(Blocks(st.may_prescribe, "no-test-this-cycle"));
  EXPECT_TRUE(Blocks(st.may_prescribe, "counseling-due"));
  EXPECT_TRUE(Blocks(st.may_prescribe, "comprehension-due"));
  EXPECT_TRUE(Blocks(st.may_prescribe, "patient-entry-due"));
  // Supply 2026-01-25..02-23: a test from 02-18 still covers 02-24 with its window.
  const course::Task* t = FindTask(st, "ipledge.test.monthly");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->earliest, D("2026-02-18"));
  EXPECT_EQ(t->latest, D("2026-02-24"));
  EXPECT_EQ(t->status, TaskStatus::kDueSoon);

  p.Counsel("2026-02-20").Quiz("2026-02-20");
  p.Methods("2026-02-20", EnteredBy::kPatient,
            {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom}, "2025-12-01");
  p.Test("2026-02-20", PregnancyTestPurpose::kMonthly);
  ProgramState ok = p.Eval("2026-02-20");
  EXPECT_TRUE(ok.may_prescribe.allowed) << Why(ok.may_prescribe);
  // A missed later window: no lockout, retest now.
  ProgramState late = p.Eval("2026-02-27");
  const course::Reason* r = FindReason(late.may_prescribe, "window-missed");
  ASSERT_NE(r, nullptr) << Why(late.may_prescribe);
  EXPECT_EQ(r->explanation.rule_id, "ipledge.missed-later-window.retest");
}

TEST(Ipledge, SupplyOver30DaysAndRefillsAreRefusedAtDispensing) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24", 35, 1);
  ProgramState st = p.Eval("2026-01-25");
  EXPECT_TRUE(Blocks(st.may_dispense, "supply-over-limit")) << Why(st.may_dispense);
  EXPECT_TRUE(Blocks(st.may_dispense, "refills-not-allowed"));
  EXPECT_TRUE(st.may_prescribe.allowed);
}

TEST(Ipledge, NcgpV2021ThirtyDayWindowFromVisit) {
  Patient p = Patient::UsNcgp();
  p.Enroll("2026-03-01").Counsel("2026-03-01").Rx("2026-03-01");
  ProgramState day30 = p.Eval("2026-03-30");
  EXPECT_TRUE(day30.may_dispense.allowed) << Why(day30.may_dispense);
  EXPECT_EQ(day30.may_dispense.by, D("2026-03-30"));
  ProgramState day31 = p.Eval("2026-03-31");
  EXPECT_TRUE(Blocks(day31.may_dispense, "window-missed")) << Why(day31.may_dispense);
}

TEST(Ipledge, NcgpV2026CounselingAtEnrollmentOnlyAndNoWindow) {
  Patient p = Patient::UsNcgp();
  p.Enroll("2026-09-01").Counsel("2026-09-01").Rx("2026-09-01").Fill("2026-09-02");
  p.Rx("2026-10-01");
  ProgramState st = p.Eval("2026-10-20");
  EXPECT_TRUE(st.may_prescribe.allowed) << Why(st.may_prescribe);
  EXPECT_TRUE(st.may_dispense.allowed) << Why(st.may_dispense);
  EXPECT_FALSE(st.may_dispense.by.has_value());
  EXPECT_NE(FindReason(st.may_prescribe, "no-window"), nullptr);
  // The same patient under the 2021 rules needs monthly counseling.
  p.settings().ipledge_2026_cutover = D("2027-01-01");
  ProgramState v21 = p.Eval("2026-10-20");
  EXPECT_TRUE(Blocks(v21.may_prescribe, "counseling-due")) << Why(v21.may_prescribe);
}

TEST(Ipledge, PositiveTestStopsWithAlert) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24").Fill("2026-01-24");
  p.Test("2026-02-20", PregnancyTestPurpose::kMonthly, TestSetting::kCertifiedLab,
         course::TestResult::kPositive);
  ProgramState st = p.Eval("2026-02-21");
  EXPECT_TRUE(Blocks(st.may_prescribe, "pregnancy-test-positive"));
  EXPECT_TRUE(Blocks(st.may_dispense, "pregnancy-test-positive"));
  ASSERT_EQ(st.alerts.size(), 1u);
  EXPECT_TRUE(st.alerts[0].stop_drug);
  EXPECT_EQ(st.alerts[0].explanation.rule_id, "ipledge.pregnancy.stop");
  EXPECT_EQ(st.section.state, "pregnancy");
}

TEST(Ipledge, PostTreatmentTestOneMonthAfterLastDose) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24").Fill("2026-01-24");
  p.facts().completed = true;
  p.facts().last_dose = D("2026-02-22");
  p.facts().end_date = D("2026-02-22");
  ProgramState st = p.Eval("2026-03-01");
  const course::Task* t = FindTask(st, "ipledge.post.test");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->due, D("2026-03-22"));
  const course::Task* c = FindTask(st, "ipledge.post.contraception");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->latest, D("2026-03-22"));
  EXPECT_EQ(FindTask(st, "ipledge.test.monthly"), nullptr);
}

// The post-treatment test after a completed course is not a monthly test: once its
// 7 days have passed nothing asks for a "window missed" retest (the course is over),
// and the post-treatment test task is done.
TEST(Ipledge, PostTreatmentTestOpensNoWindowToMiss) {
  Patient p = UsReadyV2021();
  p.Rx("2026-01-24").Fill("2026-01-24");
  p.facts().completed = true;
  p.facts().last_dose = D("2026-02-22");
  p.facts().end_date = D("2026-02-22");
  p.Test("2026-03-23", PregnancyTestPurpose::kPostTreatment);
  ProgramState st = p.Eval("2026-04-10");  // 18 days after the test
  EXPECT_EQ(FindTask(st, "ipledge.missed-later-window.retest"), nullptr);
  EXPECT_EQ(FindReason(st.may_dispense, "window-missed"), nullptr) << Why(st.may_dispense);
  EXPECT_EQ(st.section.state, "post_treatment");
  EXPECT_EQ(FindTask(st, "ipledge.test.monthly"), nullptr);

  // Likewise a counselling visit after the course of a patient who cannot get pregnant
  // (2021 rules: a 30-day window from the visit).
  Patient n = Patient::UsNcgp();
  n.Enroll("2026-01-05").Counsel("2026-01-05").Rx("2026-01-05").Fill("2026-01-06");
  n.facts().completed = true;
  n.facts().last_dose = D("2026-02-04");
  n.facts().end_date = D("2026-02-04");
  n.Counsel("2026-02-10");
  ProgramState after = n.Eval("2026-04-01");
  EXPECT_EQ(FindTask(after, "ipledge.missed-later-window.retest"), nullptr);
  EXPECT_EQ(FindReason(after.may_dispense, "window-missed"), nullptr) << Why(after.may_dispense);
  EXPECT_EQ(after.section.state, "post_treatment");
}

// Doses recorded without any pickup: the patient is still treated as before the
// first prescription (and nothing dereferences a missing pickup).
TEST(Ipledge, DosesWithoutAPickupCountAsNotStarted) {
  for (Jurisdiction j : {Jurisdiction::kUS, Jurisdiction::kEU, Jurisdiction::kUK}) {
    Patient p(j, course::PregnancyPotential::kCanGetPregnant);
    p.facts().first_dose = D("2026-01-10");
    p.facts().last_dose = D("2026-01-20");
    ProgramState st = p.Eval("2026-02-01");
    EXPECT_FALSE(st.may_prescribe.allowed) << JurisdictionName(j);
  }
}

// ---------------------------------------------------------------------------------
// EU PPP
// ---------------------------------------------------------------------------------

Patient EuCgp() {
  Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCanGetPregnant);
  p.Methods("2026-01-01", EnteredBy::kClinic, {ContraceptionMethod::kCopperIud}, "2025-12-01");
  return p;
}

TEST(EuPpp, TestThreeDaysBeforePrescribingOkFourNot) {
  Patient p3 = EuCgp();
  p3.Test("2026-02-01", PregnancyTestPurpose::kScreening, TestSetting::kMedicalOffice);
  ProgramState st3 = p3.Eval("2026-02-04");
  EXPECT_TRUE(st3.may_prescribe.allowed) << Why(st3.may_prescribe);
  EXPECT_EQ(st3.section.rule_pack, "eu.ppp.2018");
  ProgramState st4 = p3.Eval("2026-02-05");
  const course::Reason* r = FindReason(st4.may_prescribe, "no-test-within-3-days");
  ASSERT_NE(r, nullptr) << Why(st4.may_prescribe);
  EXPECT_EQ(r->explanation.rule_id, "ppp.test.before-rx");
}

TEST(EuPpp, DispenseSeventhDayAfterPrescriptionOkEighthNot) {
  Patient p = EuCgp();
  p.Test("2026-02-01", PregnancyTestPurpose::kScreening).Rx("2026-02-02");
  ProgramState d7 = p.Eval("2026-02-09");
  EXPECT_TRUE(d7.may_dispense.allowed) << Why(d7.may_dispense);
  EXPECT_EQ(d7.may_dispense.by, D("2026-02-09"));
  ProgramState d8 = p.Eval("2026-02-10");
  EXPECT_TRUE(Blocks(d8.may_dispense, "dispense-window-passed")) << Why(d8.may_dispense);
}

TEST(EuPpp, ContraceptionOneUserIndependentOrTwoUserDependentNotAbstinence) {
  auto with = [](std::vector<ContraceptionMethod> m) {
    Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCanGetPregnant);
    p.Methods("2026-01-01", EnteredBy::kClinic, std::move(m), "2025-12-01");
    p.Test("2026-02-01", PregnancyTestPurpose::kScreening);
    return p.Eval("2026-02-01");
  };
  EXPECT_TRUE(with({ContraceptionMethod::kImplant}).may_prescribe.allowed);
  EXPECT_TRUE(with({ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom})
                  .may_prescribe.allowed);
  ProgramState one = with({ContraceptionMethod::kCombinedPill});
  EXPECT_TRUE(Blocks(one.may_prescribe, "contraception-inadequate"));
  ProgramState abst = with({ContraceptionMethod::kAbstinence});
  const course::Reason* r = FindReason(abst.may_prescribe, "contraception-inadequate");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->explanation.rule_id, "ppp.scope.all-cbp");
}

TEST(EuPpp, HomeTestIsNotSupervised) {
  Patient p = EuCgp();
  p.Test("2026-02-01", PregnancyTestPurpose::kScreening, TestSetting::kHome);
  ProgramState st = p.Eval("2026-02-01");
  EXPECT_TRUE(Blocks(st.may_prescribe, "home-test-not-supervised")) << Why(st.may_prescribe);
}

TEST(EuPpp, LeadInOneMonthBeforeFirstDose) {
  Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCanGetPregnant);
  p.Methods("2026-01-10", EnteredBy::kClinic, {ContraceptionMethod::kImplant}, "2026-01-10");
  p.Test("2026-02-08", PregnancyTestPurpose::kScreening);
  EXPECT_TRUE(Blocks(p.Eval("2026-02-09").may_prescribe, "lead-in-incomplete"));
  EXPECT_TRUE(p.Eval("2026-02-10").may_prescribe.allowed);
}

TEST(EuPpp, NotOfChildbearingPotentialHasNoProgrammeSteps) {
  Patient p(Jurisdiction::kEU, course::PregnancyPotential::kCannotGetPregnant);
  ProgramState st = p.Eval("2026-02-01");
  EXPECT_TRUE(st.may_prescribe.allowed) << Why(st.may_prescribe);
  EXPECT_TRUE(st.tasks.empty());
}

// ---------------------------------------------------------------------------------
// UK
// ---------------------------------------------------------------------------------

Patient UkReady(course::PregnancyPotential cat, std::string_view day) {
  Patient p(Jurisdiction::kUK, cat);
  p.Born("2009-06-01");  // 14-16 years old at the dates used
  p.Add(day, course::ConsentEvent{"uk-acknowledgement-of-risk", true, true});
  p.Add(day, course::ProgramAssessmentEvent{course::ProgramAssessmentKind::kMentalHealth, "ok"});
  p.Add(day, course::ProgramAssessmentEvent{course::ProgramAssessmentKind::kSexualFunction, "ok"});
  return p;
}

TEST(UkMhra, UnderEighteenSecondPrescriberOnlyForStartsInRange) {
  struct Case {
    const char* start;
    bool required;
  } cases[] = {
      {"2023-10-30", false}, {"2023-10-31", true}, {"2026-01-21", true}, {"2026-01-22", false}};
  for (const Case& c : cases) {
    Patient p = UkReady(course::PregnancyPotential::kCannotGetPregnant, c.start);
    ProgramState st = p.Eval(c.start);
    EXPECT_EQ(Blocks(st.may_prescribe, "second-prescriber-missing"), c.required)
        << c.start << "\n"
        << Why(st.may_prescribe);
    p.Add(c.start, course::SecondPrescriberEvent{"Dr B", true});
    EXPECT_TRUE(p.Eval(c.start).may_prescribe.allowed) << c.start;
  }
}

TEST(UkMhra, AssessmentAndAcknowledgementBeforeStart) {
  Patient p(Jurisdiction::kUK, course::PregnancyPotential::kCannotGetPregnant);
  p.Born("1990-01-01");
  ProgramState st = p.Eval("2026-03-01");
  EXPECT_TRUE(Blocks(st.may_prescribe, "acknowledgement-form-missing"));
  EXPECT_TRUE(Blocks(st.may_prescribe, "assessment-before-start-missing"));
  EXPECT_EQ(st.section.rule_pack, "uk.mhra.2026");
  // Before 31 Oct 2023 neither applied.
  ProgramState old = p.Eval("2023-10-30");
  EXPECT_TRUE(old.may_prescribe.allowed) << Why(old.may_prescribe);
  EXPECT_EQ(old.section.rule_pack, "uk.ppp.2018");
}

TEST(UkMhra, UkAppliesThePppAsTheEu) {
  Patient p = UkReady(course::PregnancyPotential::kCanGetPregnant, "2026-03-01");
  p.Born("1990-01-01");
  p.Methods("2026-01-01", EnteredBy::kClinic, {ContraceptionMethod::kCopperIud}, "2025-12-01");
  p.Test("2026-02-25", PregnancyTestPurpose::kScreening);
  ProgramState st = p.Eval("2026-03-01");  // 4 days after the test
  const course::Reason* r = FindReason(st.may_prescribe, "no-test-within-3-days");
  ASSERT_NE(r, nullptr) << Why(st.may_prescribe);
  EXPECT_EQ(r->explanation.citation.source, "BNF");
  EXPECT_EQ(st.section.program, "uk_mhra");
}

// ---------------------------------------------------------------------------------
// Knowledge
// ---------------------------------------------------------------------------------

TEST(ProgramKnowledge, EveryRuleHasACitedSourceAndKnownPack) {
  const KnowledgeBase& kb = Kb();
  EXPECT_GE(kb.program_rules.size(), 50u);
  for (const auto& [key, rule] : kb.program_rules) {
    EXPECT_TRUE(kb.sources.contains(rule.meta.citation.source)) << key;
    EXPECT_FALSE(rule.message.empty()) << key;
  }
}

TEST(ProgramKnowledge, LoaderRejectsBadProgramItems) {
  std::vector<KnowledgeFile> files = {
      {"sources.yaml", "kind: sources\nitems:\n  - {id: X, title: x}\n"},
      {"packs.yaml",
       "kind: program_packs\nitems:\n  - {id: us.ipledge.v2021, jurisdiction: [US], version: V, "
       "name: n, effective_from: 2021-02-30, citation: {source: X}}\n"},
      {"rules.yaml",
       "kind: program_rules\nitems:\n  - {id: ipledge.window.cgp, jurisdiction: [US], packs: "
       "[us.ipledge.v9], categories: [women], value: 7, message: m, citation: {source: X}}\n"},
      {"methods.yaml",
       "kind: contraception_methods\nitems:\n  - {id: contraception.x, method: hope, class: "
       "magic, citation: {source: X}}\n"},
  };
  auto kb = LoadKnowledge(files, "t");
  ASSERT_FALSE(kb.has_value());
  std::string all;
  for (const auto& d : kb.error().details) all += d.ToString() + "\n";
  EXPECT_NE(all.find("packs.yaml:3"), std::string::npos) << all;
  EXPECT_NE(all.find("effective_from"), std::string::npos) << all;
  EXPECT_NE(all.find("'women' is not a category"), std::string::npos) << all;
  EXPECT_NE(all.find("a rule with a value needs a unit"), std::string::npos) << all;
  EXPECT_NE(all.find("rule pack 'us.ipledge.v9' is not defined"), std::string::npos) << all;
  EXPECT_NE(all.find("'hope' is not a timeline contraception method"), std::string::npos) << all;
  EXPECT_NE(all.find("class"), std::string::npos) << all;
  EXPECT_NE(all.find("program rule 'ipledge.test.screening' for US is required"), std::string::npos)
      << all;
}

TEST(ProgramKnowledge, MissingProgramKnowledgeIsAnErrorNotADecision) {
  KnowledgeBase empty;
  course::Timeline t;
  auto resolved = course::ResolveCorrections(t);
  ASSERT_TRUE(resolved.has_value());
  course::CourseFacts facts;
  auto st = EvaluateProgram(*resolved, facts, empty, D("2026-01-01"), course::Settings{});
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace isocourse::program::testing
