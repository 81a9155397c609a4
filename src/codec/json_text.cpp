#include "codec/json_text.h"

#include <boost/json/stream_parser.hpp>

namespace isocourse::codec {

namespace json = boost::json;

std::expected<json::value, JsonSyntaxError> ParseJsonLocated(std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 32;
  json::stream_parser p({}, opt);
  json::error_code ec;
  // write() (not write_some) so text after the value is an error ("extra data"), and
  // the count it returns is where parsing stopped.
  const size_t consumed = p.write(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  if (!ec) return p.release();
  JsonSyntaxError err{ec.message(), 1, 1};
  for (size_t i = 0; i < consumed && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++err.line;
      err.column = 1;
    } else {
      ++err.column;
    }
  }
  return std::unexpected(std::move(err));
}

const char* JsonKindName(json::kind k) {
  switch (k) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

}  // namespace isocourse::codec
