// Course engine properties that case files do not express well: determinism, the
// as-of cut, explanations everywhere, precondition errors, and the CLI end to end.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "codec/assessment_json.h"
#include "codec/timeline_json.h"
#include "core/course/evaluate.h"
#include "store/knowledge_files.h"
#include "support/run_cli.h"

namespace isocourse {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

const KnowledgeBase& Kb() {
  static const KnowledgeBase kb = [] {
    auto loaded = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
    EXPECT_TRUE(loaded.has_value()) << loaded.error().ToString();
    return loaded ? *std::move(loaded) : KnowledgeBase{};
  }();
  return kb;
}

const fs::path kExample =
    fs::path(ISOCOURSE_TEST_SOURCE_DIR) / "docs/examples/timeline-us-active.json";

course::Timeline Example() {
  std::ifstream in(kExample);
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = codec::ParseTimelineJson(ss.str());
  EXPECT_TRUE(t.has_value()) << t.error().ToString();
  return *t;
}

Date D(const char* s) { return *Date::Parse(s, "test"); }

// Every "explanation" object anywhere in the assessment names a rule and a source
// that exists in knowledge/sources.yaml.
void CheckExplanations(const json::value& v, const std::string& path, int& seen) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      const std::string p = path + "/" + std::string(kv.key());
      if (kv.key() == "explanation" || kv.key() == "phase_rule" || kv.key() == "retreatment_rule") {
        ++seen;
        const json::object& e = kv.value().get_object();
        EXPECT_FALSE(e.at("rule_id").get_string().empty()) << p;
        EXPECT_FALSE(e.at("rule_pack").get_string().empty()) << p;
        EXPECT_FALSE(e.at("pack_version").get_string().empty()) << p;
        const std::string source(e.at("citation").at("source").get_string());
        EXPECT_TRUE(Kb().sources.contains(source)) << p << ": source '" << source << "'";
      } else {
        CheckExplanations(kv.value(), p, seen);
      }
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.get_array().size(); ++i) {
      CheckExplanations(v.get_array()[i], path + "/" + std::to_string(i), seen);
    }
  }
}

TEST(CourseEngine, EveryDecisionFlagAndTaskCarriesARuleAndACitation) {
  const course::Timeline t = Example();
  for (const char* as_of : {"2025-12-02", "2026-01-04", "2026-02-12", "2026-04-20"}) {
    auto a = course::Evaluate(t, Kb(), D(as_of), course::Settings{});
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    int seen = 0;
    CheckExplanations(codec::AssessmentToJson(*a), "", seen);
    EXPECT_GT(seen, 5) << as_of;
  }
}

TEST(CourseEngine, SameInputSameOutput) {
  const course::Timeline t = Example();
  auto a = course::Evaluate(t, Kb(), D("2026-02-12"), course::Settings{});
  auto b = course::Evaluate(t, Kb(), D("2026-02-12"), course::Settings{});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::serialize(codec::AssessmentToJson(*a)),
            json::serialize(codec::AssessmentToJson(*b)));
}

TEST(CourseEngine, EventsAfterAsOfAreIgnored) {
  course::Timeline t = Example();
  course::Event lab;
  lab.id = EventId("tg-late");
  lab.date = D("2026-02-20");
  lab.recorded_by = UserId("lab");
  course::LabEvent l;
  l.loinc = "2571-8";
  l.value = 1200;
  lab.payload = l;
  t.events.push_back(lab);
  auto before = course::Evaluate(t, Kb(), D("2026-02-19"), course::Settings{});
  auto after = course::Evaluate(t, Kb(), D("2026-02-20"), course::Settings{});
  ASSERT_TRUE(before && after);
  auto has_tg_alert = [](const course::Assessment& a) {
    return std::any_of(a.alerts.begin(), a.alerts.end(),
                       [](const course::Alert& al) { return al.id == "lab.tg.pancreatitis-risk"; });
  };
  EXPECT_FALSE(has_tg_alert(*before));
  EXPECT_TRUE(has_tg_alert(*after));
}

TEST(CourseEngine, DateOrderInTheDocumentDoesNotMatter) {
  course::Timeline t = Example();
  // Newest first; same-day events keep their relative order (ties are in document
  // order by definition).
  course::Timeline reversed = t;
  std::stable_sort(reversed.events.begin(), reversed.events.end(),
                   [](const course::Event& x, const course::Event& y) { return x.date > y.date; });
  auto a = course::Evaluate(t, Kb(), D("2026-02-12"), course::Settings{});
  auto b = course::Evaluate(reversed, Kb(), D("2026-02-12"), course::Settings{});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::serialize(codec::AssessmentToJson(*a)),
            json::serialize(codec::AssessmentToJson(*b)));
}

TEST(CourseEngine, KnowledgeWithoutCourseRulesIsAPreconditionError) {
  KnowledgeBase empty;
  auto a = course::Evaluate(Example(), empty, D("2026-02-12"), course::Settings{});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, ErrorCode::kFailedPrecondition);
}

TEST(CourseEngine, SettingsJurisdictionOverridesTheProfile) {
  course::Settings uk;
  uk.jurisdiction = Jurisdiction::kUK;
  auto a = course::Evaluate(Example(), Kb(), D("2026-02-12"), uk);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->jurisdiction, Jurisdiction::kUK);
  EXPECT_EQ(a->labs.profile, course::LabProfile::kEuSmpc);
}

