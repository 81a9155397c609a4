#include "core/dose/ledger.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

  // Dispenses and weights in date order (ties in input order); usually already so.
  auto by_date = [](const auto& a, const auto& b) { return a.date < b.date; };
  std::vector<Dispense> sorted_dispenses;
  const std::vector<Dispense>* dispenses_p = &in.dispenses;
  if (!std::is_sorted(in.dispenses.begin(), in.dispenses.end(), by_date)) {
    sorted_dispenses = in.dispenses;
    std::stable_sort(sorted_dispenses.begin(), sorted_dispenses.end(), by_date);
    dispenses_p = &sorted_dispenses;
  }
  const std::vector<Dispense>& dispenses = *dispenses_p;
  std::vector<WeightRecord> sorted_weights;
  const std::vector<WeightRecord>* weights_p = &in.weights;
  if (!std::is_sorted(in.weights.begin(), in.weights.end(), by_date)) {
    sorted_weights = in.weights;
    std::stable_sort(sorted_weights.begin(), sorted_weights.end(), by_date);
    weights_p = &sorted_weights;
  }
  const std::vector<WeightRecord>& weights = *weights_p;
  // Dose records by date; the last record for a day wins (a same-day correction).
  std::vector<DoseRecord> day_records(in.doses);
  std::stable_sort(day_records.begin(), day_records.end(), by_date);
  {
    size_t kept = 0;
    for (size_t i = 0; i < day_records.size(); ++i) {
      if (i + 1 < day_records.size() && day_records[i + 1].date == day_records[i].date) continue;
      day_records[kept++] = day_records[i];
    }
    day_records.resize(kept);
  }
  // The pauses as disjoint, sorted day ranges [start, end) (end unset = open): a day is
  // paused when any pause covers it, so their union is what counts.
  struct Range {
    int start;
    int end;  // exclusive
  };
  std::vector<Range> pauses;
  pauses.reserve(in.pauses.size());
  for (const Pause& p : in.pauses) {
    pauses.push_back({p.start.days_since_epoch(),
                      p.end ? p.end->days_since_epoch() : std::numeric_limits<int>::max()});
  }
  std::sort(pauses.begin(), pauses.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
  {
    size_t kept = 0;
    for (const Range& r : pauses) {
      if (r.end <= r.start) continue;  // an empty pause (resumed the day it began)
      if (kept > 0 && r.start <= pauses[kept - 1].end) {
        pauses[kept - 1].end = std::max(pauses[kept - 1].end, r.end);
      } else {
        pauses[kept++] = r;
      }
    }
    pauses.resize(kept);
  }
  auto paused = [&](Date d) {
    const int x = d.days_since_epoch();
    for (const Range& r : pauses) {
      if (r.start > x) break;
      if (x < r.end) return true;
    }
    return false;
  };
  auto weight_on = [&](Date d) -> Kilograms {
    Kilograms w = weights.front().kg;
    for (const WeightRecord& r : weights) {
      if (r.date > d) break;
      w = r.kg;
    }
    return w;
  };

  LedgerResult out;
  std::optional<Date> first;
  if (!dispenses.empty()) first = dispenses.front().date;
  for (const DoseRecord& rec : day_records) {
    if (rec.taken && (!first || rec.date < *first)) first = rec.date;
  }
  if (!first || *first > in.as_of) {
    out.weight_rule_note = "no dose taken yet";
    if (!weights.empty()) out.latest_weight = weight_on(in.as_of);
    return out;
  }
  if (weights.empty()) {
    return InvalidArgument("weights", "a weight is needed to compute mg/kg; none is recorded");
  }

  // One pass over the days from the first dose to as_of. Everything that changes along
  // the way (supplies, dose records, pause ranges, weights) is in date order, so each
  // is followed with a cursor instead of being searched for every day; the per-day
  // arithmetic (and so every rounding) is the same as summing day by day.
  std::vector<Supply> queue;  // supplies not used up, oldest first from queue_head
  queue.reserve(dispenses.size());
  size_t queue_head = 0;
  size_t next_dispense = 0;
  size_t next_record = 0;
  while (next_record < day_records.size() && day_records[next_record].date < *first) {
    ++next_record;
  }
  size_t next_pause = 0;
  size_t next_weight = 0;
  Kilograms weight = weights.front().kg;
  double per_kg_sum = 0;
  Supply last_used;
  for (Date d = *first; d <= in.as_of; d = d.AddDays(1)) {
    const int day = d.days_since_epoch();
    while (next_dispense < dispenses.size() && dispenses[next_dispense].date <= d) {
      const Dispense& disp = dispenses[next_dispense++];
      queue.push_back(Supply{disp.daily, disp.equivalence_factor, disp.days_supply});
    }
    while (next_weight < weights.size() && weights[next_weight].date <= d) {
      weight = weights[next_weight++].kg;
    }
    const DoseRecord* rec = nullptr;
    if (next_record < day_records.size() && day_records[next_record].date == d) {
      rec = &day_records[next_record++];
    }
    while (next_pause < pauses.size() && pauses[next_pause].end <= day) ++next_pause;
    if (next_pause < pauses.size() && pauses[next_pause].start <= day) {
      ++out.days_paused;
      continue;
    }
    if (rec && !rec->taken) {
      ++out.doses_missed;
      continue;
    }
    Milligrams mg{0};
    double factor = 1.0;
    Supply* supply = nullptr;
    if (queue_head < queue.size()) {
      supply = &queue[queue_head];
      mg = supply->daily;
      factor = supply->factor;
      last_used = *supply;
      if (--supply->days_left == 0) {
        ++queue_head;
        supply = nullptr;
      }
    }
    if (rec) {
      mg = rec->mg;
      factor = rec->equivalence_factor;
    }
    if (!(mg.value() > 0)) continue;
    out.cumulative_mg += mg;
    out.cumulative_equivalent_mg += mg / factor;
    per_kg_sum += (mg / factor).value() / weight.value();
    ++out.days_on_drug;
    if (!out.first_dose) out.first_dose = d;
    out.last_dose = d;
    if (rec || !supply) continue;
    // The following days repeat this one exactly (same supply, weight, no record, no
    // pause) until the supply runs out or one of those changes; a new dispense only
    // joins the queue behind it. Add them in one go, still one day at a time, so the
    // sums are bit for bit those of the day loop.
    int run = std::min(supply->days_left, d.DaysUntil(in.as_of));
    if (next_record < day_records.size()) {
      run = std::min(run, d.DaysUntil(day_records[next_record].date) - 1);
    }
    if (next_weight < weights.size()) {
      run = std::min(run, d.DaysUntil(weights[next_weight].date) - 1);
    }
    if (next_pause < pauses.size()) run = std::min(run, pauses[next_pause].start - day - 1);
    if (run <= 0) continue;
    const Milligrams equivalent = mg / factor;
    const double per_kg = equivalent.value() / weight.value();
    for (int k = 0; k < run; ++k) {
      out.cumulative_mg += mg;
      out.cumulative_equivalent_mg += equivalent;
      per_kg_sum += per_kg;
    }
    out.days_on_drug += run;
    if ((supply->days_left -= run) == 0) ++queue_head;
    d = d.AddDays(run);
    out.last_dose = d;
    // Dispenses dated inside the run join the queue as they would have day by day.
    while (next_dispense < dispenses.size() && dispenses[next_dispense].date <= d) {
      const Dispense& disp = dispenses[next_dispense++];
      queue.push_back(Supply{disp.daily, disp.equivalence_factor, disp.days_supply});
    }
  }
  queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(queue_head));

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
