// The course engine behind the API: a patient's assessment and program forecast on a
// date, and the clinic worklist (every active course with its next task).
//
// The assessment is exactly the engine's JSON (src/codec/assessment_json.h) with one
// addition for the chart, `dose.series`; the forecast is exactly `isocourse forecast
// --json` (one encoder, src/codec/forecast_json.h). Both read the patient like every other patient
// route: authorized and audited through Api::AuthorizedPatient. The worklist is one audited read of
// the clinic; each patient is evaluated at most once per timeline version and date (EngineState's
// cache).
#include <boost/json/array.hpp>

#include <algorithm>
#include <array>

#include "codec/assessment_json.h"
#include "codec/forecast_json.h"
#include "core/course/evaluate.h"
#include "core/program/program.h"
#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;
using course::Task;
using course::TaskStatus;

namespace {

// The cumulative dose (mg/kg, conventional equivalent) week by week from the first
// dose to as_of, for the chart: the engine's own ledger evaluated on each date, so
// the line and the headline number never disagree.
Result<json::array> DoseSeries(const course::Timeline& timeline, const KnowledgeBase& kb,
                               const course::Assessment& a, const course::Settings& settings) {
  json::array out;
  if (!a.dose.has_doses || !a.dose.first_dose) return out;
  constexpr int kStepDays = 7;
  constexpr int kMaxPoints = 160;  // three years of weeks; longer spans take wider steps
  const Date first = *a.dose.first_dose;
  const int span = first.DaysUntil(a.as_of);
  const int step = std::max(kStepDays, (span / kMaxPoints) + 1);
  auto point = [&out](Date d, double v) {
    out.push_back(json::object{{"date", d.ToString()}, {"cumulative_mg_per_kg", v}});
  };
  point(first.AddDays(-1), 0.0);
  for (int day = step; day < span; day += step) {
    Date d = first.AddDays(day);
    ISO_ASSIGN_OR_RETURN(course::Assessment at, course::Evaluate(timeline, kb, d, settings));
    point(d, std::round(at.dose.cumulative_per_kg.value() * 100) / 100);
  }
  point(a.as_of, std::round(a.dose.cumulative_per_kg.value() * 100) / 100);
  return out;
}

Result<ApiResponse> GetAssessment(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kRead, "assessment.read"));
  ISO_ASSIGN_OR_RETURN(Date as_of, engine.AsOf(c));
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  ISO_ASSIGN_OR_RETURN(std::shared_ptr<const Evaluation> ev, engine.Evaluate(patient, as_of));
  json::object out = codec::AssessmentToJson(ev->assessment);
  ISO_ASSIGN_OR_RETURN(json::array series,
                       DoseSeries(ev->timeline, *kb, ev->assessment, ev->settings));
  out["dose"].as_object()["series"] = std::move(series);
  out["version"] = ev->version;
  return ApiResponse::Json(out);
}

Result<ApiResponse> GetForecast(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       api.AuthorizedPatient(c, PatientAction::kRead, "forecast.read"));
  ISO_ASSIGN_OR_RETURN(Date as_of, engine.AsOf(c));
  ISO_ASSIGN_OR_RETURN(int64_t horizon, QueryInteger(c, "horizon_days", 120, 1, 730));
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> events, api.store().ReadEvents(patient.id));
  ISO_ASSIGN_OR_RETURN(course::Timeline timeline, TimelineFromStore(patient, events));
  ISO_ASSIGN_OR_RETURN(course::ResolvedTimeline resolved, course::ResolveCorrections(timeline));
  ISO_ASSIGN_OR_RETURN(EngineState::ClinicChoice choice, engine.SettingsFor(patient.clinic));
  const course::Settings& settings = choice.settings;
  ISO_ASSIGN_OR_RETURN(course::CourseFacts facts,
                       course::DeriveCourseFacts(resolved, *kb, as_of, settings));
  ISO_ASSIGN_OR_RETURN(program::ProgramState now,
                       program::EvaluateProgram(resolved, facts, *kb, as_of, settings));
  program::ForecastRequest req;
  req.horizon_days = static_cast<int>(horizon);
  ISO_ASSIGN_OR_RETURN(program::ForecastResult f,
                       program::Forecast(resolved, facts, *kb, as_of, settings, req));
  return ApiResponse::Json(codec::ForecastToJson(f, now, timeline, as_of));
}

// --- worklist ------------------------------------------------------------------------

// Most urgent first; the worklist row's status is the most urgent open task's.
constexpr std::array<TaskStatus, 5> kUrgency = {TaskStatus::kOverdue, TaskStatus::kDueSoon,
                                                TaskStatus::kBlocked, TaskStatus::kPaused,
                                                TaskStatus::kOnTrack};

int UrgencyRank(TaskStatus s) {
  for (size_t i = 0; i < kUrgency.size(); ++i) {
    if (kUrgency[i] == s) return static_cast<int>(i);
  }
  return static_cast<int>(kUrgency.size());  // done, cancelled: not open
}

bool Open(const Task& t) {
  return t.status != TaskStatus::kDone && t.status != TaskStatus::kCancelled;
}

