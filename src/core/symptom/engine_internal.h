// File: engine_internal.h  (internal to src/core/symptom)
//
// The interview state shared by engine.cpp (validation, inference, question
// selection) and report.cpp (severity, explanations, doctor summary). Exposed for the
// unit tests of the posterior arithmetic; not an API.
#pragma once

#include <vector>

#include "core/symptom/engine.h"

namespace isocourse::symptom::internal {

enum class Answer : unsigned char { kNotAsked, kPresent, kAbsent, kUnknown };

struct State {
  const SymptomKnowledge& sym;
  int age;
  Sex sex;
  const Request& req;
  std::vector<Answer> answers;    // per finding
  std::vector<int> evidence_pos;  // per finding: index into req.evidence, -1 if none
  std::vector<int> order;         // findings in the order they were answered
  int questions_asked = 0;
  int interview_questions = 0;    // of which in the interview phase
  std::vector<double> log_prior;  // per condition; -inf = not considered
  std::vector<double> log_post;
  std::vector<double> post;  // normalised
};

// Validates the request (errors name the field) and computes the posterior.
Result<State> BuildState(const Request& req, const KnowledgeBase& kb);
void ComputePriors(State& s);
void ComputePosterior(State& s);
void Normalise(const std::vector<double>& log_w, std::vector<double>& out);
// log P(the answer given for f | condition c); 0 for unknown / not asked.
double AnswerLogLikelihood(const State& s, int f, int c);

bool FindingAskable(const State& s, int f);
bool GroupAskable(const State& s, int group);
std::vector<int> PossibleGroupItems(const State& s, int group);

bool RuleFires(const State& s, const TriageRule& r);

struct TriageContribution {
  enum class Kind { kRedFlag, kCondition, kModifier };
  Kind kind;
  int index;  // into red_flags, conditions or modifiers
  TriageLevel level;
  double probability;  // conditions only
};
// The triage level for the current answers and the posterior `post`.
TriageLevel TriageLevelOf(const State& s, const std::vector<double>& post,
                          std::vector<TriageContribution>* why);

struct Selection {
  int finding = -1;  // a single question, or
  int group = -1;    // a group question
  double score = -1;
};
// The interview-phase question with the highest information gain + triage bonus.
// `s.answers` is restored before returning.
Selection SelectInterviewQuestion(State& s);

// report.cpp
Severity EstimateSeverity(const State& s);
std::vector<Explanation> Explain(const State& s, const std::vector<int>& conditions);
DoctorSummary Summarise(const State& s, const Assessment& a, const KnowledgeBase& kb);

}  // namespace isocourse::symptom::internal
