// File: symptom_kb.h
//
// The acne symptom checker's knowledge as typed data: the findings a patient can
// report, the conditions with their priors and per-finding likelihoods, the question
// groups, the triage levels with the words a patient reads, the red-flag rules that
// put a floor under the triage level, the triage modifiers (acne severity, failed
// treatment), and published accuracy figures used by `isocourse check --evaluate`.
//
// Loaded from `knowledge/symptom/*.yaml` (kinds symptom_findings,
// symptom_question_groups, symptom_conditions, triage_levels, red_flag_rules,
// triage_modifiers, symptom_benchmarks; parsers in parse_symptom.cpp) and compiled at
// load into `SymptomModel`, dense likelihood tables the engine (engine.h) reads
// without any string lookup. Format and semantics: docs/symptom-checker.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/knowledge/knowledge.h"

namespace isocourse::symptom {

enum class Sex { kFemale, kMale };
const char* SexName(Sex s);  // "female", "male"
std::optional<Sex> ParseSex(std::string_view s);

// Ordered by urgency; the API codes follow ../shared/clinical/acne-symptom-checker.md
// §5.1 and map onto Infermedica's five levels.
enum class TriageLevel { kSelfCare, kPrimaryCare, kDermatologist, kUrgent24h, kEmergency };
inline constexpr int kTriageLevelCount = 5;
// "self_care", "primary_care_routine", "dermatologist_routine", "urgent_24h", "emergency".
const char* TriageCode(TriageLevel level);
std::optional<TriageLevel> ParseTriageCode(std::string_view code);
// Rank used for safety metrics (§5.1): self care 1, primary care and dermatologist 2,
// urgent 3, emergency 4. The two routine destinations share a rank.
int TriageRank(TriageLevel level);

// Where in the interview a question belongs (§5.2 phases).
enum class Phase { kContext, kRedFlagScreen, kInterview, kSeverity };
const char* PhaseName(Phase p);  // "context", "red_flag_screen", "interview", "severity"

struct TriageLevelDef {
  ItemMeta meta;
  TriageLevel level = TriageLevel::kSelfCare;
  std::string label;        // short heading, e.g. "See a doctor today"
  std::string words;        // what the patient reads
  std::string infermedica;  // the matching Infermedica level(s), for integrators
};

// Something a patient can report, asked as a yes / no / don't know question (or as
// one item of a group question).
struct Finding {
  ItemMeta meta;
  std::string name;      // clinician's words, used in explanations and the doctor summary
  std::string question;  // patient's words
  std::string category;  // context, red_flag, lesion, symptom, site, onset, ...
  Phase phase = Phase::kInterview;
  std::string group;  // question group id when asked as an item of a group
  // Asked only when one of these findings is present or answered "don't know"
  // (e.g. isotretinoin questions only for people taking it).
  std::vector<std::string> ask_if_any;
  std::optional<Sex> sex;  // asked only of this sex; a present answer from the other is an error
  int min_age = 0;
  int max_age = 130;
  // Likelihood for every condition that does not list this finding.
  double default_p = 0.1;
  Citation default_cite;
  // Consistency: when this finding is present, `implies` may not be absent and
  // `excludes` may not be present.
  std::vector<std::string> implies;
  std::vector<std::string> excludes;
  // Also asked in the severity module (e.g. scars, trunk) when still unanswered.
  bool severity_item = false;
  // Lesion-count answers: what is counted ("inflammatory" or "nodules") and the range
  // this answer stands for, inclusive (count_max 999 = "or more").
  std::string counts;
  int count_min = 0;
  int count_max = 0;

