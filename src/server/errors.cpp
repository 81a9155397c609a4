#include "server/errors.h"

#include <boost/json/array.hpp>

#include "store/store.h"

namespace isocourse::server {

int HttpStatusFor(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kFailedPrecondition:
      // A request that is well-formed but cannot apply in the current state (e.g. a
      // method the route does not have, logging out an API token).
      return e.where == kWhereRoute ? 405 : 422;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kResourceExhausted:
      if (e.where == kWhereBody) return 413;
      if (e.where == kWhereHeaders) return 431;
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

namespace {
const char* Title(int status) {
  switch (status) {
    case 400:
      return "Bad request";
    case 401:
      return "Not authenticated";
    case 403:
      return "Forbidden";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Request body too large";
    case 422:
      return "Cannot be processed";
    case 429:
      return "Too many requests";
    case 431:
      return "Request headers too large";
    case 503:
      return "Service unavailable";
    default:
      return "Internal server error";
  }
}
}  // namespace

boost::json::object ProblemFor(const Error& e, std::string_view instance) {
  int status = HttpStatusFor(e);
  boost::json::object o;
  o["type"] = std::string("https://isocourse.dev/problems/") + ErrorCodeName(e.code);
  o["title"] = Title(status);
  o["status"] = status;
  // An internal error's message may describe the server's insides; say less.
  o["detail"] =
      e.code == ErrorCode::kInternal ? "an internal error occurred; it has been logged" : e.message;
  if (!e.where.empty()) o["where"] = e.where;
  o["code"] = ErrorCodeName(e.code);
  if (auto current = store::ConflictCurrentVersion(e)) {
    o["current_version"] = *current;
  } else if (!e.details.empty() && e.code != ErrorCode::kInternal) {
    boost::json::array errs;
    for (const Error& d : e.details) {
      boost::json::object x;
      x["where"] = d.where;
      x["detail"] = d.message;
      errs.push_back(std::move(x));
    }
    o["errors"] = std::move(errs);
  }
  o["instance"] = instance;
  return o;
}

}  // namespace isocourse::server
