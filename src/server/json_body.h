// File: json_body.h
//
// Strict reading of JSON request bodies: the body must be one JSON object; each field
// is read with its expected type; unknown fields are an error. Every problem is
// collected and reported with the field's path ("events[2].date"), the first one as
// the error's message and all of them in `details`.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace isocourse::server {

// Parses `body` as a JSON object. Errors (kInvalidArgument, where "body"): empty body,
// not JSON (with line and column), not an object.
Result<boost::json::object> ParseJsonObject(std::string_view body);

class Problems {
 public:
  void Add(std::string where, std::string message) {
    list_.push_back(Error{ErrorCode::kInvalidArgument, std::move(message), std::move(where), {}});
  }
  void Add(const Error& e) { list_.push_back(e); }
  bool empty() const { return list_.empty(); }
  // The first problem, carrying all of them in details; ok when there are none.
  Status ToStatus() const;

 private:
  std::vector<Error> list_;
};

class FieldReader {
 public:
  // `prefix` is the path of this object ("" for the body, "events[0]" for an element).
  FieldReader(const boost::json::object& o, std::string prefix, Problems& problems)
      : o_(o), prefix_(std::move(prefix)), p_(problems) {}

  std::string Path(std::string_view key) const;

  // Text fields are trimmed of nothing and must be valid UTF-8 (Boost.JSON checks);
  // max_len counts bytes. Control characters are refused.
  std::optional<std::string> String(std::string_view key, bool required, size_t max_len = 200);
  std::optional<int64_t> Int(std::string_view key, bool required, int64_t min, int64_t max);
  std::optional<Date> DateField(std::string_view key, bool required);
  std::optional<std::string> OneOf(std::string_view key, bool required,
                                   std::initializer_list<std::string_view> allowed);
  const boost::json::object* Object(std::string_view key, bool required);
  const boost::json::array* Array(std::string_view key, bool required);
  // Marks keys as known without reading them.
  void Known(std::initializer_list<std::string_view> keys);
  // Reports every field that was not read or marked known.
  void RejectUnknown();

 private:
  const boost::json::value* Get(std::string_view key, bool required);
  void WrongType(std::string_view key, std::string_view expected, const boost::json::value& v);
  const boost::json::object& o_;
  std::string prefix_;
  Problems& p_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace isocourse::server
