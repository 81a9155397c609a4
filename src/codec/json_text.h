// File: json_text.h
//
// Reading JSON text, shared by the codec's document decoders and the server's request
// bodies: a parse that says where it stopped (line and column, for the user to find the
// mistake) and the wording for a value's JSON type in error messages.
#pragma once

#include <boost/json/kind.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace isocourse::codec {

// Why a text is not JSON and where parsing stopped (1-based line and column).
struct JsonSyntaxError {
  std::string reason;  // Boost.JSON's message: "syntax error", "extra data", "too deep"...
  size_t line = 1;
  size_t column = 1;
};

// Parses exactly one JSON value (nesting at most 32 deep; only white space may follow
// it). The caller words the error for its own input.
std::expected<boost::json::value, JsonSyntaxError> ParseJsonLocated(std::string_view text);

// "null", "a boolean", "a number", "a string", "an array", "an object": for messages
// such as "expected a number, got a string".
const char* JsonKindName(boost::json::kind k);

}  // namespace isocourse::codec
