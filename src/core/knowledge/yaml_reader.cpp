#include "core/knowledge/yaml_reader.h"

#include <cmath>
#include <regex>

namespace isocourse::kb {

namespace {
std::string Describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

std::optional<double> AsNumber(const YAML::Node& n) {
  if (!n.IsScalar()) return std::nullopt;
  try {
    size_t used = 0;
    const std::string& s = n.Scalar();
    double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::string FormatNumber(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}
}  // namespace

void Diagnostics::Add(const std::string& file, int line, std::string message) {
  errors_.push_back(Error{
      ErrorCode::kInvalidArgument, std::move(message), file + ":" + std::to_string(line), {}});
}

void Diagnostics::NoteCitation(const std::string& source, const std::string& file, int line) {
  if (!source.empty()) cites_.push_back(Pending{source, file, line});
}

void Diagnostics::RegisterId(const std::string& key, const std::string& file, int line) {
  std::string here = file + ":" + std::to_string(line);
  auto [it, inserted] = ids_.emplace(key, here);
  if (!inserted) Add(file, line, "id '" + key + "' is already defined at " + it->second);
}

void Diagnostics::CheckCitations(const KnowledgeBase& kb) {
  for (const Pending& p : cites_) {
    if (!kb.sources.contains(p.source)) {
      Add(p.file, p.line, "citation source '" + p.source + "' is not defined in sources.yaml");
    }
  }
}

ItemReader::ItemReader(const YAML::Node& node, const std::string& file, Diagnostics& diag)
    : node_(node), file_(file), diag_(&diag), line_(node.Mark().line + 1) {
  if (!node_.IsMap()) {
    diag_->Add(file_, line_, "expected a mapping of fields, found " + Describe(node_));
  }
  if (node_.IsMap() && node_["id"] && node_["id"].IsScalar()) id_ = node_["id"].Scalar();
}

std::string ItemReader::Label(std::string_view field) const {
  std::string out;
  if (!id_.empty()) out = "item '" + id_ + "': ";
  if (!field.empty()) out += "field '" + std::string(field) + "': ";
  return out;
}

void ItemReader::Problem(std::string_view field, std::string message) {
  int line = line_;
  if (node_.IsMap() && !field.empty() && node_[std::string(field)]) {
    line = node_[std::string(field)].Mark().line + 1;
  }
  diag_->Add(file_, line, Label(field) + message);
}

bool ItemReader::Has(std::string_view field) const {
  return node_.IsMap() && node_[std::string(field)] && !node_[std::string(field)].IsNull();
}

std::optional<YAML::Node> ItemReader::Get(std::string_view field, bool required) {
  if (!node_.IsMap()) return std::nullopt;
  YAML::Node n = node_[std::string(field)];
  if (!n || n.IsNull()) {
    if (required) Problem(field, "is missing");
    return std::nullopt;
  }
  return n;
}

std::string ItemReader::Id() {
  std::string id = String("id");
  static const std::regex kIdShape("^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$");
  if (!id.empty() && !std::regex_match(id, kIdShape)) {
    Problem("id", "'" + id +
                      "' is not a valid id; expected lowercase dotted words like "
                      "'dose.max.standard'");
  }
  return id;
}

ItemMeta ItemReader::Meta() {
  ItemMeta m;
  m.id = Id();
  m.citation = Cite();
  m.jurisdictions = Jurisdictions();
  m.note = OptString("note").value_or("");
  m.file = file_;
  m.line = line_;
  if (!m.id.empty()) {
    if (m.jurisdictions.empty()) {
      diag_->RegisterId(m.id, file_, line_);
    } else {
      for (Jurisdiction j : m.jurisdictions) {
        diag_->RegisterId(m.id + "@" + JurisdictionName(j), file_, line_);
      }
    }
  }
  return m;
}

std::string ItemReader::String(std::string_view field) { return OptStringImpl(field, true); }

std::optional<std::string> ItemReader::OptString(std::string_view field) {
  if (!Has(field)) return std::nullopt;
  return OptStringImpl(field, false);
}

double ItemReader::Number(std::string_view field, double min, double max) {
  auto n = Get(field, true);
  if (!n) return min;
  return CheckNumber(field, *n, min, max);
}

std::optional<double> ItemReader::OptNumber(std::string_view field, double min, double max) {
  auto n = Get(field, false);
  if (!n) return std::nullopt;
  return CheckNumber(field, *n, min, max);
}

int ItemReader::Integer(std::string_view field, int min, int max) {
  double v = Number(field, min, max);
  if (v != std::floor(v)) {
    Problem(field, "expected a whole number, found " + FormatNumber(v));
  }
  return static_cast<int>(v);
}

std::optional<int> ItemReader::OptInteger(std::string_view field, int min, int max) {
  if (!Has(field)) return std::nullopt;
  return Integer(field, min, max);
}

bool ItemReader::Bool(std::string_view field, bool default_value) {
  auto n = Get(field, false);
  if (!n) return default_value;
  if (n->IsScalar()) {
    const std::string& s = n->Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  Problem(field, "expected true or false, found " + Describe(*n));
  return default_value;
}

std::vector<std::string> ItemReader::StringList(std::string_view field, bool required) {
  std::vector<std::string> out;
  auto n = Get(field, required);
  if (!n) return out;
  if (!n->IsSequence()) {
    Problem(field, "expected a list of text values, found " + Describe(*n));
    return out;
  }
  for (const auto& e : *n) {
    if (!e.IsScalar() || e.Scalar().empty()) {
      Problem(field, "expected text in every entry, found " + Describe(e));
      continue;
    }
    out.push_back(e.Scalar());
  }
  if (required && out.empty()) Problem(field, "must not be empty");
  return out;
}

std::vector<double> ItemReader::NumberList(std::string_view field, double min, double max,
                                           bool required) {
  std::vector<double> out;
  auto n = Get(field, required);
  if (!n) return out;
  if (!n->IsSequence()) {
    Problem(field, "expected a list of numbers, found " + Describe(*n));
    return out;
  }
  for (const auto& e : *n) out.push_back(CheckNumber(field, e, min, max));
  if (required && out.empty()) Problem(field, "must not be empty");
  return out;
}

std::string ItemReader::Enum(std::string_view field,
                             std::initializer_list<std::string_view> allowed) {
  std::string v = String(field);
  if (v.empty()) return v;
  for (std::string_view a : allowed) {
    if (v == a) return v;
  }
  std::string list;
  for (std::string_view a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  Problem(field, "'" + v + "' is not allowed; expected one of: " + list);
  return "";
}

Citation ItemReader::Cite(std::string_view field) {
  Citation c;
  auto n = Get(field, true);
  if (!n) return c;
  if (!n->IsMap()) {
    Problem(field, "expected {source: KEY, locator: WHERE}, found " + Describe(*n));
    return c;
  }
  ItemReader sub(*n, file_, *diag_);
  sub.id_ = id_;
  c.source = sub.String("source");
  c.locator = sub.OptString("locator").value_or("");
  sub.RejectUnknown({"source", "locator"});
  diag_->NoteCitation(c.source, file_, n->Mark().line + 1);
  return c;
}

std::vector<Jurisdiction> ItemReader::Jurisdictions(std::string_view field) {
  std::vector<Jurisdiction> out;
  auto n = Get(field, false);
  if (!n) return out;
  std::vector<std::string> names;
  if (n->IsScalar()) {
    names.push_back(n->Scalar());
  } else {
    names = StringList(field, true);
  }
  for (const std::string& s : names) {
    if (auto j = ParseJurisdiction(s)) {
      out.push_back(*j);
    } else {
      Problem(field, "'" + s + "' is not a jurisdiction; expected US, EU or UK");
    }
  }
  return out;
}

std::vector<ItemReader> ItemReader::List(std::string_view field, bool required) {
  std::vector<ItemReader> out;
  auto n = Get(field, required);
  if (!n) return out;
  if (!n->IsSequence()) {
    Problem(field, "expected a list, found " + Describe(*n));
    return out;
  }
  for (const auto& e : *n) {
    ItemReader r(e, file_, *diag_);
    if (r.id_.empty()) r.id_ = id_;
    out.push_back(std::move(r));
  }
  if (required && out.empty()) Problem(field, "must not be empty");
  return out;
}

std::optional<ItemReader> ItemReader::Map(std::string_view field, bool required) {
  auto n = Get(field, required);
  if (!n) return std::nullopt;
  ItemReader r(*n, file_, *diag_);
  if (r.id_.empty()) r.id_ = id_;
  return r;
}

void ItemReader::RejectUnknown(std::initializer_list<std::string_view> known) {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    bool ok = false;
    for (std::string_view k : known) ok = ok || key == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) {
        if (!list.empty()) list += ", ";
        list += k;
      }
      diag_->Add(file_, kv.first.Mark().line + 1,
                 Label("") + "unknown field '" + key + "'; expected one of: " + list);
    }
  }
}

std::string ItemReader::OptStringImpl(std::string_view field, bool required) {
  auto n = Get(field, required);
  if (!n) return "";
  if (!n->IsScalar()) {
    Problem(field, "expected text, found " + Describe(*n));
    return "";
  }
  if (required && n->Scalar().empty()) Problem(field, "must not be empty");
  return n->Scalar();
}

double ItemReader::CheckNumber(std::string_view field, const YAML::Node& n, double min,
                               double max) {
  auto v = AsNumber(n);
  if (!v) {
    Problem(field, "expected a number, found " + Describe(n));
    return min;
  }
  if (*v < min || *v > max) {
    Problem(field, FormatNumber(*v) + " is out of range; expected " + FormatNumber(min) + " to " +
                       FormatNumber(max));
  }
  return *v;
}

}  // namespace isocourse::kb
