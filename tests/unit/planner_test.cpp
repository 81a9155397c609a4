#include "core/dose/planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "support/knowledge.h"

namespace isocourse::dose {
namespace {

using testing::RealKnowledge;

PlanRequest Request(double kg, const std::string& product, double target = 135) {
  PlanRequest r;
  r.weight = Kilograms(kg);
  r.product = product;
  r.target = MgPerKg(target);
  r.start = Date::FromYmd(2026, 12, 1);
  return r;
}

bool HasNote(const Plan& p, const std::string& id) {
  return std::any_of(p.notes.begin(), p.notes.end(), [&](const PlanNote& n) { return n.id == id; });
}

TEST(PlannerTest, SeventyKgAtOneMgPerKgIsFortyPlusThirty) {
  auto plan = PlanCourse(Request(70, "generic"), RealKnowledge());
  ASSERT_TRUE(plan.has_value()) << plan.error().ToString();
  ASSERT_EQ(plan->phases.size(), 1u);
  const PlannedPhase& ph = plan->phases[0];
  EXPECT_EQ(ph.dose.Total().value(), 70);
  EXPECT_EQ(ph.dose.morning.ToString(), "40 mg");
  EXPECT_EQ(ph.dose.evening.ToString(), "30 mg");
  EXPECT_DOUBLE_EQ(ph.per_kg.value(), 1.0);
  // The single-strength alternative (40 mg twice = 80 mg) is offered and explained.
  bool has_80 = std::any_of(ph.alternatives.begin(), ph.alternatives.end(),
                            [](const DoseAlternative& a) { return a.dose.Total().value() == 80; });
  EXPECT_TRUE(has_80);
  EXPECT_NE(ph.explanation.find("made exactly"), std::string::npos);
  // 135 mg/kg x 70 kg = 9450 mg at 70 mg/day = 135 days.
  ASSERT_TRUE(plan->target_date.has_value());
  EXPECT_EQ(*plan->days_to_target, 135);
  EXPECT_EQ(plan->target_date->ToString(), "2027-04-14");
  EXPECT_NEAR(plan->days.back().cumulative_per_kg.value(), 135.0, 1e-9);
  EXPECT_TRUE(HasNote(*plan, "dose.food.with-meal"));
}

TEST(PlannerTest, StepUpPhasesFromText) {
  auto phases = ParsePhases("0.5:1-28,1.0:29-", "--phases");
  ASSERT_TRUE(phases.has_value()) << phases.error().ToString();
  PlanRequest r = Request(60, "generic", 120);
  r.phases = *phases;
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->phases.size(), 2u);
  EXPECT_EQ(plan->phases[0].dose.Total().value(), 30);
  EXPECT_EQ(plan->phases[0].last_day, 28);
  EXPECT_EQ(plan->phases[1].dose.Total().value(), 60);
  // 28 x 30 = 840 mg; remaining 7200 - 840 = 6360 at 60 mg/day = 106 days -> day 134.
  EXPECT_EQ(*plan->days_to_target, 134);
  EXPECT_NEAR(plan->phases[0].cumulative_per_kg_at_end.value(), 14.0, 1e-9);
}

TEST(PlannerTest, FixedMgStartLowRegimen) {
  PlanRequest r = Request(80, "generic", 120);
  r.regimen = "regimen.start-low.nodular";
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->phases[0].dose.Total().value(), 40);
  EXPECT_EQ(plan->phases[1].dose.Total().value(), 80);
}

