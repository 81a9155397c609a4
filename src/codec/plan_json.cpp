#include "codec/plan_json.h"

#include <boost/json.hpp>

#include <cmath>
#include <set>

namespace isocourse::codec {

namespace json = boost::json;

namespace {
double R(double v, double step = 0.01) { return RoundTo(v, step); }

json::array CapsulesJson(const dose::CapsuleDose& c) {
  json::array a;
  for (Milligrams m : c.capsules) a.push_back(m.value());
  return a;
}

json::object DailyJson(const dose::DailyDose& d) {
  json::object o;
  o["total_mg"] = d.Total().value();
  o["morning_mg"] = d.morning.Total().value();
  o["evening_mg"] = d.evening.Total().value();
  o["morning_capsules_mg"] = CapsulesJson(d.morning);
  o["evening_capsules_mg"] = CapsulesJson(d.evening);
  o["text"] = d.ToString();
  return o;
}

Result<double> NumberField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return InvalidArgument(std::string(key), "is required");
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return InvalidArgument(std::string(key), "must be a number");
}

Result<std::string> StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return InvalidArgument(std::string(key), "is required");
  if (!v->is_string()) return InvalidArgument(std::string(key), "must be a string");
  return std::string(v->as_string());
}
}  // namespace

json::object CitationToJson(const Citation& c) {
  return json::object{{"source", c.source}, {"locator", c.locator}, {"text", c.ToString()}};
}

json::object PlanToJson(const dose::Plan& plan) {
  json::object o;
  o["knowledge_version"] = plan.knowledge_version;
  o["product"] = json::object{{"id", plan.product->meta.id},
                              {"name", plan.product->name},
                              {"equivalence_factor", plan.product->equivalence_factor},
                              {"max_mg_per_kg_day", plan.product->max_daily.value()},
                              {"max_rule", plan.product->max_daily_rule},
                              {"citation", CitationToJson(plan.product->meta.citation)}};
  o["regimen"] = plan.regimen;
  o["weight_kg"] = plan.weight.value();
  o["target_mg_per_kg"] = plan.target.value();
  o["target_mg"] = R(plan.target_mg.value(), 0.1);
  o["start"] = plan.start.ToString();
  o["doses_per_day"] = plan.doses_per_day;
  o["already_taken_mg"] = plan.already_taken.value();
  o["target_date"] =
      plan.target_date ? json::value(plan.target_date->ToString()) : json::value(nullptr);
  o["days_to_target"] =
      plan.days_to_target ? json::value(*plan.days_to_target) : json::value(nullptr);
  json::array phases;
  for (const dose::PlannedPhase& p : plan.phases) {
    json::object po;
    po["index"] = p.index;
    po["first_day"] = p.first_day;
    po["last_day"] = p.last_day;
    po["days"] = p.last_day - p.first_day + 1;
    po["first_date"] = p.first_date.ToString();
    po["last_date"] = p.last_date.ToString();
    po["requested_daily_mg"] = R(p.requested_daily.value());
    po["daily"] = DailyJson(p.dose);
    po["mg_per_kg_day"] = R(p.per_kg.value(), 0.001);
    po["explanation"] = p.explanation;
    json::array alts;
    for (const dose::DoseAlternative& a : p.alternatives) {
      alts.push_back(json::object{{"daily", DailyJson(a.dose)},
                                  {"mg_per_kg_day", R(a.per_kg.value(), 0.001)},
                                  {"why", a.why}});
    }
    po["alternatives"] = std::move(alts);
    po["cumulative_mg_at_end"] = R(p.cumulative_at_end.value(), 0.1);
    po["cumulative_mg_per_kg_at_end"] = R(p.cumulative_per_kg_at_end.value());
    phases.push_back(std::move(po));
  }
  o["phases"] = std::move(phases);
  json::array days;
  for (const dose::PlanDay& d : plan.days) {
    days.push_back(json::object{{"day", d.day},
                                {"date", d.date.ToString()},
                                {"phase", d.phase},
                                {"daily_mg", d.daily.value()},
                                {"cumulative_mg", R(d.cumulative.value(), 0.1)},
                                {"cumulative_mg_per_kg", R(d.cumulative_per_kg.value())}});
  }
  o["days"] = std::move(days);
  json::array notes;
  for (const dose::PlanNote& n : plan.notes) {
    notes.push_back(json::object{{"rule_id", n.id},
                                 {"severity", SeverityName(n.severity)},
                                 {"message", n.message},
                                 {"detail", n.detail},
                                 {"citation", CitationToJson(n.citation)}});
  }
  o["warnings"] = std::move(notes);
  return o;
}