// The date a row sorts and filters by: its next task's due date, else its latest.
std::optional<Date> TaskDate(const Task* t) {
  if (!t) return std::nullopt;
  return t->due ? t->due : t->latest;
}

struct Row {
  store::Patient patient;
  std::shared_ptr<const Evaluation> ev;  // null when the timeline cannot be evaluated
  std::string error;
  TaskStatus status = TaskStatus::kOnTrack;
  const Task* next = nullptr;
};

void Summarize(Row& r) {
  r.status = TaskStatus::kOnTrack;
  r.next = nullptr;
  if (!r.ev) {
    r.status = TaskStatus::kBlocked;
    return;
  }
  // The next task: the most urgent open one, earliest due first (undated last).
  for (const Task& t : r.ev->assessment.tasks) {
    if (!Open(t)) continue;
    if (!r.next) {
      r.next = &t;
      continue;
    }
    int a = UrgencyRank(t.status), b = UrgencyRank(r.next->status);
    auto da = TaskDate(&t), db = TaskDate(r.next);
    if (a < b || (a == b && da && (!db || *da < *db))) r.next = &t;
  }
  if (r.next) r.status = r.next->status;
}

json::object RowJson(const Row& r) {
  const store::Patient& p = r.patient;
  json::object o;
  o["patient"] = json::object{{"id", p.id.value()},
                              {"given_name", p.given_name},
                              {"family_name", p.family_name},
                              {"birth_date", p.birth_date.ToString()},
                              {"mrn", p.mrn}};
  if (!r.ev) {
    o["phase"] = "unknown";
    o["jurisdiction"] = nullptr;
    o["program"] = "";
    o["category"] = nullptr;
    o["day_of_course"] = nullptr;
    o["status"] = std::string(course::Name(r.status));
    o["next_task"] = nullptr;
    o["alerts"] = 0;
    o["error"] = r.error;
    return o;
  }
  const course::Assessment& a = r.ev->assessment;
  o["phase"] = std::string(course::Name(a.phase));
  o["jurisdiction"] = JurisdictionName(a.jurisdiction);
  o["program"] = a.program.applies ? a.program.program : "";
  o["category"] =
      a.program.category ? json::value(std::string(course::Name(*a.program.category))) : nullptr;
  if (a.dose.first_dose) {
    o["day_of_course"] = a.dose.first_dose->DaysUntil(a.as_of) + 1;
  } else {
    o["day_of_course"] = nullptr;
  }
  o["status"] = std::string(course::Name(r.status));
  o["next_task"] = r.next ? json::value(codec::TaskToJson(*r.next)) : json::value(nullptr);
  o["alerts"] = static_cast<int64_t>(a.alerts.size());
  return o;
}

Result<std::vector<TaskStatus>> StatusFilter(const RequestContext& c) {
  std::vector<TaskStatus> out;
  auto v = c.Query("status");
  if (!v || v->empty()) return out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto s = course::ParseName<TaskStatus>(part);
    if (!s || UrgencyRank(*s) >= static_cast<int>(kUrgency.size()))
      return InvalidArgument("status", "'" + std::string(part.substr(0, 40)) +
                                           "' is not a worklist status; expected overdue, "
                                           "due_soon, blocked, paused or on_track");
    out.push_back(*s);
  }
  return out;
}

