// File: engine.h
//
// The acne symptom checker: one pure, deterministic function from an interview so far
// (age, sex, context and every answer given) to the next question, the ranked
// conditions, the triage level, a severity estimate, explanations and a summary for
// the doctor visit. It keeps no state between calls, so a client (CLI, server, web
// page) re-sends the whole evidence list each step, as in the Infermedica /diagnosis
// API (../shared/clinical/acne-symptom-checker.md §1.1, §5.3).
//
//   symptom::Request req;
//   req.age = 17; req.sex = symptom::Sex::kMale;
//   req.evidence.push_back({"sx.les.comedones", symptom::Choice::kPresent, "initial"});
//   ISO_ASSIGN_OR_RETURN(symptom::Assessment a, symptom::Assess(req, kb));
//   if (a.question) { ...ask it, append the answer, call Assess again... }
//
// How it decides (details and sources in docs/symptom-checker.md):
// - Inference: naive Bayes over the findings. Prior = condition prior x age band x
//   sex factor; each present / absent answer multiplies by P(answer | condition);
//   "unknown" adds nothing. Conditions that need a context finding (isotretinoin
//   adverse events) are excluded until it is present or "don't know".
// - Questions, in phases: context (isotretinoin use, main concern) -> the red-flag
//   screen (always completed) -> the question with the highest expected information
//   gain plus a bonus for questions whose answer could move the triage level -> the
//   severity module when an acne-like condition is likely.
// - Stop when the top condition reaches `stop.confidence` with `stop.margin` over the
//   second, when no question gains `min_gain_bits`, or after `max_questions`; never
//   before the red-flag screen (and, for acne-like conditions, the severity module)
//   is complete.
// - Triage = max(red-flag rule floors, the level of every condition at or above
//   `likely_threshold`, modifiers such as "acne with 3+ nodules").
//
// Thread safety: Assess only reads the knowledge base; concurrent calls are safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/knowledge/knowledge.h"
#include "core/result.h"
#include "core/symptom/symptom_kb.h"