json::object LedgerToJson(const dose::LedgerResult& l) {
  json::object o;
  o["cumulative_mg"] = R(l.cumulative_mg.value(), 0.1);
  o["cumulative_equivalent_mg"] = R(l.cumulative_equivalent_mg.value(), 0.1);
  o["cumulative_mg_per_kg"] = R(l.cumulative_per_kg.value());
  o["days_on_drug"] = l.days_on_drug;
  o["days_paused"] = l.days_paused;
  o["doses_missed"] = l.doses_missed;
  o["average_daily_mg"] = R(l.average_daily.value(), 0.1);
  o["current_daily_mg"] = l.current_daily.value();
  o["current_mg_per_kg_day"] = R(l.current_per_kg.value(), 0.001);
  o["latest_weight_kg"] = l.latest_weight.value();
  o["first_dose"] = l.first_dose ? json::value(l.first_dose->ToString()) : json::value(nullptr);
  o["last_dose"] = l.last_dose ? json::value(l.last_dose->ToString()) : json::value(nullptr);
  o["supply_days_left"] = l.supply_days_left;
  o["supply_runs_out"] =
      l.supply_runs_out ? json::value(l.supply_runs_out->ToString()) : json::value(nullptr);
  o["paused"] = l.paused_on_as_of;
  o["projected_target_date"] = l.projected_target_date
                                   ? json::value(l.projected_target_date->ToString())
                                   : json::value(nullptr);
  o["remaining_mg_per_kg"] =
      l.remaining_per_kg ? json::value(R(l.remaining_per_kg->value())) : json::value(nullptr);
  o["weight_rule"] = l.weight_rule_note;
  return o;
}

Result<dose::PlanRequest> PlanRequestFromJson(const json::value& v) {
  if (!v.is_object()) return InvalidArgument("body", "expected a JSON object");
  const json::object& o = v.as_object();
  static const std::set<std::string_view> kKnown = {
      "weight_kg", "product", "target_mg_per_kg", "start",
      "regimen",   "phases",  "doses_per_day",    "already_taken_mg"};
  for (const auto& kv : o) {
    if (!kKnown.contains(kv.key())) {
      return InvalidArgument(std::string(kv.key()),
                             "unknown field; expected weight_kg, product, target_mg_per_kg, "
                             "start, regimen, phases, doses_per_day, already_taken_mg");
    }
  }
  dose::PlanRequest r;
  ISO_ASSIGN_OR_RETURN(double weight, NumberField(o, "weight_kg"));
  r.weight = Kilograms(weight);
  ISO_ASSIGN_OR_RETURN(r.product, StringField(o, "product"));
  ISO_ASSIGN_OR_RETURN(double target, NumberField(o, "target_mg_per_kg"));
  r.target = MgPerKg(target);
  ISO_ASSIGN_OR_RETURN(std::string start, StringField(o, "start"));
  ISO_ASSIGN_OR_RETURN(r.start, Date::Parse(start, "start"));
  if (o.contains("regimen")) {
    ISO_ASSIGN_OR_RETURN(r.regimen, StringField(o, "regimen"));
  }
  if (o.contains("phases")) {
    ISO_ASSIGN_OR_RETURN(std::string phases, StringField(o, "phases"));
    ISO_ASSIGN_OR_RETURN(r.phases, dose::ParsePhases(phases, "phases"));
  }
  if (o.contains("doses_per_day")) {
    ISO_ASSIGN_OR_RETURN(double n, NumberField(o, "doses_per_day"));
    if (n != 1 && n != 2) return InvalidArgument("doses_per_day", "must be 1 or 2");
    r.doses_per_day = static_cast<int>(n);
  }
  if (o.contains("already_taken_mg")) {
    ISO_ASSIGN_OR_RETURN(double mg, NumberField(o, "already_taken_mg"));
    r.already_taken = Milligrams(mg);
  }
  return r;
}

}  // namespace isocourse::codec
