// Patients and their timelines: create, read, list and search within the clinic;
// append, list and correct timeline events; the timeline document for the engines;
// the dose plan.
//
// Every route here touches patient data, so every one goes through
// Api::AuthorizedPatient (or a clinic scope check) and leaves an audit entry, also
// when the answer is "no".
#include <boost/json/parse.hpp>

#include "codec/json_text.h"
#include "codec/plan_json.h"
#include "core/dose/planner.h"
#include "server/api.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/request_params.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string Today(Api& api) { return api.store().Now().substr(0, 10); }

std::string EventsUrl(const store::Patient& p) {
  return "/api/v1/patients/" + p.id.value() + "/events";
}

// Validates the drafts against the patient's timeline and appends them.
Result<ApiResponse> AppendDrafts(Api& api, RequestContext& c, const store::Patient& patient,
                                 int64_t expected_version, std::vector<store::EventDraft> drafts) {
  ISO_ASSIGN_OR_RETURN(std::string key, IdempotencyKeyHeader(c));
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> existing, api.store().ReadEvents(patient.id));
  // With a stale version the store answers (a conflict, or the first result of a
  // retried request); there is nothing to validate against.
  if (static_cast<int64_t>(existing.size()) == expected_version && api.options().validator) {
    ISO_RETURN_IF_ERROR(api.options().validator(patient, existing, drafts, c.Who().id));
  }
  store::AppendRequest req{patient.id, expected_version,  key,
                           c.Who().id, std::move(drafts), std::nullopt};
  if (c.audit) {
    // The audit entry commits with the events; the API then has nothing left to write.
    req.audit = *c.audit;
    req.audit->outcome = "ok";
  }
  ISO_ASSIGN_OR_RETURN(store::AppendResult result, api.store().Append(req));
  c.audit.reset();
  json::array events;
  for (const auto& e : result.events) events.push_back(StoredEventJson(e));
  ApiResponse r =
      ApiResponse::Json(json::object{{"version", result.version}, {"events", std::move(events)}},
                        result.replayed ? kHttpOk : kHttpCreated);
  if (result.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  r.headers.emplace_back(
      "Location", EventsUrl(patient) + "?after=" + std::to_string(result.events.front().seq - 1));
  return r;
}

Result<ApiResponse> CreatePatient(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto given = f.String("given_name", true, 100);
  auto family = f.String("family_name", true, 100);
  auto birth = f.DateField("birth_date", true);
  auto sex = f.OneOf("sex", true, {"female", "male", "intersex", "unknown"});
  auto mrn = f.String("mrn", false, 64);
  auto clinic = f.String("clinic_id", false, 100);
  f.RejectUnknown();
  if (birth) {
    if (birth->ToString() > Today(api))
      problems.Add("birth_date", birth->ToString() + " is in the future");
    else if (birth->year() < 1900)
      problems.Add("birth_date", birth->ToString() + " is before 1900");
  }
  std::optional<ClinicId> requested;
  if (clinic) requested = ClinicId(*clinic);
  api.AuditThis(c, "patient.create", std::nullopt, requested ? requested : c.Who().clinic);
  auto scope = CreateScope(c.Who(), requested);
  if (!scope) {
    c.audit->outcome = "denied";
    return std::unexpected(scope.error());
  }
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  ISO_ASSIGN_OR_RETURN(store::Patient p,
                       api.store().CreatePatient(store::NewPatient{
                           *scope, *given, *family, *birth, *sex, mrn.value_or(""), c.Who().id}));
  c.audit->patient = p.id;
  c.audit->clinic = p.clinic;
  ApiResponse r = ApiResponse::Json(PatientJson(p), kHttpCreated);
  r.headers.emplace_back("Location", "/api/v1/patients/" + p.id.value());
  return r;
}

