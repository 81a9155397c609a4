#include "server/timeline_bridge.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "codec/timeline_json.h"

namespace isocourse::server {

namespace json = boost::json;

namespace {
constexpr std::string_view kEnvelope[] = {"id", "type", "date", "recorded_by", "corrects"};

json::object Envelope(std::string_view id, std::string_view type, const Date& date,
                      std::string_view by, const std::optional<EventId>& corrects,
                      const json::object& payload) {
  json::object o;
  o["id"] = id;
  o["type"] = type;
  o["date"] = date.ToString();
  o["recorded_by"] = by;
  if (corrects) o["corrects"] = corrects->value();
  for (const auto& kv : payload) {
    if (!o.contains(kv.key())) o[kv.key()] = kv.value();
  }
  return o;
}

json::object PayloadObject(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}
}  // namespace

json::object EventToTimelineJson(const store::Event& e) {
  return Envelope(e.id.value(), e.type, e.effective, e.recorded_by.value(), e.corrects,
                  PayloadObject(e.payload_json));
}

json::object TimelineDocument(const store::Patient& p, const std::vector<store::Event>& events) {
  json::array arr;
  arr.reserve(events.size());
  for (const auto& e : events) arr.push_back(EventToTimelineJson(e));
  json::object doc;
  doc["patient"] = p.id.value();
  doc["events"] = std::move(arr);
  return doc;
}

Result<course::Timeline> TimelineFromStore(const store::Patient& p,
                                           const std::vector<store::Event>& events) {
  return codec::TimelineFromJson(TimelineDocument(p, events));
}

std::optional<store::EventDraft> DraftFromJson(const json::object& o, const std::string& prefix,
                                               Problems& problems) {
  size_t before_count = 0;
  (void)before_count;
  store::EventDraft d;
  bool ok = true;
  for (std::string_view server_field : {"id", "recorded_by"}) {
    if (o.contains(server_field)) {
      problems.Add(prefix + "." + std::string(server_field),
                   "is assigned by the server; leave it out");
      ok = false;
    }
  }
  Problems local;
  FieldReader f(o, prefix, local);
  auto type = f.String("type", true, 64);
  auto date = f.DateField("date", true);
  auto corrects = f.String("corrects", false, 100);
  if (!local.empty()) {
    auto st = local.ToStatus();
    for (const Error& e :
         st.error().details.empty() ? std::vector<Error>{st.error()} : st.error().details)
      problems.Add(e);
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  d.type = *type;
  d.effective = *date;
  if (corrects) d.corrects = EventId(*corrects);
  json::object payload;
  for (const auto& kv : o) {
    bool envelope = false;
    for (auto k : kEnvelope) envelope = envelope || kv.key() == k;
    if (!envelope) payload[kv.key()] = kv.value();
  }
  d.payload_json = json::serialize(payload);
  return d;
}

Status ValidateWithTimelineCodec(const store::Patient& p, const std::vector<store::Event>& existing,
                                 const std::vector<store::EventDraft>& drafts, const UserId& by) {
  json::object doc = TimelineDocument(p, existing);
  json::array& arr = doc["events"].as_array();
  for (size_t i = 0; i < drafts.size(); ++i) {
    const auto& d = drafts[i];
    arr.push_back(Envelope("new-" + std::to_string(i + 1), d.type, d.effective, by.value(),
                           d.corrects, PayloadObject(d.payload_json)));
  }
  auto parsed = codec::TimelineFromJson(doc);
  if (parsed) return {};
  // Keep the problems that concern the new events; rename "events[K] (id new-J)" to
  // the request's own "events[J-1]". Problems in stored events predate this request.
  const Error& err = parsed.error();
  std::vector<Error> all = err.details.empty() ? std::vector<Error>{err} : err.details;
  Problems mine;
  for (Error e : all) {
    size_t pos = e.where.find("(id new-");
    if (e.where.rfind("events[", 0) == 0 && pos == std::string::npos) continue;
    if (pos != std::string::npos) {
      size_t num_start = pos + 8;
      size_t num_end = e.where.find(')', num_start);
      int j = std::atoi(e.where.substr(num_start, num_end - num_start).c_str());
      e.where = "events[" + std::to_string(j - 1) + "]" + e.where.substr(num_end + 1);
    }
    mine.Add(e);
  }
  return mine.ToStatus();
}

}  // namespace isocourse::server
