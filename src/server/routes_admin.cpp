// Administration (admins only): clinics, users, API tokens and the audit log.
#include <boost/json/serialize.hpp>

#include <charconv>

#include "server/api.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;
using store::Role;

namespace {

Status AdminOnly(const RequestContext& c) { return RequireRole(c.Who(), {Role::kAdmin}); }

Result<int64_t> QueryInt(const RequestContext& c, std::string_view name, int64_t def, int64_t min,
                         int64_t max) {
  auto v = c.Query(name);
  if (!v) return def;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size() || n < min || n > max)
    return InvalidArgument(std::string(name), "expected an integer from " + std::to_string(min) +
                                                  " to " + std::to_string(max));
  return n;
}

Result<store::AuditQuery> AuditQueryFrom(const RequestContext& c, int64_t default_limit,
                                         int64_t max_limit) {
  store::AuditQuery q;
  ISO_ASSIGN_OR_RETURN(q.after_seq, QueryInt(c, "after", 0, 0, INT64_MAX));
  ISO_ASSIGN_OR_RETURN(int64_t limit, QueryInt(c, "limit", default_limit, 1, max_limit));
  q.limit = static_cast<int>(limit);
  if (auto p = c.Query("patient_id"); p && !p->empty()) q.patient = PatientId(*p);
  q.actor = c.Query("actor").value_or("");
  for (auto [name, field] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (auto v = c.Query(name); v && !v->empty()) {
      // A date or an RFC 3339 UTC time; compared as text with the stored times.
      auto d = Date::Parse(v->substr(0, 10), name);
      if (!d) return std::unexpected(d.error());
      *field = *v;
    }
  }
  return q;
}

Result<ApiResponse> CreateUser(Api& api, RequestContext& c) {
  ISO_RETURN_IF_ERROR(AdminOnly(c));
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto username = f.String("username", true, 64);
  auto display = f.String("display_name", false, 100);
  auto role = f.OneOf("role", true, {"admin", "prescriber", "staff", "pharmacist", "patient"});
  auto clinic = f.String("clinic_id", false, 100);
  auto patient = f.String("patient_id", false, 100);
  auto password = f.String("password", false, 1024);
  f.RejectUnknown();
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  NewAccount a;
  a.username = *username;
  a.display_name = display.value_or("");
  a.role = *store::ParseRole(*role, "role");
  if (clinic) a.clinic = ClinicId(*clinic);
  if (patient) a.patient = PatientId(*patient);
  a.password = password.value_or("");
  api.AuditThis(c, "user.create", a.patient, a.clinic);
  ISO_ASSIGN_OR_RETURN(CreatedAccount created, api.accounts().Create(a));
  json::object out = UserJson(created.user);
  if (!created.password.empty()) out["password"] = created.password;  // shown once
  return ApiResponse::Json(out, kHttpCreated);
}

Result<ApiResponse> SetDisabled(Api& api, RequestContext& c, bool disabled) {
  ISO_RETURN_IF_ERROR(AdminOnly(c));
  UserId id(c.Param("user_id"));
  if (id == c.Who().id && disabled)
    return MakeError(ErrorCode::kFailedPrecondition, "user_id", "you cannot disable yourself");
  api.AuditThis(c, disabled ? "user.disable" : "user.enable");
  ISO_RETURN_IF_ERROR(api.store().SetUserDisabled(id, disabled));
  api.accounts().ForgetCached();  // a disabled account is refused from its next request
  ISO_ASSIGN_OR_RETURN(store::User u, api.store().GetUser(id));
  return ApiResponse::Json(UserJson(u));
}

Result<ApiResponse> ListAudit(Api& api, RequestContext& c) {
  ISO_RETURN_IF_ERROR(AdminOnly(c));
  ISO_ASSIGN_OR_RETURN(store::AuditQuery q, AuditQueryFrom(c, 100, 1000));
  api.AuditThis(c, "audit.read", q.patient);
  ISO_ASSIGN_OR_RETURN(std::vector<store::AuditEntry> entries, api.store().ListAudit(q));
  json::array items;
  for (const auto& a : entries) items.push_back(AuditJson(a));
  json::object out{{"items", std::move(items)}, {"next", nullptr}};
  if (static_cast<int>(entries.size()) == q.limit) {
    std::string next = "/api/v1/audit?after=" + std::to_string(entries.back().seq) +
                       "&limit=" + std::to_string(q.limit);
    for (const char* keep : {"patient_id", "actor", "from", "to"}) {
      if (auto v = c.Query(keep)) next += std::string("&") + keep + "=" + *v;
    }
    out["next"] = next;
  }
  return ApiResponse::Json(out);
}

