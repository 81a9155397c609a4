// File: log.h
//
// Structured logs: one JSON object per line on stderr. Callers pass only operational
// fields (route pattern, status, timings, user id, request id); never names, dates of
// birth, payloads or concrete paths, so no patient data reaches a log.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace isocourse::server {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Logger {
 public:
  Logger() = default;
  explicit Logger(LogLevel min, bool enabled = true) : min_(min), enabled_(enabled) {}
  void Log(LogLevel level, std::string_view msg, boost::json::object fields = {}) const;
  // Whether a line at `level` would be written (skip building fields nobody reads).
  bool Enabled(LogLevel level) const { return enabled_ && level >= min_; }
  void Info(std::string_view msg, boost::json::object fields = {}) const {
    Log(LogLevel::kInfo, msg, std::move(fields));
  }
  void Warn(std::string_view msg, boost::json::object fields = {}) const {
    Log(LogLevel::kWarn, msg, std::move(fields));
  }
  void Error(std::string_view msg, boost::json::object fields = {}) const {
    Log(LogLevel::kError, msg, std::move(fields));
  }

 private:
  LogLevel min_ = LogLevel::kInfo;
  bool enabled_ = true;
};

}  // namespace isocourse::server
