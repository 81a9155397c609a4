// File: forecast_json.h
//
// The program forecast as JSON: the document `isocourse forecast --json` prints and
// GET /api/v1/patients/{id}/forecast returns (docs/api.md, "Course engine"). One
// encoder serves both so the two can never drift apart.
#pragma once

#include <boost/json/object.hpp>

#include "core/course/timeline.h"
#include "core/date.h"
#include "core/program/program.h"

namespace isocourse::codec {

// {"patient", "as_of", "program": {program, rule_pack, pack_version, state},
//  "steps": [{kind, title, proposed, earliest, latest, from_plan, detail,
//  explanation}], "warnings": [{step, message, slips, explanation}], "visits"}.
// Dates are "YYYY-MM-DD" or null.
boost::json::object ForecastToJson(const program::ForecastResult& f,
                                   const program::ProgramState& now,
                                   const course::Timeline& timeline, Date as_of);

}  // namespace isocourse::codec