Result<ApiResponse> ListPatients(Api& api, RequestContext& c) {
  std::optional<ClinicId> requested;
  if (auto cl = c.Query("clinic_id"); cl && !cl->empty()) requested = ClinicId(*cl);
  api.AuditThis(c, "patient.list", std::nullopt, requested ? requested : c.Who().clinic);
  auto scope = ListScope(c.Who(), requested);
  if (!scope) {
    c.audit->outcome = "denied";
    return std::unexpected(scope.error());
  }
  store::PatientQuery q;
  q.clinic = *scope;
  q.name = c.Query("q").value_or("");
  if (q.name.size() > 100) return InvalidArgument("q", "longer than 100 characters");
  if (auto b = c.Query("birth_date")) {
    ISO_ASSIGN_OR_RETURN(Date d, Date::Parse(*b, "birth_date"));
    q.birth_date = d;
  }
  ISO_ASSIGN_OR_RETURN(int64_t limit, QueryInteger(c, "limit", 50, 1, 200));
  ISO_ASSIGN_OR_RETURN(int64_t cursor, QueryInteger(c, "cursor", 0, 0, 1'000'000'000));
  q.limit = static_cast<int>(limit) + 1;  // one more tells whether there is a next page
  q.offset = cursor;
  ISO_ASSIGN_OR_RETURN(std::vector<store::Patient> found, api.store().ListPatients(q));
  bool more = static_cast<int64_t>(found.size()) > limit;
  if (more) found.pop_back();
  json::array items;
  for (const auto& p : found) items.push_back(PatientJson(p));
  json::object out{{"items", std::move(items)}, {"next", nullptr}};
  if (more) {
    std::string next = "/api/v1/patients?limit=" + std::to_string(limit) +
                       "&cursor=" + std::to_string(cursor + limit);
    for (const char* keep : {"q", "birth_date", "clinic_id"}) {
      if (auto v = c.Query(keep)) next += std::string("&") + keep + "=" + QueryEncode(*v);
    }
    out["next"] = next;
  }
  return ApiResponse::Json(out);
}

Result<ApiResponse> AppendEvents(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kWrite, "events.append"));
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto expected = f.Int("expected_version", true, 0, 1'000'000'000);
  const json::array* events = f.Array("events", true);
  f.RejectUnknown();
  std::vector<store::EventDraft> drafts;
  if (events) {
    if (events->empty()) problems.Add("events", "must hold at least one event");
    if (events->size() > 500) problems.Add("events", "at most 500 events per request");
    for (size_t i = 0; i < events->size() && i < 500; ++i) {
      std::string where = "events[" + std::to_string(i) + "]";
      const json::value& v = (*events)[i];
      if (!v.is_object()) {
        problems.Add(where,
                     std::string("expected an event object, got ") + codec::JsonKindName(v.kind()));
        continue;
      }
      if (auto d = DraftFromJson(v.get_object(), where, problems)) drafts.push_back(std::move(*d));
    }
  }
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  return AppendDrafts(api, c, patient, *expected, std::move(drafts));
}

Result<ApiResponse> CorrectEvent(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kWrite, "events.correct"));
  ISO_ASSIGN_OR_RETURN(store::Event original,
                       api.store().GetEvent(patient.id, EventId(c.Param("event_id"))));
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto expected = f.Int("expected_version", true, 0, 1'000'000'000);
  const json::object* event = f.Object("event", true);
  f.RejectUnknown();
  std::optional<store::EventDraft> draft;
  if (event) {
    json::object e = *event;
    if (e.contains("corrects")) {
      problems.Add("event.corrects", "is set from the URL; leave it out");
    } else {
      if (!e.contains("type")) e["type"] = original.type;  // same type unless retracting
      draft = DraftFromJson(e, "event", problems);
      if (draft) draft->corrects = original.id;
    }
  }
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  std::vector<store::EventDraft> drafts{std::move(*draft)};
  auto r = AppendDrafts(api, c, patient, *expected, std::move(drafts));
  if (!r) {
    // The validator names the event "events[0]"; here it is "event".
    Error e = r.error();
    if (e.where.rfind("events[0]", 0) == 0) e.where = "event" + e.where.substr(9);
    return std::unexpected(e);
  }
  return r;
}

Result<ApiResponse> ListEvents(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kRead, "events.read"));
  ISO_ASSIGN_OR_RETURN(int64_t after, QueryInteger(c, "after", 0, 0, 1'000'000'000));
  ISO_ASSIGN_OR_RETURN(int64_t limit, QueryInteger(c, "limit", 100, 1, 1000));
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> events,
                       api.store().ReadEvents(patient.id, after, static_cast<int>(limit)));
  json::array items;
  for (const auto& e : events) items.push_back(StoredEventJson(e));
  json::object out{{"version", patient.version}, {"items", std::move(items)}, {"next", nullptr}};
  if (!events.empty() && events.back().seq < patient.version) {
    out["next"] = EventsUrl(patient) + "?after=" + std::to_string(events.back().seq) +
                  "&limit=" + std::to_string(limit);
  }
  return ApiResponse::Json(out);
}