  // Resolved at load.
  int group_index = -1;
  std::vector<int> ask_if_any_idx;
  std::vector<int> implies_idx;
  std::vector<int> excludes_idx;
};

// Several findings asked as one single-choice question ("about how many spots?").
// Exactly one item may be present; the answer's likelihood is categorical (each
// item's likelihood normalised over the group).
struct QuestionGroup {
  ItemMeta meta;
  std::string question;
  Phase phase = Phase::kInterview;
  std::vector<std::string> items;
  std::vector<int> item_idx;  // resolved at load
};

// One number of the likelihood table: P(patient reports `finding` | condition).
struct Likelihood {
  std::string finding;
  double p = 0;
  Citation cite;      // source of the number; EXPERT when it is an estimate
  std::string basis;  // for EXPERT numbers: the source the estimate leans on
  int finding_index = -1;
};

// Prior multiplier for an age band, ages [from, to] inclusive.
struct AgeFactor {
  int from = 0;
  int to = 130;
  double factor = 1;
};

struct Condition {
  ItemMeta meta;
  std::string name;         // medical name
  std::string common_name;  // patient's words
  std::string group;        // "skin" or "isotretinoin" (adverse events of treatment)
  TriageLevel triage = TriageLevel::kSelfCare;  // level when this condition is likely
  bool severity_module = false;                 // acne-like: ask the severity questions when likely
  // Considered only when each of these findings is present or "don't know"
  // (isotretinoin adverse events need `sx.ctx.isotretinoin`).
  std::vector<std::string> requires_present;
  std::vector<int> requires_idx;
  // Relative prior among people who use an acne checker, before age and sex.
  double prior = 0;
  Citation prior_cite;
  std::vector<AgeFactor> age_factors;  // the first band containing the age applies
  Citation age_cite;
  double female_factor = 1;  // 0 excludes the sex
  double male_factor = 1;
  Citation sex_cite;
  std::vector<Likelihood> likelihoods;
  std::string advice;  // short patient-facing advice shown with the result
};

// A rule that sets a floor on the triage level. Red-flag rules apply regardless of
// the probabilities; modifiers apply only when one of `likely` reaches the condition
// threshold (e.g. "acne with 3+ nodules -> dermatologist").
struct TriageRule {
  ItemMeta meta;
  bool red_flag = false;
  TriageLevel level = TriageLevel::kSelfCare;
  std::vector<std::string> all_of;  // every one present
  std::vector<std::string> any_of;  // at least one present (empty = no constraint)
  std::vector<std::string> likely;  // modifiers only
  std::optional<int> age_below;     // modifiers only: applies when age < this
  std::string reason;               // patient's words
  bool stop_isotretinoin = false;   // tell the patient to stop isotretinoin now

  std::vector<int> all_idx, any_idx, likely_idx;  // resolved at load
};

// A published accuracy figure shown beside our own evaluation.
struct Benchmark {
  ItemMeta meta;
  std::string study;
  std::string metric;  // top1, top3, triage_exact, triage_safe, emergency_triage
  double percent = 0;
  std::string population;
};

// Interview settings read from parameters `symptom.*` at load.
struct InterviewSettings {
  double stop_confidence = 0.8;  // top-1 probability to stop
  double stop_margin = 0.3;      // and its lead over the second
  double min_gain_bits = 0.02;   // below this no question is worth asking
  int max_questions = 20;
  // Interview-phase questions asked before "confident" may stop the interview: a few
  // answers can look decisive under the naive-Bayes independence assumption.
  int min_interview_questions = 5;
  double likely_threshold = 0.2;    // posterior at which a condition's triage counts
  double triage_bonus_bits = 0.15;  // added per rank a question could move the triage
  double severity_threshold = 0.3;  // acne-like posterior that opens the severity module
  double explain_ratio = 1.25;      // |LR| beyond which an answer supports / argues against
};

// Dense tables compiled at load; index order = knowledge order.
struct SymptomModel {
  int n_findings = 0;
  int n_conditions = 0;
  // [finding * n_conditions + condition]
  std::vector<double> log_p;      // log P(present | c)
  std::vector<double> log_not_p;  // log P(absent | c)
  std::vector<double> p;
  // For group items: the likelihood normalised within the group, and its log.
  std::vector<double> group_q;
  std::vector<double> log_group_q;
  std::unordered_map<std::string, int> finding_index;
  std::unordered_map<std::string, int> condition_index;
  std::unordered_map<std::string, int> group_index;
  int isotretinoin_finding = -1;  // sx.ctx.isotretinoin
  int pregnancy_finding = -1;     // sx.rf.pregnancy
  InterviewSettings settings;
};

struct SymptomKnowledge {
  std::vector<Finding> findings;
  std::vector<QuestionGroup> groups;
  std::vector<Condition> conditions;
  std::vector<TriageLevelDef> levels;
  std::vector<TriageRule> red_flags;
  std::vector<TriageRule> modifiers;
  std::vector<Benchmark> benchmarks;
  SymptomModel model;

  bool empty() const { return findings.empty() && conditions.empty(); }
  const Finding* FindFinding(std::string_view id) const;
  const Condition* FindCondition(std::string_view id) const;
  const TriageLevelDef& Level(TriageLevel level) const;  // REQUIRES: all five loaded
  int FindingIndex(std::string_view id) const;           // -1 if unknown
  int ConditionIndex(std::string_view id) const;         // -1 if unknown
};

}  // namespace isocourse::symptom