TEST(CourseEngine, WeightCorrectionChangesMgPerKg) {
  course::Timeline t = Example();
  auto before = course::Evaluate(t, Kb(), D("2026-02-12"), course::Settings{});
  course::Event fix;
  fix.id = EventId("wt-1b");
  fix.date = D("2025-12-01");
  fix.recorded_by = UserId("dr-lee");
  fix.corrects = EventId("wt-1");
  fix.payload = course::WeightEvent{Kilograms(72)};
  t.events.push_back(fix);
  auto after = course::Evaluate(t, Kb(), D("2026-02-12"), course::Settings{});
  ASSERT_TRUE(before && after);
  EXPECT_NEAR(before->dose.cumulative_per_kg.value(), 1440.0 / 60, 1e-6);
  EXPECT_NEAR(after->dose.cumulative_per_kg.value(), 1440.0 / 72, 1e-6);
}

TEST(CourseEngine, TasksComeUndatedFirstThenByDueDate) {
  const course::Timeline t = Example();
  for (const char* as_of : {"2025-12-02", "2026-02-12", "2026-07-20"}) {
    auto a = course::Evaluate(t, Kb(), D(as_of), course::Settings{});
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    ASSERT_FALSE(a->tasks.empty());
    for (size_t i = 1; i < a->tasks.size(); ++i) {
      const auto& p = a->tasks[i - 1].due;
      const auto& q = a->tasks[i].due;
      EXPECT_TRUE(!p || (q && *p <= *q)) << as_of << ": task " << i << " out of order";
    }
  }
}

TEST(CourseEngine, StatusColours) {
  EXPECT_EQ(course::StatusColour(course::TaskStatus::kOnTrack), "green");
  EXPECT_EQ(course::StatusColour(course::TaskStatus::kDueSoon), "amber");
  EXPECT_EQ(course::StatusColour(course::TaskStatus::kOverdue), "red");
  EXPECT_EQ(course::StatusColour(course::TaskStatus::kBlocked), "grey");
  EXPECT_EQ(course::StatusColour(course::TaskStatus::kPaused), "blue");
}

// --- CLI ------------------------------------------------------------------------------

fs::path WriteTemp(const std::string& name, const std::string& text) {
  fs::path p =
      fs::temp_directory_path() / ("isocourse-eval-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(CliEvaluate, ReportShowsPhaseDecisionsTasksAndAlerts) {
  auto r = testing::RunCli({"evaluate", kExample.string(), "--as-of", "2026-02-12"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"Phase: active", "May prescribe today:", "May dispense today:",
                           "Candidacy: indicated", "Dose:", "Labs (profile us_label)",
                           "Alerts:", "Tasks:", "[lab.us-label.until-response; EXPERT"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  }
}

TEST(CliEvaluate, JsonIsTheAssessment) {
  auto r = testing::RunCli({"evaluate", kExample.string(), "--as-of", "2026-02-12", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  EXPECT_EQ(v.at("phase").get_string(), "active");
  EXPECT_EQ(v.at("as_of").get_string(), "2026-02-12");
  EXPECT_TRUE(v.at("tasks").is_array());
}

TEST(CliEvaluate, BadTimelineNamesEventAndFieldAndExits2) {
  fs::path p = WriteTemp("bad.json", R"({"events": [
    {"id": "p", "type": "profile", "date": "2026-01-01", "recorded_by": "a", "birth_date": "2000-01-01",
     "sex_at_birth": "male", "pregnancy_potential": "cannot_get_pregnant", "jurisdiction": "US"},
    {"id": "tg-1", "type": "lab", "date": "2026-01-02", "recorded_by": "lab", "loinc": "2571-8",
     "value": 100, "unit": "mg/dl"}]})");
  auto r = testing::RunCli({"evaluate", p.string(), "--as-of", "2026-02-12"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("events[1] (id tg-1).unit: 'mg/dl' is not a unit"), std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  fs::remove(p);
}

TEST(CliEvaluate, UnknownProductExits2AndBadSettingsToo) {
  fs::path p = WriteTemp("rx.json", R"({"events": [
    {"id": "rx", "type": "prescription", "date": "2026-01-02", "recorded_by": "a", "product": "Isotrex",
     "daily_mg": 40, "days_supply": 30}]})");
  auto r = testing::RunCli({"evaluate", p.string(), "--as-of", "2026-02-12"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("events[0] (id rx).product: 'Isotrex' is not a known product"),
            std::string::npos)
      << r.err;
  fs::path s = WriteTemp("settings.json", R"({"lab_profile": "nice"})");
  r = testing::RunCli(
      {"evaluate", kExample.string(), "--as-of", "2026-02-12", "--settings", s.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("settings.lab_profile: 'nice' is not a lab profile"), std::string::npos)
      << r.err;
  r = testing::RunCli({"evaluate", kExample.string(), "--as-of", "2026-02-31"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--as-of"), std::string::npos) << r.err;
  r = testing::RunCli({"evaluate", "/nonexistent/timeline.json", "--as-of", "2026-02-12"});
  EXPECT_EQ(r.exit_code, 4);
  fs::remove(p);
  fs::remove(s);
}

}  // namespace
}  // namespace isocourse
