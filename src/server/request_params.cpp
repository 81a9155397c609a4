#include "server/request_params.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "server/errors.h"

namespace isocourse::server {

Result<int64_t> QueryInteger(const RequestContext& c, std::string_view name, int64_t def,
                             int64_t min, int64_t max) {
  auto v = c.Query(name);
  if (!v) return def;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size())
    return InvalidArgument(std::string(name), "'" + v->substr(0, 40) + "' is not an integer");
  if (n < min || n > max)
    return InvalidArgument(std::string(name), std::to_string(n) + " is out of range; expected " +
                                                  std::to_string(min) + " to " +
                                                  std::to_string(max));
  return n;
}

Result<std::string> IdempotencyKeyHeader(const RequestContext& c) {
  constexpr size_t kMax = 200;
  std::string key(c.Header("Idempotency-Key"));
  if (key.size() > kMax)
    return InvalidArgument("Idempotency-Key",
                           "longer than " + std::to_string(kMax) + " characters");
  for (char ch : key) {
    if (ch < 0x21 || ch > 0x7e)
      return InvalidArgument("Idempotency-Key", "must be printable ASCII without spaces");
  }
  return key;
}

std::string QueryEncode(std::string_view v) {
  std::string enc;
  for (unsigned char ch : v) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      enc += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      enc += buf;
    }
  }
  return enc;
}

}  // namespace isocourse::server
