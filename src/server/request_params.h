// File: request_params.h
//
// Query parameters and headers that many routes read the same way: bounded integers
// (limit, cursor, after, horizon_days), the Idempotency-Key header, and percent-encoding
// for the `next` links that carry a query on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "server/api.h"

namespace isocourse::server {

// An integer query parameter, `def` when absent. Errors (kInvalidArgument) name the
// parameter: not an integer, or outside [min, max].
Result<int64_t> QueryInteger(const RequestContext& c, std::string_view name, int64_t def,
                             int64_t min, int64_t max);
// The Idempotency-Key header (empty when absent); printable ASCII, at most 200.
Result<std::string> IdempotencyKeyHeader(const RequestContext& c);
// Percent-encodes a query value.
std::string QueryEncode(std::string_view v);

}  // namespace isocourse::server
