// File: router.h
//
// Routes: a method, a path pattern with {named} segments, who may call it, and the
// handler. Adding a route is one Add() call; the OpenAPI document must list every
// registered route (tests/server/openapi_test.cpp checks it).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "core/result.h"

namespace isocourse::server {

struct RequestContext;
struct ApiResponse;

enum class Access {
  kPublic,         // no credentials needed
  kAuthenticated,  // any logged-in user; the handler checks role and tenant
};

using RouteHandler = std::function<Result<ApiResponse>(RequestContext&)>;

// Where a route's handler runs. Quick handlers (reads, computations) run on the HTTP
// threads. Handlers that wait for a durable commit of their own (the store's group
// commit, a few ms) run on a separate pool of blocking threads, so they never stall
// the HTTP threads and enough of them wait at once to share commits.
enum class Work {
  kDefault,   // kBlocking for POST, PUT, PATCH and DELETE; kQuick otherwise
  kQuick,     // e.g. the dispense check: a POST that only reads (its audit entry does
              // not hold a thread)
  kBlocking,  // also reads that can take long: the worklist, searches, exports
};

struct Route {
  boost::beast::http::verb method;
  std::string pattern;  // "/api/v1/patients/{patient_id}/events"
  Access access = Access::kAuthenticated;
  std::string summary;  // one line, also the OpenAPI summary
  RouteHandler handler;
  Work work = Work::kDefault;

  bool Blocking() const {
    if (work != Work::kDefault) return work == Work::kBlocking;
    using boost::beast::http::verb;
    return method == verb::post || method == verb::put || method == verb::patch ||
           method == verb::delete_;
  }
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
};

class Router {
 public:
  void Add(Route route);
  // kNotFound when no pattern matches the path; kFailedPrecondition (where "route")
  // when the path exists but not for this method (the message lists the allowed ones).
  Result<RouteMatch> Match(boost::beast::http::verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Each route's pattern split at '/', made once in Add: matching runs for every
  // request against every route, so it must not split (and allocate) the patterns.
  std::vector<std::vector<std::string>> segments_;
};

}  // namespace isocourse::server
