#include "core/dose/ledger.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace isocourse::dose {

namespace {

struct Supply {
  Milligrams daily{0};
  double factor = 1.0;
  int days_left = 0;
};

}  // namespace

Result<LedgerResult> ComputeLedger(const LedgerInput& in) {
  for (size_t i = 0; i < in.weights.size(); ++i) {
    double kg = in.weights[i].kg.value();
    if (!(kg > 0) || kg > 400) {
      return InvalidArgument("weights[" + std::to_string(i) + "].kg",
                             "weight must be greater than 0 and at most 400 kg");
    }
  }
  for (size_t i = 0; i < in.dispenses.size(); ++i) {
    const Dispense& d = in.dispenses[i];
    if (d.days_supply <= 0) {
      return InvalidArgument("dispenses[" + std::to_string(i) + "].days_supply",
                             "days' supply must be at least 1");
    }
    if (!(d.daily.value() > 0)) {
      return InvalidArgument("dispenses[" + std::to_string(i) + "].daily_mg",
                             "daily dose must be greater than 0 mg");
    }
    if (!(d.equivalence_factor > 0)) {
      return InvalidArgument("dispenses[" + std::to_string(i) + "].equivalence_factor",
                             "equivalence factor must be greater than 0");
    }
  }
  for (size_t i = 0; i < in.pauses.size(); ++i) {
    if (in.pauses[i].end && *in.pauses[i].end < in.pauses[i].start) {
      return InvalidArgument("pauses[" + std::to_string(i) + "]",
                             "a pause cannot end before it starts");
    }
  }
  for (size_t i = 0; i < in.doses.size(); ++i) {
    if (in.doses[i].taken && in.doses[i].mg.value() < 0) {
      return InvalidArgument("doses[" + std::to_string(i) + "].mg", "dose must not be negative");
    }
  }

  std::vector<Dispense> dispenses = in.dispenses;
  std::stable_sort(dispenses.begin(), dispenses.end(),
                   [](const Dispense& a, const Dispense& b) { return a.date < b.date; });
  std::vector<WeightRecord> weights = in.weights;
  std::stable_sort(weights.begin(), weights.end(),
                   [](const WeightRecord& a, const WeightRecord& b) { return a.date < b.date; });
  // The last record for a day wins (a same-day correction).
  std::map<Date, DoseRecord> day_records;
  for (const DoseRecord& r : in.doses) day_records[r.date] = r;

  auto paused = [&](Date d) {
    for (const Pause& p : in.pauses) {
      if (d >= p.start && (!p.end || d < *p.end)) return true;
    }
    return false;
  };
  auto weight_on = [&](Date d) -> Kilograms {
    Kilograms w = weights.front().kg;
    for (const WeightRecord& r : weights) {
      if (r.date <= d) w = r.kg;
    }
    return w;
  };

  LedgerResult out;
  std::optional<Date> first;
  if (!dispenses.empty()) first = dispenses.front().date;
  for (const auto& [date, rec] : day_records) {
    if (rec.taken && (!first || date < *first)) first = date;
  }
  if (!first || *first > in.as_of) {
    out.weight_rule_note = "no dose taken yet";
    if (!weights.empty()) out.latest_weight = weight_on(in.as_of);
    return out;
  }
  if (weights.empty()) {
    return InvalidArgument("weights", "a weight is needed to compute mg/kg; none is recorded");
  }

  std::deque<Supply> queue;
  size_t next_dispense = 0;
  double per_kg_sum = 0;
  Supply last_used;
  for (Date d = *first; d <= in.as_of; d = d.AddDays(1)) {
    while (next_dispense < dispenses.size() && dispenses[next_dispense].date <= d) {
      const Dispense& disp = dispenses[next_dispense++];
      queue.push_back(Supply{disp.daily, disp.equivalence_factor, disp.days_supply});
    }
    if (paused(d)) {
      ++out.days_paused;
      continue;
    }
    auto rec = day_records.find(d);
    if (rec != day_records.end() && !rec->second.taken) {
      ++out.doses_missed;
      continue;
    }
    Milligrams mg{0};
    double factor = 1.0;
    if (!queue.empty()) {
      mg = queue.front().daily;
      factor = queue.front().factor;
      last_used = queue.front();
      if (--queue.front().days_left == 0) queue.pop_front();
    }
    if (rec != day_records.end()) {
      mg = rec->second.mg;
      factor = rec->second.equivalence_factor;
    }
    if (!(mg.value() > 0)) continue;
    out.cumulative_mg += mg;
    out.cumulative_equivalent_mg += mg / factor;
    per_kg_sum += (mg / factor).value() / weight_on(d).value();
    ++out.days_on_drug;
    if (!out.first_dose) out.first_dose = d;
    out.last_dose = d;
  }

  out.latest_weight = weight_on(in.as_of);
  if (in.weight_rule == WeightRule::kPerPeriod) {
    out.cumulative_per_kg = MgPerKg(per_kg_sum);
    out.weight_rule_note =
        "each day's dose divided by the weight in force that day (per-period weights)";
  } else {
    out.cumulative_per_kg = out.cumulative_equivalent_mg / out.latest_weight;
    out.weight_rule_note = "cumulative mg divided by the latest weight";
  }
  if (out.days_on_drug > 0) out.average_daily = out.cumulative_mg / out.days_on_drug;
  out.paused_on_as_of = paused(in.as_of);

  // The supply in use: what is left in the queue, plus dispenses dated after as_of are
  // not counted.
  for (const Supply& s : queue) out.supply_days_left += s.days_left;
  if (!queue.empty()) {
    out.current_daily = queue.front().daily;
  } else if (last_used.daily.value() > 0 && out.last_dose && *out.last_dose == in.as_of) {
    out.current_daily = last_used.daily;  // today's dose used the last of the supply
  }
  if (out.supply_days_left > 0) out.supply_runs_out = in.as_of.AddDays(out.supply_days_left);
  if (out.current_daily.value() > 0) {
    out.current_per_kg = DailyPerKg(out.current_daily, out.latest_weight);
  }

  if (in.target) {
    MgPerKg remaining = *in.target - out.cumulative_per_kg;
    if (remaining.value() < 0) remaining = MgPerKg(0);
    out.remaining_per_kg = remaining;
    if (remaining.value() == 0) {
      out.projected_target_date = out.last_dose;
    } else if (out.current_daily.value() > 0 && !out.paused_on_as_of) {
      const double factor = queue.empty() ? last_used.factor : queue.front().factor;
      const double per_day = (out.current_daily / factor).value() / out.latest_weight.value();
      const int days = static_cast<int>(std::ceil(remaining.value() / per_day - 1e-9));
      out.projected_target_date = in.as_of.AddDays(days);
    }
  }
  return out;
}

}  // namespace isocourse::dose
