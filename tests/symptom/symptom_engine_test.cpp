// The symptom checker engine on a hand-made knowledge base (tiny_kb.h): posterior
// arithmetic, the red-flag floor, the question order, the stop rules and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "core/symptom/engine.h"
#include "tiny_kb.h"

namespace isocourse::symptom {
namespace {

KnowledgeBase Load(double bonus = 0.15, int min_interview = 0) {
  auto kb = LoadKnowledge(testing::TinySymptomFiles(bonus, min_interview), "tiny");
  if (!kb) {
    std::string all = kb.error().ToString();
    for (const Error& d : kb.error().details) all += "\n" + d.ToString();
    ADD_FAILURE() << all;
    return KnowledgeBase{};
  }
  return std::move(*kb);
}

Request Female(int age = 30) {
  Request r;
  r.age = age;
  r.sex = Sex::kFemale;
  return r;
}

void Add(Request& r, const std::string& id, Choice c, const std::string& source = "interview") {
  r.evidence.push_back(EvidenceItem{id, c, source});
}

// Context answered and red-flag screen negative.
Request Screened() {
  Request r = Female();
  Add(r, "sx.ctx.isotretinoin", Choice::kAbsent, "context");
  Add(r, "sx.rf.bleeding", Choice::kAbsent, "red_flag_screen");
  return r;
}

double P(const Assessment& a, const std::string& id) {
  for (const ConditionScore& c : a.ranking) {
    if (c.id == id) return c.probability;
  }
  return -1;  // not considered
}

TEST(SymptomEngineTest, PosteriorMatchesHandComputation) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  auto a0 = Assess(r, kb);
  ASSERT_TRUE(a0) << a0.error().ToString();
  EXPECT_NEAR(P(*a0, "cond.x"), 0.5, 1e-9);
  EXPECT_NEAR(P(*a0, "cond.y"), 0.5, 1e-9);

  // a present: x 0.5*0.9 = 0.45, y 0.5*0.1 = 0.05 -> 0.9 / 0.1.
  Add(r, "sx.a", Choice::kPresent);
  auto a1 = Assess(r, kb);
  ASSERT_TRUE(a1);
  EXPECT_NEAR(P(*a1, "cond.x"), 0.9, 1e-9);
  EXPECT_NEAR(P(*a1, "cond.y"), 0.1, 1e-9);

  // b absent: x 0.45*0.2 = 0.09, y 0.05*0.6 = 0.03 -> 0.75 / 0.25.
  Add(r, "sx.b", Choice::kAbsent);
  auto a2 = Assess(r, kb);
  ASSERT_TRUE(a2);
  EXPECT_NEAR(P(*a2, "cond.x"), 0.75, 1e-9);
  EXPECT_NEAR(P(*a2, "cond.y"), 0.25, 1e-9);
  EXPECT_EQ(a2->ranking.front().id, "cond.x");
}

TEST(SymptomEngineTest, UnknownAnswerChangesNothing) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  Add(r, "sx.a", Choice::kUnknown);
  Add(r, "sx.b", Choice::kUnknown);
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_NEAR(P(*a, "cond.x"), 0.5, 1e-9);
}

TEST(SymptomEngineTest, SexFactorZeroExcludesCondition) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  auto f = Assess(r, kb);
  ASSERT_TRUE(f);
  EXPECT_EQ(P(*f, "cond.male-only"), -1);
  r.sex = Sex::kMale;
  auto m = Assess(r, kb);
  ASSERT_TRUE(m);
  // x, y and male-only share the mass equally (0.5 each before normalising).
  EXPECT_NEAR(P(*m, "cond.male-only"), 1.0 / 3, 1e-9);
}

TEST(SymptomEngineTest, IsotretinoinConditionsNeedTheGate) {
  KnowledgeBase kb = Load();
  Request r = Screened();  // not on isotretinoin
  auto no = Assess(r, kb);
  ASSERT_TRUE(no);
  EXPECT_EQ(P(*no, "cond.iso"), -1);

  Request yes = Female();
  Add(yes, "sx.ctx.isotretinoin", Choice::kPresent, "context");
  auto on = Assess(yes, kb);
  ASSERT_TRUE(on);
  // Priors 0.5, 0.5, 0.2; the gate is a precondition, not evidence against x and y.
  EXPECT_NEAR(P(*on, "cond.iso"), 0.2 / 1.2 * 0.999 / (0.2 / 1.2 * 0.999 + 1.0 / 1.2 * 0.1), 1e-6);

  Request dk = Female();
  Add(dk, "sx.ctx.isotretinoin", Choice::kUnknown, "context");
  auto unknown = Assess(dk, kb);
  ASSERT_TRUE(unknown);
  // "Don't know": prior x P(on isotretinoin) = 0.2 x 0.1.
  EXPECT_NEAR(P(*unknown, "cond.iso"), 0.02 / 1.02, 1e-9);
}

