// File: symptom_json.h
//
// JSON for the acne symptom checker: the stateless interview request and response
// (CLI `isocourse check --answers/--json`, and later the server's interview route with
// no change), and the finding catalogue. The shape follows the Infermedica /diagnosis
// API (../shared/clinical/acne-symptom-checker.md §1.1, §5.3): the client re-sends age,
// sex, context and every answer so far; the server keeps no interview state.
//
// Request:
//   {"age": 17, "sex": "male",
//    "context": {"complaint": "...", "on_isotretinoin": true, "isotretinoin_weeks": 6,
//                "pregnancy_possible": false, "problem_weeks": 10,
//                "medications": [{"name": "doxycycline", "weeks": 12, "current": true}],
//                "treatments": [{"name": "benzoyl peroxide", "weeks": 8,
//                                "response": "no_change", "ongoing": false}]},
//    "evidence": [{"id": "sx.les.comedones", "choice": "present", "source": "initial"}],
//    "options": {"explain": true, "explain_target": "cond.rosacea",
//                "max_questions": 20, "max_conditions": 8, "doctor_summary": true}}
// Only age and sex are required. Unknown fields, wrong types and bad values are
// errors whose `where` is the JSON path ("evidence[2].choice").
//
// Response: {"question": {...} | null, "conditions": [...], "should_stop",
//   "stop_reason", "has_emergency_evidence", "screen_complete", "questions_asked",
//   "triage": {...}, "severity": {...}, "explanations": [...] (when asked),
//   "doctor_summary": {...} (when asked), "knowledge_version"}. docs/symptom-checker.md
// lists every field.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>

#include "core/result.h"
#include "core/symptom/engine.h"

namespace isocourse::codec {

Result<symptom::Request> SymptomRequestFromJson(const boost::json::value& v);
// Parses text first; a syntax error is kInvalidArgument at "body".
Result<symptom::Request> SymptomRequestFromText(std::string_view text);
// The request back as JSON (used to save an interview for --answers).
boost::json::object SymptomRequestToJson(const symptom::Request& r);

boost::json::object SymptomAssessmentToJson(const symptom::Assessment& a);

// Every finding, question group, condition and triage level, for clients that build
// their own question screens.
boost::json::object SymptomCatalogueToJson(const KnowledgeBase& kb);

}  // namespace isocourse::codec
