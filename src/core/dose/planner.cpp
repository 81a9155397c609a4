#include "core/dose/planner.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace isocourse::dose {

namespace {

std::string Num(double v, int decimals = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string Mg(Milligrams m) { return Num(m.value(), 1) + " mg"; }

bool ParseDouble(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// All amounts one administration can contain: sums of 1..max capsules.
std::map<double, std::vector<CapsuleDose>> PerDoseOptions(const Product& p, int max_capsules) {
  std::map<double, std::vector<CapsuleDose>> out;
  std::vector<CapsuleDose> frontier{CapsuleDose{}};
  for (int n = 1; n <= max_capsules; ++n) {
    std::vector<CapsuleDose> next;
    for (const CapsuleDose& d : frontier) {
      for (Milligrams s : p.strengths) {
        // Non-increasing order avoids listing the same multiset twice.
        if (!d.capsules.empty() && s > d.capsules.back()) continue;
        CapsuleDose e = d;
        e.capsules.push_back(s);
        out[e.Total().value()].push_back(e);
        next.push_back(std::move(e));
      }
    }
    frontier = std::move(next);
  }
  return out;
}

bool HasTartrazine(const Product& p, const DailyDose& d) {
  for (const CapsuleDose* c : {&d.morning, &d.evening}) {
    for (Milligrams m : c->capsules) {
      if (std::find(p.tartrazine_strengths.begin(), p.tartrazine_strengths.end(), m) !=
          p.tartrazine_strengths.end()) {
        return true;
      }
    }
  }
  return false;
}

int DistinctStrengths(const DailyDose& d) {
  std::set<double> s;
  for (Milligrams m : d.morning.capsules) s.insert(m.value());
  for (Milligrams m : d.evening.capsules) s.insert(m.value());
  return static_cast<int>(s.size());
}

// Orders candidate daily doses for the same requested amount; see ChooseCapsules.
struct Ranked {
  DailyDose dose;
  double distance;
  double total;
  int capsules;
  double imbalance;
  int distinct;
  bool tartrazine;
};

bool Better(const Ranked& a, const Ranked& b) {
  constexpr double kEps = 1e-9;
  if (std::abs(a.distance - b.distance) > kEps) return a.distance < b.distance;
  if (std::abs(a.total - b.total) > kEps) return a.total < b.total;  // ties go lower
  if (a.tartrazine != b.tartrazine) return !a.tartrazine;
  if (a.capsules != b.capsules) return a.capsules < b.capsules;
  if (std::abs(a.imbalance - b.imbalance) > kEps) return a.imbalance < b.imbalance;
  return a.distinct < b.distinct;
}

const Advisory* Adv(const KnowledgeBase& kb, std::string_view id) { return kb.FindAdvisory(id); }

void AddNote(Plan& plan, const KnowledgeBase& kb, std::string_view id, std::string detail) {
  for (const PlanNote& n : plan.notes) {
    if (n.id == id && n.detail == detail) return;
  }
  PlanNote note;
  note.id = std::string(id);
  note.detail = std::move(detail);
  if (const Advisory* a = Adv(kb, id)) {
    note.severity = a->severity;
    note.message = a->message;
    note.citation = a->meta.citation;
  } else {
    // The advisory file is part of the shipped knowledge base; a missing id is a bug,
    // but the plan is still useful, so say so rather than drop the note.
    note.severity = Severity::kModerate;
    note.message = "(advisory text missing from the knowledge base)";
  }
  plan.notes.push_back(std::move(note));
}

std::string KnownProducts(const KnowledgeBase& kb) {
  std::string out;
  for (const Product& p : kb.products) {
    if (!out.empty()) out += ", ";
    std::string_view id = p.meta.id;
    out += id.substr(id.find('.') + 1);
  }
  return out;
}

}  // namespace

Milligrams CapsuleDose::Total() const {
  Milligrams t{0};
  for (Milligrams m : capsules) t += m;
  return t;
}

std::string CapsuleDose::ToString() const {
  if (capsules.empty()) return "none";
  std::string out;
  for (Milligrams m : capsules) {
    if (!out.empty()) out += " + ";
    out += Mg(m);
  }
  return out;
}

int DailyDose::CapsuleCount() const {
  return static_cast<int>(morning.capsules.size() + evening.capsules.size());
}

std::string DailyDose::ToString() const {
  if (evening.capsules.empty()) return morning.ToString() + " once daily";
  return morning.ToString() + " morning, " + evening.ToString() + " evening";
}

Result<std::vector<PhaseSpec>> ParsePhases(std::string_view text, std::string_view where) {
  const std::string w(where);
  std::vector<PhaseSpec> out;
  std::string_view rest = Trim(text);
  if (rest.empty()) return InvalidArgument(w, "no phases given; expected e.g. 0.5:1-28,1.0:29-");
  int index = 0;
  while (!rest.empty()) {
    ++index;
    size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const std::string label = "phase " + std::to_string(index) + " ('" + std::string(part) + "')";
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument(w,
                             label + " has no day range; expected DOSE:FIRST-LAST, e.g. 0.5:1-28");
    }
    std::string_view dose = Trim(part.substr(0, colon));
    std::string_view range = Trim(part.substr(colon + 1));
    PhaseSpec spec;
    double v = 0;
    if (dose.ends_with("mg/kg")) {
      dose.remove_suffix(5);
      if (!ParseDouble(Trim(dose), v)) return InvalidArgument(w, label + ": dose is not a number");
      spec.per_kg = MgPerKgPerDay(v);
    } else if (dose.ends_with("mg")) {
      dose.remove_suffix(2);
      if (!ParseDouble(Trim(dose), v)) return InvalidArgument(w, label + ": dose is not a number");
      spec.fixed = Milligrams(v);
    } else {
      if (!ParseDouble(dose, v)) {
        return InvalidArgument(w, label + ": dose '" + std::string(dose) +
                                      "' is not a number; use mg/kg/day (0.5) or mg/day (40mg)");
      }
      spec.per_kg = MgPerKgPerDay(v);
    }
    if (v <= 0) return InvalidArgument(w, label + ": the dose must be greater than 0");
    if (spec.per_kg && v > 3.0) {
      return InvalidArgument(
          w, label + ": " + Num(v) + " mg/kg/day is not plausible (labelled maximum is 2)");
    }
    if (spec.fixed && v > 400) {
      return InvalidArgument(w, label + ": " + Num(v) + " mg/day is not plausible");
    }
    size_t dash = range.find('-');
    if (dash == std::string_view::npos) {
      return InvalidArgument(w, label + ": day range must be FIRST-LAST or FIRST- (open)");
    }
    if (!ParseInt(Trim(range.substr(0, dash)), spec.first_day) || spec.first_day < 1) {
      return InvalidArgument(w, label + ": first day must be a whole number from 1");
    }
    std::string_view last = Trim(range.substr(dash + 1));
    if (!last.empty()) {
      int l = 0;
      if (!ParseInt(last, l)) return InvalidArgument(w, label + ": last day is not a whole number");
      if (l < spec.first_day) {
        return InvalidArgument(w, label + ": last day " + std::to_string(l) +
                                      " is before first day " + std::to_string(spec.first_day));
      }
      if (l > 1095)
        return InvalidArgument(w, label + ": a phase longer than 3 years is not plausible");
      spec.last_day = l;
    }
    out.push_back(spec);
  }
  // Phases must tile the course from day 1 without overlaps or gaps.
  int expected_first = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    const PhaseSpec& p = out[i];
    std::string label = "phase " + std::to_string(i + 1);
    if (p.first_day < expected_first) {
      return InvalidArgument(w, label + " starts on day " + std::to_string(p.first_day) +
                                    ", overlapping the previous phase, which runs to day " +
                                    std::to_string(expected_first - 1));
    }
    if (p.first_day > expected_first) {
      return InvalidArgument(w, label + " starts on day " + std::to_string(p.first_day) +
                                    ", leaving days " + std::to_string(expected_first) + "-" +
                                    std::to_string(p.first_day - 1) + " without a dose");
    }
    if (!p.last_day) {
      if (i + 1 != out.size()) {
        return InvalidArgument(w, label + " is open-ended but is not the last phase");
      }
    } else {
      expected_first = *p.last_day + 1;
    }
  }
  return out;
}