TEST(SymptomEngineTest, ContextThenRedFlagScreenAreAskedFirst) {
  KnowledgeBase kb = Load();
  Request r = Female();
  // Strong initial evidence would be "confident" already.
  Add(r, "sx.a", Choice::kPresent, "initial");
  Add(r, "sx.b", Choice::kPresent, "initial");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->question);
  EXPECT_EQ(a->question->id, "sx.ctx.isotretinoin");
  EXPECT_EQ(a->question->phase, Phase::kContext);
  EXPECT_FALSE(a->should_stop);
  EXPECT_FALSE(a->screen_complete);
  EXPECT_EQ(a->questions_asked, 0);  // initial evidence is not a question

  Add(r, "sx.ctx.isotretinoin", Choice::kAbsent, "context");
  a = Assess(r, kb);
  ASSERT_TRUE(a && a->question);
  EXPECT_EQ(a->question->id, "sx.rf.bleeding");
  EXPECT_EQ(a->question->phase, Phase::kRedFlagScreen);
  EXPECT_FALSE(a->should_stop);

  // The isotretinoin-only screen question is skipped for people not taking it.
  Add(r, "sx.rf.bleeding", Choice::kAbsent, "red_flag_screen");
  a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->screen_complete);
  ASSERT_TRUE(a->question);
  EXPECT_NE(a->question->id, "sx.rf.iso-only");
}

TEST(SymptomEngineTest, IsotretinoinScreenQuestionAskedWhenTakingIt) {
  KnowledgeBase kb = Load();
  Request r = Female();
  r.context.on_isotretinoin = true;
  Add(r, "sx.rf.bleeding", Choice::kAbsent, "red_flag_screen");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a && a->question);
  EXPECT_EQ(a->question->id, "sx.rf.iso-only");
}

TEST(SymptomEngineTest, RedFlagSetsFloorRegardlessOfProbabilities) {
  KnowledgeBase kb = Load();
  Request r = Female();
  Add(r, "sx.ctx.isotretinoin", Choice::kAbsent, "context");
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.b", Choice::kPresent);
  auto calm = Assess(r, kb);
  ASSERT_TRUE(calm);
  EXPECT_GT(P(*calm, "cond.x"), 0.9);  // x alone is self care
  Add(r, "sx.rf.bleeding", Choice::kPresent, "red_flag_screen");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->triage.level, TriageLevel::kUrgent24h);
  EXPECT_TRUE(a->has_emergency_evidence);
  ASSERT_FALSE(a->triage.rules.empty());
  EXPECT_EQ(a->triage.rules.front().id, "redflag.bleeding");
  EXPECT_TRUE(a->triage.rules.front().red_flag);
  EXPECT_EQ(a->triage.words, "today");
  // "Stop isotretinoin" is only said to people taking it.
  EXPECT_FALSE(a->triage.stop_isotretinoin);
}

TEST(SymptomEngineTest, LikelyConditionsRaiseTriage) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  auto a = Assess(r, kb);  // x and y both 0.5: y's primary care counts
  ASSERT_TRUE(a);
  EXPECT_EQ(a->triage.level, TriageLevel::kPrimaryCare);
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.b", Choice::kPresent);  // y falls below the 0.2 threshold
  a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->triage.level, TriageLevel::kSelfCare);
  Add(r, "sx.d", Choice::kPresent);  // modifier: d with x likely -> dermatologist
  a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->triage.level, TriageLevel::kDermatologist);
}

TEST(SymptomEngineTest, MostInformativeQuestionFirst) {
  KnowledgeBase kb = Load();
  auto a = Assess(Screened(), kb);
  ASSERT_TRUE(a && a->question);
  EXPECT_EQ(a->question->id, "sx.a");  // 0.9/0.1 beats 0.8/0.4, 0.7/0.3 and 0.5/0.5
  EXPECT_EQ(a->question->phase, Phase::kInterview);
}

TEST(SymptomEngineTest, TriageBonusPrefersQuestionsThatCanChangeTheLevel) {
  // c and d have identical likelihoods; only d can trigger the dermatologist modifier.
  Request r = Screened();
  Add(r, "sx.a", Choice::kUnknown);
  Add(r, "sx.b", Choice::kUnknown);
  KnowledgeBase with_bonus = Load(0.15, 10);
  auto a = Assess(r, with_bonus);
  ASSERT_TRUE(a && a->question);
  EXPECT_EQ(a->question->id, "sx.d");
  KnowledgeBase no_bonus = Load(0.0, 10);
  auto b = Assess(r, no_bonus);
  ASSERT_TRUE(b && b->question);
  EXPECT_EQ(b->question->id, "sx.c");  // a tie goes to the earlier finding
}

