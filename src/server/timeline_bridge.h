// File: timeline_bridge.h
//
// Between the store's event envelope and the course engine's timeline format
// (docs/timeline.md, src/codec/timeline_json.h).
//
// On the wire an event is one flat object in the timeline format: the envelope fields
// `type`, `date`, `corrects` (and, assigned by the server, `id` and `recorded_by`)
// next to the type's own fields. The store keeps the envelope in columns and the
// type's own fields as the payload JSON text. Type validation belongs to the engine's
// codec: a new event is accepted only if the patient's whole timeline, with the new
// events added, still parses (so corrections must resolve too).
#pragma once

#include <boost/json/object.hpp>

#include <vector>

#include "core/course/timeline.h"
#include "core/result.h"
#include "server/json_body.h"
#include "store/store.h"

namespace isocourse::server {

// The event in timeline format (envelope + payload fields).
boost::json::object EventToTimelineJson(const store::Event& e);
// {"patient": id, "events": [...]}: what the course engine's codec reads.
boost::json::object TimelineDocument(const store::Patient& p,
                                     const std::vector<store::Event>& events);
Result<course::Timeline> TimelineFromStore(const store::Patient& p,
                                           const std::vector<store::Event>& events);

// Splits one event object from a request into envelope and payload. `prefix` is its
// path ("events[0]"). `id` and `recorded_by` are refused: the server assigns them.
std::optional<store::EventDraft> DraftFromJson(const boost::json::object& o,
                                               const std::string& prefix, Problems& problems);

// Checks drafts against the engine's timeline codec, given the events already stored.
// Errors name the draft ("events[0].unit: ...").
using EventValidator = std::function<Status(const store::Patient&, const std::vector<store::Event>&,
                                            const std::vector<store::EventDraft>&, const UserId&)>;
Status ValidateWithTimelineCodec(const store::Patient& p, const std::vector<store::Event>& existing,
                                 const std::vector<store::EventDraft>& drafts, const UserId& by);

}  // namespace isocourse::server
