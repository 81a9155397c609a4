// The patient diary: a daily check-in (dose taken or missed, side effects, PHQ-2 or
// PHQ-9) written by the patient on their own record, or by the clinic. It becomes
// `dose`, `side_effect` and `mood_screen` timeline events, and the answer carries, at
// once, the alerts those events raise (red flags such as course.redflag.pancreatitis,
// mood.phq9.item9) and, after a positive PHQ-2 (mood.phq2.positive), the PHQ-9 to
// complete (mood.phq9.follow-up).
//
// The engine evaluates the timeline with the new events before anything is stored, so
// an entry the engine cannot read is refused whole and a stored entry always has its
// alerts.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

#include "codec/assessment_json.h"
#include "codec/json_text.h"
#include "core/course/course_knowledge.h"
#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;
using store::Role;

namespace {

// The patient may write their own diary; clinic roles may write it for them.
Status MayWriteDiary(const Principal& who, const store::Patient& p) {
  if (who.role == Role::kPatient) {
    if (!who.patient || *who.patient != p.id)
      return NotFound("patient_id", "no patient " + p.id.value());
    return {};
  }
  return AuthorizePatient(who, p, PatientAction::kWrite);
}

Result<store::Patient> DiaryPatient(Api& api, RequestContext& c) {
  std::string id = c.Param("patient_id").substr(0, 100);
  auto p = api.store().GetPatient(PatientId(id));
  api.AuditThis(c, "diary.append", PatientId(id), p ? std::optional(p->clinic) : std::nullopt);
  if (!p) {
    if (p.error().code == ErrorCode::kNotFound) {
      c.audit->outcome = "not_found";
      return NotFound("patient_id", "no patient " + id);
    }
    return std::unexpected(p.error());
  }
  if (Status st = MayWriteDiary(c.Who(), *p); !st) {
    c.audit->outcome = "denied";  // also when answered 404 (another clinic's patient)
    return std::unexpected(st.error());
  }
  return *p;
}

// Reads a JSON boolean / number that FieldReader has no reader for.
std::optional<bool> Bool(const json::object& o, std::string_view key, const std::string& where,
                         bool required, Problems& problems) {
  const json::value* v = o.if_contains(key);
  if (!v) {
    if (required) problems.Add(where, "required field is missing");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    problems.Add(where,
                 std::string("expected true or false, got ") + codec::JsonKindName(v->kind()));
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<double> Number(const json::object& o, std::string_view key, const std::string& where,
                             double min, double max, Problems& problems) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  double d = 0;
  if (v->is_int64()) {
    d = static_cast<double>(v->as_int64());
  } else if (v->is_uint64()) {
    d = static_cast<double>(v->as_uint64());
  } else if (v->is_double()) {
    d = v->as_double();
  } else {
    problems.Add(where, std::string("expected a number, got ") + codec::JsonKindName(v->kind()));
    return std::nullopt;
  }
  if (d < min || d > max) {
    problems.Add(where, json::serialize(*v) + " is out of range; expected " +
                            json::serialize(json::value(min)) + " to " +
                            json::serialize(json::value(max)));
    return std::nullopt;
  }
  return d;
}

// The diary sections become timeline events; `sections[i]` is the request field the
// i-th draft came from, so the codec's "events[i].x" errors name "dose.x" etc.
struct Entry {
  Date date;
  std::vector<store::EventDraft> drafts;
  std::vector<std::string> sections;
};

Result<Entry> ReadEntry(const json::object& body, Date today) {
  Problems problems;
  FieldReader f(body, "", problems);
  auto date = f.DateField("date", true);
  const json::object* dose = f.Object("dose", false);
  const json::object* side = f.Object("side_effects", false);
  const json::object* mood = f.Object("mood", false);
  f.RejectUnknown();
  // One day of slack for patients east of UTC; a diary records what happened.
  if (date && *date > today.AddDays(1))
    problems.Add("date", date->ToString() + " is in the future");
  if (!dose && !side && !mood)
    problems.Add("body", "send at least one of dose, side_effects and mood");
  Entry entry;
  if (date) entry.date = *date;
  if (dose) {
    FieldReader d(*dose, "dose", problems);
    d.Known({"taken", "mg"});
    auto taken = Bool(*dose, "taken", "dose.taken", true, problems);
    auto mg = Number(*dose, "mg", "dose.mg", 0, 1000, problems);
    d.RejectUnknown();
    if (taken) {
      json::object payload{{"taken", *taken}};
      if (mg) payload["mg"] = *mg;
      entry.drafts.push_back({"dose", entry.date, std::nullopt, json::serialize(payload)});
      entry.sections.push_back("dose");
    }
  }
  if (side) {
    FieldReader s(*side, "side_effects", problems);
    const json::array* symptoms = s.Array("symptoms", true);
    auto severity = s.OneOf("severity", true, {"mild", "moderate", "severe"});
    auto note = s.String("note", false, 1000);
    s.RejectUnknown();
    if (symptoms && severity) {
      json::object payload{{"symptoms", *symptoms}, {"severity", *severity}};
      if (note) payload["note"] = *note;
      entry.drafts.push_back({"side_effect", entry.date, std::nullopt, json::serialize(payload)});
      entry.sections.push_back("side_effects");
    }
  }
  if (mood) {
    FieldReader m(*mood, "mood", problems);
    auto instrument = m.OneOf("instrument", true, {"phq2", "phq9"});
    const json::array* items = m.Array("items", true);
    m.RejectUnknown();
    if (instrument && items) {
      json::object payload{{"instrument", *instrument}, {"items", *items}};
      entry.drafts.push_back({"mood_screen", entry.date, std::nullopt, json::serialize(payload)});
      entry.sections.push_back("mood");
    }
  }
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  return entry;
}

// "events[1].symptoms[0]" -> "side_effects.symptoms[0]".
Error NameSections(Error e, const std::vector<std::string>& sections) {
  auto rename = [&](std::string& where) {
    if (where.rfind("events[", 0) != 0) return;
    size_t close = where.find(']');
    if (close == std::string::npos) return;
    size_t i = static_cast<size_t>(std::atoi(where.substr(7, close - 7).c_str()));
    if (i >= sections.size()) return;
    std::string rest = where.substr(close + 1);
    where = sections[i] + rest;
  };
  rename(e.where);
  for (Error& d : e.details) rename(d.where);
  return e;
}

Result<ApiResponse> AppendDiary(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(store::Patient patient, DiaryPatient(api, c));
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  const Date today = engine.Today();
  ISO_ASSIGN_OR_RETURN(Entry entry, ReadEntry(body, today));
  ISO_ASSIGN_OR_RETURN(std::string key, IdempotencyKeyHeader(c));

  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> existing, api.store().ReadEvents(patient.id));
  // The alerts as of the entry's own date: a red flag reported for a day is answered
  // for that day, also when the entry is made later.
  const Date as_of = entry.date;
  ISO_ASSIGN_OR_RETURN(EngineState::ClinicChoice choice, engine.SettingsFor(patient.clinic));
  auto assessed =
      EvaluateWithDrafts(*kb, choice.settings, patient, existing, entry.drafts, c.Who().id, as_of);
  if (!assessed) return std::unexpected(NameSections(assessed.error(), entry.sections));

  const int64_t version = static_cast<int64_t>(existing.size());
  ISO_ASSIGN_OR_RETURN(store::AppendResult result,
                       AppendOnce(api, patient, version, key, c.Who().id, entry.drafts));

  // The alerts that the new events raise: those whose triggering events include one
  // of them ("new-1"... in the evaluation; the stored ids in the answer).
  std::map<std::string, std::string> stored_id;
  for (size_t i = 0; i < result.events.size(); ++i)
    stored_id["new-" + std::to_string(i + 1)] = result.events[i].id.value();
  json::array alerts;
  bool phq2_positive = false;
  for (const course::Alert& a : assessed->alerts) {
    bool mine = std::any_of(a.events.begin(), a.events.end(),
                            [&](const EventId& e) { return stored_id.contains(e.value()); });
    if (!mine) continue;
    course::Alert out = a;
    for (EventId& e : out.events) {
      if (auto it = stored_id.find(e.value()); it != stored_id.end()) e = EventId(it->second);
    }
    if (a.id == "mood.phq2.positive") phq2_positive = true;
    alerts.push_back(codec::AlertToJson(out));
  }
  json::value follow_up = nullptr;
  if (phq2_positive) {
    const course::CourseRule* rule =
        kb->course ? kb->course->Rule("mood.phq9.follow-up", assessed->jurisdiction) : nullptr;
    if (rule) {
      course::Explanation why{rule->meta.id, "course", kb->course->pack_version,
                              rule->meta.citation};
      follow_up = json::object{{"instrument", "phq9"},
                               {"message", rule->title + ". " + rule->message},
                               {"explanation", codec::ExplanationToJson(why)}};
    }
  }
  json::array events;
  for (const auto& e : result.events) events.push_back(StoredEventJson(e));
  ApiResponse r = ApiResponse::Json(json::object{{"version", result.version},
                                                 {"alerts", std::move(alerts)},
                                                 {"follow_up", std::move(follow_up)},
                                                 {"events", std::move(events)}},
                                    result.replayed ? kHttpOk : kHttpCreated);
  if (result.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace

void RegisterDiaryRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  api.router().Add(
      {http::verb::post, "/api/v1/patients/{patient_id}/diary", Access::kAuthenticated,
       "Diary entry (dose, side effects, PHQ-2/PHQ-9); answers red-flag alerts at once",
       [engine](RequestContext& c) { return AppendDiary(*engine, c); }});
}

}  // namespace isocourse::server
