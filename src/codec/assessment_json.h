// File: assessment_json.h
//
// The assessment as JSON (CLI `evaluate --json`, the server, the case-file runner).
// Shape documented in docs/timeline.md ("Assessment JSON"). Every decision reason,
// finding, lab flag, alert and task carries `explanation` = {rule_id, rule_pack,
// pack_version, citation: {source, locator}}.
#pragma once

#include <boost/json/value.hpp>

#include <string>

#include "core/course/assessment.h"

namespace isocourse::codec {

boost::json::object AssessmentToJson(const course::Assessment& a);
boost::json::object ExplanationToJson(const course::Explanation& e);
boost::json::object TaskToJson(const course::Task& t);
boost::json::object AlertToJson(const course::Alert& a);
boost::json::object DecisionToJson(const course::Decision& d);

// Serialises with two-space indentation (stable key order as built).
std::string PrettyJson(const boost::json::value& v);

}  // namespace isocourse::codec
