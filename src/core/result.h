// File: result.h
//
// Errors that cross a module boundary are values, never exceptions (see
// docs/architecture.md). `Result<T>` is either a T or an `Error`. A clinical rule
// that refuses something is not an error: it is a `Decision` with reasons.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace isocourse {

// A small canonical set, after absl::StatusCode. Return the most specific one.
enum class ErrorCode {
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // a create would duplicate
  kFailedPrecondition,  // the system is not in a state where this can run
  kConflict,            // a concurrent write won (stale version)
  kUnavailable,         // a dependency (disk, database) cannot be reached now
  kUnauthenticated,     // no valid credentials were presented (server: login, tokens)
  kPermissionDenied,    // the caller is known but may not do this
  kResourceExhausted,   // a limit was hit (too many attempts, body too large); retry later
  kInternal,            // a broken invariant; a bug
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  // What was wrong, in words a user can act on.
  std::string message;
  // Where: a field path ("weight_kg"), a CLI option ("--weight") or a file position
  // ("knowledge/products.yaml:12"). Empty when not applicable.
  std::string where;
  // Further errors found in the same pass (e.g. every problem in a knowledge file).
  std::vector<Error> details;

  // "where: message" or just "message".
  std::string ToString() const;
};

template <class T>
using Result = std::expected<T, Error>;

// A Result carrying nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string where, std::string message) {
  return std::unexpected(Error{code, std::move(message), std::move(where), {}});
}
inline std::unexpected<Error> InvalidArgument(std::string where, std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(where), std::move(message));
}
inline std::unexpected<Error> NotFound(std::string where, std::string message) {
  return MakeError(ErrorCode::kNotFound, std::move(where), std::move(message));
}

}  // namespace isocourse

// Propagates an error from an expression returning Result<T> or Status.
#define ISO_RETURN_IF_ERROR(expr)                                  \
  do {                                                             \
    auto iso_status_ = (expr);                                     \
    if (!iso_status_) return std::unexpected(iso_status_.error()); \
  } while (0)

#define ISO_CONCAT_INNER_(a, b) a##b
#define ISO_CONCAT_(a, b) ISO_CONCAT_INNER_(a, b)
// `ISO_ASSIGN_OR_RETURN(auto x, F());` binds the value or returns the error.
#define ISO_ASSIGN_OR_RETURN(lhs, expr) \
  ISO_ASSIGN_OR_RETURN_IMPL_(ISO_CONCAT_(iso_result_, __LINE__), lhs, expr)
#define ISO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)          \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
