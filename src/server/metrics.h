// File: metrics.h
//
// Counters and latency histograms for /metrics in the Prometheus text format. Labels
// are route patterns ("/api/v1/patients/{patient_id}"), never concrete paths, so no
// patient id reaches a metric.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "store/store.h"

namespace isocourse::server {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void Observe(std::string_view method, std::string_view route, int status, double seconds);
  void InFlight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }
  // The exposition text, with the store's counters appended.
  std::string Render(const store::StoreStats& store, double uptime_seconds) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> requests_;
  std::map<std::string, Histogram, std::less<>> latency_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace isocourse::server
