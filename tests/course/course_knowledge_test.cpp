// The course knowledge kinds: the shipped files load and resolve for every
// jurisdiction; broken files are refused with the item and field named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/course/course_knowledge.h"
#include "core/knowledge/loader.h"
#include "store/knowledge_files.h"

namespace isocourse {
namespace {

namespace fs = std::filesystem;
using course::CourseKnowledge;
using course::R;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The course files plus sources.yaml and the contraception methods, with one file's
// text replaced.
Result<KnowledgeBase> LoadCourse(const std::string& file = "", const std::string& from = "",
                                 const std::string& to = "") {
  std::vector<KnowledgeFile> files;
  const fs::path dir = ISOCOURSE_TEST_KNOWLEDGE_DIR;
  for (const char* name :
       {"sources.yaml", "course-rules.yaml", "red-flags.yaml", "interactions.yaml", "labs.yaml",
        "lab-profiles.yaml", "course-tasks.yaml"}) {
    std::string text = Read(dir / name);
    if (name == file) {
      auto pos = text.find(from);
      EXPECT_NE(pos, std::string::npos) << from;
      if (pos != std::string::npos) text.replace(pos, from.size(), to);
    }
    files.push_back(KnowledgeFile{std::string("knowledge/") + name, text});
  }
  return LoadKnowledge(files, "test");
}

std::string AllProblems(const Error& e) { return e.ToString(); }

TEST(CourseKnowledge, ShippedFilesResolveEveryRuleForEveryJurisdiction) {
  auto kb = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
  ASSERT_TRUE(kb.has_value()) << kb.error().ToString();
  ASSERT_NE(kb->course, nullptr);
  const CourseKnowledge& ck = *kb->course;
  EXPECT_EQ(ck.pack_version, "2026.1");
  for (Jurisdiction j : {Jurisdiction::kUS, Jurisdiction::kEU, Jurisdiction::kUK}) {
    for (size_t i = 0; i < course::kRuleIds.size(); ++i) {
      ASSERT_NE(ck.resolved[static_cast<size_t>(j)][i], nullptr) << course::kRuleIds[i];
    }
    EXPECT_FALSE(ck.interactions_in[static_cast<size_t>(j)].empty());
    EXPECT_FALSE(ck.tasks_in[static_cast<size_t>(j)].empty());
  }
  // Tagged variants win: the EU minimum-age rule cites the SmPC, the US one the label.
  EXPECT_EQ(ck.Get(R::kCandidacyAgeMinimum, Jurisdiction::kEU).meta.citation.source, "SmPC");
  EXPECT_EQ(ck.Get(R::kCandidacyAgeMinimum, Jurisdiction::kUS).meta.citation.source, "L-ABS");
  // One tetracycline item per jurisdiction, not two.
  int tetra_eu = 0;
  for (const course::Interaction* x : ck.interactions_in[static_cast<size_t>(Jurisdiction::kEU)]) {
    if (x->meta.id == "ci.tetracycline") ++tetra_eu;
  }
  EXPECT_EQ(tetra_eu, 1);
}

TEST(CourseKnowledge, TriglycerideConversionUsesTheSourceFactor) {
  auto kb = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
  ASSERT_TRUE(kb.has_value()) << kb.error().ToString();
  const course::LabAnalyte* tg = kb->course->AnalyteByLoinc("35217-9");
  ASSERT_NE(tg, nullptr);
  EXPECT_EQ(tg->analyte, "tg");
  // mg/dL x 0.0113 = mmol/L (Lee 2016): 800 mg/dL = 9.04 mmol/L, 9 mmol/L = 796.5 mg/dL.
  EXPECT_NEAR(*tg->FromCanonical(800, course::LabUnit::kMmolPerL), 9.04, 1e-9);
  EXPECT_NEAR(*tg->ToCanonical(9, course::LabUnit::kMmolPerL), 796.46, 0.01);
  EXPECT_FALSE(tg->ToCanonical(9, course::LabUnit::kUPerL).has_value());
}

TEST(CourseKnowledge, AMissingRuleIsNamed) {
  auto kb =
      LoadCourse("course-rules.yaml", "  - id: alerts.lookback\n", "  - id: alerts.lookback-x\n");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("course rule 'alerts.lookback' is missing for US"),
            std::string::npos)
      << AllProblems(kb.error());
}

TEST(CourseKnowledge, ARuleWithoutItsNumberIsRefused) {
  auto kb = LoadCourse("course-rules.yaml", "  - id: flare.gags\n    value: 28\n",
                       "  - id: flare.gags\n");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("course rule 'flare.gags' needs a value"),
            std::string::npos)
      << AllProblems(kb.error());
}

TEST(CourseKnowledge, AnUnknownSymptomInARedFlagIsRefused) {
  auto kb = LoadCourse("red-flags.yaml", "[[headache_severe], [visual_change, nausea_vomiting]]",
                       "[[headache_severe], [blurry_vision]]");
  ASSERT_FALSE(kb.has_value());
  const std::string all = AllProblems(kb.error());
  EXPECT_NE(all.find("red-flags.yaml:"), std::string::npos) << all;
  EXPECT_NE(all.find("'blurry_vision' is not a symptom"), std::string::npos) << all;
}

TEST(CourseKnowledge, AnInteractionWithoutTriggerOrWithAnUnknownSeverityIsRefused) {
  auto kb = LoadCourse("interactions.yaml", "    condition: pregnant\n", "");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("needs a trigger"), std::string::npos)
      << AllProblems(kb.error());
  kb = LoadCourse("interactions.yaml",
                  "severity: {US: major, EU: hard_stop, UK: hard_stop}\n    title: Breastfeeding",
                  "severity: {US: severe, EU: hard_stop, UK: hard_stop}\n    title: Breastfeeding");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("'severe' is not allowed"), std::string::npos)
      << AllProblems(kb.error());
}

TEST(CourseKnowledge, ALabCheckNamingAnUnknownAnalyteIsRefused) {
  auto kb = LoadCourse("lab-profiles.yaml", "analytes: [alt, tg]", "analytes: [alt, tgs]");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("names analyte 'tgs'"), std::string::npos)
      << AllProblems(kb.error());
}

TEST(CourseKnowledge, AnUnknownCitationSourceIsRefused) {
  auto kb = LoadCourse("course-tasks.yaml",
                       "source: LAYTON-93, locator: \"96% of relapses within 3 years\"}\n  - id: "
                       "followup.relapse.2y",
                       "source: LAYTON-94, locator: \"x\"}\n  - id: followup.relapse.2y");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(AllProblems(kb.error()).find("LAYTON-94"), std::string::npos)
      << AllProblems(kb.error());
}

}  // namespace
}  // namespace isocourse
