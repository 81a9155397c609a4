// File: api.h
//
// The REST API: turns an HTTP request into a route call and the route's Result into a
// response. Around every route it authenticates the caller (session cookie + CSRF
// token for browser writes, or a bearer token), writes the audit entry the route asked
// for (who, what, when, from where, why), records metrics and logs one JSON line
// without patient data. Errors become application/problem+json through errors.h.
//
// Routes live in routes_*.cpp, each file with one Register*Routes(Api&) function
// listed in Api::Api; adding a route is one `api.router().Add({...})` there, plus its
// entry in api/openapi.json (a test checks that every route is documented).
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/knowledge/knowledge.h"
#include "server/accounts.h"
#include "server/authz.h"
#include "server/http_server.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/timeline_bridge.h"
#include "store/articles.h"
#include "store/store.h"

namespace isocourse::server {

inline constexpr std::string_view kSessionCookie = "isocourse_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
inline constexpr std::string_view kPurposeHeader = "X-Purpose-Of-Use";

struct ApiOptions {
  const KnowledgeBase* knowledge = nullptr;  // null: knowledge routes answer 503
  std::filesystem::path static_dir;          // web app files; empty or missing = none
  std::vector<store::Article> articles;
  bool secure_cookies = false;  // add `Secure` (set when serving behind TLS)
  Logger logger;
  // Checks new timeline events; default: the course engine's timeline codec.
  EventValidator validator = ValidateWithTimelineCodec;
  // Threads for routes that wait for a durable commit of their own (Work::kBlocking);
  // 0 = max(32, 8 x cores). More of them waiting at once make bigger group commits.
  int blocking_threads = 0;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse Json(const boost::json::value& v, int status = 200);
};

struct RequestContext {
  const HttpRequest& req;
  std::string path;  // without the query string
  std::map<std::string, std::string, std::less<>> params;
  std::map<std::string, std::string, std::less<>> query;
  std::optional<Principal> who;  // set on authenticated routes
  std::string request_id;
  std::string remote;
  std::string purpose;  // X-Purpose-Of-Use, default "treatment"
  // Set by the route when the request touches patient data (or is security-relevant);
  // the API writes it after the route returns, with the outcome.
  std::optional<store::AuditDraft> audit;

  const std::string& Param(std::string_view name) const;
  std::optional<std::string> Query(std::string_view name) const;
  std::string_view Header(std::string_view name) const;
  const Principal& Who() const { return *who; }
};

class Api {
 public:
  Api(store::Store& store, ApiOptions options);
  // Waits for the routes still running on the blocking threads.
  ~Api();

  // Answers `req` through `respond` (see HttpRespond): at once, or, when the request
  // leaves an audit entry, once that entry is durable.
  void Handle(HttpRequest& req, HttpRespond respond);
  // Handle, waiting on this thread for the answer (in-process callers such as tests).
  HttpResponse HandleAndWait(HttpRequest& req);
  // The response for a request that could not even be read (too large, malformed).
  HttpResponse TransportError(const Error& e);

  Router& router() { return router_; }
  const Router& router() const { return router_; }
  store::Store& store() { return store_; }
  Accounts& accounts() { return accounts_; }
  const ApiOptions& options() const { return opt_; }
  Metrics& metrics() { return metrics_; }
  double UptimeSeconds() const;

  // Loads a patient named by the route parameter `patient_id`, checks that the caller
  // may do `action` on it, and arranges the audit entry (`audit_action`, e.g.
  // "patient.read"). A patient out of reach is kNotFound; the denial is audited too.
  Result<store::Patient> AuthorizedPatient(RequestContext& c, PatientAction action,
                                           std::string_view audit_action);
  // Arranges an audit entry for this request.
  void AuditThis(RequestContext& c, std::string_view action,
                 const std::optional<PatientId>& patient = std::nullopt,
                 const std::optional<ClinicId>& clinic = std::nullopt);

 private:
  struct InFlight;
  void Run(std::shared_ptr<InFlight> f, Result<RouteMatch> m, HttpRespond respond);
  HttpResponse Finish(InFlight& f);
  Result<ApiResponse> Dispatch(RequestContext& c, Result<RouteMatch> m, const Route*& route);
  Result<Principal> Authenticate(RequestContext& c);
  HttpResponse ToHttp(const HttpRequest& req, ApiResponse r);
  std::optional<ApiResponse> ServeStatic(const HttpRequest& req, std::string_view path);

  store::Store& store_;
  ApiOptions opt_;
  Accounts accounts_;
  Router router_;
  Metrics metrics_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<boost::asio::thread_pool> blocking_;  // last: joined first
};

// Route groups (one file each).
void RegisterOpsRoutes(Api& api);
void RegisterAuthRoutes(Api& api);
void RegisterPatientRoutes(Api& api);
void RegisterAdminRoutes(Api& api);
void RegisterContentRoutes(Api& api);

// The OpenAPI document served at /api/openapi.json (api/openapi.json, embedded at
// build time).
std::string_view OpenApiDocument();

// Percent-decoding for paths and query strings ('+' is a space in queries).
std::string UrlDecode(std::string_view s, bool plus_is_space);

}  // namespace isocourse::server