// Every product, every weight from 30 to 200 kg, at 0.5 and 1.0 mg/kg/day: the plan
// uses only the product's strengths, splits into morning/evening, lands within half
// the smallest per-dose step of the request (or the largest makeable dose), and its
// arithmetic adds up.
TEST(PlannerTest, CapsuleCombinationsForEveryProductAndWeight) {
  const KnowledgeBase& kb = RealKnowledge();
  for (const Product& product : kb.products) {
    const double smallest = product.strengths.front().value();
    for (int kg = 30; kg <= 200; ++kg) {
      for (double per_kg : {0.5, 1.0}) {
        PlanRequest r = Request(kg, product.meta.id);
        r.phases = {PhaseSpec{MgPerKgPerDay(per_kg), std::nullopt, 1, std::nullopt}};
        r.doses_per_day = 2;
        auto plan = PlanCourse(r, kb);
        ASSERT_TRUE(plan.has_value()) << product.meta.id << " " << kg;
        const PlannedPhase& ph = plan->phases[0];
        for (const CapsuleDose* c : {&ph.dose.morning, &ph.dose.evening}) {
          ASSERT_FALSE(c->capsules.empty()) << product.meta.id << " " << kg;
          ASSERT_LE(c->capsules.size(), 3u);
          for (Milligrams m : c->capsules) {
            ASSERT_NE(std::find(product.strengths.begin(), product.strengths.end(), m),
                      product.strengths.end())
                << product.meta.id << " uses a strength it does not have";
          }
        }
        const double requested = per_kg * kg;
        const double got = ph.dose.Total().value();
        const double max_makeable = product.strengths.back().value() * 6;
        if (requested <= max_makeable) {
          EXPECT_LE(std::abs(got - requested), smallest)
              << product.meta.id << " " << kg << " kg " << per_kg << " requested " << requested
              << " got " << got;
        } else {
          EXPECT_EQ(got, max_makeable);
          EXPECT_TRUE(HasNote(*plan, "dose.capsules.capped"));
        }
        EXPECT_GE(ph.dose.morning.Total(), ph.dose.evening.Total());
        EXPECT_NEAR(ph.per_kg.value(), got / kg, 1e-12);
        // Cumulative arithmetic: last day's cumulative = days x daily / factor.
        const PlanDay& last = plan->days.back();
        EXPECT_NEAR(last.cumulative.value(), last.day * got / product.equivalence_factor, 1e-6);
        EXPECT_GE(last.cumulative_per_kg.value(), 135 - 1e-9);
        EXPECT_LT(plan->days[plan->days.size() - 2].cumulative_per_kg.value(), 135);
      }
    }
  }
}

TEST(PlannerTest, TiesRoundDown) {
  // 55 mg/day from 10/20/30/40 mg capsules: every total is a multiple of 10, so 50
  // and 60 are equally near; the lower one is chosen.
  auto choice =
      ChooseCapsules(*RealKnowledge().FindProduct("generic"), Milligrams(55), 2, 3, Kilograms(55));
  EXPECT_EQ(choice.dose.Total().value(), 50);
  EXPECT_NE(choice.explanation.find("ties are rounded down"), std::string::npos)
      << choice.explanation;
}

TEST(PlannerTest, AvoidsTartrazineWhenAnEqualOptionExists) {
  // Absorica 50 mg/day: 25 + 25 (tartrazine) or 30 + 20 / 40 + 10: no tartrazine.
  auto choice =
      ChooseCapsules(*RealKnowledge().FindProduct("absorica"), Milligrams(50), 2, 3, Kilograms(50));
  EXPECT_EQ(choice.dose.Total().value(), 50);
  for (Milligrams m : choice.dose.morning.capsules) EXPECT_NE(m.value(), 25);
  for (Milligrams m : choice.dose.evening.capsules) EXPECT_NE(m.value(), 25);
}

TEST(PlannerTest, WarnsAboutTartrazineWhenOnlyTwentyFiveFits) {
  // Absorica 25 mg/day once daily can only be a 25 mg capsule (0.42 mg/kg/day at 60 kg).
  PlanRequest r = Request(60, "absorica");
  r.phases = {PhaseSpec{std::nullopt, Milligrams(25), 1, std::nullopt}};
  r.doses_per_day = 1;
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(HasNote(*plan, "product.absorica.tartrazine"));
  EXPECT_TRUE(HasNote(*plan, "dose.frequency.once-daily"));
  EXPECT_TRUE(HasNote(*plan, "dose.daily.below-usual"));
  EXPECT_TRUE(HasNote(*plan, "dose.substitution.lidose"));
  EXPECT_TRUE(HasNote(*plan, "dose.food.optional"));
}

TEST(PlannerTest, WarnsOverProductMaximum) {
  PlanRequest r = Request(60, "absorica-ld");
  r.phases = {PhaseSpec{MgPerKgPerDay(1.8), std::nullopt, 1, std::nullopt}};
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(HasNote(*plan, "dose.max.exceeded"));
  EXPECT_TRUE(HasNote(*plan, "dose.substitution.ld"));
  // The same per-kg dose on a standard product is under its 2.0 maximum.
  r.product = "generic";
  auto standard = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(standard.has_value());
  EXPECT_FALSE(HasNote(*standard, "dose.max.exceeded"));
  EXPECT_TRUE(HasNote(*standard, "dose.daily.above-usual"));
}

TEST(PlannerTest, LdCountsConventionalEquivalentMg) {
  // 50 kg LD at 0.8 mg/kg/day = 40 mg LD (32 + 8) = 50 mg conventional-equivalent/day.
  PlanRequest r = Request(50, "absorica-ld", 120);
  r.phases = {PhaseSpec{MgPerKgPerDay(0.8), std::nullopt, 1, std::nullopt}};
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->phases[0].dose.Total().value(), 40);
  // 120 x 50 = 6000 equivalent mg at 50/day = 120 days.
  EXPECT_EQ(*plan->days_to_target, 120);
}

