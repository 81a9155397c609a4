// File: plan_json.h
//
// JSON for dose plans and ledgers (CLI `plan --json`, and the server's dose-plan
// route). Field names are snake_case with the unit in the name (weight_kg, daily_mg).
#pragma once

#include <boost/json/value.hpp>

#include "core/dose/ledger.h"
#include "core/dose/planner.h"
#include "core/result.h"

namespace isocourse::codec {

boost::json::object PlanToJson(const dose::Plan& plan);
boost::json::object LedgerToJson(const dose::LedgerResult& ledger);
boost::json::object CitationToJson(const Citation& c);

// Decodes a dose-plan request: {"weight_kg", "product", "target_mg_per_kg",
// "start" (YYYY-MM-DD), optional "regimen" (knowledge id) or "phases" (string as in
// `isocourse plan --phases`), "doses_per_day", "already_taken_mg"}. Unknown fields and
// wrong types are errors naming the field.
Result<dose::PlanRequest> PlanRequestFromJson(const boost::json::value& v);

}  // namespace isocourse::codec
