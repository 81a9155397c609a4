// docs/timeline.md shows one example per event type; they must stay valid. Every
// ```json block is parsed by the codec, together in one timeline (the retraction in a
// second one, since it retracts an event the correction also corrects), and the
// whole timeline evaluates against the real knowledge base.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "codec/timeline_json.h"
#include "core/course/evaluate.h"
#include "store/knowledge_files.h"

namespace isocourse {
namespace {

std::vector<std::string> JsonBlocks(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string md = ss.str();
  std::vector<std::string> out;
  const std::regex block("```json\\n([\\s\\S]*?)\\n```");
  for (auto it = std::sregex_iterator(md.begin(), md.end(), block); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

TEST(TimelineDocs, EveryEventTypeHasAnExampleThatParsesAndEvaluates) {
  const auto blocks = JsonBlocks(std::string(ISOCOURSE_TEST_SOURCE_DIR) + "/docs/timeline.md");
  ASSERT_GE(blocks.size(), course::kEventTypeNames.size());
  std::string main_events, retraction;
  for (const std::string& b : blocks) {
    if (b.find("\"entered_in_error\"") != std::string::npos) {
      retraction = b;
      continue;
    }
    main_events += (main_events.empty() ? "" : ",") + b;
  }
  auto t = codec::ParseTimelineJson(R"({"patient": "docs", "events": [)" + main_events + "]}");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  std::set<std::string_view> types;
  for (const course::Event& e : t->events) types.insert(e.TypeName());
  auto r = codec::ParseTimelineJson(
      R"({"events": [{"id": "tg-1", "type": "lab", "date": "2026-02-06", "recorded_by": "lab",
          "loinc": "2571-8", "value": 2.9, "unit": "mmol/L"},)" +
      retraction + "]}");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  types.insert("entered_in_error");
  for (std::string_view name : course::kEventTypeNames) {
    EXPECT_TRUE(types.contains(name)) << "docs/timeline.md has no example of " << name;
  }

  auto kb = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
  ASSERT_TRUE(kb.has_value()) << kb.error().ToString();
  auto a = course::Evaluate(*t, *kb, Date::FromYmd(2026, 7, 1), course::Settings{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  // The examples hold both a discontinuation (2026-02-15) and a later completion; the
  // first end of a course is final.
  EXPECT_EQ(a->phase, course::Phase::kDiscontinued);
}

TEST(TimelineDocs, TheExampleTimelineFileEvaluates) {
  std::ifstream in(std::string(ISOCOURSE_TEST_SOURCE_DIR) +
                   "/docs/examples/timeline-us-active.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto t = codec::ParseTimelineJson(ss.str());
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  auto kb = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
  ASSERT_TRUE(kb.has_value()) << kb.error().ToString();
  auto a = course::Evaluate(*t, *kb, Date::FromYmd(2026, 2, 12), course::Settings{});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->phase, course::Phase::kActive);
  EXPECT_EQ(a->candidacy.verdict, course::CandidacyVerdict::kIndicated);
  EXPECT_NEAR(a->dose.cumulative_per_kg.value(), 24.0, 0.01);
}

}  // namespace
}  // namespace isocourse
