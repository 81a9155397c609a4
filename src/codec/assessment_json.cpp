#include "codec/assessment_json.h"

#include <boost/json/serialize.hpp>

#include <cmath>

namespace isocourse::codec {

namespace json = boost::json;
using namespace course;

namespace {

json::value OptDate(const std::optional<Date>& d) {
  return d ? json::value(d->ToString()) : json::value(nullptr);
}
template <class E>
json::value N(E e) {
  std::string_view s = Name(e);
  return json::value(json::string_view(s.data(), s.size()));
}
// Rounds for output so that 120.00000001 prints as 120 (3 decimals is finer than any
// clinical quantity here).
double R(double v) { return std::round(v * 1000.0) / 1000.0; }

json::object ReasonToJson(const Reason& r) {
  json::object o;
  o["code"] = r.code;
  o["blocking"] = r.blocking;
  o["message"] = r.message;
  o["explanation"] = ExplanationToJson(r.explanation);
  return o;
}
json::array Reasons(const std::vector<Reason>& rs) {
  json::array a;
  a.reserve(rs.size());
  for (const Reason& r : rs) a.push_back(ReasonToJson(r));
  return a;
}
json::array Ids(const std::vector<EventId>& ids) {
  json::array a;
  for (const EventId& id : ids) a.push_back(json::value(id.value()));
  return a;
}

}  // namespace

json::object ExplanationToJson(const Explanation& e) {
  json::object o;
  o["rule_id"] = e.rule_id;
  o["rule_pack"] = e.rule_pack;
  o["pack_version"] = e.pack_version;
  json::object c;
  c["source"] = e.citation.source;
  c["locator"] = e.citation.locator;
  o["citation"] = std::move(c);
  return o;
}

json::object DecisionToJson(const Decision& d) {
  json::object o;
  o["allowed"] = d.allowed;
  o["by"] = OptDate(d.by);
  o["reasons"] = Reasons(d.reasons);
  return o;
}

json::object TaskToJson(const Task& t) {
  json::object o;
  o["id"] = t.id;
  o["kind"] = N(t.kind);
  o["title"] = t.title;
  o["earliest"] = OptDate(t.earliest);
  o["due"] = OptDate(t.due);
  o["latest"] = OptDate(t.latest);
  o["status"] = N(t.status);
  std::string_view colour = StatusColour(t.status);
  o["colour"] = json::string_view(colour.data(), colour.size());
  json::array u;
  for (std::string_view s : t.unblocks) u.push_back(json::value(s));
  o["unblocks"] = std::move(u);
  if (!t.blocked_by.empty()) o["blocked_by"] = t.blocked_by;
  if (!t.detail.empty()) o["detail"] = t.detail;
  o["explanation"] = ExplanationToJson(t.explanation);
  return o;
}

json::object AlertToJson(const Alert& a) {
  json::object o;
  o["id"] = a.id;
  o["severity"] = SeverityName(a.severity);
  o["urgency"] = N(a.urgency);
  o["title"] = a.title;
  o["message"] = a.message;
  o["action"] = a.action;
  o["stop_drug"] = a.stop_drug;
  o["date"] = a.date.ToString();
  o["events"] = Ids(a.events);
  o["explanation"] = ExplanationToJson(a.explanation);
  return o;
}

json::object AssessmentToJson(const Assessment& a) {
  json::object o;
  o["as_of"] = a.as_of.ToString();
  o["patient"] = a.patient.value();
  o["knowledge_version"] = a.knowledge_version;
  o["jurisdiction"] = JurisdictionName(a.jurisdiction);
  json::array packs;
  for (const std::string& p : a.rule_packs) packs.push_back(json::value(p));
  o["rule_packs"] = std::move(packs);
  o["phase"] = N(a.phase);
  o["phase_rule"] = ExplanationToJson(a.phase_rule);

  {
    json::object c;
    c["verdict"] = N(a.candidacy.verdict);
    c["age_years"] = a.candidacy.age_years ? json::value(*a.candidacy.age_years) : nullptr;
    c["reasons"] = Reasons(a.candidacy.reasons);
    json::array fs;
    for (const Finding& f : a.candidacy.findings) {
      json::object x;
      x["id"] = f.rule_id;
      x["severity"] = SeverityName(f.severity);
      x["message"] = f.message;
      x["action"] = f.action;
      x["events"] = Ids(f.events);
      x["explanation"] = ExplanationToJson(f.explanation);
      fs.push_back(std::move(x));
    }
    c["findings"] = std::move(fs);
    o["candidacy"] = std::move(c);
  }
  {
    const DoseSection& d = a.dose;
    json::object x;
    x["has_doses"] = d.has_doses;
    x["cumulative_mg"] = R(d.cumulative_mg.value());
    x["cumulative_equivalent_mg"] = R(d.cumulative_equivalent_mg.value());
    x["cumulative_mg_per_kg"] = R(d.cumulative_per_kg.value());
    x["current_daily_mg"] = R(d.current_daily.value());
    x["current_mg_per_kg_day"] = R(d.current_per_kg_day.value());
    x["latest_weight_kg"] = R(d.latest_weight.value());
    x["days_on_drug"] = d.days_on_drug;
    x["days_paused"] = d.days_paused;
    x["doses_missed"] = d.doses_missed;
    x["first_dose"] = OptDate(d.first_dose);
    x["last_dose"] = OptDate(d.last_dose);
    x["supply_runs_out"] = OptDate(d.supply_runs_out);
    x["target_mg_per_kg"] = R(d.target.value());
    x["target_source"] = d.target_source;
    x["remaining_mg_per_kg"] =
        d.remaining_per_kg ? json::value(R(d.remaining_per_kg->value())) : nullptr;
    x["projected_target_date"] = OptDate(d.projected_target_date);
    x["second_course_earliest"] = OptDate(d.second_course_earliest);
    x["second_course_eligible"] =
        d.second_course_eligible ? json::value(*d.second_course_eligible) : nullptr;
    x["retreatment_rule"] = ExplanationToJson(d.retreatment_rule);
    x["notes"] = Reasons(d.notes);
    o["dose"] = std::move(x);
  }
  {
    const ProgramSection& p = a.program;
    json::object x;
    x["applies"] = p.applies;
    x["program"] = p.program;
    x["rule_pack"] = p.rule_pack;
    x["pack_version"] = p.pack_version;
    x["state"] = p.state;
    x["category"] = p.category ? N(*p.category) : json::value(nullptr);
    x["window_start"] = OptDate(p.window_start);
    x["window_end"] = OptDate(p.window_end);
    x["lockout_until"] = OptDate(p.lockout_until);
    json::object facts;
    for (const ProgramFact& f : p.facts) facts[f.key] = f.value;
    x["facts"] = std::move(facts);
    x["notes"] = Reasons(p.notes);
    o["program"] = std::move(x);
  }
  o["may_prescribe"] = DecisionToJson(a.may_prescribe);
  o["may_dispense"] = DecisionToJson(a.may_dispense);
  {
    json::object l;
    l["profile"] = N(a.labs.profile);
    l["profile_rule"] = a.labs.profile_rule;
    json::array rs;
    for (const LabResultView& r : a.labs.results) {
      json::object x;
      x["event"] = r.event.value();
      x["date"] = r.date.ToString();
      x["analyte"] = r.analyte;
      x["loinc"] = r.loinc;
      x["value"] = r.value;
      x["unit"] = N(r.unit);
      x["canonical_value"] = r.canonical_value ? json::value(R(*r.canonical_value)) : nullptr;
      x["canonical_unit"] = r.canonical_unit;
      x["flag"] = N(r.flag);
      x["unreliable"] = r.unreliable;
      x["reasons"] = Reasons(r.reasons);
      rs.push_back(std::move(x));
    }
    l["results"] = std::move(rs);
    o["labs"] = std::move(l);
  }
  {
    json::array al;
    for (const Alert& x : a.alerts) al.push_back(AlertToJson(x));
    o["alerts"] = std::move(al);
  }
  {
    json::array ts;
    for (const Task& t : a.tasks) ts.push_back(TaskToJson(t));
    o["tasks"] = std::move(ts);
  }
  return o;
}

namespace {
void Pretty(std::string& out, const json::value& v, int indent) {
  auto pad = [&](int n) { out.append(static_cast<size_t>(n) * 2, ' '); };
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      size_t i = 0;
      for (const auto& kv : o) {
        pad(indent + 1);
        out += json::serialize(json::value(kv.key()));
        out += ": ";
        Pretty(out, kv.value(), indent + 1);
        if (++i < o.size()) out += ",";
        out += "\n";
      }
      pad(indent);
      out += "}";
      return;
    }
    case json::kind::array: {
      const auto& a = v.get_array();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < a.size(); ++i) {
        pad(indent + 1);
        Pretty(out, a[i], indent + 1);
        if (i + 1 < a.size()) out += ",";
        out += "\n";
      }
      pad(indent);
      out += "]";
      return;
    }
    default:
      out += json::serialize(v);
  }
}
}  // namespace

std::string PrettyJson(const json::value& v) {
  std::string out;
  Pretty(out, v, 0);
  out += "\n";
  return out;
}

}  // namespace isocourse::codec