TEST(PlannerTest, OnceDailyAllowedForEuProduct) {
  PlanRequest r = Request(60, "roaccutane");
  r.regimen = "regimen.eu.standard";
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->doses_per_day, 1);
  EXPECT_FALSE(HasNote(*plan, "dose.frequency.once-daily"));
  EXPECT_EQ(plan->phases[0].dose.Total().value(), 30);
}

TEST(PlannerTest, TargetNotes) {
  auto low = PlanCourse(Request(60, "generic", 100), RealKnowledge());
  ASSERT_TRUE(low.has_value());
  EXPECT_TRUE(HasNote(*low, "dose.cumulative.below-standard"));
  auto high = PlanCourse(Request(60, "generic", 230), RealKnowledge());
  ASSERT_TRUE(high.has_value());
  EXPECT_TRUE(HasNote(*high, "dose.cumulative.beyond-220"));
  auto at220 = PlanCourse(Request(60, "generic", 220), RealKnowledge());
  ASSERT_TRUE(at220.has_value());
  EXPECT_FALSE(HasNote(*at220, "dose.cumulative.beyond-220"));
  EXPECT_FALSE(HasNote(*at220, "dose.cumulative.below-standard"));
}

TEST(PlannerTest, RegimenThatEndsEarlyWarns) {
  PlanRequest r = Request(60, "generic");
  auto phases = ParsePhases("1.0:1-30", "--phases");
  ASSERT_TRUE(phases.has_value());
  r.phases = *phases;
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->target_date.has_value());
  EXPECT_TRUE(HasNote(*plan, "dose.cumulative.not-reached"));
  EXPECT_EQ(plan->days.size(), 30u);
}

TEST(PlannerTest, AlreadyTakenShortensThePlan) {
  PlanRequest r = Request(70, "generic");
  r.already_taken = Milligrams(4900);  // 70 mg/kg already
  auto plan = PlanCourse(r, RealKnowledge());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(*plan->days_to_target, 65);
}

TEST(PlannerTest, BadInputNamesTheField) {
  const KnowledgeBase& kb = RealKnowledge();
  struct Case {
    PlanRequest req;
    std::string where;
    std::string text;
  };
  std::vector<Case> cases = {
      {Request(0, "generic"), "weight_kg", "greater than 0"},
      {Request(-5, "generic"), "weight_kg", "greater than 0"},
      {Request(401, "generic"), "weight_kg", "not a plausible body weight"},
      {Request(70, "accutane-xl"), "product", "unknown product 'accutane-xl'"},
      {Request(70, "generic", 0), "target_mg_per_kg", "outside 0-300"},
      {Request(70, "generic", 301), "target_mg_per_kg", "outside 0-300"},
  };
  for (const Case& c : cases) {
    auto plan = PlanCourse(c.req, kb);
    ASSERT_FALSE(plan.has_value()) << c.where;
    EXPECT_EQ(plan.error().where, c.where);
    EXPECT_NE(plan.error().message.find(c.text), std::string::npos) << plan.error().message;
  }
  // Boundaries that are allowed.
  EXPECT_TRUE(PlanCourse(Request(400, "generic"), kb).has_value());
  EXPECT_TRUE(PlanCourse(Request(70, "generic", 300), kb).has_value());
}

TEST(PlannerTest, PhaseSyntaxErrors) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"0.5:1-28,1.0:20-", "overlapping the previous phase"},
           {"0.5:1-28,1.0:30-", "leaving days 29-29 without a dose"},
           {"0.5:1-,1.0:29-", "open-ended but is not the last phase"},
           {"0.5:2-28", "leaving days 1-1 without a dose"},
           {"abc:1-28", "is not a number"},
           {"0.5", "has no day range"},
           {"0.5:10-5", "is before first day"},
           {"0:1-", "greater than 0"},
           {"5:1-", "not plausible"},
           {"", "no phases given"},
       }) {
    auto p = ParsePhases(c.text, "--phases");
    ASSERT_FALSE(p.has_value()) << c.text;
    EXPECT_EQ(p.error().where, "--phases");
    EXPECT_NE(p.error().message.find(c.says), std::string::npos)
        << c.text << " -> " << p.error().message;
  }
  auto ok = ParsePhases("40mg:1-28, 0.5mg/kg:29-56, 1.0:57-", "--phases");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0].fixed->value(), 40);
  EXPECT_EQ((*ok)[1].per_kg->value(), 0.5);
}

}  // namespace
}  // namespace isocourse::dose
