#include "server/json_body.h"

#include "codec/json_text.h"

namespace isocourse::server {

namespace json = boost::json;

Result<json::object> ParseJsonObject(std::string_view body) {
  if (body.empty())
    return InvalidArgument("body", "the request body is empty; expected a JSON object");
  auto v = codec::ParseJsonLocated(body);
  if (!v) {
    return InvalidArgument("body", "the request body is not valid JSON (" + v.error().reason +
                                       " at line " + std::to_string(v.error().line) + ", column " +
                                       std::to_string(v.error().column) + ")");
  }
  if (!v->is_object())
    return InvalidArgument(
        "body", std::string("expected a JSON object, got ") + codec::JsonKindName(v->kind()));
  return std::move(v->get_object());
}

Status Problems::ToStatus() const {
  if (list_.empty()) return {};
  Error first = list_.front();
  if (list_.size() > 1) {
    first.details = list_;
    first.message += " (and " + std::to_string(list_.size() - 1) + " more problem" +
                     (list_.size() > 2 ? "s" : "") + ")";
  }
  return std::unexpected(first);
}

std::string FieldReader::Path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const json::value* FieldReader::Get(std::string_view key, bool required) {
  seen_.emplace(key);
  const json::value* v = o_.if_contains(key);
  if (!v || v->is_null()) {
    if (required) p_.Add(Path(key), "required field is missing");
    return nullptr;
  }
  return v;
}

void FieldReader::WrongType(std::string_view key, std::string_view expected, const json::value& v) {
  p_.Add(Path(key), "expected " + std::string(expected) + ", got " + codec::JsonKindName(v.kind()));
}

std::optional<std::string> FieldReader::String(std::string_view key, bool required,
                                               size_t max_len) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    WrongType(key, "a string", *v);
    return std::nullopt;
  }
  std::string s(v->get_string());
  if (s.size() > max_len) {
    p_.Add(Path(key), "is longer than " + std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7f) {
      p_.Add(Path(key), "contains a control character");
      return std::nullopt;
    }
  }
  if (required && s.empty()) {
    p_.Add(Path(key), "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> FieldReader::Int(std::string_view key, bool required, int64_t min,
                                        int64_t max) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->get_uint64());
  } else if (v->is_double() &&
             v->get_double() == static_cast<double>(static_cast<int64_t>(v->get_double()))) {
    n = static_cast<int64_t>(v->get_double());
  } else {
    WrongType(key, "an integer", *v);
    return std::nullopt;
  }
  if (n < min || n > max) {
    p_.Add(Path(key), std::to_string(n) + " is out of range; expected " + std::to_string(min) +
                          " to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<Date> FieldReader::DateField(std::string_view key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    WrongType(key, "a date string YYYY-MM-DD", *v);
    return std::nullopt;
  }
  auto d = Date::Parse(std::string_view(v->get_string()), Path(key));
  if (!d) {
    p_.Add(d.error());
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> FieldReader::OneOf(std::string_view key, bool required,
                                              std::initializer_list<std::string_view> allowed) {
  auto s = String(key, required, 64);
  if (!s) return std::nullopt;
  for (std::string_view a : allowed) {
    if (*s == a) return s;
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  p_.Add(Path(key), "'" + s->substr(0, 64) + "' is not one of: " + list);
  return std::nullopt;
}

const json::object* FieldReader::Object(std::string_view key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return nullptr;
  if (!v->is_object()) {
    WrongType(key, "an object", *v);
    return nullptr;
  }
  return &v->get_object();
}

const json::array* FieldReader::Array(std::string_view key, bool required) {
  const json::value* v = Get(key, required);
  if (!v) return nullptr;
  if (!v->is_array()) {
    WrongType(key, "an array", *v);
    return nullptr;
  }
  return &v->get_array();
}

void FieldReader::Known(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) seen_.emplace(k);
}

void FieldReader::RejectUnknown() {
  for (const auto& kv : o_) {
    if (seen_.find(std::string_view(kv.key())) == seen_.end()) {
      std::string known;
      for (const auto& s : seen_) {
        if (!known.empty()) known += ", ";
        known += s;
      }
      p_.Add(Path(kv.key()), "unknown field; known fields: " + known);
    }
  }
}

}  // namespace isocourse::server
