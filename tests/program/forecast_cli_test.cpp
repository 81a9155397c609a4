// `isocourse forecast` end to end: the documented example, a plan whose dates slip
// (exit 1, warnings name the step), JSON output with explanations, and bad input
// (exit 2, the field named).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <fstream>

#include "support/run_cli.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

std::string Example(const char* name) {
  return std::string(ISOCOURSE_TEST_SOURCE_DIR) + "/docs/examples/" + name;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("isocourse-forecast-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(ForecastCli, DocumentedExampleProposesTheFirstAllowedDays) {
  CliResult r = RunCli({"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Screening 2026-01-05 + 19 days = 01-24; regular cycles, period from 2025-12-28,
  // next expected 2026-01-25: the confirmation test moves to 01-25.
  EXPECT_NE(r.out.find("2026-01-25  pregnancy_test  Confirmation pregnancy test (test 2)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("allowed from 2026-01-24"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[ipledge.test.confirmation.min-gap; L-GEN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Visits: 4"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Warnings:"), std::string::npos) << r.out;
}

TEST(ForecastCli, PlanThatMissesTheFirstWindowExitsOneAndNamesTheStep) {
  CliResult r = RunCli({"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05",
                        "--plan", Example("forecast-plan.json")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("! confirmation test planned on 2026-01-23: Too early"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("! first pickup planned on 2026-02-02"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("19-day lockout"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[ipledge.missed-first-window.lockout; IPLEDGE-FAQ-LOCKOUT"),
            std::string::npos)
      << r.out;
}

TEST(ForecastCli, JsonOutputCarriesExplanations) {
  CliResult r = RunCli({"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05",
                        "--plan", Example("forecast-plan.json"), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json::value v = json::parse(r.out);
  const json::object& o = v.as_object();
  EXPECT_EQ(o.at("program").as_object().at("rule_pack").as_string(), "us.ipledge.v2021");
  const json::array& steps = o.at("steps").as_array();
  ASSERT_FALSE(steps.empty());
  for (const json::value& s : steps) {
    const json::object& e = s.as_object().at("explanation").as_object();
    EXPECT_FALSE(e.at("rule_id").as_string().empty()) << json::serialize(s);
    EXPECT_FALSE(e.at("citation").as_object().at("source").as_string().empty());
  }
  const json::array& warnings = o.at("warnings").as_array();
  ASSERT_EQ(warnings.size(), 2u) << r.out;
  EXPECT_TRUE(warnings[1].as_object().at("slips").as_bool());
  EXPECT_EQ(warnings[1].as_object().at("explanation").as_object().at("rule_id").as_string(),
            "ipledge.missed-first-window.lockout");
  EXPECT_EQ(o.at("visits").as_int64(), 3);
}

TEST(ForecastCli, BadPlanNamesTheField) {
  std::string plan =
      WriteTemp("bad-kind.json", R"({"planned": [{"kind": "xray", "date": "2026-02-01"}]})");
  CliResult r = RunCli(
      {"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05", "--plan", plan});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("planned[0].kind: expected one of: pregnancy_test, visit"),
            std::string::npos)
      << r.err;

  std::string date =
      WriteTemp("bad-date.json", R"({"planned": [{"kind": "pickup", "date": "2026-02-30"}]})");
  r = RunCli(
      {"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05", "--plan", date});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("planned[0].date"), std::string::npos) << r.err;

  std::string extra = WriteTemp("bad-field.json", R"({"planed": []})");
  r = RunCli(
      {"forecast", Example("forecast-us-new.json"), "--as-of", "2026-01-05", "--plan", extra});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("planed: unknown field"), std::string::npos) << r.err;

  r = RunCli({"forecast", Example("forecast-us-new.json"), "--as-of", "2026-13-01"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--as-of"), std::string::npos) << r.err;

  r = RunCli({"forecast", "/nonexistent/timeline.json", "--as-of", "2026-01-05"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
}

TEST(ForecastCli, BadTimelineNamesTheEvent) {
  std::string tl = WriteTemp("bad-timeline.json", R"({"patient": "p", "events": [
    {"id": "t1", "type": "pregnancy_test", "date": "2026-01-05", "recorded_by": "a",
     "purpose": "screening", "specimen_date": "2026-01-05", "setting": "garage", "result": "negative"}]})");
  CliResult r = RunCli({"forecast", tl, "--as-of", "2026-01-05"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("t1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("setting"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace isocourse::testing
