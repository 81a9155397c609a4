// File: assessment.h
//
// What the course engine says about a patient on one date: `Evaluate(timeline,
// knowledge, as_of, settings) -> Assessment` (evaluate.h). Every decision, alert,
// task and lab flag carries an `Explanation`: the knowledge rule id, the rule pack
// in force and its version, and the citation, so a clinician can trace any line
// of output to its source with one grep.
//
// LIFETIME: strings that are the same in every evaluation are not copied. Rule ids,
// rule packs and versions, citations (Explanation), reason codes, finding ids and
// actions, alert ids, task "unblocks", program fact keys and the program section's
// program / pack / state, the dose target's source and the lab profile rule are
// std::string_views of the KnowledgeBase the evaluation was given, or of string
// literals in the engine (static storage). So an Assessment, and anything taken from
// it (a Reason, a Task, an Explanation...), must not outlive that KnowledgeBase. The
// KnowledgeBase is loaded once and never modified (knowledge.h); the CLI keeps it for
// the whole command and the server for the whole process (its evaluation cache lives
// in the Api, which is destroyed first), so every Assessment today dies before it.
// Texts that vary by patient (messages, details, task ids and titles, alert texts) are
// owned std::strings. Nothing in an Assessment refers to the timeline.
//
// STABILITY: the program helper (src/core/program/) codes against this header.
// Change it only by adding fields/enumerators with defaults; note every change here:
//   - performance helper: the knowledge-backed strings listed under LIFETIME became
//     std::string_views (Explanation.citation is a CitationRef with the same members).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/course/timeline.h"
#include "core/date.h"
#include "core/dose/ledger.h"
#include "core/knowledge/knowledge.h"
#include "core/units.h"

namespace isocourse::course {

// ---------------------------------------------------------------------------------
// Settings: clinic and patient choices that select between sources that disagree.
// ---------------------------------------------------------------------------------

enum class LabProfile {
  kUsLabel,     // US label (L-ABS/L-GEN): baseline + periodic until the response is known
  kDelphi2022,  // DELPHI-22: ALT + TG within 1 month before start and at peak dose; no CBC
  kEuSmpc,      // SmPC: baseline, 1 month after start, then every 3 months
};
template <>
struct Vocab<LabProfile> {
  static constexpr std::array<std::string_view, 3> kNames = {"us_label", "delphi_2022", "eu_smpc"};
};

// Minimum drug-free interval before a second course (isotretinoin.md §9).
enum class RetreatmentInterval {
  kLabel8Weeks,  // US label and SmPC: >= 8 weeks off drug
  kMsd4Months,   // MSD Manual: about 4 months, except in severe cases
};
template <>
struct Vocab<RetreatmentInterval> {
  static constexpr std::array<std::string_view, 2> kNames = {"label_8_weeks", "msd_4_months"};
};

struct Settings {
  // Overrides the jurisdiction of the patient's profile (e.g. a UK clinic seeing a
  // patient whose profile says EU). Unset = the profile's.
  std::optional<Jurisdiction> jurisdiction;
  // Unset = by jurisdiction: US -> kUsLabel, EU/UK -> kEuSmpc.
  std::optional<LabProfile> lab_profile;
  dose::WeightRule weight_rule = dose::WeightRule::kPerPeriod;
  // First day the iPLEDGE 2026 modification applies (FDA approval 2026-02-09 + 180
  // days; the go-live may have moved, so it is a setting; ppp.md §0).
  Date ipledge_2026_cutover = Date::FromYmd(2026, 8, 8);
  RetreatmentInterval retreatment = RetreatmentInterval::kLabel8Weeks;
  // Cumulative goal; unset = the course_start event's target, else the knowledge
  // default (cumulative-targets.yaml).
  std::optional<MgPerKg> cumulative_goal;
  // The prescriber opted in to home pregnancy tests during/after treatment (V2026).
  // A home_test_opt_in event in the timeline overrides this.
  bool home_tests_opt_in = false;
  // A pending task is "due soon" from this many days before its due date.
  int due_soon_days = 7;
};

// ---------------------------------------------------------------------------------
// Explanations and decisions.
// ---------------------------------------------------------------------------------

// A knowledge item's Citation, by reference (see LIFETIME above).
struct CitationRef {
  std::string_view source;
  std::string_view locator;

