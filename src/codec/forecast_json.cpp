#include "codec/forecast_json.h"

#include <boost/json/array.hpp>

#include <optional>
#include <string>

#include "codec/assessment_json.h"

namespace isocourse::codec {

namespace json = boost::json;

namespace {

json::value DateOrNull(const std::optional<Date>& d) {
  return d ? json::value(d->ToString()) : json::value(nullptr);
}

}  // namespace

json::object ForecastToJson(const program::ForecastResult& f, const program::ProgramState& now,
                            const course::Timeline& timeline, Date as_of) {
  json::object o;
  o["patient"] = timeline.patient.value();
  o["as_of"] = as_of.ToString();
  json::object prog;
  prog["program"] = now.section.program;
  prog["rule_pack"] = now.section.rule_pack;
  prog["pack_version"] = now.section.pack_version;
  prog["state"] = now.section.state;
  o["program"] = std::move(prog);
  json::array steps;
  for (const program::ForecastStep& s : f.steps) {
    json::object x;
    x["kind"] = std::string(course::Name(s.kind));
    x["title"] = s.title;
    x["proposed"] = DateOrNull(s.proposed);
    x["earliest"] = DateOrNull(s.earliest);
    x["latest"] = DateOrNull(s.latest);
    x["from_plan"] = s.from_plan;
    x["detail"] = s.detail;
    x["explanation"] = ExplanationToJson(s.explanation);
    steps.push_back(std::move(x));
  }
  o["steps"] = std::move(steps);
  json::array warnings;
  for (const program::ForecastWarning& w : f.warnings) {
    json::object x;
    x["step"] = w.step;
    x["message"] = w.message;
    x["slips"] = w.slips;
    x["explanation"] = ExplanationToJson(w.explanation);
    warnings.push_back(std::move(x));
  }
  o["warnings"] = std::move(warnings);
  o["visits"] = f.visits;
  return o;
}

}  // namespace isocourse::codec
