// `isocourse check` end to end: saved answers (JSON in, text or JSON out), bad input
// exit codes, the interactive interview on stdin, the catalogue and the evaluation.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "support/run_cli.h"

namespace isocourse {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::RunCli;

fs::path TempDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("isocourse-check-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path Write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::path p = dir / name;
  std::ofstream(p) << text;
  return p;
}

TEST(CheckCliTest, AnswersFileGivesTheNextQuestionAsJson) {
  fs::path dir = TempDir("answers");
  fs::path f = Write(dir, "me.json", R"({"age": 17, "sex": "male",
    "context": {"complaint": "spots", "on_isotretinoin": false},
    "evidence": [{"id": "sx.les.comedones", "choice": "present", "source": "initial"}]})");
  auto r = RunCli({"check", "--answers", f.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  const json::object& o = v.as_object();
  ASSERT_TRUE(o.at("question").is_object());
  // Not on isotretinoin: the first question is the general red-flag screen.
  EXPECT_EQ(o.at("question").as_object().at("phase").as_string(), "red_flag_screen");
  EXPECT_FALSE(o.at("should_stop").as_bool());
  EXPECT_EQ(o.at("conditions").as_array()[0].as_object().at("id").as_string(),
            "cond.acne-vulgaris");
  fs::remove_all(dir);
}

TEST(CheckCliTest, AnswersFileTextShowsAdviceAndSummary) {
  fs::path dir = TempDir("text");
  fs::path f = Write(dir, "me.json", R"({"age": 23, "sex": "male",
    "context": {"on_isotretinoin": true, "isotretinoin_weeks": 14},
    "evidence": [{"id": "sx.rf.abdominal-pain", "choice": "present"},
                 {"id": "sx.rf.vomiting", "choice": "present"}]})");
  auto r = RunCli({"check", "--answers", f.string(), "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Stop taking isotretinoin now"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Get emergency care now"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pancreatitis"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("For your doctor"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RED FLAGS"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(CheckCliTest, BadAnswersExitTwoAndNameTheField) {
  fs::path dir = TempDir("bad");
  fs::path unknown = Write(dir, "unknown.json",
                           R"({"age": 17, "sex": "male",
                               "evidence": [{"id": "sx.nope", "choice": "present"}]})");
  auto r = RunCli({"check", "--answers", unknown.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("evidence[0].id"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sx.nope"), std::string::npos) << r.err;

  fs::path age = Write(dir, "age.json", R"({"age": 200, "sex": "male"})");
  r = RunCli({"check", "--answers", age.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("age"), std::string::npos) << r.err;

  fs::path contra = Write(dir, "contra.json", R"({"age": 17, "sex": "male", "evidence": [
      {"id": "sx.les.comedones", "choice": "present"},
      {"id": "sx.les.comedones", "choice": "absent"}]})");
  r = RunCli({"check", "--answers", contra.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("contradictory"), std::string::npos) << r.err;

  fs::path syntax = Write(dir, "syntax.json", "{\"age\": ");
  r = RunCli({"check", "--answers", syntax.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;

  r = RunCli({"check", "--answers", (dir / "missing.json").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.json"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(CheckCliTest, InteractiveInterviewReadsAnswersFromStdin) {
  fs::path dir = TempDir("interactive");
  // Complaint, then "no" to everything: the interview must end and show a result.
  std::string answers = "spots on my back\n";
  for (int i = 0; i < 60; ++i) answers += "n\n1\n";
  fs::path saved = dir / "saved.json";
  auto r = RunCli({"check", "--age", "20", "--sex", "female", "--save", saved.string()}, answers);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("[red_flag_screen]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("=== Result ==="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Complaint: spots on my back"), std::string::npos) << r.out;
  // The saved answers replay with --answers to the same end.
  ASSERT_TRUE(fs::exists(saved));
  auto replay = RunCli({"check", "--answers", saved.string()});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_NE(replay.out.find("The interview is complete"), std::string::npos) << replay.out;
  fs::remove_all(dir);
}

TEST(CheckCliTest, BackUndoesTheLastAnswer) {
  // Answer the first question (isotretinoin) "yes", go back, answer "no", then quit.
  auto r = RunCli({"check", "--age", "20", "--sex", "male"}, "spots\ny\nback\nn\nquit\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("provisional"), std::string::npos) << r.out;
  // After going back and answering no, the isotretinoin screen is not asked.
  EXPECT_EQ(r.out.find("Since starting isotretinoin"), std::string::npos) << r.out;
}

TEST(CheckCliTest, CatalogueJsonListsFindings) {
  auto r = RunCli({"check", "--catalogue", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::value v = json::parse(r.out);
  EXPECT_GT(v.as_object().at("findings").as_array().size(), 50u);
  EXPECT_EQ(v.as_object().at("triage_levels").as_array().size(), 5u);
}

TEST(CheckCliTest, EvaluateBelowTargetsExitsOne) {
  fs::path dir = TempDir("eval");
  // A single vignette whose expected answer the engine cannot give: coverage and
  // accuracy fall below the targets.
  Write(dir, "wrong.yaml", R"(id: vig.test.wrong
title: Deliberately wrong expectation
complaint: "rough bumps on my arms since childhood"
patient: {age: 15, sex: female}
initial: [sx.les.rough-goosebumps, sx.site.arms-thighs]
present: [sx.les.rough-goosebumps, sx.site.arms-thighs, sx.onset.childhood]
absent: [sx.ctx.isotretinoin]
denies_unlisted_red_flags: true
expected: {diagnosis: cond.iso.pancreatitis, triage: emergency}
rationale: test of the failing path
source: {source: EXPERT}
)");
  auto r = RunCli({"check", "--evaluate", dir.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_NE(r.out.find("BELOW THE TARGETS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Under-triage of urgent/emergency"), std::string::npos) << r.out;

  Write(dir, "broken.yaml", "id: vig.test.broken\ntitle: x\n");
  r = RunCli({"check", "--evaluate", dir.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("broken.yaml"), std::string::npos) << r.err;
  fs::remove_all(dir);
}

TEST(CheckCliTest, HelpHasExamples) {
  auto r = RunCli({"check", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--evaluate tests/vignettes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--answers"), std::string::npos);
}

}  // namespace
}  // namespace isocourse