TEST(SymptomEngineTest, StopsWhenConfidentAfterTheSeverityModule) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.b", Choice::kPresent);  // x = 0.947
  auto a = Assess(r, kb);
  ASSERT_TRUE(a && a->question);
  // x opens the severity module before the interview may stop.
  EXPECT_EQ(a->question->id, "grp.n");
  EXPECT_EQ(a->question->type, Question::Type::kGroupSingle);
  ASSERT_EQ(a->question->items.size(), 2u);
  Add(r, "sx.n.0", Choice::kPresent, "severity");
  Add(r, "sx.n.1", Choice::kAbsent, "severity");
  a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->should_stop);
  EXPECT_FALSE(a->question);
  EXPECT_EQ(a->stop_reason, "confident");
  EXPECT_EQ(a->questions_asked, 5);  // context, screen, a, b, the group (once)
}

TEST(SymptomEngineTest, MinimumInterviewQuestionsDelayTheConfidenceStop) {
  KnowledgeBase kb = Load(0.15, 3);
  Request r = Screened();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.b", Choice::kPresent);
  Add(r, "sx.n.0", Choice::kPresent, "severity");
  Add(r, "sx.n.1", Choice::kAbsent, "severity");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->should_stop);  // only 2 interview questions so far
  ASSERT_TRUE(a->question);
  EXPECT_EQ(a->question->phase, Phase::kInterview);
}

TEST(SymptomEngineTest, StopsWhenNoQuestionIsWorthAsking) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  for (const char* id : {"sx.a", "sx.b", "sx.c", "sx.d", "sx.implied"}) {
    Add(r, id, Choice::kUnknown);
  }
  Add(r, "sx.n.0", Choice::kUnknown, "severity");
  Add(r, "sx.n.1", Choice::kUnknown, "severity");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  // Only sx.useless is left: 0.5 for every condition, no information.
  EXPECT_TRUE(a->should_stop);
  EXPECT_EQ(a->stop_reason, "no_useful_question");
}

TEST(SymptomEngineTest, StopsAtTheQuestionLimit) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  r.options.max_questions = 5;
  Add(r, "sx.useless", Choice::kUnknown);
  Add(r, "sx.b", Choice::kUnknown);
  Add(r, "sx.c", Choice::kUnknown);
  Add(r, "sx.n.0", Choice::kUnknown, "severity");
  Add(r, "sx.n.1", Choice::kUnknown, "severity");
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->should_stop);
  EXPECT_EQ(a->stop_reason, "question_limit");
}

TEST(SymptomEngineTest, SameRequestSameAnswer) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  Add(r, "sx.a", Choice::kPresent);
  r.options.explain = true;
  auto a = Assess(r, kb);
  auto b = Assess(r, kb);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->ranking.size(), b->ranking.size());
  for (size_t i = 0; i < a->ranking.size(); ++i) {
    EXPECT_EQ(a->ranking[i].id, b->ranking[i].id);
    EXPECT_EQ(a->ranking[i].probability, b->ranking[i].probability);
  }
  ASSERT_TRUE(a->summary && b->summary);
  EXPECT_EQ(a->summary->text, b->summary->text);
}

TEST(SymptomEngineTest, ExplanationsListAnswersForAndAgainst) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.b", Choice::kAbsent);
  r.options.explain_target = "cond.x";
  auto a = Assess(r, kb);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->explanations.size(), 1u);
  const Explanation& e = a->explanations[0];
  ASSERT_EQ(e.supporting.size(), 1u);
  EXPECT_EQ(e.supporting[0].id, "sx.a");
  // LR against the rest (y only, as male-only and iso are excluded): 0.9 / 0.1.
  EXPECT_NEAR(e.supporting[0].likelihood_ratio, 9.0, 1e-9);
  ASSERT_EQ(e.conflicting.size(), 1u);
  EXPECT_EQ(e.conflicting[0].id, "sx.b");
  EXPECT_NEAR(e.conflicting[0].likelihood_ratio, 0.2 / 0.6, 1e-9);
}