  CitationRef() = default;
  CitationRef(std::string_view s, std::string_view l) : source(s), locator(l) {}
  // Views of `c`, which must be the KnowledgeBase's own (a temporary would dangle).
  CitationRef(const Citation& c) : source(c.source), locator(c.locator) {}  // NOLINT
  CitationRef(const Citation&&) = delete;
  // "SOURCE LOCATOR", as Citation::ToString.
  std::string ToString() const {
    std::string out(source);
    if (!locator.empty()) {
      out += ' ';
      out += locator;
    }
    return out;
  }
};

// Every field refers to the KnowledgeBase or a literal (see LIFETIME above).
struct Explanation {
  std::string_view rule_id;       // knowledge item id, e.g. "lab.tg.pancreatitis-risk"
  std::string_view rule_pack;     // e.g. "course" or "us.ipledge.v2021"
  std::string_view pack_version;  // e.g. "2026.1" or "V2021"
  CitationRef citation;
};

// One reason for or against something.
struct Reason {
  std::string_view code;  // short machine code (a literal), e.g. "no-confirmation-test"
  bool blocking = false;  // true: this reason alone makes the answer "no"
  std::string message;    // for clinicians
  Explanation explanation;
};

struct Decision {
  bool allowed = false;
  std::vector<Reason> reasons;  // every reason considered, blocking or not
  std::optional<Date> by;       // may_dispense: the dispense-by date
};

enum class Phase {
  kCandidate,  // no decision to treat recorded yet
  kPreStart,   // enrolled / prescribing steps begun, no contraception lead-in
  kLeadIn,     // can get pregnant: contraception lead-in before the first dose
  kActive,     // course started, not paused
  kPaused,
  kPostTreatment,  // last dose taken; post-treatment requirements still running
  kFollowUp,       // relapse follow-up (up to 3 years after the last dose)
  kCompleted,      // completed and every follow-up period over
  kDiscontinued,   // stopped early (post-treatment requirements may still apply)
};
template <>
struct Vocab<Phase> {
  static constexpr std::array<std::string_view, 9> kNames = {
      "candidate",      "pre_start", "lead_in",   "active",      "paused",
      "post_treatment", "follow_up", "completed", "discontinued"};
};

// ---------------------------------------------------------------------------------
// Candidacy.
// ---------------------------------------------------------------------------------

enum class CandidacyVerdict { kIndicated, kNotIndicated, kNeedsReview };
template <>
struct Vocab<CandidacyVerdict> {
  static constexpr std::array<std::string_view, 3> kNames = {"indicated", "not_indicated",
                                                             "needs_review"};
};

// A contraindication, caution or interaction that applies to this patient.
struct Finding {
  std::string_view rule_id;
  Severity severity = Severity::kInfo;  // hard_stop / major / moderate / info
  std::string message;
  std::string_view action;      // the knowledge item's text
  std::vector<EventId> events;  // the events that triggered it
  Explanation explanation;
};

struct Candidacy {
  CandidacyVerdict verdict = CandidacyVerdict::kNeedsReview;
  std::optional<int> age_years;
  std::vector<Reason> reasons;    // indication reasons (met / not met)
  std::vector<Finding> findings;  // contraindications and interactions
};

// ---------------------------------------------------------------------------------
// Dose.
// ---------------------------------------------------------------------------------

struct DoseSection {
  bool has_doses = false;
  Milligrams cumulative_mg{0};
  Milligrams cumulative_equivalent_mg{0};
  MgPerKg cumulative_per_kg{0};
  MgPerKgPerDay current_per_kg_day{0};
  Milligrams current_daily{0};
  Kilograms latest_weight{0};
  int days_on_drug = 0;
  int days_paused = 0;
  int doses_missed = 0;
  std::optional<Date> first_dose;
  std::optional<Date> last_dose;
  std::optional<Date> supply_runs_out;
  MgPerKg target{0};
  std::string_view target_source;  // "settings", "course_start", "course_extend", knowledge id
  std::optional<MgPerKg> remaining_per_kg;
  std::optional<Date> projected_target_date;
  // Earliest start of a second course (last dose + 8 weeks or + 4 months).
  std::optional<Date> second_course_earliest;
  std::optional<bool> second_course_eligible;  // on as_of
  std::vector<Reason> notes;
  Explanation retreatment_rule;
};

// ---------------------------------------------------------------------------------
// Pregnancy-prevention program (filled by program::EvaluateProgram).
// ---------------------------------------------------------------------------------

struct ProgramFact {
  std::string_view key;  // e.g. "window_end", "lockout_until", "category"
  std::string value;     // display value (dates as YYYY-MM-DD)
};

struct ProgramSection {
  bool applies = false;        // false when no program applies (e.g. no profile)
  std::string_view program;    // "ipledge", "eu_ppp", "uk_mhra"
  std::string_view rule_pack;  // e.g. "us.ipledge.v2021", "us.ipledge.v2026", "eu.ppp.2018"
  std::string_view pack_version;
  std::string_view state;  // e.g. "lead_in", "window_open", "locked_out"
  std::optional<PregnancyPotential> category;
  std::optional<Date> window_start;
  std::optional<Date> window_end;
  std::optional<Date> lockout_until;
  std::vector<ProgramFact> facts;
  std::vector<Reason> notes;
};

// ---------------------------------------------------------------------------------
// Labs.
// ---------------------------------------------------------------------------------

enum class LabFlag {
  kNormal,
  kReview,      // outside the reference range or rising; no label threshold: never blocks
  kAlert,       // above a label threshold (e.g. TG > 800 mg/dL)
  kUnreliable,  // e.g. lipid draw within 36 h of alcohol
  kUnknown,     // analyte not in the knowledge base
};
template <>
struct Vocab<LabFlag> {
  static constexpr std::array<std::string_view, 5> kNames = {"normal", "review", "alert",
                                                             "unreliable", "unknown"};
};

struct LabResultView {
  EventId event;
  Date date;
  std::string analyte;  // knowledge analyte id, e.g. "tg"
  std::string loinc;
  double value = 0;
  LabUnit unit = LabUnit::kMgPerDl;
  // The value in the analyte's canonical unit (TG: mg/dL), using the source's factor.
  std::optional<double> canonical_value;
  std::string canonical_unit;
  LabFlag flag = LabFlag::kNormal;
  bool unreliable = false;
  std::vector<Reason> reasons;
};

struct LabSection {
  LabProfile profile = LabProfile::kUsLabel;
  std::string_view profile_rule;       // knowledge id of the profile
  std::vector<LabResultView> results;  // newest last
};

// ---------------------------------------------------------------------------------
// Alerts and tasks.
// ---------------------------------------------------------------------------------

enum class Urgency { kEmergency, kSameDay, kSoon, kRoutine };
template <>
struct Vocab<Urgency> {
  static constexpr std::array<std::string_view, 4> kNames = {"emergency", "same_day", "soon",
                                                             "routine"};
};

struct Alert {
  std::string_view id;  // knowledge rule id, e.g. "redflag.iih"
  Severity severity = Severity::kInfo;
  Urgency urgency = Urgency::kRoutine;
  std::string title;
  std::string message;
  std::string action;
  bool stop_drug = false;  // the action includes stopping isotretinoin
  Date date;               // date of the triggering event (or as_of)
  std::vector<EventId> events;
  Explanation explanation;
};

enum class TaskKind {
  kPregnancyTest,
  kLab,
  kVisit,
  kCounseling,
  kComprehension,
  kContraception,
  kPrescription,
  kDispense,
  kMoodScreen,
  kAssessment,  // UK mental-health / sexual-function assessment
  kNoBloodDonation,
  kFollowUp,
  kEnrollment,
  kOther,
};
template <>
struct Vocab<TaskKind> {
  static constexpr std::array<std::string_view, 14> kNames = {
      "pregnancy_test",    "lab",          "visit",      "counseling",  "comprehension",
      "contraception",     "prescription", "dispense",   "mood_screen", "assessment",
      "no_blood_donation", "follow_up",    "enrollment", "other"};
};

enum class TaskStatus {
  kDone,       // satisfied (kept for the record in some views)
  kOnTrack,    // green: due later
  kDueSoon,    // amber: within Settings::due_soon_days of due, or window open
  kOverdue,    // red: past `latest` (or past `due` when there is no latest)
  kBlocked,    // grey: cannot be done yet (e.g. lockout, prerequisite missing)
  kPaused,     // blue: course paused; nothing is overdue while paused
  kCancelled,  // e.g. monthly tasks after discontinuation
};
template <>
struct Vocab<TaskStatus> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "done", "on_track", "due_soon", "overdue", "blocked", "paused", "cancelled"};
};
// "green", "amber", "red", "grey", "blue", "none".
std::string_view StatusColour(TaskStatus s);

