// The shipped symptom knowledge (knowledge/symptom/) and the engine on it: coverage of
// the conditions issue 6 lists, severity grading, isotretinoin-only questions, knowledge
// and vignette validation messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/knowledge/loader.h"
#include "core/symptom/engine.h"
#include "core/symptom/vignette.h"
#include "support/knowledge.h"

namespace isocourse::symptom {
namespace {

namespace fs = std::filesystem;
using testing::RealKnowledge;

const SymptomKnowledge& Sym() {
  const KnowledgeBase& kb = RealKnowledge();
  if (!kb.symptom) {
    ADD_FAILURE() << "no symptom knowledge";
    static SymptomKnowledge empty;
    return empty;
  }
  return *kb.symptom;
}

TEST(SymptomKnowledgeTest, HasEveryConditionTheIssueLists) {
  for (const char* id : {"cond.acne-vulgaris",
                         "cond.acne-conglobata",
                         "cond.acne-fulminans",
                         "cond.rosacea",
                         "cond.perioral-dermatitis",
                         "cond.bacterial-folliculitis",
                         "cond.hot-tub-folliculitis",
                         "cond.malassezia-folliculitis",
                         "cond.gram-negative-folliculitis",
                         "cond.keratosis-pilaris",
                         "cond.hidradenitis-suppurativa",
                         "cond.milia",
                         "cond.sebaceous-hyperplasia",
                         "cond.seborrheic-dermatitis",
                         "cond.drug-induced-acneiform",
                         "cond.pseudofolliculitis-barbae",
                         "cond.flat-warts",
                         "cond.facial-angiofibromas",
                         "cond.pcos-acne",
                         "cond.contact-dermatitis",
                         "cond.demodicosis",
                         "cond.iso.intracranial-hypertension",
                         "cond.iso.pancreatitis",
                         "cond.iso.depression",
                         "cond.iso.sjs-ten",
                         "cond.iso.ibd",
                         "cond.iso.pregnancy",
                         "cond.iso.expected-dryness"}) {
    EXPECT_NE(Sym().FindCondition(id), nullptr) << id;
  }
  EXPECT_EQ(Sym().levels.size(), 5u);
  EXPECT_FALSE(Sym().red_flags.empty());
}

TEST(SymptomKnowledgeTest, EveryNumberHasASourceOrIsMarkedExpert) {
  for (const Condition& c : Sym().conditions) {
    EXPECT_FALSE(c.prior_cite.source.empty()) << c.meta.id;
    for (const Likelihood& l : c.likelihoods) {
      EXPECT_FALSE(l.cite.source.empty()) << c.meta.id << " " << l.finding;
      // EXPERT (an estimate) is itself a key of sources.yaml.
      EXPECT_TRUE(RealKnowledge().sources.contains(l.cite.source)) << l.cite.source;
    }
  }
  for (const Finding& f : Sym().findings) {
    EXPECT_FALSE(f.default_cite.source.empty()) << f.meta.id;
    EXPECT_FALSE(f.question.empty()) << f.meta.id;
  }
}

Request AcneRequest() {
  Request r;
  r.age = 17;
  r.sex = Sex::kMale;
  for (const char* id :
       {"sx.les.comedones", "sx.les.papules-pustules", "sx.site.central-face", "sx.onset.teen"}) {
    r.evidence.push_back({id, Choice::kPresent, "interview"});
  }
  r.evidence.push_back({"sx.ctx.isotretinoin", Choice::kAbsent, "context"});
  return r;
}

struct SeverityCase {
  const char* inflam;
  const char* nodules;  // nullptr: "no deep lumps" via sx.les.nodules absent
  int iga;
  const char* nice;
};

TEST(SymptomKnowledgeTest, SeverityFollowsTheIgaAndNiceMapping) {
  const SeverityCase cases[] = {
      {"sx.sev.inflam.0-1", nullptr, 1, "mild_to_moderate"},
      {"sx.sev.inflam.2-9", nullptr, 2, "mild_to_moderate"},
      {"sx.sev.inflam.10-34", nullptr, 3, "mild_to_moderate"},
      {"sx.sev.inflam.35-plus", nullptr, 3, "moderate_to_severe"},
      {"sx.sev.inflam.2-9", "sx.sev.nodules.1", 3, "mild_to_moderate"},
      {"sx.sev.inflam.10-34", "sx.sev.nodules.2", 4, "mild_to_moderate"},
      {"sx.sev.inflam.10-34", "sx.sev.nodules.3-plus", 4, "moderate_to_severe"},
  };
  for (const SeverityCase& c : cases) {
    Request r = AcneRequest();
    r.evidence.push_back({c.inflam, Choice::kPresent, "severity"});
    if (c.nodules) {
      r.evidence.push_back({"sx.les.nodules", Choice::kPresent, "interview"});
      r.evidence.push_back({c.nodules, Choice::kPresent, "severity"});
    } else {
      r.evidence.push_back({"sx.les.nodules", Choice::kAbsent, "interview"});
    }
    auto a = Assess(r, RealKnowledge());
    ASSERT_TRUE(a) << a.error().ToString();
    EXPECT_TRUE(a->severity.applicable);
    EXPECT_EQ(a->severity.iga, c.iga) << c.inflam << " " << (c.nodules ? c.nodules : "none");
    EXPECT_EQ(a->severity.nice_band, c.nice) << c.inflam;
    EXPECT_EQ(a->severity.confidence, "estimated");
  }
}

TEST(SymptomKnowledgeTest, NodularAcneGoesToADermatologist) {
  Request r = AcneRequest();
  r.evidence.push_back({"sx.les.nodules", Choice::kPresent, "interview"});
  r.evidence.push_back({"sx.sev.nodules.3-plus", Choice::kPresent, "severity"});
  auto a = Assess(r, RealKnowledge());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ranking.front().id, "cond.acne-vulgaris");
  EXPECT_EQ(a->triage.level, TriageLevel::kDermatologist);
}

// Plays an interview answering "don't know" to everything except the context answer.
std::vector<std::string> AskedIds(Request r) {
  std::vector<std::string> asked;
  for (int i = 0; i < 80; ++i) {
    auto a = Assess(r, RealKnowledge());
    if (!a) {
      ADD_FAILURE() << a.error().ToString();
      break;
    }
    if (a->should_stop || !a->question) break;
    for (const QuestionItem& it : a->question->items) {
      asked.push_back(it.id);
      r.evidence.push_back({it.id, Choice::kUnknown, PhaseName(a->question->phase)});
    }
  }
  return asked;
}

TEST(SymptomKnowledgeTest, IsotretinoinQuestionsOnlyForPeopleTakingIt) {
  Request not_on;
  not_on.age = 25;
  not_on.sex = Sex::kFemale;
  not_on.context.on_isotretinoin = false;
  for (const std::string& id : AskedIds(not_on)) {
    const Finding* f = Sym().FindFinding(id);
    ASSERT_NE(f, nullptr);
    bool iso_only = f->ask_if_any.size() == 1 && f->ask_if_any[0] == "sx.ctx.isotretinoin";
    EXPECT_FALSE(iso_only) << id << " was asked of someone not taking isotretinoin";
  }
  Request on = not_on;
  on.context.on_isotretinoin = true;
  std::vector<std::string> asked = AskedIds(on);
  EXPECT_NE(std::find(asked.begin(), asked.end(), "sx.rf.pregnancy"), asked.end());
  EXPECT_NE(std::find(asked.begin(), asked.end(), "sx.rf.abdominal-pain"), asked.end());
  // And the red-flag screen comes before any interview question.
  size_t first_interview = asked.size();
  size_t last_screen = 0;
  for (size_t i = 0; i < asked.size(); ++i) {
    const Finding* f = Sym().FindFinding(asked[i]);
    if (f->phase == Phase::kRedFlagScreen) last_screen = i;
    if (f->phase == Phase::kInterview && first_interview == asked.size()) first_interview = i;
  }
  EXPECT_LT(last_screen, first_interview);
}

TEST(SymptomKnowledgeTest, StopIsotretinoinIsSaidOnlyToPeopleTakingIt) {
  Request r;
  r.age = 18;
  r.sex = Sex::kMale;
  r.context.on_isotretinoin = true;
  r.evidence.push_back({"sx.rf.low-mood", Choice::kPresent, "red_flag_screen"});
  auto a = Assess(r, RealKnowledge());
  ASSERT_TRUE(a);
  EXPECT_EQ(a->triage.level, TriageLevel::kUrgent24h);
  EXPECT_TRUE(a->triage.stop_isotretinoin);

  Request s;
  s.age = 18;
  s.sex = Sex::kMale;
  s.context.on_isotretinoin = false;
  s.evidence.push_back({"sx.rf.suicidal", Choice::kPresent, "red_flag_screen"});
  auto b = Assess(s, RealKnowledge());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->triage.level, TriageLevel::kEmergency);
  EXPECT_TRUE(b->has_emergency_evidence);
  EXPECT_FALSE(b->triage.stop_isotretinoin);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<KnowledgeFile> ShippedFiles() {
  std::vector<KnowledgeFile> files;
  for (const auto& e : fs::recursive_directory_iterator(ISOCOURSE_TEST_KNOWLEDGE_DIR)) {
    if (e.path().extension() == ".yaml") {
      files.push_back(
          {fs::relative(e.path(), ISOCOURSE_TEST_KNOWLEDGE_DIR).string(), ReadFile(e.path())});
    }
  }
  return files;
}

TEST(SymptomKnowledgeTest, BrokenLikelihoodIsReportedWithFileAndLine) {
  std::vector<KnowledgeFile> files = ShippedFiles();
  bool changed = false;
  for (KnowledgeFile& f : files) {
    if (f.path != "symptom/conditions-lookalikes.yaml") continue;
    auto pos = f.text.find("{finding: sx.les.hair-center, p: 0.70");
    ASSERT_NE(pos, std::string::npos);
    f.text.replace(pos, std::string("{finding: sx.les.hair-center").size(),
                   "{finding: sx.les.hair-centre");
    changed = true;
  }
  ASSERT_TRUE(changed);
  auto kb = LoadKnowledge(files, "broken");
  ASSERT_FALSE(kb);
  bool found = false;
  for (const Error& d : kb.error().details) {
    if (d.message.find("'sx.les.hair-centre' is not a symptom finding") != std::string::npos) {
      found = true;
      EXPECT_NE(d.where.find("symptom/conditions-lookalikes.yaml:"), std::string::npos) << d.where;
    }
  }
  EXPECT_TRUE(found) << kb.error().ToString();
}

TEST(SymptomKnowledgeTest, VignetteErrorsNameFileAndField) {
  auto v = ParseVignette(R"(id: vig.bad
title: Bad
complaint: "x"
patient: {age: 20, sex: male}
present: [sx.les.nope]
expected: {diagnosis: cond.nope, triage: soon}
rationale: x
source: {source: NOPE}
colour: red
)",
                         "bad.yaml", RealKnowledge());
  ASSERT_FALSE(v);
  std::string all;
  for (const Error& d : v.error().details) all += d.ToString() + "\n";
  EXPECT_NE(all.find("'sx.les.nope' is not a finding"), std::string::npos) << all;
  EXPECT_NE(all.find("'cond.nope' is not a condition"), std::string::npos) << all;
  EXPECT_NE(all.find("'soon' is not a triage level"), std::string::npos) << all;
  EXPECT_NE(all.find("'NOPE' is not a key"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown field 'colour'"), std::string::npos) << all;
  EXPECT_NE(all.find("bad.yaml:"), std::string::npos) << all;
}

TEST(SymptomKnowledgeTest, OneVignetteRunsToTheExpectedAnswer) {
  fs::path p = fs::path(ISOCOURSE_TEST_SOURCE_DIR) / "tests/vignettes/iso-pancreatitis.yaml";
  auto v = ParseVignette(ReadFile(p), p.string(), RealKnowledge());
  ASSERT_TRUE(v) << v.error().ToString();
  auto run = RunVignette(*v, RealKnowledge());
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->final.ranking.front().id, "cond.iso.pancreatitis");
  EXPECT_EQ(run->final.triage.level, TriageLevel::kEmergency);
  EXPECT_TRUE(run->final.triage.stop_isotretinoin);
  ASSERT_TRUE(run->final.summary);
  EXPECT_NE(run->final.summary->text.find("RED FLAGS"), std::string::npos);
}

}  // namespace
}  // namespace isocourse::symptom
