// File: program.h
//
// The pregnancy-prevention program rules (US iPLEDGE 2021 / 2026 with a configurable
// cutover, EU PPP, UK MHRA) behind one interface. Declared by the course engine
// (src/core/course/), implemented in src/core/program/ by the program rules.
//
// Division of work with the course engine (src/core/course/evaluate.cpp):
// - The course engine resolves corrections, derives CourseFacts (phase, start, last
//   dose, pauses, category, jurisdiction) and calls EvaluateProgram once per
//   evaluation with events dated after `as_of` already excluded by the caller's use
//   of `as_of` (events after as_of must be ignored here too).
// - EvaluateProgram owns: the program section, may_prescribe / may_dispense as the
//   program sees them (windows, tests, counseling, questions, contraception
//   matching, supply limits, lockouts, UK second prescriber and assessments), and
//   the program's tasks and alerts (screening / confirmation / monthly pregnancy
//   tests, counseling, comprehension questions, contraception entries).
// - The course engine owns and emits the post-treatment tasks (final pregnancy test
//   after the last dose, contraception for 1 month after, no blood donation, relapse
//   follow-up), candidacy, dose, labs and red-flag alerts (including a positive
//   pregnancy test). It adds its own blocking reasons (hard-stop contraindications,
//   stop-drug red flags, positive pregnancy test) to the program's decisions, and
//   marks every pending task kPaused while the course is paused.
// - Every Reason, Task and Alert carries an Explanation with the rule id, the rule
//   pack (e.g. "ipledge-2021") and version, and the citation.
//
// STABILITY: change this header only by adding fields with defaults; list changes:
//   - ForecastWarning::slips (program helper; additive).
//
// NOTE FROM THE PROGRAM HELPER (implementation in evaluate_program.cpp, forecast.cpp;
// rules in knowledge/program-*.yaml; docs/programs.md). No declaration changed, but
// please read before wiring EvaluateProgram into Evaluate:
// - ProgramState.alerts holds the positive-pregnancy-test alert with the program's
//   own action (id = rule id "ipledge.pregnancy.stop" or "ppp.pregnancy.stop",
//   stop_drug = true, urgency same_day), and the V2021 first-window lockout alert
//   ("ipledge.missed-first-window.lockout"). If the course engine also raises a
//   positive-test red flag, skip it when program alerts contain a stop_drug alert, or
//   drop ours; one of the two should go.
// - ProgramState.tasks holds, for patients who can get pregnant once the course has
//   ended (facts.completed / discontinued / end_date <= as_of, with last_dose), the
//   post-treatment pregnancy test (US "ipledge.post.test": last dose + 1 month; EU/UK
//   "ppp.test.post": + 5 weeks) and contraception-until (US "ipledge.post.contraception",
//   EU/UK "ppp.post.contraception": + 1 month) tasks, because their timing differs by
//   program. The course engine then only needs no-blood-donation and relapse
//   follow-up. The decisions also carry a blocking "pregnancy-test-positive" reason.
// - Explanation.rule_pack is the pack id ("us.ipledge.v2021", "us.ipledge.v2026",
//   "eu.ppp.2018", "uk.ppp.2018", "uk.mhra.2023", "uk.mhra.2026"); pack_version is its
//   label ("V2021", "V2026", "PPP-2018", "MHRA-2023", "MHRA-2026").
// - Events dated after as_of are ignored; CourseFacts fields read: jurisdiction,
//   category, profile->birth_date (UK under-18 rule), regular_cycles, first_dose,
//   last_dose, end_date, completed, discontinued, paused (tasks -> kPaused),
//   supply_runs_out (last day covered), home_tests_opt_in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/date.h"
#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::program {

struct ProgramState {
  course::ProgramSection section;
  course::Decision may_prescribe;
  course::Decision may_dispense;
  std::vector<course::Task> tasks;
  std::vector<course::Alert> alerts;
};

// Evaluates the program in force on `as_of` for the patient's jurisdiction
// (facts.jurisdiction; settings.ipledge_2026_cutover picks the iPLEDGE pack).
// Errors only for broken knowledge (kInternal / kFailedPrecondition); a refusal is a
// Decision with reasons.
Result<ProgramState> EvaluateProgram(const course::ResolvedTimeline& timeline,
                                     const course::CourseFacts& facts, const KnowledgeBase& kb,
                                     Date as_of, const course::Settings& settings);

// --- forecaster (owned by the program rules; may grow) --------------------------------

enum class StepKind {
  kPregnancyTest,
  kVisit,
  kCounseling,
  kComprehension,
  kPrescription,
  kPickup,
  kLab,
};

}  // namespace isocourse::program

template <>
struct isocourse::course::Vocab<isocourse::program::StepKind> {
  static constexpr std::array<std::string_view, 7> kNames = {
      "pregnancy_test", "visit", "counseling", "comprehension", "prescription", "pickup", "lab"};
};

namespace isocourse::program {

struct PlannedStep {
  StepKind kind = StepKind::kVisit;
  Date date;
  std::string note;
};

struct ForecastRequest {
  std::vector<PlannedStep> planned;  // may be empty: propose everything
  int horizon_days = 120;
};

struct ForecastStep {
  StepKind kind = StepKind::kVisit;
  std::string title;
  std::optional<Date> earliest;
  std::optional<Date> latest;
  std::optional<Date> proposed;
  bool from_plan = false;  // the caller planned this date
  std::string detail;
  course::Explanation explanation;
};

struct ForecastWarning {
  std::string step;     // the step that would slip, e.g. "pickup (month 2)"
  std::string message;  // what goes wrong (missed window, lockout...)
  course::Explanation explanation;
  // Added by the program helper: true when a planned date makes a step slip (missed
  // window, lockout, gap in supply); false for notes (a rule-pack change ahead, a
  // planned date in the past or not needed, contraception not yet qualifying).
  bool slips = false;
};

struct ForecastResult {
  std::vector<ForecastStep> steps;  // in date order
  std::vector<ForecastWarning> warnings;
  int visits = 0;  // distinct in-person dates proposed
};

Result<ForecastResult> Forecast(const course::ResolvedTimeline& timeline,
                                const course::CourseFacts& facts, const KnowledgeBase& kb,
                                Date as_of, const course::Settings& settings,
                                const ForecastRequest& request);

}  // namespace isocourse::program
