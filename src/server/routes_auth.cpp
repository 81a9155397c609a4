// Login, logout and "who am I".
//
// Login answers with the session in two forms: an HttpOnly, SameSite=Strict cookie
// for the browser app (plus `Secure` behind TLS) and the same token in the body for
// scripts, which send it as `Authorization: Bearer`. The body also carries the CSRF
// token that browser writes must echo in X-CSRF-Token.
#include "server/api.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
std::string SessionCookie(const Api& api, const std::string& value, int max_age) {
  std::string c = std::string(kSessionCookie) + "=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (api.options().secure_cookies) c += "; Secure";
  return c;
}
}  // namespace

void RegisterAuthRoutes(Api& api) {
  api.router().Add(
      {http::verb::post, "/api/v1/auth/login", Access::kPublic,
       "Log in with username and password; sets the session cookie",
       [&api](RequestContext& c) -> Result<ApiResponse> {
         ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
         Problems problems;
         FieldReader f(body, "", problems);
         auto username = f.String("username", true, 64);
         auto password = f.String("password", true, 1024);
         f.RejectUnknown();
         ISO_RETURN_IF_ERROR(problems.ToStatus());
         auto result = api.accounts().Login(*username, *password);
         api.AuditThis(c, result ? "login" : "login.failed");
         if (!result) {
           c.audit->actor = "username:" + *username;
           return std::unexpected(result.error());
         }
         c.audit->actor = result->who.id.value();
         c.audit->role = store::RoleName(result->who.role);
         ApiResponse r = ApiResponse::Json(json::object{{"user", PrincipalJson(result->who)},
                                                        {"token", result->session_token},
                                                        {"csrf_token", result->csrf_token},
                                                        {"expires_at", result->expires_at}});
         r.headers.emplace_back(
             "Set-Cookie", SessionCookie(api, result->session_token, Accounts::kSessionSeconds));
         return r;
       }});
  api.router().Add({http::verb::post, "/api/v1/auth/logout", Access::kAuthenticated,
                    "End the current session and clear the cookie",
                    [&api](RequestContext& c) -> Result<ApiResponse> {
                      ISO_RETURN_IF_ERROR(api.accounts().Logout(c.Who()));
                      api.AuditThis(c, "logout");
                      ApiResponse r;
                      r.status = kHttpNoContent;
                      r.headers.emplace_back("Set-Cookie", SessionCookie(api, "", 0));
                      return r;
                    }});
  api.router().Add({http::verb::get, "/api/v1/auth/me", Access::kAuthenticated,
                    "The logged-in user", [](RequestContext& c) -> Result<ApiResponse> {
                      json::object o{{"user", PrincipalJson(c.Who())}};
                      if (c.Who().via_cookie) o["csrf_token"] = c.Who().csrf_token;
                      return ApiResponse::Json(o);
                    }});
}

}  // namespace isocourse::server