namespace isocourse::symptom {

enum class Choice { kPresent, kAbsent, kUnknown };
const char* ChoiceName(Choice c);  // "present", "absent", "unknown"
std::optional<Choice> ParseChoice(std::string_view s);

struct EvidenceItem {
  std::string id;  // a finding id from the catalogue
  Choice choice = Choice::kUnknown;
  // Why it is known: "initial" (volunteered at the start), "predefined" (from a record),
  // or the phase of the question it answers ("context", "red_flag_screen", "interview",
  // "severity"). Only "initial" and "predefined" answers do not count as questions asked.
  std::string source;
};

struct Medication {
  std::string name;
  std::optional<double> weeks;  // how long taken
  bool current = true;
};

struct PriorTreatment {
  std::string name;
  std::optional<double> weeks;
  std::string response;  // "better", "no_change", "worse" or "" (not said)
  bool ongoing = false;
};

struct Context {
  std::string complaint;  // the patient's own words, for the doctor summary
  // Convenience for the context question; must agree with `sx.ctx.isotretinoin` in
  // the evidence if both are given.
  std::optional<bool> on_isotretinoin;
  std::optional<int> isotretinoin_weeks;  // weeks since starting
  // false: the pregnancy question is not asked (e.g. after menopause, no partner).
  std::optional<bool> pregnancy_possible;
  std::optional<double> problem_weeks;     // how long the skin problem has lasted
  std::vector<Medication> medications;     // the last 2 months
  std::vector<PriorTreatment> treatments;  // acne treatments tried
};

struct Options {
  bool explain = false;              // explanations for the listed conditions
  std::string explain_target;        // or for this one condition only
  std::optional<int> max_questions;  // overrides the knowledge setting (5-60)
  int max_conditions = 8;            // conditions returned (all are ranked internally)
  bool doctor_summary = true;
};

struct Request {
  std::optional<int> age;  // years, 0-120; required
  std::optional<Sex> sex;  // required
  Context context;
  std::vector<EvidenceItem> evidence;
  Options options;
};

struct ConditionScore {
  int index = -1;  // into SymptomKnowledge::conditions
  std::string id;
  std::string name;
  std::string common_name;
  double probability = 0;
  std::string advice;  // short patient-facing advice for this condition
};

struct QuestionItem {
  std::string id;    // finding id
  std::string name;  // the choice label (for group items) or the finding's name
};

struct Question {
  enum class Type { kSingle, kGroupSingle };
  Type type = Type::kSingle;
  std::string id;  // finding id (single) or group id
  std::string text;
  Phase phase = Phase::kInterview;
  // Why it is asked now, in the patient's words ("We ask everyone this safety question").
  std::string rationale;
  std::vector<QuestionItem> items;  // one item for single questions
};

struct FiredRule {
  std::string id;
  TriageLevel level = TriageLevel::kSelfCare;
  std::string reason;
  bool red_flag = false;
  bool stop_isotretinoin = false;
};

struct Triage {
  TriageLevel level = TriageLevel::kSelfCare;
  std::string label;
  std::string words;
  std::string infermedica;
  std::vector<std::string> reasons;  // why this level, strongest first
  std::vector<FiredRule> rules;      // every red flag and modifier that fired
  bool stop_isotretinoin = false;
};

// Severity from the lesion answers (acne-symptom-checker.md §4.1 "our mapping";
// FDA IGA and NICE NG198 bands, isotretinoin.md §0).
struct Severity {
  bool applicable = false;   // an acne-like condition is likely or lesion counts were given
  std::optional<int> iga;    // 0-4
  std::string iga_label;     // clear, almost clear, mild, moderate, severe
  std::string nice_band;     // "mild_to_moderate", "moderate_to_severe" or "" (unknown)
  std::string inflammatory;  // answer label or "" (not answered)
  std::string nodules;
  std::optional<bool> trunk;
  std::optional<bool> scarring;
  std::optional<bool> distress;
  std::string confidence;  // "estimated", "partial" (some answers missing), "none"
};

struct EvidenceWeight {
  std::string id;
  std::string name;
  Choice choice = Choice::kUnknown;
  double likelihood_ratio = 1;  // P(answer | condition) / P(answer | other conditions)
};

struct Explanation {
  std::string condition_id;
  std::string condition_name;
  std::vector<EvidenceWeight> supporting;   // strongest first
  std::vector<EvidenceWeight> conflicting;  // strongest first
  std::vector<EvidenceWeight> unconfirmed;  // typical findings not yet answered
};

struct DoctorSummary {
  std::string complaint;
  std::vector<std::string> timeline;
  std::vector<std::string> positives;
  std::vector<std::string> negatives;
  std::vector<std::string> medications;
  std::vector<std::string> treatments;
  std::string severity;
  std::vector<std::string> likely_conditions;  // "Acne vulgaris 82%"
  std::string triage;
  std::vector<std::string> red_flags;
  std::string text;  // the whole note, printable
};

struct Assessment {
  std::optional<Question> question;        // empty when should_stop
  std::vector<ConditionScore> conditions;  // ranked, at most options.max_conditions
  std::vector<ConditionScore> ranking;     // every condition considered, ranked
  bool should_stop = false;
  // "confident", "no_useful_question", "question_limit", or "" while the interview runs.
  std::string stop_reason;
  // True when a red-flag rule at urgent_24h or emergency fired.
  bool has_emergency_evidence = false;
  bool screen_complete = false;
  int questions_asked = 0;
  Triage triage;
  Severity severity;
  std::vector<Explanation> explanations;  // when options.explain or explain_target
  std::optional<DoctorSummary> summary;   // when options.doctor_summary
  std::string knowledge_version;
};

// Runs one interview step.
// Errors (kInvalidArgument, `where` names the field):
//   "age" / "sex" missing or out of range (age 0-120);
//   "evidence[i].id" unknown finding; "evidence[i]" contradicts an earlier answer (same
//   finding twice with different choices, two items of one group present, an implied
//   finding absent, an excluded one present) or a finding for the other sex;
//   "context.on_isotretinoin" / "context.pregnancy_possible" disagree with the evidence;
//   "context.isotretinoin_weeks", "context.problem_weeks", "options.max_questions" out
//   of range; "options.explain_target" not a condition.
// kFailedPrecondition when the knowledge base has no symptom checker knowledge.
Result<Assessment> Assess(const Request& request, const KnowledgeBase& kb);

}  // namespace isocourse::symptom
