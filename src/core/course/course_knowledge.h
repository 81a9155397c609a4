// File: course_knowledge.h
//
// The course engine's rules as typed data, loaded from knowledge/*.yaml by the kinds
// below (parsers in course_knowledge.cpp, registered in knowledge/loader.cpp):
//
//   course_rules   knowledge/course-rules.yaml    numbers and wording of single rules
//   red_flags      knowledge/red-flags.yaml       symptom combinations -> action
//   interactions   knowledge/interactions.yaml    contraindications and interactions
//   lab_analytes   knowledge/labs.yaml            LOINC, units, conversion, thresholds
//   lab_profiles   knowledge/lab-profiles.yaml    monitoring schedules
//   course_tasks   knowledge/course-tasks.yaml    post-treatment and recurring tasks
//
// After loading, ValidateCourse resolves everything the engine looks up by id into
// `CourseKnowledge` (KnowledgeBase::course) so an evaluation does no string lookups.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/knowledge/knowledge.h"

namespace isocourse::course {

// One rule's number and wording (kind course_rules). Jurisdiction-tagged variants of
// the same id are allowed; `Rule(id, j)` picks the tagged one.
struct CourseRule {
  ItemMeta meta;
  std::string title;
  std::string message;
  std::string action;
  Severity severity = Severity::kInfo;
  Urgency urgency = Urgency::kRoutine;
  bool stop_drug = false;
  std::optional<double> value;
  std::vector<double> values;
  std::string unit;
  std::string version;  // only the pack item (course.pack) has one
};

// A red flag (kind red_flags): every group in `requires` needs at least one of its
// symptoms in the same side-effect report.
struct RedFlag {
  ItemMeta meta;
  std::string condition;  // suspected condition, e.g. "Idiopathic intracranial hypertension"
  std::vector<std::vector<Symptom>> groups;
  std::optional<SymptomSeverity> min_severity;
  bool can_get_pregnant_only = false;
  Severity severity = Severity::kMajor;
  Urgency urgency = Urgency::kSameDay;
  bool stop_drug = false;
  std::string message;
  std::string action;
};

// A contraindication or interaction (kind interactions). Exactly one trigger.
struct Interaction {
  ItemMeta meta;
  std::optional<Condition> condition;
  std::optional<MedicationClass> medication;
  std::optional<ContraceptionMethod> contraception_method;
  // The trigger counts only with hormonal contraception in use (St John's wort).
  bool with_hormonal_contraception = false;
  bool can_get_pregnant_only = false;
  // Severity by jurisdiction (index = Jurisdiction); unset = does not apply there.
  std::array<std::optional<Severity>, 3> severity;
  std::string title;
  std::string message;
  std::string action;
};

struct LabThreshold {
  ItemMeta meta;  // jurisdiction-tagged (US label 800 mg/dL, BNF 9 mmol/L)
  double above = 0;
  LabUnit unit = LabUnit::kMgPerDl;
  LabFlag flag = LabFlag::kAlert;
  Severity severity = Severity::kMajor;
  Urgency urgency = Urgency::kSameDay;
  bool stop_drug = false;
  std::string title;
  std::string message;
  std::string action;
};

struct LabUnitFactor {
  LabUnit unit = LabUnit::kMgPerDl;
  double per_canonical = 1;  // value in `unit` = canonical value x per_canonical
  Citation citation;
};

// An analyte (kind lab_analytes): its codes, units and thresholds.
struct LabAnalyte {
  ItemMeta meta;
  std::string analyte;  // short key used by profiles, e.g. "tg"
  std::string name;
  std::vector<std::string> loinc;
  LabUnit canonical_unit = LabUnit::kMgPerDl;
  std::vector<LabUnitFactor> units;  // other accepted units
  bool lipid = false;                // the 36-hour alcohol rule applies
  bool rising_check = false;         // flag a rise above the reference range (ALT/AST)
  // In the canonical unit: a review line used when the lab reports no reference range.
  std::optional<double> review_above;
  Citation review_citation;
  std::vector<LabThreshold> thresholds;