Result<ApiResponse> ExportAudit(Api& api, RequestContext& c) {
  ISO_RETURN_IF_ERROR(AdminOnly(c));
  ISO_ASSIGN_OR_RETURN(store::AuditQuery q, AuditQueryFrom(c, 100000, 100000));
  api.AuditThis(c, "audit.export", q.patient);
  ISO_ASSIGN_OR_RETURN(std::vector<store::AuditEntry> entries, api.store().ListAudit(q));
  ApiResponse r;
  r.content_type = "application/x-ndjson";
  for (const auto& a : entries) {
    r.body += json::serialize(AuditJson(a));
    r.body += '\n';
  }
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"isocourse-audit.ndjson\"");
  return r;
}

}  // namespace

void RegisterAdminRoutes(Api& api) {
  Router& r = api.router();
  r.Add({http::verb::get, "/api/v1/clinics", Access::kAuthenticated, "List clinics (admin)",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           ISO_ASSIGN_OR_RETURN(auto clinics, api.store().ListClinics());
           json::array items;
           for (const auto& x : clinics) items.push_back(ClinicJson(x));
           return ApiResponse::Json(json::object{{"items", std::move(items)}});
         }});
  r.Add({http::verb::post, "/api/v1/clinics", Access::kAuthenticated, "Create a clinic (admin)",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
           Problems problems;
           FieldReader f(body, "", problems);
           auto name = f.String("name", true, 200);
           auto jurisdiction = f.OneOf("jurisdiction", true, {"US", "EU", "UK"});
           f.RejectUnknown();
           ISO_RETURN_IF_ERROR(problems.ToStatus());
           api.AuditThis(c, "clinic.create");
           ISO_ASSIGN_OR_RETURN(store::Clinic made, api.store().CreateClinic(store::Clinic{
                                                        ClinicId(), *name, *jurisdiction, ""}));
           c.audit->clinic = made.id;
           return ApiResponse::Json(ClinicJson(made), kHttpCreated);
         }});
  r.Add({http::verb::get, "/api/v1/users", Access::kAuthenticated, "List users (admin)",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           ISO_ASSIGN_OR_RETURN(auto users, api.store().ListUsers());
           json::array items;
           for (const auto& u : users) items.push_back(UserJson(u));
           return ApiResponse::Json(json::object{{"items", std::move(items)}});
         }});
  r.Add({http::verb::post, "/api/v1/users", Access::kAuthenticated,
         "Create a user (admin); a generated password is returned once",
         [&api](RequestContext& c) { return CreateUser(api, c); }});
  r.Add({http::verb::post, "/api/v1/users/{user_id}/disable", Access::kAuthenticated,
         "Disable a user and end their sessions (admin)",
         [&api](RequestContext& c) { return SetDisabled(api, c, true); }});
  r.Add({http::verb::post, "/api/v1/users/{user_id}/enable", Access::kAuthenticated,
         "Enable a disabled user (admin)",
         [&api](RequestContext& c) { return SetDisabled(api, c, false); }});
  r.Add({http::verb::get, "/api/v1/tokens", Access::kAuthenticated, "List API tokens (admin)",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           ISO_ASSIGN_OR_RETURN(auto tokens, api.store().ListApiTokens());
           json::array items;
           for (const auto& t : tokens) items.push_back(TokenJson(t));
           return ApiResponse::Json(json::object{{"items", std::move(items)}});
         }});
  r.Add({http::verb::post, "/api/v1/tokens", Access::kAuthenticated,
         "Create an API token for a user (admin); the token is returned once",
         [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
           Problems problems;
           FieldReader f(body, "", problems);
           auto user = f.String("user_id", true, 100);
           auto name = f.String("name", true, 100);
           f.RejectUnknown();
           ISO_RETURN_IF_ERROR(problems.ToStatus());
           api.AuditThis(c, "token.create");
           ISO_ASSIGN_OR_RETURN(auto made, api.accounts().CreateApiToken(UserId(*user), *name));
           json::object out = TokenJson(made.second);
           out["token"] = made.first;
           return ApiResponse::Json(out, kHttpCreated);
         }});
  r.Add({http::verb::delete_, "/api/v1/tokens/{token_id}", Access::kAuthenticated,
         "Revoke an API token (admin)", [&api](RequestContext& c) -> Result<ApiResponse> {
           ISO_RETURN_IF_ERROR(AdminOnly(c));
           api.AuditThis(c, "token.revoke");
           ISO_RETURN_IF_ERROR(api.store().RevokeApiToken(c.Param("token_id")));
           api.accounts().ForgetCached();  // refused from its next request
           ApiResponse out;
           out.status = kHttpNoContent;
           return out;
         }});
  r.Add({http::verb::get, "/api/v1/audit", Access::kAuthenticated,
         "List audit entries (admin): after, limit, patient_id, actor, from, to",
         [&api](RequestContext& c) { return ListAudit(api, c); }, Work::kBlocking});
  r.Add({http::verb::get, "/api/v1/audit/export", Access::kAuthenticated,
         "Export audit entries as NDJSON (admin), same filters as the list",
         [&api](RequestContext& c) { return ExportAudit(api, c); }, Work::kBlocking});
}

}  // namespace isocourse::server
