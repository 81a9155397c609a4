#include "server/log.h"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <mutex>
#include <string>

#include "store/store.h"

namespace isocourse::server {

void Logger::Log(LogLevel level, std::string_view msg, boost::json::object fields) const {
  if (!enabled_ || level < min_) return;
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  boost::json::object line;
  line["ts"] = store::SystemNow();
  line["level"] = kNames[static_cast<int>(level)];
  line["msg"] = msg;
  for (auto& kv : fields) line[kv.key()] = std::move(kv.value());
  std::string text = boost::json::serialize(line);
  text += '\n';
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace isocourse::server
