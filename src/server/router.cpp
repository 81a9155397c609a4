#include "server/router.h"

#include <boost/beast/http/verb.hpp>

#include "server/errors.h"

namespace isocourse::server {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool MatchPattern(const std::vector<std::string>& ps, std::string_view path,
                  const std::vector<std::string_view>& xs,
                  std::map<std::string, std::string, std::less<>>& params) {
  if (ps.size() != xs.size()) return false;
  // A trailing slash is a different resource; do not guess.
  if (path.size() > 1 && path.back() == '/') return false;
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string_view p = ps[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      if (xs[i].empty()) return false;
    } else if (p != xs[i]) {
      return false;
    }
  }
  // Only a route that matches fills in its parameters.
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string_view p = ps[i];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}')
      params.emplace(std::string(p.substr(1, p.size() - 2)), std::string(xs[i]));
  }
  return true;
}

}  // namespace

void Router::Add(Route route) {
  std::vector<std::string> segments;
  for (std::string_view part : Split(route.pattern)) segments.emplace_back(part);
  segments_.push_back(std::move(segments));
  routes_.push_back(std::move(route));
}

Result<RouteMatch> Router::Match(boost::beast::http::verb method, std::string_view path) const {
  std::string allowed;
  const std::vector<std::string_view> xs = Split(path);
  for (size_t k = 0; k < routes_.size(); ++k) {
    const Route& r = routes_[k];
    std::map<std::string, std::string, std::less<>> params;
    if (!MatchPattern(segments_[k], path, xs, params)) continue;
    // HEAD is GET without the body (RFC 9110 9.3.2): monitors and link checkers use it.
    const bool head_of_get =
        method == boost::beast::http::verb::head && r.method == boost::beast::http::verb::get;
    if (r.method == method || head_of_get) return RouteMatch{&r, std::move(params)};
    if (!allowed.empty()) allowed += ", ";
    allowed += std::string(boost::beast::http::to_string(r.method));
  }
  if (!allowed.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, std::string(kWhereRoute),
                     std::string(boost::beast::http::to_string(method)) +
                         " is not allowed here; allowed: " + allowed);
  }
  return NotFound("path", "no such resource: " + std::string(path));
}

}  // namespace isocourse::server