Result<ApiResponse> GetTimeline(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kRead, "timeline.read"));
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> events, api.store().ReadEvents(patient.id));
  json::object doc = TimelineDocument(patient, events);
  doc["version"] = static_cast<int64_t>(events.size());
  return ApiResponse::Json(doc);
}

Result<ApiResponse> PlanFromBody(Api& api, RequestContext& c) {
  const KnowledgeBase* kb = api.options().knowledge;
  if (!kb)
    return MakeError(ErrorCode::kUnavailable, "knowledge", "the knowledge base is not loaded");
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  ISO_ASSIGN_OR_RETURN(dose::PlanRequest req, codec::PlanRequestFromJson(body));
  ISO_ASSIGN_OR_RETURN(dose::Plan plan, dose::PlanCourse(req, *kb));
  return ApiResponse::Json(codec::PlanToJson(plan));
}

Result<ApiResponse> DosePlan(Api& api, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kRead, "dose_plan.compute"));
  (void)patient;
  return PlanFromBody(api, c);
}

// The planner on its own (no patient record, so nothing to audit): a clinical tool for
// the clinic's roles, not for patient logins.
Result<ApiResponse> StandaloneDosePlan(Api& api, RequestContext& c) {
  ISO_RETURN_IF_ERROR(RequireRole(c.Who(), {store::Role::kAdmin, store::Role::kPrescriber,
                                            store::Role::kStaff, store::Role::kPharmacist}));
  return PlanFromBody(api, c);
}

}  // namespace

void RegisterPatientRoutes(Api& api) {
  Router& r = api.router();
  auto bind = [&api](Result<ApiResponse> (*fn)(Api&, RequestContext&)) {
    return [&api, fn](RequestContext& c) { return fn(api, c); };
  };
  r.Add({http::verb::post, "/api/v1/patients", Access::kAuthenticated,
         "Add a patient to the caller's clinic", bind(CreatePatient)});
  r.Add({http::verb::get, "/api/v1/patients", Access::kAuthenticated,
         "List or search the clinic's patients (q = name part, birth_date), paged",
         bind(ListPatients), Work::kBlocking});
  r.Add({http::verb::get, "/api/v1/patients/{patient_id}", Access::kAuthenticated, "Read a patient",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_ASSIGN_OR_RETURN(store::Patient p,
                                api.AuthorizedPatient(c, PatientAction::kRead, "patient.read"));
           return ApiResponse::Json(PatientJson(p));
         }});
  r.Add({http::verb::get, "/api/v1/patients/{patient_id}/events", Access::kAuthenticated,
         "List a patient's timeline events in order, paged", bind(ListEvents), Work::kBlocking});
  r.Add({http::verb::post, "/api/v1/patients/{patient_id}/events", Access::kAuthenticated,
         "Append events (expected_version; Idempotency-Key header)", bind(AppendEvents)});
  r.Add({http::verb::post, "/api/v1/patients/{patient_id}/events/{event_id}/corrections",
         Access::kAuthenticated, "Correct an event with a new event that supersedes it",
         bind(CorrectEvent)});
  r.Add({http::verb::get, "/api/v1/patients/{patient_id}/timeline", Access::kAuthenticated,
         "The patient's timeline document (docs/timeline.md) for the engines", bind(GetTimeline),
         Work::kBlocking});
  r.Add({http::verb::post, "/api/v1/patients/{patient_id}/dose-plan", Access::kAuthenticated,
         "Plan a course: weight, product, cumulative target, start, regimen", bind(DosePlan),
         Work::kQuick});
  r.Add({http::verb::post, "/api/v1/dose-plan", Access::kAuthenticated,
         "Plan a course without a patient record (same body and answer)", bind(StandaloneDosePlan),
         Work::kQuick});
}

}  // namespace isocourse::server