std::vector<PhaseSpec> PhasesFromRegimen(const Regimen& regimen) {
  std::vector<PhaseSpec> out;
  int day = 1;
  for (const RegimenPhase& rp : regimen.phases) {
    PhaseSpec s;
    s.per_kg = rp.per_kg;
    s.fixed = rp.fixed;
    s.first_day = day;
    if (rp.days) {
      s.last_day = day + *rp.days - 1;
      day += *rp.days;
    }
    out.push_back(s);
  }
  return out;
}

CapsuleChoice ChooseCapsules(const Product& product, Milligrams requested, int doses_per_day,
                             int max_capsules_per_dose, Kilograms weight) {
  auto per_dose = PerDoseOptions(product, max_capsules_per_dose);
  std::vector<Ranked> all;
  auto consider = [&](const DailyDose& d) {
    double total = d.Total().value();
    all.push_back(Ranked{d, std::abs(total - requested.value()), total, d.CapsuleCount(),
                         std::abs(d.morning.Total().value() - d.evening.Total().value()),
                         DistinctStrengths(d), HasTartrazine(product, d)});
  };
  for (const auto& [m_total, m_options] : per_dose) {
    for (const CapsuleDose& m : m_options) {
      if (doses_per_day == 1) {
        consider(DailyDose{m, {}});
        continue;
      }
      // Evening never larger than morning, so each split is listed once.
      for (const auto& [e_total, e_options] : per_dose) {
        if (e_total > m_total) break;
        for (const CapsuleDose& e : e_options) consider(DailyDose{m, e});
      }
    }
  }
  std::sort(all.begin(), all.end(), Better);
  CapsuleChoice choice;
  const Ranked& best = all.front();
  choice.dose = best.dose;
  double max_total = 0;
  for (const Ranked& r : all) max_total = std::max(max_total, r.total);
  choice.capped = requested.value() > max_total + 1e-9;

  auto per_kg = [&](const DailyDose& d) { return DailyPerKg(d.Total(), weight); };
  auto add_alt = [&](const Ranked* r, std::string why) {
    if (!r) return;
    for (const DoseAlternative& a : choice.alternatives) {
      if (std::abs(a.dose.Total().value() - r->total) < 1e-9) return;
    }
    if (std::abs(r->total - best.total) < 1e-9) return;
    choice.alternatives.push_back(DoseAlternative{r->dose, per_kg(r->dose), std::move(why)});
  };
  const Ranked* lower = nullptr;
  const Ranked* higher = nullptr;
  const Ranked* single = nullptr;
  for (const Ranked& r : all) {
    if (r.total < best.total - 1e-9 && (!lower || r.total > lower->total)) lower = &r;
    if (r.total > best.total + 1e-9 && (!higher || r.total < higher->total)) higher = &r;
  }
  if (best.distinct > 1) {
    for (const Ranked& r : all) {
      if (r.distinct == 1) {
        single = &r;
        break;  // `all` is sorted, so the first is the nearest single-strength option
      }
    }
  }
  add_alt(single, "one capsule strength only (a single prescription)");
  add_alt(lower, "nearest lower daily dose");
  add_alt(higher, "nearest higher daily dose");

  std::string why = Mg(requested) + "/day requested";
  if (std::abs(best.total - requested.value()) < 1e-9) {
    why += "; made exactly as " + best.dose.ToString();
  } else if (choice.capped) {
    why += "; the largest dose " + std::to_string(max_capsules_per_dose) +
           " capsules per dose can make is " + best.dose.ToString() + " = " + Mg(best.dose.Total());
  } else {
    why += "; nearest achievable is " + Mg(best.dose.Total()) + " (" + best.dose.ToString() + ", " +
           Num(per_kg(best.dose).value()) + " mg/kg/day)";
    if (higher && best.total < requested.value() &&
        std::abs((higher->total - requested.value()) - (requested.value() - best.total)) < 1e-9) {
      why += "; " + Mg(higher->dose.Total()) + " is equally near, and ties are rounded down";
    }
  }
  if (best.distinct > 1) why += "; needs " + std::to_string(best.distinct) + " capsule strengths";
  choice.explanation = why;
  return choice;
}

