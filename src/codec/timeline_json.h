// File: timeline_json.h
//
// JSON <-> the typed timeline (core/course/timeline.h) and evaluation settings. The
// format is documented in docs/timeline.md and docs/timeline.schema.json.
//
// Decoding collects every problem of a document in one pass. The returned Error's
// message and `where` describe the first problem ("events[3] (id tg-1).unit: 'mg/dl'
// is not a unit; expected one of ..."); `details` holds all of them.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/result.h"

namespace isocourse::codec {

// Parses a timeline document. Errors (kInvalidArgument): not JSON (with line:column);
// wrong top-level shape; per event: missing or unknown `type`, missing `id`/`date`/
// `recorded_by`, duplicate ids, unknown fields, wrong JSON types, values out of range
// (IGA 0-4, PHQ items 0-3, weight 0-400 kg...), impossible dates (2026-02-30) or date
// orders (an end before its start, a specimen taken after the result was recorded),
// units or codes outside the vocabulary, and corrections that do not resolve
// (course::ResolveCorrections).
Result<course::Timeline> ParseTimelineJson(std::string_view text);
Result<course::Timeline> TimelineFromJson(const boost::json::value& v);

// The canonical JSON form of a timeline (what ParseTimelineJson accepts).
boost::json::object TimelineToJson(const course::Timeline& timeline);

// Settings: {"jurisdiction", "lab_profile", "weight_rule" (per_period|latest),
// "ipledge_2026_cutover", "retreatment" (label_8_weeks|msd_4_months),
// "cumulative_goal_mg_per_kg", "home_tests_opt_in", "due_soon_days"}; all optional.
Result<course::Settings> ParseSettingsJson(std::string_view text);
Result<course::Settings> SettingsFromJson(const boost::json::value& v);
// Every field, with the defaults filled in ("lab_profile" and "jurisdiction" stay null
// when unset: they then follow the patient's jurisdiction).
boost::json::object SettingsToJson(const course::Settings& s);

}  // namespace isocourse::codec
