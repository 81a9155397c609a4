// Operations: /healthz (the process answers), /readyz (the database answers and the
// knowledge base loaded), /metrics (Prometheus text) and the OpenAPI document.
#include "server/api.h"
#include "server/errors.h"

namespace isocourse::server {

namespace http = boost::beast::http;

void RegisterOpsRoutes(Api& api) {
  api.router().Add({http::verb::get, "/healthz", Access::kPublic, "Liveness: the process answers",
                    [](RequestContext&) -> Result<ApiResponse> {
                      return ApiResponse::Json(boost::json::object{{"status", "ok"}});
                    }});
  api.router().Add({http::verb::get, "/readyz", Access::kPublic,
                    "Readiness: the database answers and the knowledge base is loaded",
                    [&api](RequestContext&) -> Result<ApiResponse> {
                      if (Status st = api.store().Ping(); !st)
                        return MakeError(ErrorCode::kUnavailable, "database",
                                         "the database does not answer: " + st.error().message);
                      if (!api.options().knowledge)
                        return MakeError(ErrorCode::kUnavailable, "knowledge",
                                         "the knowledge base did not load; see the server log");
                      return ApiResponse::Json(boost::json::object{
                          {"status", "ready"},
                          {"checks", {{"database", "ok"}, {"knowledge", "ok"}}},
                          {"knowledge_version", api.options().knowledge->version}});
                    }});
  api.router().Add({http::verb::get, "/metrics", Access::kPublic,
                    "Prometheus metrics: requests, latencies, errors, store commits",
                    [&api](RequestContext&) -> Result<ApiResponse> {
                      ApiResponse r;
                      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                      r.body = api.metrics().Render(api.store().Stats(), api.UptimeSeconds());
                      return r;
                    }});
  api.router().Add({http::verb::get, "/api/openapi.json", Access::kPublic,
                    "This API's OpenAPI 3.1 document", [](RequestContext&) -> Result<ApiResponse> {
                      ApiResponse r;
                      r.body = std::string(OpenApiDocument());
                      return r;
                    }});
}

}  // namespace isocourse::server
