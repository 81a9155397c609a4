// A clinic's course-engine settings: which lab monitoring profile it follows (US label,
// DELPHI 2022 consensus, EU SmPC), the go-live date of the iPLEDGE 2026 modification,
// the retreatment interval (label 8 weeks or MSD's ~4 months), a cumulative goal, the
// prescriber's home-test opt-in, when a task turns "due soon". The engine takes them as
// course::Settings; here a clinic chooses them once and every evaluation of its patients
// (assessment, worklist, dispense check, forecast, diary) uses them.
//
// Settings are versioned and append-only (store::ClinicSettings): a change names the
// version it replaces (409 when someone changed them first), every earlier version
// stays readable in the history, and each change leaves an audit entry.
//
// Who may do what:
//   admin                            read and change any clinic's settings
//   prescriber of the clinic         read and change (a clinical choice)
//   staff, pharmacist of the clinic  read
//   anyone of another clinic         404, like a clinic that does not exist
//   patient                          403
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "codec/timeline_json.h"
#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/json_body.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;
using store::Role;

namespace {

enum class Need { kRead, kChange };

// The clinic named in the path, if the caller may read (or change) its settings.
Result<ClinicId> SettingsClinic(RequestContext& c, Need need) {
  const Principal& who = c.Who();
  ClinicId clinic(c.Param("clinic_id").substr(0, 100));
  if (who.role == Role::kPatient)
    return MakeError(ErrorCode::kPermissionDenied, "role",
                     "patients cannot read or change clinic settings");
  if (who.role != Role::kAdmin && (!who.clinic || *who.clinic != clinic))
    return NotFound("clinic_id", "no clinic " + clinic.value());
  if (need == Need::kChange)
    ISO_RETURN_IF_ERROR(RequireRole(who, {Role::kAdmin, Role::kPrescriber}));
  // An admin naming a clinic that does not exist gets the store's kNotFound.
  return clinic;
}

// Who changed them, for people: "Dr Ada Lee (dr.lee)"; an operator's "cli:root" as is.
json::value ChangedByName(Api& api, const store::ClinicSettings& s) {
  if (s.version == 0) return nullptr;
  auto u = api.store().GetUser(s.changed_by);
  if (!u) return json::value(s.changed_by.value());
  return json::value((u->display_name.empty() ? u->username : u->display_name) + " (" +
                     u->username + ")");
}

json::object SettingsJson(Api& api, const store::ClinicSettings& s,
                          const course::Settings& parsed) {
  boost::system::error_code ec;
  json::value stored = json::parse(s.settings_json, ec);
  if (ec) stored = json::object{};
  return json::object{
      {"clinic_id", s.clinic.value()},
      {"version", s.version},
      {"settings", std::move(stored)},
      {"effective", codec::SettingsToJson(parsed)},
      {"changed_by", s.version > 0 ? json::value(s.changed_by.value()) : json::value(nullptr)},
      {"changed_by_name", ChangedByName(api, s)},
      {"changed_at", s.version > 0 ? json::value(s.changed_at) : json::value(nullptr)},
  };
}

json::object SettingsJson(Api& api, const store::ClinicSettings& s) {
  auto parsed = codec::ParseSettingsJson(s.settings_json);
  return SettingsJson(api, s, parsed ? *parsed : course::Settings{});
}

Result<ApiResponse> GetSettings(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(ClinicId clinic, SettingsClinic(c, Need::kRead));
  ISO_ASSIGN_OR_RETURN(store::ClinicSettings s, api.store().GetClinicSettings(clinic));
  return ApiResponse::Json(SettingsJson(api, s));
}

Result<ApiResponse> History(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(ClinicId clinic, SettingsClinic(c, Need::kRead));
  ISO_ASSIGN_OR_RETURN(auto versions, api.store().ClinicSettingsHistory(clinic));
  json::array items;
  for (const auto& v : versions) items.push_back(SettingsJson(api, v));
  return ApiResponse::Json(json::object{{"items", std::move(items)}});
}

Result<ApiResponse> PutSettings(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(ClinicId clinic, SettingsClinic(c, Need::kChange));
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto expected = f.Int("expected_version", true, 0, INT64_MAX);
  const json::object* settings = f.Object("settings", true);
  f.RejectUnknown();
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  // The engine's own reader checks the settings: errors name the field
  // ("settings.lab_profile").
  ISO_ASSIGN_OR_RETURN(course::Settings parsed, codec::SettingsFromJson(*settings));
  api.AuditThis(c, "clinic.settings.update", std::nullopt, clinic);
  ISO_ASSIGN_OR_RETURN(
      store::ClinicSettings stored,
      api.store().SetClinicSettings(clinic, *expected, json::serialize(*settings), c.Who().id));
  engine.ForgetSettings(clinic);
  return ApiResponse::Json(SettingsJson(api, stored, parsed));
}

}  // namespace

void RegisterSettingsRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  Router& r = api.router();
  auto bind = [engine](EngineRoute fn) { return BindEngine(engine, fn); };
  r.Add({http::verb::get, "/api/v1/clinics/{clinic_id}/settings", Access::kAuthenticated,
         "The clinic's course-engine settings (lab profile, iPLEDGE cutover...) and their version",
         bind(GetSettings)});
  r.Add({http::verb::put, "/api/v1/clinics/{clinic_id}/settings", Access::kAuthenticated,
         "Change the clinic's settings (admin or its prescribers; expected_version)",
         bind(PutSettings)});
  r.Add({http::verb::get, "/api/v1/clinics/{clinic_id}/settings/history", Access::kAuthenticated,
         "Every version of the clinic's settings, oldest first", bind(History)});
}

}  // namespace isocourse::server
