#include "server/metrics.h"

#include <fmt/core.h>

namespace isocourse::server {

void Metrics::Observe(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mu_);
  auto key = std::make_tuple(method, route, status);
  auto it = requests_.find(key);
  if (it == requests_.end())
    it = requests_.emplace(std::make_tuple(std::string(method), std::string(route), status), 0)
             .first;
  ++it->second;
  auto lt = latency_.find(route);
  if (lt == latency_.end()) lt = latency_.emplace(std::string(route), Histogram{}).first;
  Histogram& h = lt->second;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const store::StoreStats& store, double uptime_seconds) const {
  std::string out;
  out += "# HELP isocourse_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE isocourse_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format(
        "isocourse_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method,
        route, status, n);
  }
  out += "# HELP isocourse_http_errors_total HTTP responses with a 4xx or 5xx status.\n";
  out += "# TYPE isocourse_http_errors_total counter\n";
  std::map<std::pair<std::string, std::string>, uint64_t> errors;
  for (const auto& [key, n] : requests_) {
    int status = std::get<2>(key);
    if (status >= 400) errors[{std::get<1>(key), status >= 500 ? "5xx" : "4xx"}] += n;
  }
  for (const auto& [key, n] : errors) {
    out += fmt::format("isocourse_http_errors_total{{route=\"{}\",class=\"{}\"}} {}\n", key.first,
                       key.second, n);
  }
  out += "# HELP isocourse_http_request_duration_seconds Time to handle a request.\n";
  out += "# TYPE isocourse_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format(
          "isocourse_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
          kBuckets[i], h.buckets[i]);
    }
    out += fmt::format(
        "isocourse_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
        h.count);
    out += fmt::format("isocourse_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route,
                       h.sum);
    out += fmt::format("isocourse_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route,
                       h.count);
  }
  out += "# HELP isocourse_http_in_flight Requests being handled now.\n";
  out += "# TYPE isocourse_http_in_flight gauge\n";
  out += fmt::format("isocourse_http_in_flight {}\n", in_flight_.load());
  out += "# HELP isocourse_store_commits_total Durable store transactions (group commits).\n";
  out += "# TYPE isocourse_store_commits_total counter\n";
  out += fmt::format("isocourse_store_commits_total {}\n", store.commits);
  out += "# HELP isocourse_store_writes_total Store writes (several may share one commit).\n";
  out += "# TYPE isocourse_store_writes_total counter\n";
  out += fmt::format("isocourse_store_writes_total {}\n", store.writes);
  out += "# HELP isocourse_store_events_appended_total Timeline events written.\n";
  out += "# TYPE isocourse_store_events_appended_total counter\n";
  out += fmt::format("isocourse_store_events_appended_total {}\n", store.events_appended);
  out += "# HELP isocourse_uptime_seconds Seconds since the server started.\n";
  out += "# TYPE isocourse_uptime_seconds gauge\n";
  out += fmt::format("isocourse_uptime_seconds {:.3f}\n", uptime_seconds);
  return out;
}

}  // namespace isocourse::server
