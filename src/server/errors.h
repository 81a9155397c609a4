// File: errors.h
//
// THE mapping from isocourse errors to HTTP. Every HTTP status code the API sends for
// an error is chosen here and nowhere else (the project rule: status codes appear
// only in the server's error mapping). Errors leave as RFC 9457
// application/problem+json:
//   {"type": "https://isocourse.dev/problems/<code>", "title": "...", "status": 409,
//    "detail": "<what was wrong>", "where": "<field or header>", "code": "<code>",
//    "errors": [{"where", "detail"}...], "instance": "<request path>"}
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "core/result.h"

namespace isocourse::server {

// Where-markers for transport-level failures, so they map to their own statuses.
inline constexpr std::string_view kWhereBody = "body";        // body too large -> 413
inline constexpr std::string_view kWhereHeaders = "headers";  // headers too large -> 431
inline constexpr std::string_view kWhereRoute = "route";      // method not allowed -> 405

int HttpStatusFor(const Error& e);

// The problem+json document for `e` (status from HttpStatusFor).
boost::json::object ProblemFor(const Error& e, std::string_view instance);

// Success statuses, named so handlers do not spell numbers either.
inline constexpr int kHttpOk = 200;
inline constexpr int kHttpCreated = 201;
inline constexpr int kHttpNoContent = 204;
inline constexpr int kHttpNotModified = 304;

}  // namespace isocourse::server
