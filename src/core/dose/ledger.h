// File: ledger.h
//
// The dose ledger: what a patient has actually taken, from dispenses, doses taken or
// missed, pauses and a weight history, as of a date. Pure.
//
// Rules (docs/dosing.md):
// - Dispensed supply is taken one day at a time from the dispense date (or from the
//   day the previous supply runs out, if refilled early), at the dispense's daily dose.
// - A day inside a pause, or recorded as missed, takes nothing and consumes no supply
//   (label: skip a missed dose, do not double up; L-ABS §2).
// - A dose recorded as taken on a day replaces that day's scheduled dose.
// - Nothing after `as_of` counts.
// - Cumulative mg/kg uses, by default, the weight in force on each day (the latest
//   weight on or before that day; before the first weight, the first weight). The
//   option kLatest divides the whole cumulative mg by the latest weight instead.
// - Cumulative mg/kg is in conventional-isotretinoin equivalent: each dispense's mg is
//   divided by its product's equivalence factor (Absorica LD 0.8; L-ABS).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "core/units.h"

namespace isocourse::dose {

struct Dispense {
  Date date;
  Milligrams daily{0};  // the prescribed daily dose this supply is for
  int days_supply = 0;
  double equivalence_factor = 1.0;
  std::string product;  // for display only
};

struct DoseRecord {
  Date date;
  bool taken = true;  // false = missed
  Milligrams mg{0};   // for taken: the amount actually taken
  double equivalence_factor = 1.0;
};

struct Pause {
  Date start;
  std::optional<Date> end;  // the resume date (exclusive); unset = still paused
};

struct WeightRecord {
  Date date;
  Kilograms kg{0};
};

enum class WeightRule { kPerPeriod, kLatest };

struct LedgerInput {
  std::vector<Dispense> dispenses;
  std::vector<DoseRecord> doses;
  std::vector<Pause> pauses;
  std::vector<WeightRecord> weights;
  Date as_of;
  WeightRule weight_rule = WeightRule::kPerPeriod;
  std::optional<MgPerKg> target;  // for the projection
};

struct LedgerResult {
  Milligrams cumulative_mg{0};             // product mg actually taken
  Milligrams cumulative_equivalent_mg{0};  // conventional-equivalent mg
  MgPerKg cumulative_per_kg{0};
  int days_on_drug = 0;             // days with a dose taken
  int days_paused = 0;              // days from the first dose to as_of inside a pause
  int doses_missed = 0;             // missed days recorded between first dose and as_of
  Milligrams average_daily{0};      // cumulative_mg / days_on_drug
  Milligrams current_daily{0};      // the dose of the supply in use on as_of (0 if none)
  MgPerKgPerDay current_per_kg{0};  // current_daily / latest weight
  Kilograms latest_weight{0};
  std::optional<Date> first_dose;
  std::optional<Date> last_dose;
  int supply_days_left = 0;             // unused supply on as_of (after today's dose)
  std::optional<Date> supply_runs_out;  // last day covered by supply at the current pace
  bool paused_on_as_of = false;
  // Projection at the current daily dose; unset without a target or a current dose.
  std::optional<Date> projected_target_date;
  std::optional<MgPerKg> remaining_per_kg;
  std::string weight_rule_note;
};

// Errors (kInvalidArgument with the field in `where`): no weight recorded when any
// dose was taken ("weights"); a weight <= 0 or > 400 kg ("weights[i].kg"); a dispense
// with days_supply <= 0 or daily dose <= 0 ("dispenses[i]"); a pause ending before it
// starts ("pauses[i]").
Result<LedgerResult> ComputeLedger(const LedgerInput& input);

}  // namespace isocourse::dose