Result<Plan> PlanCourse(const PlanRequest& req, const KnowledgeBase& kb) {
  if (!(req.weight.value() > 0)) {
    return InvalidArgument("weight_kg", "weight must be greater than 0 kg");
  }
  if (req.weight.value() > 400) {
    return InvalidArgument("weight_kg", Num(req.weight.value()) +
                                            " kg is not a plausible body weight (maximum 400 kg)");
  }
  const Product* product = kb.FindProduct(req.product);
  if (!product) {
    return NotFound("product",
                    "unknown product '" + req.product + "'; known products: " + KnownProducts(kb));
  }
  const double hard_limit = kb.FindParameter("dose.cumulative.hard-limit")
                                ? kb.FindParameter("dose.cumulative.hard-limit")->value
                                : 300.0;
  if (!(req.target.value() > 0) || req.target.value() > hard_limit) {
    return InvalidArgument("target_mg_per_kg", "cumulative target " + Num(req.target.value()) +
                                                   " mg/kg is outside 0-" + Num(hard_limit) +
                                                   " mg/kg (the usual goal is 120-150 mg/kg)");
  }
  if (req.already_taken.value() < 0) {
    return InvalidArgument("already_taken_mg", "already taken must not be negative");
  }
  if (req.doses_per_day && (*req.doses_per_day < 1 || *req.doses_per_day > 2)) {
    return InvalidArgument("doses_per_day", "doses per day must be 1 or 2");
  }

  Plan plan;
  plan.knowledge_version = kb.version;
  plan.product = product;
  plan.weight = req.weight;
  plan.target = req.target;
  plan.target_mg = req.target * req.weight;
  plan.start = req.start;
  plan.already_taken = req.already_taken;

  std::vector<PhaseSpec> phases = req.phases;
  const Regimen* regimen = nullptr;
  if (phases.empty()) {
    std::string id = req.regimen.empty() ? "regimen.us.standard" : req.regimen;
    regimen = kb.FindRegimen(id);
    if (!regimen) {
      std::string known;
      for (const Regimen& r : kb.regimens) known += (known.empty() ? "" : ", ") + r.meta.id;
      return NotFound("regimen", "unknown regimen '" + id + "'; known regimens: " + known);
    }
    phases = PhasesFromRegimen(*regimen);
    plan.regimen = regimen->meta.id;
  } else {
    plan.regimen = "custom";
    // Re-validate tiling for callers that build specs directly.
    for (size_t i = 0; i < phases.size(); ++i) {
      const PhaseSpec& p = phases[i];
      int want = i == 0 ? 1 : (phases[i - 1].last_day ? *phases[i - 1].last_day + 1 : -1);
      if (want < 0 || p.first_day != want || p.per_kg.has_value() == p.fixed.has_value() ||
          (p.last_day && *p.last_day < p.first_day)) {
        return InvalidArgument("phases[" + std::to_string(i) + "]",
                               "phases must run from day 1 without overlaps or gaps, each with "
                               "one dose");
      }
      if ((p.per_kg && p.per_kg->value() <= 0) || (p.fixed && p.fixed->value() <= 0)) {
        return InvalidArgument("phases[" + std::to_string(i) + "]", "dose must be greater than 0");
      }
    }
  }
  plan.doses_per_day =
      req.doses_per_day.value_or(regimen ? regimen->doses_per_day : product->label_doses_per_day);
  const int max_caps = kb.FindParameter("dose.capsules.max-per-dose")
                           ? static_cast<int>(kb.FindParameter("dose.capsules.max-per-dose")->value)
                           : 3;

  // Notes that depend on the product and frequency, not on the day.
  if (plan.doses_per_day == 1 && !product->once_daily_allowed) {
    AddNote(plan, kb, "dose.frequency.once-daily",
            product->name + " is labelled for two doses a day");
  }
  AddNote(
      plan, kb,
      product->food == FoodRequirement::kWithFood ? "dose.food.with-meal" : "dose.food.optional",
      product->name);
  if (product->substitution_group == "micronized") {
    AddNote(plan, kb, "dose.substitution.ld",
            "equivalence factor " + Num(product->equivalence_factor));
  } else if (product->substitution_group == "lidose") {
    AddNote(plan, kb, "dose.substitution.lidose", product->name);
  }
  if (const CumulativeTarget* std_target = kb.FindTarget("dose.cumulative.standard")) {
    if (req.target < std_target->low) {
      AddNote(plan, kb, "dose.cumulative.below-standard",
              "target " + Num(req.target.value()) + " mg/kg");
    }
  }
  if (const Parameter* upper = kb.FindParameter("dose.cumulative.upper-evidence")) {
    if (req.target.value() > upper->value) {
      AddNote(plan, kb, "dose.cumulative.beyond-220",
              "target " + Num(req.target.value()) + " mg/kg");
    }
  }

  const double factor = product->equivalence_factor;
  Milligrams cumulative = req.already_taken;
  const Milligrams target_mg = plan.target_mg;
  bool reached = cumulative >= target_mg;
  if (reached) {
    plan.target_date = req.start.AddDays(-1);
    plan.days_to_target = 0;
  }
  constexpr int kMaxDays = 1095;  // a plan longer than 3 years is cut off
  int day = 1;
  for (size_t i = 0; i < phases.size() && !reached && day <= kMaxDays; ++i) {
    const PhaseSpec& spec = phases[i];
    PlannedPhase ph;
    ph.index = static_cast<int>(i) + 1;
    ph.first_day = day;
    ph.first_date = req.start.AddDays(day - 1);
    ph.requested_daily = spec.per_kg ? *spec.per_kg * req.weight : *spec.fixed;
    CapsuleChoice choice =
        ChooseCapsules(*product, ph.requested_daily, plan.doses_per_day, max_caps, req.weight);
    ph.dose = choice.dose;
    ph.per_kg = DailyPerKg(ph.dose.Total(), req.weight);
    ph.explanation = choice.explanation;
    ph.alternatives = std::move(choice.alternatives);
    const std::string where = "phase " + std::to_string(ph.index);
    if (choice.capped) {
      AddNote(plan, kb, "dose.capsules.capped",
              where + ": " + Mg(ph.requested_daily) + " requested, " + Mg(ph.dose.Total()) +
                  " planned");
    }
    if (ph.per_kg > product->max_daily + MgPerKgPerDay(1e-9)) {
      AddNote(plan, kb, "dose.max.exceeded",
              where + ": " + Num(ph.per_kg.value()) + " mg/kg/day is above the maximum of " +
                  Num(product->max_daily.value()) + " mg/kg/day (" + product->max_daily_rule + ")");
    } else if (ph.per_kg > product->usual_high + MgPerKgPerDay(0.005)) {
      AddNote(plan, kb, "dose.daily.above-usual",
              where + ": " + Num(ph.per_kg.value()) + " mg/kg/day; usual " +
                  Num(product->usual_low.value()) + "-" + Num(product->usual_high.value()));
    } else if (ph.per_kg < product->usual_low - MgPerKgPerDay(0.005)) {
      AddNote(plan, kb, "dose.daily.below-usual",
              where + ": " + Num(ph.per_kg.value()) + " mg/kg/day; usual " +
                  Num(product->usual_low.value()) + "-" + Num(product->usual_high.value()));
    }
    if (HasTartrazine(*product, ph.dose)) {
      AddNote(plan, kb, "product.absorica.tartrazine", where + ": " + ph.dose.ToString());
    }
    const int last = spec.last_day ? std::min(*spec.last_day, kMaxDays) : kMaxDays;
    const Milligrams daily = ph.dose.Total();
    for (; day <= last; ++day) {
      cumulative += daily / factor;
      PlanDay d;
      d.day = day;
      d.date = req.start.AddDays(day - 1);
      d.phase = ph.index;
      d.daily = daily;
      d.cumulative = cumulative;
      d.cumulative_per_kg = cumulative / req.weight;
      plan.days.push_back(d);
      if (cumulative.value() >= target_mg.value() - 1e-9) {
        reached = true;
        plan.target_date = d.date;
        plan.days_to_target = day;
        ++day;
        break;
      }
    }
    ph.last_day = day - 1;
    ph.last_date = req.start.AddDays(ph.last_day - 1);
    ph.cumulative_at_end = cumulative;
    ph.cumulative_per_kg_at_end = cumulative / req.weight;
    plan.phases.push_back(std::move(ph));
  }
  if (!reached) {
    AddNote(plan, kb, "dose.cumulative.not-reached",
            "cumulative " + Num((cumulative / req.weight).value(), 1) + " of " +
                Num(req.target.value(), 1) + " mg/kg when the regimen ends on day " +
                std::to_string(day - 1));
  }
  return plan;
}

}  // namespace isocourse::dose