Result<ApiResponse> GetWorklist(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  std::optional<ClinicId> requested;
  if (auto cl = c.Query("clinic_id"); cl && !cl->empty()) requested = ClinicId(cl->substr(0, 100));
  api.AuditThis(c, "worklist.read", std::nullopt, requested ? requested : c.Who().clinic);
  auto scope = ListScope(c.Who(), requested);
  if (!scope) {
    c.audit->outcome = "denied";
    return std::unexpected(scope.error());
  }
  ISO_ASSIGN_OR_RETURN(Date as_of, engine.AsOf(c));
  ISO_ASSIGN_OR_RETURN(std::vector<TaskStatus> statuses, StatusFilter(c));
  std::optional<Date> from, to;
  if (auto v = c.Query("from")) {
    ISO_ASSIGN_OR_RETURN(from, Date::Parse(*v, "from"));
  }
  if (auto v = c.Query("to")) {
    ISO_ASSIGN_OR_RETURN(to, Date::Parse(*v, "to"));
  }
  if (from && to && *to < *from) return InvalidArgument("to", "is before from");
  std::string sort = c.Query("sort").value_or("status");
  if (sort != "status" && sort != "due" && sort != "name" && sort != "phase")
    return InvalidArgument(
        "sort",
        "'" + sort.substr(0, 40) + "' is not a sort order; expected status, due, name or phase");
  ISO_ASSIGN_OR_RETURN(int64_t limit, QueryInteger(c, "limit", 100, 1, 500));
  ISO_ASSIGN_OR_RETURN(int64_t cursor, QueryInteger(c, "cursor", 0, 0, 1'000'000'000));
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  (void)kb;

  // Every patient of the clinic, page by page from the store.
  std::vector<Row> rows;
  store::PatientQuery q;
  q.clinic = *scope;
  q.limit = 500;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(std::vector<store::Patient> page, api.store().ListPatients(q));
    for (store::Patient& p : page) {
      Row r;
      r.patient = std::move(p);
      auto ev = engine.Evaluate(r.patient, as_of);
      if (ev) {
        if ((*ev)->assessment.phase == course::Phase::kCompleted) continue;
        r.ev = std::move(*ev);
      } else if (ev.error().code == ErrorCode::kInvalidArgument) {
        // A timeline the engine cannot read still shows, so it gets fixed.
        r.error = ev.error().where + ": " + ev.error().message;
      } else {
        return std::unexpected(ev.error());
      }
      Summarize(r);
      rows.push_back(std::move(r));
    }
    if (static_cast<int>(page.size()) < q.limit) break;
    q.offset += q.limit;
  }

  // Date range on the next task; counts before the status filter, so each count says
  // how many rows that status would show.
  if (from || to) {
    std::erase_if(rows, [&](const Row& r) {
      auto d = TaskDate(r.next);
      return !d || (from && *d < *from) || (to && *d > *to);
    });
  }
  json::object counts;
  for (TaskStatus s : kUrgency) counts[course::Name(s)] = 0;
  for (const Row& r : rows)
    counts[course::Name(r.status)] = counts[course::Name(r.status)].as_int64() + 1;
  if (!statuses.empty()) {
    std::erase_if(rows, [&](const Row& r) {
      return std::find(statuses.begin(), statuses.end(), r.status) == statuses.end();
    });
  }

  auto name_key = [](const Row& r) { return r.patient.family_name + ", " + r.patient.given_name; };
  auto date_key = [](const Row& r) {
    auto d = TaskDate(r.next);
    return d ? d->days_since_epoch() : std::numeric_limits<int>::max();
  };
  auto phase_key = [](const Row& r) {
    return r.ev ? std::string(course::Name(r.ev->assessment.phase)) : std::string("unknown");
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (sort == "name") {
      if (name_key(a) != name_key(b)) return name_key(a) < name_key(b);
    } else if (sort == "phase") {
      if (phase_key(a) != phase_key(b)) return phase_key(a) < phase_key(b);
      if (date_key(a) != date_key(b)) return date_key(a) < date_key(b);
    } else if (sort == "due") {
      if (date_key(a) != date_key(b)) return date_key(a) < date_key(b);
      if (UrgencyRank(a.status) != UrgencyRank(b.status))
        return UrgencyRank(a.status) < UrgencyRank(b.status);
    } else {
      if (UrgencyRank(a.status) != UrgencyRank(b.status))
        return UrgencyRank(a.status) < UrgencyRank(b.status);
      if (date_key(a) != date_key(b)) return date_key(a) < date_key(b);
    }
    return a.patient.id.value() < b.patient.id.value();
  });

  json::array items;
  const size_t start = std::min(rows.size(), static_cast<size_t>(cursor));
  const size_t end = std::min(rows.size(), start + static_cast<size_t>(limit));
  for (size_t i = start; i < end; ++i) items.push_back(RowJson(rows[i]));
  json::object out{{"as_of", as_of.ToString()},
                   {"items", std::move(items)},
                   {"counts", std::move(counts)},
                   {"total", static_cast<int64_t>(rows.size())},
                   {"next", nullptr}};
  if (end < rows.size()) {
    std::string next = "/api/v1/worklist?limit=" + std::to_string(limit) +
                       "&cursor=" + std::to_string(end) + "&as_of=" + as_of.ToString();
    for (const char* keep : {"status", "from", "to", "sort", "clinic_id"}) {
      if (auto v = c.Query(keep)) next += std::string("&") + keep + "=" + QueryEncode(*v);
    }
    out["next"] = next;
  }
  return ApiResponse::Json(out);
}

}  // namespace

void RegisterCourseRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  Router& r = api.router();
  auto bind = [engine](EngineRoute fn) { return BindEngine(engine, fn); };
  r.Add({http::verb::get, "/api/v1/patients/{patient_id}/assessment", Access::kAuthenticated,
         "The course engine's assessment of a patient on a date (as_of, default today)",
         bind(GetAssessment), Work::kBlocking});  // the dose series evaluates week by week
  r.Add({http::verb::get, "/api/v1/patients/{patient_id}/forecast", Access::kAuthenticated,
         "The program calendar: proposed dates for tests, visits, prescriptions and pickups",
         bind(GetForecast), Work::kBlocking});
  r.Add({http::verb::get, "/api/v1/worklist", Access::kAuthenticated,
         "The clinic worklist: every active course with its next task and status, paged",
         bind(GetWorklist), Work::kBlocking});  // evaluates every active patient once
}

void RegisterEngineRoutes(Api& api) {
  auto engine = std::make_shared<EngineState>(api);
  RegisterCourseRoutes(api, engine);
  RegisterDispenseRoutes(api, engine);
  RegisterDiaryRoutes(api, engine);
  RegisterLabRoutes(api, engine);
  RegisterSymptomRoutes(api, engine);
  RegisterSettingsRoutes(api, engine);
}

}  // namespace isocourse::server
