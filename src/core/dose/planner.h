// File: planner.h
//
// The dose planner: from weight, product, cumulative target, start date and regimen
// phases to a day-by-day plan whose daily doses are what the product's capsules can
// actually make. Pure and deterministic.
//
// Sources: daily dose ranges and maxima from the product labels (L-OLD, L-ABS,
// SmPC; see knowledge/products.yaml and parameters-dosing.yaml); cumulative targets
// from knowledge/cumulative-targets.yaml. Every warning is an Advisory id from
// knowledge/advisories-dosing.yaml.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/knowledge/knowledge.h"
#include "core/result.h"
#include "core/units.h"

namespace isocourse::dose {

// One phase of a requested regimen, in days counted from the start (day 1 = start).
// Exactly one of per_kg / fixed is set. last_day unset = until the target is reached
// (allowed only for the last phase).
struct PhaseSpec {
  std::optional<MgPerKgPerDay> per_kg;
  std::optional<Milligrams> fixed;
  int first_day = 1;
  std::optional<int> last_day;
};

// Parses a phase list such as "0.5:1-28,1.0:29-" or "40mg:1-28,1.0:29-".
// A dose is mg/kg/day ("0.5", "0.5mg/kg") or a fixed daily mg ("40mg"); a day range
// is "FIRST-LAST" or "FIRST-" (open). Errors (kInvalidArgument, where = `where`) for
// bad syntax, overlapping phases, gaps, or an open phase that is not last.
Result<std::vector<PhaseSpec>> ParsePhases(std::string_view text, std::string_view where);

// Turns a knowledge regimen into phase specs.
std::vector<PhaseSpec> PhasesFromRegimen(const Regimen& regimen);

struct PlanRequest {
  Kilograms weight{0};
  std::string product;  // id, short id or brand name
  MgPerKg target{0};    // cumulative goal, conventional-isotretinoin mg/kg
  Date start;
  std::vector<PhaseSpec> phases;     // empty = the regimen below, else regimen.us.standard
  std::string regimen;               // a knowledge regimen id, used when phases is empty
  std::optional<int> doses_per_day;  // 1 or 2; default: the regimen's, else the label's
  Milligrams already_taken{0};       // conventional-equivalent mg taken before `start`
};

// Capsules for one administration, e.g. {40, 30}.
struct CapsuleDose {
  std::vector<Milligrams> capsules;
  Milligrams Total() const;
  std::string ToString() const;  // "40 mg + 30 mg", or "none"
};

struct DailyDose {
  CapsuleDose morning;
  CapsuleDose evening;  // empty when once daily
  Milligrams Total() const { return morning.Total() + evening.Total(); }
  int CapsuleCount() const;
  std::string ToString() const;  // "40 mg morning + 30 mg evening"
};

struct DoseAlternative {
  DailyDose dose;
  MgPerKgPerDay per_kg{0};
  std::string why;  // e.g. "nearest lower dose", "one capsule strength only"
};

struct PlannedPhase {
  int index = 0;  // 1-based
  int first_day = 1;
  int last_day = 1;  // the last day actually planned in this phase
  Date first_date;
  Date last_date;
  Milligrams requested_daily{0};  // before rounding to capsules
  DailyDose dose;
  MgPerKgPerDay per_kg{0};  // of the chosen daily dose
  std::string explanation;  // why this capsule combination
  std::vector<DoseAlternative> alternatives;
  Milligrams cumulative_at_end{0};  // conventional-equivalent mg incl. already taken
  MgPerKg cumulative_per_kg_at_end{0};
};

struct PlanDay {
  int day = 0;  // 1-based
  Date date;
  int phase = 0;
  Milligrams daily{0};       // product mg taken that day
  Milligrams cumulative{0};  // conventional-equivalent mg, including already taken
  MgPerKg cumulative_per_kg{0};
};

// A warning or note attached to a plan: the advisory's id, severity, message and
// citation, plus what in this plan triggered it.
struct PlanNote {
  std::string id;
  Severity severity = Severity::kInfo;
  std::string message;
  std::string detail;
  Citation citation;
};

struct Plan {
  std::string knowledge_version;
  const Product* product = nullptr;
  std::string regimen;  // knowledge regimen id, or "custom"
  Kilograms weight{0};
  MgPerKg target{0};
  Milligrams target_mg{0};  // conventional-equivalent mg
  Date start;
  int doses_per_day = 2;
  Milligrams already_taken{0};
  std::vector<PlannedPhase> phases;
  std::vector<PlanDay> days;
  std::optional<Date> target_date;  // day the cumulative target is reached
  std::optional<int> days_to_target;
  std::vector<PlanNote> notes;
};

// Plans a course. Errors (kInvalidArgument, `where` names the field: "weight_kg",
// "product", "target_mg_per_kg", "phases", "doses_per_day", "already_taken_mg"):
// weight <= 0 or > 400 kg; unknown product (the message lists the known ones);
// target outside (0, 300] mg/kg; overlapping or gapped phases; a phase dose <= 0.
// Clinical concerns (over the maximum, once daily, ...) are PlanNotes, not errors.
Result<Plan> PlanCourse(const PlanRequest& request, const KnowledgeBase& kb);

// Chooses the capsule combination for a requested daily dose: the achievable total
// nearest to `requested` (ties go to the lower dose), then fewer capsules, then a
// more even morning/evening split, then fewer different strengths, avoiding
// tartrazine-containing strengths when an equal option exists. At most
// `max_capsules_per_dose` capsules per administration.
struct CapsuleChoice {
  DailyDose dose;
  bool capped = false;  // requested more than the largest possible dose
  std::vector<DoseAlternative> alternatives;
  std::string explanation;
};
CapsuleChoice ChooseCapsules(const Product& product, Milligrams requested, int doses_per_day,
                             int max_capsules_per_dose, Kilograms weight);

}  // namespace isocourse::dose
