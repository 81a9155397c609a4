// The acne symptom checker, public (no login, no patient record, nothing stored):
//
//   POST /api/v1/symptom-check/interview  one stateless interview step: the client sends
//        age, sex, context and every answer so far (src/codec/symptom_json.h) and gets the
//        next question (or none), the ranked conditions, the triage level, the severity
//        estimate, explanations when asked and the summary for the doctor visit.
//   GET  /api/v1/symptom-check/findings   the finding catalogue: every finding, question
//        group, condition and triage level.
//
// Size limits: the server's body limit applies, and a request may carry at most
// kMaxEvidence answers (the knowledge base has fewer findings than that, so a larger
// list can only be a mistake or abuse). The engine's step costs well under 1 ms
// (docs/performance.md), so no separate rate limit is needed beyond the server's.
#include <boost/json/parse.hpp>

#include "codec/symptom_json.h"
#include "core/symptom/engine.h"
#include "server/engine_routes.h"
#include "server/errors.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr size_t kMaxEvidence = 400;
constexpr size_t kMaxBody = 256 * 1024;

Result<ApiResponse> Interview(EngineState& engine, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  const std::string& body = c.req.msg.body();
  if (body.size() > kMaxBody)
    return MakeError(ErrorCode::kResourceExhausted, std::string(kWhereBody),
                     "an interview request is at most " + std::to_string(kMaxBody / 1024) + " KiB");
  if (body.empty()) return InvalidArgument("body", "is empty; send the interview as JSON");
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return InvalidArgument("body", "is not valid JSON: " + ec.message());
  if (const json::object* o = v.if_object()) {
    if (const json::value* ev = o->if_contains("evidence");
        ev && ev->is_array() && ev->as_array().size() > kMaxEvidence)
      return InvalidArgument("evidence", "at most " + std::to_string(kMaxEvidence) + " answers");
  }
  ISO_ASSIGN_OR_RETURN(symptom::Request req, codec::SymptomRequestFromJson(v));
  ISO_ASSIGN_OR_RETURN(symptom::Assessment a, symptom::Assess(req, *kb));
  return ApiResponse::Json(codec::SymptomAssessmentToJson(a));
}

Result<ApiResponse> Findings(EngineState& engine, RequestContext& c) {
  (void)c;
  ISO_ASSIGN_OR_RETURN(const KnowledgeBase* kb, engine.Knowledge());
  if (!kb->symptom)
    return MakeError(ErrorCode::kUnavailable, "knowledge",
                     "the knowledge base has no symptom checker knowledge");
  ApiResponse r = ApiResponse::Json(codec::SymptomCatalogueToJson(*kb));
  // The catalogue changes only with the knowledge base.
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  return r;
}

}  // namespace

void RegisterSymptomRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  Router& r = api.router();
  r.Add({http::verb::post, "/api/v1/symptom-check/interview", Access::kPublic,
         "Symptom checker: one stateless interview step (next question, conditions, triage)",
         [engine](RequestContext& c) { return Interview(*engine, c); }, Work::kQuick});
  r.Add({http::verb::get, "/api/v1/symptom-check/findings", Access::kPublic,
         "Symptom checker: the finding catalogue (findings, groups, conditions, triage levels)",
         [engine](RequestContext& c) { return Findings(*engine, c); }});
}

}  // namespace isocourse::server