struct Task {
  std::string id;  // stable within one evaluation, e.g. "lab.delphi.peak#1"
  TaskKind kind = TaskKind::kOther;
  std::string title;
  std::optional<Date> earliest;
  std::optional<Date> due;
  std::optional<Date> latest;
  TaskStatus status = TaskStatus::kOnTrack;
  std::vector<std::string_view> unblocks;  // e.g. {"prescription", "dispense"}
  std::string blocked_by;                  // why it is blocked, when status == kBlocked
  std::string detail;
  Explanation explanation;
};

// ---------------------------------------------------------------------------------
// Facts the course engine derives once and hands to the program rules.
// ---------------------------------------------------------------------------------

struct CoursePause {
  Date start;
  std::optional<Date> end;  // resume date (exclusive); unset = still paused
  std::string reason;
};

struct CourseFacts {
  Jurisdiction jurisdiction = Jurisdiction::kUS;
  const ProfileEvent* profile = nullptr;       // latest profile on or before as_of
  std::optional<PregnancyPotential> category;  // enrollment's, else the profile's
  std::optional<int> age_years;
  bool regular_cycles = false;
  Phase phase = Phase::kCandidate;
  std::optional<Date> course_start;  // course_start event date
  std::optional<Date> first_dose;
  std::optional<Date> last_dose;  // last dose taken on or before as_of
  std::optional<Date> end_date;   // complete/discontinue date
  bool completed = false;
  bool discontinued = false;
  bool paused = false;  // on as_of
  std::vector<CoursePause> pauses;
  std::optional<Date> supply_runs_out;
  bool home_tests_opt_in = false;  // settings, overridden by the latest opt-in event
};

// ---------------------------------------------------------------------------------
// The assessment.
// ---------------------------------------------------------------------------------

struct Assessment {
  Date as_of;
  PatientId patient;
  std::string knowledge_version;
  Jurisdiction jurisdiction = Jurisdiction::kUS;
  Phase phase = Phase::kCandidate;
  Explanation phase_rule;
  Candidacy candidacy;
  DoseSection dose;
  ProgramSection program;
  Decision may_prescribe;
  Decision may_dispense;
  LabSection labs;
  std::vector<Alert> alerts;  // most urgent first
  std::vector<Task> tasks;    // by due date
  // Rule packs in force, e.g. {"course 2026.1", "ipledge-2021 2021.12"}.
  std::vector<std::string> rule_packs;
};

}  // namespace isocourse::course
