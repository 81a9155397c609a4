// File: engine_routes.h
//
// The routes that put the engines behind the API (docs/api.md, "Course engine",
// "Pharmacy", "Diary", "Labs", "Symptom checker"):
//
//   routes_course.cpp   GET  /api/v1/patients/{id}/assessment, …/forecast, /api/v1/worklist
//   routes_dispense.cpp GET  /api/v1/dispense/lookup, POST /api/v1/dispense/check,
//                       POST /api/v1/dispenses
//   routes_diary.cpp    POST /api/v1/patients/{id}/diary
//   routes_labs.cpp     POST /api/v1/patients/{id}/labs/import (CSV)
//   routes_symptom.cpp  POST /api/v1/symptom-check/interview, GET …/findings (public)
//
//   routes_settings.cpp GET/PUT /api/v1/clinics/{id}/settings, GET …/settings/history
//
// They share one EngineState per Api: the server clock (the engines never read it;
// "today" is passed in), each clinic's engine settings, and a small cache of
// evaluations keyed by patient, timeline version, as_of, settings version and
// knowledge version, so the worklist and the dispense check evaluate each patient at
// most once per change.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/date.h"
#include "core/result.h"
#include "server/api.h"
#include "server/request_params.h"
#include "store/store.h"

namespace isocourse::server {

// A patient's timeline as the engine reads it and the assessment on one date.
struct Evaluation {
  course::Timeline timeline;
  course::Assessment assessment;
  int64_t version = 0;        // number of stored events the evaluation saw
  course::Settings settings;  // the clinic's, as evaluated
  int64_t settings_version = 0;
  // The timeline with corrections applied (points into `timeline`: an Evaluation is
  // made once on the heap and shared, never copied), so the dispense check does not
  // resolve it again on every request.
  course::ResolvedTimeline resolved;
};

class EngineState {
 public:
  // At most this many evaluations are kept (oldest dropped first): enough for the
  // demo network's 200 patients on one date, small next to the idle memory budget.
  static constexpr size_t kCacheEntries = 512;

  explicit EngineState(Api& api) : api_(api) {}

  Api& api() { return api_; }
  // The knowledge base, or kUnavailable (503) when the server runs without one.
  Result<const KnowledgeBase*> Knowledge() const;
  // Today by the server clock (UTC): the default as_of.
  Date Today() const;
  // Reads `as_of` from the query (default today). Errors name the parameter.
  Result<Date> AsOf(const RequestContext& c, std::string_view name = "as_of") const;

  // The patient's evaluation on `as_of`, from the cache when the timeline has not
  // changed. Reads the events when needed. Errors: the store's, and the engine's
  // kInvalidArgument for a timeline it cannot evaluate.
  Result<std::shared_ptr<const Evaluation>> Evaluate(const store::Patient& patient, Date as_of);
  // Evaluates stored events (and nothing else); caches the result.
  Result<std::shared_ptr<const Evaluation>> EvaluateEvents(const store::Patient& patient,
                                                           const std::vector<store::Event>& events,
                                                           Date as_of);

  size_t cache_hits() const { return hits_; }

  // The course-engine settings the patient's clinic chose (the engine's defaults when
  // it chose none), parsed. Read from the store at most every kSettingsSeconds, so a
  // change made by `isocourse clinic settings` in another process applies within that
  // time; a change through the API applies at once (ForgetSettings).
  static constexpr int kSettingsSeconds = 2;
  struct ClinicChoice {
    course::Settings settings;
    int64_t version = 0;  // store::ClinicSettings::version; 0 = defaults
  };
  Result<ClinicChoice> SettingsFor(const ClinicId& clinic);
  void ForgetSettings(const ClinicId& clinic);

 private:
  std::string Key(const PatientId& id, int64_t version, Date as_of, int64_t settings_version) const;
  std::shared_ptr<const Evaluation> Find(const std::string& key);
  void Put(const std::string& key, std::shared_ptr<const Evaluation> e);

  Api& api_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Evaluation>> cache_;
  std::deque<std::string> order_;  // insertion order, for eviction
  size_t hits_ = 0;

  struct CachedChoice {
    ClinicChoice choice;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex settings_mu_;
  std::unordered_map<std::string, CachedChoice> settings_;  // by clinic id
};

// --- helpers shared by the engine routes -------------------------------------------------

// Evaluates the stored events plus `drafts` (not yet stored) on `as_of`, with the
// drafts given the ids "new-1", "new-2"... Errors name the draft as the timeline
// codec does ("events[0].symptoms[1]").
Result<course::Assessment> EvaluateWithDrafts(const KnowledgeBase& kb,
                                              const course::Settings& settings,
                                              const store::Patient& patient,
                                              const std::vector<store::Event>& existing,
                                              const std::vector<store::EventDraft>& drafts,
                                              const UserId& by, Date as_of);

// Appends drafts at `expected_version` with the request's Idempotency-Key. When the
// key was already used for the same drafts (a retried request whose first attempt
// was stored), returns the first result with replayed = true: the original append was
// made at the then-current version, which is tried as `expected_version` minus the
// number of drafts when the key turns out to be taken.
Result<store::AppendResult> AppendOnce(Api& api, const store::Patient& patient,
                                       int64_t expected_version, const std::string& key,
                                       const UserId& by, std::vector<store::EventDraft> drafts);

// A route handler of the engine routes, bound to the shared EngineState.
using EngineRoute = Result<ApiResponse> (*)(EngineState&, RequestContext&);
inline RouteHandler BindEngine(std::shared_ptr<EngineState> engine, EngineRoute fn) {
  return [engine = std::move(engine), fn](RequestContext& c) { return fn(*engine, c); };
}

void RegisterEngineRoutes(Api& api);
void RegisterCourseRoutes(Api& api, std::shared_ptr<EngineState> engine);
void RegisterDispenseRoutes(Api& api, std::shared_ptr<EngineState> engine);
void RegisterDiaryRoutes(Api& api, std::shared_ptr<EngineState> engine);
void RegisterLabRoutes(Api& api, std::shared_ptr<EngineState> engine);
void RegisterSymptomRoutes(Api& api, std::shared_ptr<EngineState> engine);
void RegisterSettingsRoutes(Api& api, std::shared_ptr<EngineState> engine);

}  // namespace isocourse::server
