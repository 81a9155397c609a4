// File: vignette.h
//
// Clinical vignettes for evaluating the symptom checker (tests/vignettes/*.yaml) and
// the evaluation itself. A vignette states a patient's true findings; the runner plays
// the patient: it sends the volunteered (`initial`) findings, then answers each
// question the engine asks from the truth (`present`, `absent`, `unknown`), and
// "don't know" for anything the vignette does not state. So the engine, not the
// vignette, decides which answers it collects, as with a real patient.
//
// Metrics (acne-symptom-checker.md §6; Gilbert 2020 for "safe"): top-1 and top-3
// accuracy (the expected diagnosis or an acceptable alternative), exact triage, safe
// triage (at or above the expected level, or at most one rank below), over-triage
// (above the expected and not acceptable) and under-triage of cases whose expected
// level is urgent or emergency. Pure: the caller reads the files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/knowledge/knowledge.h"
#include "core/result.h"
#include "core/symptom/engine.h"

namespace isocourse::symptom {

struct Vignette {
  std::string id;
  std::string file;
  std::string title;
  std::string complaint;  // in the patient's words
  int age = 0;
  Sex sex = Sex::kFemale;
  Context context;
  std::vector<std::string> initial;  // volunteered at the start (also true findings)
  std::vector<std::string> present;
  std::vector<std::string> absent;
  std::vector<std::string> unknown;  // answered "don't know" when asked
  // The patient says "no" to every red-flag screen question not listed as present or
  // unknown (a patient knows whether they have a fever or blood in the stool).
  bool denies_unlisted_red_flags = false;
  std::string expected_diagnosis;
  std::vector<std::string> acceptable_diagnoses;
  TriageLevel expected_triage = TriageLevel::kSelfCare;
  std::vector<TriageLevel> acceptable_triage;
  std::optional<int> expected_iga;
  std::string expected_nice_band;
  std::string rationale;
  Citation source;
};

// Parses one vignette file. Errors (kInvalidArgument) name the file and field: unknown
// fields, missing required fields, finding or condition ids not in the knowledge base,
// an `initial` finding not also stated present, a finding stated twice.
Result<Vignette> ParseVignette(std::string_view yaml_text, const std::string& path,
                               const KnowledgeBase& kb);

struct VignetteRun {
  Assessment final;                      // the assessment when the interview stopped
  std::vector<EvidenceItem> transcript;  // every answer, in order
};

// A less reliable patient, for robustness: each interview or severity answer taken
// from the truth is replaced by "don't know" with probability `unknown_rate`, or flipped
// (present <-> absent) with probability `flip_rate`. Red-flag and context answers stay
// true. Deterministic: the random stream is seeded from the vignette id and `seed`.
struct AnswerNoise {
  double unknown_rate = 0;
  double flip_rate = 0;
  unsigned seed = 1;
};

// Plays the interview to the end. Errors are the engine's (e.g. contradictory truth).
Result<VignetteRun> RunVignette(const Vignette& v, const KnowledgeBase& kb,
                                const AnswerNoise& noise = {});

struct VignetteOutcome {
  std::string id;
  std::string file;
  std::string expected;
  std::vector<std::string> top3;  // condition ids
  bool top1 = false;
  bool top3_hit = false;
  TriageLevel expected_triage = TriageLevel::kSelfCare;
  TriageLevel triage = TriageLevel::kSelfCare;
  bool triage_exact = false;
  bool triage_acceptable = false;
  bool triage_safe = false;
  bool over_triage = false;
  bool under_triage_urgent = false;  // expected urgent/emergency, got a lower rank
  std::optional<int> expected_iga;
  std::optional<int> iga;
  std::string expected_nice_band;
  std::string nice_band;
  int questions = 0;
  std::vector<std::string> red_flags;  // rule ids that fired
};

// 10% of answers "don't know" and 5% wrong, three runs per vignette.
inline constexpr AnswerNoise kRobustnessNoise{0.10, 0.05, 1};
inline constexpr int kRobustnessRuns = 3;

struct EvaluationTargets {
  // Issue 6 acceptance targets; the safe-triage figure matches GPs in Gilbert 2020.
  double top3 = 0.90;
  double triage_safe = 0.97;
  int under_triage_urgent = 0;
};

struct EvaluationReport {
  int count = 0;
  double top1 = 0;
  double top3 = 0;
  double triage_exact = 0;
  double triage_acceptable = 0;
  double triage_safe = 0;
  double over_triage = 0;
  int urgent_cases = 0;  // expected urgent or emergency
  int under_triage_urgent = 0;
  int emergency_cases = 0;
  double emergency_exact = 0;
  int severity_cases = 0;  // vignettes with an expected IGA
  double severity_iga = 0;
  double severity_nice = 0;
  double mean_questions = 0;
  // The same vignettes answered by a less reliable patient (kRobustnessNoise); shown,
  // not part of the targets.
  double noisy_top1 = 0;
  double noisy_top3 = 0;
  double noisy_triage_safe = 0;
  int noisy_under_triage_urgent = 0;
  int max_questions = 0;
  std::vector<std::string> conditions_without_vignette;
  std::vector<std::string> red_flags_never_fired;
  std::vector<VignetteOutcome> outcomes;
  EvaluationTargets targets;
  bool meets_targets = false;  // the three targets and full coverage
};

Result<EvaluationReport> Evaluate(const std::vector<Vignette>& vignettes, const KnowledgeBase& kb);

}  // namespace isocourse::symptom