TEST(SymptomEngineTest, DoctorSummaryHasTheSections) {
  KnowledgeBase kb = Load();
  Request r = Screened();
  r.context.complaint = "spots on my chin";
  r.context.treatments.push_back(PriorTreatment{"benzoyl peroxide", 8, "no_change", false});
  r.context.medications.push_back(Medication{"doxycycline", 12, true});
  Add(r, "sx.a", Choice::kPresent);
  auto a = Assess(r, kb);
  ASSERT_TRUE(a && a->summary);
  const std::string& t = a->summary->text;
  EXPECT_NE(t.find("Complaint: spots on my chin"), std::string::npos) << t;
  EXPECT_NE(t.find("Pertinent positives: finding a"), std::string::npos) << t;
  EXPECT_NE(t.find("doxycycline, 12 weeks (current)"), std::string::npos) << t;
  EXPECT_NE(t.find("benzoyl peroxide, 8 weeks, no change"), std::string::npos) << t;
  EXPECT_NE(t.find("Likely conditions: Condition X 90%"), std::string::npos) << t;
  EXPECT_NE(t.find("Triage: "), std::string::npos) << t;
  EXPECT_NE(t.find("Red-flag screen: negative (bleeding sores)"), std::string::npos) << t;
}

// --- Bad input: every error names the field. ---

void ExpectError(const Request& r, const KnowledgeBase& kb, const std::string& where,
                 const std::string& words) {
  auto a = Assess(r, kb);
  ASSERT_FALSE(a) << "expected an error at " << where;
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(a.error().where, where) << a.error().ToString();
  EXPECT_NE(a.error().message.find(words), std::string::npos) << a.error().ToString();
}

TEST(SymptomEngineBadInputTest, MissingOrOutOfRangeDemographics) {
  KnowledgeBase kb = Load();
  Request r = Female();
  r.age.reset();
  ExpectError(r, kb, "age", "required");
  r.age = -1;
  ExpectError(r, kb, "age", "out of range");
  r.age = 121;
  ExpectError(r, kb, "age", "out of range");
  r = Female();
  r.sex.reset();
  ExpectError(r, kb, "sex", "required");
}

TEST(SymptomEngineBadInputTest, UnknownFindingId) {
  KnowledgeBase kb = Load();
  Request r = Female();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.nope", Choice::kPresent);
  ExpectError(r, kb, "evidence[1].id", "'sx.nope' is not a finding");
  r = Female();
  Add(r, "", Choice::kPresent);
  ExpectError(r, kb, "evidence[0].id", "required");
}

TEST(SymptomEngineBadInputTest, ContradictoryAnswers) {
  KnowledgeBase kb = Load();
  Request r = Female();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.a", Choice::kAbsent);
  ExpectError(r, kb, "evidence[1]", "contradictory");

  r = Female();
  Add(r, "sx.n.0", Choice::kPresent, "severity");
  Add(r, "sx.n.1", Choice::kPresent, "severity");
  ExpectError(r, kb, "evidence[0]", "same single-choice question");

  r = Female();
  Add(r, "sx.a", Choice::kAbsent);
  Add(r, "sx.implied", Choice::kPresent);
  ExpectError(r, kb, "evidence[1]", "'sx.a' is absent");

  r = Female();
  r.context.on_isotretinoin = false;
  Add(r, "sx.ctx.isotretinoin", Choice::kPresent, "context");
  ExpectError(r, kb, "context.on_isotretinoin", "contradicts");

  // The same answer twice is not a contradiction.
  r = Female();
  Add(r, "sx.a", Choice::kPresent);
  Add(r, "sx.a", Choice::kPresent);
  EXPECT_TRUE(Assess(r, kb));
}

TEST(SymptomEngineBadInputTest, FindingForTheOtherSex) {
  KnowledgeBase kb = Load();
  Request r = Female();
  r.sex = Sex::kMale;
  Add(r, "sx.female", Choice::kPresent);
  ExpectError(r, kb, "evidence[0]", "only to female");
}

TEST(SymptomEngineBadInputTest, OptionsAndContextRanges) {
  KnowledgeBase kb = Load();
  Request r = Female();
  r.options.max_questions = 2;
  ExpectError(r, kb, "options.max_questions", "out of range");
  r = Female();
  r.options.explain_target = "cond.nope";
  ExpectError(r, kb, "options.explain_target", "not a condition");
  r = Female();
  r.context.isotretinoin_weeks = -3;
  ExpectError(r, kb, "context.isotretinoin_weeks", "out of range");
  r = Female();
  r.context.treatments.push_back(PriorTreatment{"bpo", 4, "great", false});
  ExpectError(r, kb, "context.treatments[0].response", "not allowed");
}

TEST(SymptomEngineBadInputTest, NoSymptomKnowledge) {
  KnowledgeBase empty;
  auto a = Assess(Female(), empty);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kFailedPrecondition);
}

}  // namespace
}  // namespace isocourse::symptom