  // Converts `value` in `unit` to the canonical unit; nullopt if the unit is not one
  // of this analyte's.
  std::optional<double> ToCanonical(double value, LabUnit unit) const;
  std::optional<double> FromCanonical(double canonical, LabUnit unit) const;
};

enum class LabAnchor { kStart, kPeakDose };
template <>
struct Vocab<LabAnchor> {
  static constexpr std::array<std::string_view, 2> kNames = {"start", "peak_dose"};
};

// One scheduled draw of a lab profile. Offsets are days from the anchor.
struct LabCheck {
  ItemMeta meta;
  std::string name;
  std::vector<std::string> analytes;
  LabAnchor anchor = LabAnchor::kStart;
  int due_offset = 0;
  int earliest_offset = 0;  // relative to the anchor
  int latest_offset = 0;
  std::optional<int> repeat_every;  // days; repeats while the course is active
  bool before_start = false;        // a baseline: must be done before the first dose
};

struct LabProfileRule {
  ItemMeta meta;
  LabProfile profile = LabProfile::kUsLabel;
  std::string name;
  std::vector<LabCheck> checks;
};

enum class TaskAnchor { kLastDose, kStart, kBeforeStart };
template <>
struct Vocab<TaskAnchor> {
  static constexpr std::array<std::string_view, 3> kNames = {"last_dose", "start", "before_start"};
};

// A task rule (kind course_tasks).
struct TaskRule {
  ItemMeta meta;
  TaskKind kind = TaskKind::kOther;
  std::string title;
  std::string detail;
  TaskAnchor anchor = TaskAnchor::kLastDose;
  int offset_months = 0;
  int offset_days = 0;
  int window_before = 0;            // earliest = due - window_before
  int window_after = 0;             // latest = due + window_after
  std::optional<int> repeat_every;  // days (recurring while active)
  // A requirement that runs until `due` (e.g. contraception for 1 month after the
  // last dose): on track until then, done afterwards.
  bool until = false;
  bool can_get_pregnant_only = false;
  bool female_only = false;
  std::vector<std::string> unblocks;
};

// The course_rules ids the engine reads, resolved per jurisdiction at load time so an
// evaluation indexes an array instead of looking up strings.
enum class R : int {
  kCoursePack,
  kCoursePhase,
  kCoursePhasePostTreatmentDays,
  kCoursePhaseFollowUpMonths,
  kCandidacyAgeMinimum,
  kCandidacyAgeUnknown,
  kCandidacyAssessmentMissing,
  kCandidacySeverityIga,
  kCandidacySeverityNodules,
  kCandidacySeverityInflammatory,
  kCandidacyIndicationSevere,
  kCandidacyIndicationTreatmentFailure,
  kCandidacyIndicationScarring,
  kCandidacyIndicationPsychosocial,
  kCandidacyVerdict,
  kCandidacyPriorCourseTooEarly,
  kDoseRetreatmentLabel,
  kDoseRetreatmentMsd,
  kDoseTargetDefault,
  kDoseTargetReached,
  kDoseWeightMissing,
  kMoodPhq9Item9,
  kMoodPhq9Moderate,
  kMoodPhq9Severe,
  kMoodPhq2Positive,
  kMoodPhq9FollowUp,
  kMoodTrendWorsening,
  kFlareRisk,
  kFlareWindow,
  kFlareGags,
  kFlareFacialNodules,
  kFlareFacialComedones,
  kFlareTruncalNodules,
  kFlareMacrocomedones,
  kFlareSigns,
  kGagsFactors,
  kLabsAlcohol,
  kLabsNonFasting,
  kLabsOutsideRange,
  kLabsRising,
  kLabsUnknownAnalyte,
  kLabsUnitMismatch,
  kLabsRepeatUnreliable,
  kAlertsLookback,
  kAlertPregnancyPositive,
  kDecisionStopDrug,
  kDecisionHardStop,
  kDecisionPaused,
  kDecisionEnded,
  kDecisionTgAlert,
  kLifecyclePaused,
  kLifecycleDiscontinued,
  kCount,
};
inline constexpr std::array<std::string_view, static_cast<size_t>(R::kCount)> kRuleIds = {
    "course.pack",
    "course.phase",
    "course.phase.post-treatment-days",
    "course.phase.follow-up-months",
    "candidacy.age.minimum",
    "candidacy.age.unknown",
    "candidacy.assessment.missing",
    "candidacy.severity.iga",
    "candidacy.severity.nodules",
    "candidacy.severity.inflammatory",
    "candidacy.indication.severe",
    "candidacy.indication.treatment-failure",
    "candidacy.indication.scarring",
    "candidacy.indication.psychosocial",
    "candidacy.verdict",
    "candidacy.prior-course.too-early",
    "dose.retreatment.label",
    "dose.retreatment.msd",
    "dose.target.default",
    "dose.target.reached",
    "dose.weight.missing",
    "mood.phq9.item9",
    "mood.phq9.moderate",
    "mood.phq9.severe",
    "mood.phq2.positive",
    "mood.phq9.follow-up",
    "mood.trend.worsening",
    "flare.risk",
    "flare.window",
    "flare.gags",
    "flare.facial-nodules",
    "flare.facial-comedones",
    "flare.truncal-nodules",
    "flare.macrocomedones",
    "flare.signs",
    "gags.factors",
    "labs.alcohol",
    "labs.non-fasting",
    "labs.outside-range",
    "labs.rising",
    "labs.unknown-analyte",
    "labs.unit-mismatch",
    "labs.repeat-unreliable",
    "alerts.lookback",
    "alert.pregnancy.positive",
    "decision.stop-drug",
    "decision.hard-stop",
    "decision.paused",
    "decision.ended",
    "decision.tg-alert",
    "lifecycle.paused",
    "lifecycle.discontinued",
};

struct CourseKnowledge {
  std::string pack_version;
  // The knowledge default cumulative goal (dose.cumulative.standard), copied at load (a
  // pointer into KnowledgeBase::targets would dangle when the KnowledgeBase is copied).
  std::optional<CumulativeTarget> default_target;
  std::multimap<std::string, CourseRule, std::less<>> rules;  // by id (tagged variants)
  std::vector<RedFlag> red_flags;
  std::vector<Interaction> interactions;
  std::vector<LabAnalyte> analytes;
  std::vector<LabProfileRule> lab_profiles;
  std::vector<TaskRule> tasks;

  // Resolved at load (ValidateCourse): per jurisdiction, the items that apply there
  // (a jurisdiction-tagged item replaces an untagged one of the same id).
  std::array<std::array<const CourseRule*, static_cast<size_t>(R::kCount)>, 3> resolved{};
  std::array<std::vector<const Interaction*>, 3> interactions_in{};
  std::array<std::vector<const TaskRule*>, 3> tasks_in{};

  // The rule with this id that applies in `j` (tagged wins over untagged); nullptr.
  const CourseRule* Rule(std::string_view id, Jurisdiction j) const;
  // The resolved rule (never null after a successful load).
  const CourseRule& Get(R r, Jurisdiction j) const {
    return *resolved[static_cast<size_t>(j)][static_cast<size_t>(r)];
  }
  const LabAnalyte* AnalyteByLoinc(std::string_view loinc) const;
  const LabAnalyte* Analyte(std::string_view key) const;
  const LabProfileRule* Profile(LabProfile p) const;
};

}  // namespace isocourse::course
