// `isocourse plan` end to end: the binary a user runs, its output and exit codes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/run_cli.h"

namespace isocourse {
namespace {

using testing::RunCli;

TEST(CliPlanTest, WorkedExamplePrintsTableAndTargetDate) {
  auto r = RunCli({"plan", "--weight", "70", "--product", "generic", "--target", "135", "--start",
                   "2026-12-01"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("40 mg morning, 30 mg evening = 70 mg"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Target 135 mg/kg reached on 2027-04-14 (day 135)"), std::string::npos);
  EXPECT_NE(r.out.find("dose.food.with-meal"), std::string::npos);
  EXPECT_NE(r.out.find("80 mg/day"), std::string::npos) << "the 40 mg twice alternative";
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliPlanTest, JsonOutputParsesAndCarriesCitations) {
  auto r = RunCli({"plan", "--weight", "70", "--product", "Claravis", "--start", "2026-12-01",
                   "--phases", "0.5:1-28,1.0:29-", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  boost::json::value v = boost::json::parse(r.out);
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("product").at("id").as_string(), "product.generic");
  EXPECT_EQ(o.at("target_mg_per_kg").as_double(), 135);  // the default goal
  EXPECT_EQ(o.at("phases").as_array().size(), 2u);
  EXPECT_EQ(o.at("phases").as_array()[0].at("daily").at("total_mg").as_double(), 30);
  EXPECT_EQ(o.at("phases").as_array()[1].at("daily").at("total_mg").as_double(), 70);
  EXPECT_TRUE(o.at("knowledge_version").as_string().starts_with("kb-"));
  for (const auto& w : o.at("warnings").as_array()) {
    EXPECT_FALSE(w.at("citation").at("source").as_string().empty());
  }
  // 28 x 30 + n x 70 >= 9450 -> n = 123; day 151.
  EXPECT_EQ(o.at("days_to_target").as_int64(), 151);
}

TEST(CliPlanTest, WarningsAppearInOutput) {
  auto r = RunCli({"plan", "--weight", "50", "--product", "absorica-ld", "--start", "2026-12-01",
                   "--phases", "1.8:1-", "--doses-per-day", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dose.max.exceeded"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dose.frequency.once-daily"), std::string::npos);
  EXPECT_NE(r.out.find("dose.substitution.ld"), std::string::npos);
}

struct BadCase {
  std::vector<std::string> args;
  std::string says;
};

TEST(CliPlanTest, BadInputGivesOneClearMessageAndExitTwo) {
  const std::vector<std::string> base = {"plan", "--product", "generic", "--start", "2026-12-01"};
  std::vector<BadCase> cases = {
      {{"plan", "--weight", "0", "--product", "generic", "--start", "2026-12-01"},
       "--weight: weight must be greater than 0 kg"},
      {{"plan", "--weight", "401", "--product", "generic", "--start", "2026-12-01"},
       "--weight: 401 kg is not a plausible body weight"},
      {{"plan", "--weight", "70", "--product", "tretinoin", "--start", "2026-12-01"},
       "--product: unknown product 'tretinoin'; known products: generic"},
      {{"plan", "--weight", "70", "--product", "generic", "--target", "301", "--start",
        "2026-12-01"},
       "--target: cumulative target 301 mg/kg is outside 0-300 mg/kg"},
      {{"plan", "--weight", "70", "--product", "generic", "--target", "-1", "--start",
        "2026-12-01"},
       "outside 0-300"},
      {{"plan", "--weight", "70", "--product", "generic", "--start", "2026-13-01"},
       "--start: '2026-13-01' is not a real calendar date"},
      {{"plan", "--weight", "70", "--product", "generic", "--start", "tomorrow"},
       "--start: 'tomorrow' is not a date; expected YYYY-MM-DD"},
      {{"plan", "--weight", "70", "--product", "generic", "--start", "2026-12-01", "--phases",
        "0.5:1-28,1.0:20-"},
       "--phases: phase 2 starts on day 20, overlapping the previous phase"},
      {{"plan", "--weight", "70", "--product", "generic", "--start", "2026-12-01", "--regimen",
        "regimen.none"},
       "--regimen: unknown regimen 'regimen.none'"},
      {{"plan", "--weight", "seventy", "--product", "generic", "--start", "2026-12-01"},
       "--weight"},
      {{"plan", "--product", "generic", "--start", "2026-12-01"}, "--weight is required"},
  };
  for (const BadCase& c : cases) {
    auto r = RunCli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos)
        << "expected: " << c.says << "\ngot: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliPlanTest, HelpShowsExamplesAndExitCodes) {
  auto r = RunCli({"plan", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Examples:"), std::string::npos);
  EXPECT_NE(r.out.find("--phases"), std::string::npos);
  auto top = RunCli({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("Exit codes:"), std::string::npos);
  EXPECT_NE(top.out.find("plan"), std::string::npos);
}

}  // namespace
}  // namespace isocourse
