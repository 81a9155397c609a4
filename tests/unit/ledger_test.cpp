#include "core/dose/ledger.h"

#include <gtest/gtest.h>

namespace isocourse::dose {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
const Date kStart = D(2026, 1, 1);

Dispense Disp(int day, double mg, int supply, double factor = 1.0) {
  return Dispense{kStart.AddDays(day), Milligrams(mg), supply, factor, "generic"};
}

TEST(LedgerTest, SixtyKgFortyMgForNinetyDays) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30), Disp(30, 40, 30), Disp(60, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(89);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 3600);
  EXPECT_NEAR(r->cumulative_per_kg.value(), 60.0, 1e-9);
  EXPECT_EQ(r->days_on_drug, 90);
  EXPECT_DOUBLE_EQ(r->average_daily.value(), 40);
}

TEST(LedgerTest, TwentyThenFortyMg) {
  LedgerInput in;
  in.dispenses = {Disp(0, 20, 30), Disp(30, 40, 30), Disp(60, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(89);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 3000);
  EXPECT_NEAR(r->cumulative_per_kg.value(), 50.0, 1e-9);
  EXPECT_NEAR(r->average_daily.value(), 3000.0 / 90, 1e-9);
}

TEST(LedgerTest, NothingAfterAsOfCounts) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(9);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 400);
  EXPECT_EQ(r->supply_days_left, 20);
  EXPECT_EQ(r->supply_runs_out->ToString(), kStart.AddDays(29).ToString());
}

TEST(LedgerTest, PauseDefersSupplyAndCountsNothing) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.pauses = {{kStart.AddDays(10), kStart.AddDays(20)}};  // days 10-19 paused
  in.as_of = kStart.AddDays(29);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->days_paused, 10);
  EXPECT_EQ(r->days_on_drug, 20);
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 800);
  EXPECT_EQ(r->supply_days_left, 10);  // the pause pushed 10 days of supply later
}

TEST(LedgerTest, StillPausedHasNoProjection) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.pauses = {{kStart.AddDays(10), std::nullopt}};
  in.as_of = kStart.AddDays(29);
  in.target = MgPerKg(120);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->paused_on_as_of);
  EXPECT_FALSE(r->projected_target_date.has_value());
  EXPECT_NEAR(r->remaining_per_kg->value(), 120 - 400.0 / 60, 1e-9);
}

TEST(LedgerTest, MissedDosesAreSkippedNotDoubled) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.doses = {{kStart.AddDays(3), false, Milligrams(0), 1.0},
              {kStart.AddDays(4), false, Milligrams(0), 1.0}};
  in.as_of = kStart.AddDays(29);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->doses_missed, 2);
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 28 * 40);
  EXPECT_EQ(r->supply_days_left, 2);
}

TEST(LedgerTest, RecordedDoseReplacesScheduledDose) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.doses = {{kStart.AddDays(5), true, Milligrams(20), 1.0}};
  in.as_of = kStart.AddDays(9);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 9 * 40 + 20);
}

TEST(LedgerTest, WeightChangePerPeriodVersusLatest) {
  // 30 days at 60 kg then 30 days at 80 kg, 60 mg/day throughout.
  LedgerInput in;
  in.dispenses = {Disp(0, 60, 30), Disp(30, 60, 30)};
  in.weights = {{kStart, Kilograms(60)}, {kStart.AddDays(30), Kilograms(80)}};
  in.as_of = kStart.AddDays(59);
  auto per_period = ComputeLedger(in);
  ASSERT_TRUE(per_period.has_value());
  EXPECT_NEAR(per_period->cumulative_per_kg.value(), 30 * 60.0 / 60 + 30 * 60.0 / 80, 1e-9);
  in.weight_rule = WeightRule::kLatest;
  auto latest = ComputeLedger(in);
  ASSERT_TRUE(latest.has_value());
  EXPECT_NEAR(latest->cumulative_per_kg.value(), 3600.0 / 80, 1e-9);
  EXPECT_NE(per_period->weight_rule_note, latest->weight_rule_note);
}

TEST(LedgerTest, ProjectionAtCurrentDose) {
  LedgerInput in;
  in.dispenses = {Disp(0, 60, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(9);  // 10 days x 1 mg/kg = 10 mg/kg
  in.target = MgPerKg(120);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->current_daily.value(), 60);
  EXPECT_NEAR(r->current_per_kg.value(), 1.0, 1e-12);
  ASSERT_TRUE(r->projected_target_date.has_value());
  EXPECT_EQ(*r->projected_target_date, in.as_of.AddDays(110));
}

TEST(LedgerTest, LdIsCountedInConventionalEquivalent) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30, 0.8)};
  in.weights = {{kStart, Kilograms(50)}};
  in.as_of = kStart.AddDays(29);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 1200);
  EXPECT_DOUBLE_EQ(r->cumulative_equivalent_mg.value(), 1500);
  EXPECT_NEAR(r->cumulative_per_kg.value(), 30, 1e-9);
}

TEST(LedgerTest, EarlyRefillCarriesSupplyOver) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 30), Disp(25, 60, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(39);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  // 30 days at 40 mg, then 10 days at 60 mg.
  EXPECT_DOUBLE_EQ(r->cumulative_mg.value(), 30 * 40 + 10 * 60);
}

TEST(LedgerTest, BadInputNamesTheField) {
  LedgerInput in;
  in.dispenses = {Disp(0, 40, 0)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(5);
  auto r = ComputeLedger(in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "dispenses[0].days_supply");

  in.dispenses = {Disp(0, 40, 30)};
  in.weights = {};
  r = ComputeLedger(in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "weights");

  in.weights = {{kStart, Kilograms(0)}};
  r = ComputeLedger(in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "weights[0].kg");

  in.weights = {{kStart, Kilograms(60)}};
  in.pauses = {{kStart.AddDays(5), kStart.AddDays(2)}};
  r = ComputeLedger(in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "pauses[0]");
}

TEST(LedgerTest, NoDoseYet) {
  LedgerInput in;
  in.dispenses = {Disp(10, 40, 30)};
  in.weights = {{kStart, Kilograms(60)}};
  in.as_of = kStart.AddDays(5);
  auto r = ComputeLedger(in);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->days_on_drug, 0);
  EXPECT_FALSE(r->first_dose.has_value());
}

}  // namespace
}  // namespace isocourse::dose
