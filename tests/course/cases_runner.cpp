// The case-file runner: every tests/cases/**/*.yaml is one CTest entry. The format is
// documented in tests/cases/README.md. A case holds a timeline, an as-of date,
// optional settings and the expected assessment; it is evaluated through the same
// codec and engine as `isocourse evaluate --json`.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "codec/assessment_json.h"
#include "codec/timeline_json.h"
#include "core/course/evaluate.h"
#include "store/knowledge_files.h"

namespace isocourse {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kCasesDir = fs::path(ISOCOURSE_TEST_SOURCE_DIR) / "tests" / "cases";

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  if (!fs::exists(kCasesDir)) return out;
  for (auto it = fs::recursive_directory_iterator(kCasesDir);
       it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename().string().starts_with("_")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".yaml") {
      out.push_back(fs::relative(it->path(), kCasesDir).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const KnowledgeBase& Kb() {
  static const KnowledgeBase kb = [] {
    const char* env = std::getenv("ISOCOURSE_KNOWLEDGE");
    auto loaded = store::LoadKnowledgeDir(env && *env ? env : ISOCOURSE_TEST_KNOWLEDGE_DIR);
    if (!loaded) {
      ADD_FAILURE() << "knowledge did not load: " << loaded.error().ToString();
      return KnowledgeBase{};
    }
    return *std::move(loaded);
  }();
  return kb;
}

// YAML -> JSON. Quoted scalars stay strings; plain scalars become numbers, booleans
// or null when they look like one.
json::value ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const YAML::Node& e : n) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return json::value(s);  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      static const std::regex kInt("^-?[0-9]+$");
      static const std::regex kFloat(
          "^-?[0-9]*\\.[0-9]+([eE][-+]?[0-9]+)?$|^-?[0-9]+[eE][-+]?[0-9]+$");
      if (std::regex_match(s, kInt)) return std::stoll(s);
      if (std::regex_match(s, kFloat)) return std::stod(s);
      return json::value(s);
    }
  }
  return nullptr;
}

std::string Show(const json::value& v) { return json::serialize(v); }

bool ScalarEquals(const json::value& expected, const json::value& actual) {
  if (expected.is_number() && actual.is_number()) {
    return std::abs(expected.to_number<double>() - actual.to_number<double>()) <= 0.01;
  }
  if (expected.is_null()) return actual.is_null();
  if (expected.is_string() && actual.is_string())
    return expected.get_string() == actual.get_string();
  if (expected.is_bool() && actual.is_bool()) return expected.get_bool() == actual.get_bool();
  // A YAML date or id written bare may come as a string while the JSON holds the same
  // text; compare textual forms otherwise.
  return Show(expected) == Show(actual);
}

// Does `element` match every key of `pattern`?
bool Matches(const json::object& pattern, const json::value& element) {
  if (!element.is_object()) return false;
  const json::object& e = element.get_object();
  for (const auto& kv : pattern) {
    const json::value* actual = nullptr;
    std::string_view key = kv.key();
    if (key == "rule") {
      const json::value* ex = e.if_contains("explanation");
      if (ex && ex->is_object()) actual = ex->get_object().if_contains("rule_id");
    } else if (key == "rule_pack") {
      const json::value* ex = e.if_contains("explanation");
      if (ex && ex->is_object()) actual = ex->get_object().if_contains("rule_pack");
    } else if (key == "reason") {
      // Some element of the element's `reasons` has this code.
      const json::value* rs = e.if_contains("reasons");
      bool found = false;
      if (rs && rs->is_array()) {
        for (const json::value& r : rs->get_array()) {
          const json::value* code = r.is_object() ? r.get_object().if_contains("code") : nullptr;
          if (code && ScalarEquals(kv.value(), *code)) found = true;
        }
      }
      if (!found) return false;
      continue;
    } else if (key == "message_contains") {
      const json::value* m = e.if_contains("message");
      if (!m || !m->is_string() || !kv.value().is_string() ||
          std::string_view(m->get_string()).find(std::string_view(kv.value().get_string())) ==
              std::string_view::npos)
        return false;
      continue;
    } else {
      actual = e.if_contains(key);
    }
    if (!actual) return kv.value().is_null();
    if (!ScalarEquals(kv.value(), *actual)) return false;
  }
  return true;
}

json::object Pattern(const json::value& v, const char* bare_key) {
  if (v.is_object()) return v.get_object();
  json::object o;
  o[bare_key] = v;
  return o;
}

const json::value* At(const json::value& root, std::string_view pointer) {
  json::error_code ec;
  const json::value* v = root.find_pointer(pointer, ec);
  return ec ? nullptr : v;
}

struct ListCheck {
  const char* key;
  const char* pointer;
  const char* bare;
};
constexpr ListCheck kLists[] = {
    {"alerts", "/alerts", "id"},
    {"tasks", "/tasks", "rule"},
    {"findings", "/candidacy/findings", "id"},
    {"labs", "/labs/results", "event"},
    {"prescribe_reasons", "/may_prescribe/reasons", "code"},
    {"dispense_reasons", "/may_dispense/reasons", "code"},
    {"candidacy_reasons", "/candidacy/reasons", "rule"},
    {"dose_notes", "/dose/notes", "code"},
    {"program_notes", "/program/notes", "code"},
};

void CheckList(const json::value& out, const YAML::Node& expect, const ListCheck& lc, bool absent) {
  std::string key = absent ? std::string("absent_") + lc.key : lc.key;
  if (!expect[key]) return;
  const json::value* arr = At(out, lc.pointer);
  ASSERT_NE(arr, nullptr) << lc.pointer << " missing from the assessment";
  ASSERT_TRUE(arr->is_array());
  json::value want = ToJson(expect[key]);
  ASSERT_TRUE(want.is_array()) << key << " must be a list";
  for (const json::value& w : want.get_array()) {
    json::object pattern = Pattern(w, absent ? "rule" : lc.bare);
    bool found = std::any_of(arr->get_array().begin(), arr->get_array().end(),
                             [&](const json::value& e) { return Matches(pattern, e); });
    if (absent) {
      // A bare id in absent_alerts also matches by alert id.
      if (!found && !w.is_object() && std::string_view(lc.key) == "alerts") {
        json::object by_id;
        by_id["id"] = w;
        found = std::any_of(arr->get_array().begin(), arr->get_array().end(),
                            [&](const json::value& e) { return Matches(by_id, e); });
      }
      EXPECT_FALSE(found) << key << ": expected no element matching " << Show(pattern)
                          << "\nfound in " << lc.pointer << ": " << Show(*arr);
    } else {
      EXPECT_TRUE(found) << key << ": no element matches " << Show(pattern) << "\n"
                         << lc.pointer << " = " << Show(*arr);
    }
  }
}

class CaseFile : public testing::TestWithParam<std::string> {};

TEST_P(CaseFile, Run) {
  const fs::path path = kCasesDir / GetParam();
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    FAIL() << path << ": not valid YAML: " << e.what();
  }
  ASSERT_TRUE(doc.IsMap()) << path << ": expected a mapping";
  const std::vector<std::string> known = {"name",     "rationale", "source",   "as_of",
                                          "settings", "base",      "timeline", "expect"};
  for (const auto& kv : doc) {
    EXPECT_NE(std::find(known.begin(), known.end(), kv.first.Scalar()), known.end())
        << path << ": unknown top-level key '" << kv.first.Scalar() << "'";
  }
  for (const char* required : {"name", "rationale", "source", "as_of", "expect"}) {
    ASSERT_TRUE(doc[required]) << path << ": '" << required << "' is required";
  }
  RecordProperty("rationale", doc["rationale"].Scalar());
  SCOPED_TRACE(doc["name"].Scalar() + " -- " + doc["rationale"].Scalar() + " (" +
               doc["source"].Scalar() + ")");

  // Timeline: base events first.
  json::object timeline;
  json::array events;
  if (doc["base"]) {
    YAML::Node base = YAML::LoadFile((kCasesDir / doc["base"].Scalar()).string());
    ASSERT_TRUE(base["timeline"]) << "base file has no timeline";
    json::value b = ToJson(base["timeline"]);
    if (const json::value* p = b.get_object().if_contains("patient")) timeline["patient"] = *p;
    for (const json::value& e : b.get_object().at("events").get_array()) events.push_back(e);
  }
  if (doc["timeline"]) {
    json::value t = ToJson(doc["timeline"]);
    ASSERT_TRUE(t.is_object()) << "timeline must be a mapping";
    for (const auto& kv : t.get_object()) {
      if (kv.key() == "events") {
        if (kv.value().is_array()) {
          for (const json::value& e : kv.value().get_array()) events.push_back(e);
        }
      } else {
        timeline[kv.key()] = kv.value();
      }
    }
  }
  timeline["events"] = std::move(events);

  const YAML::Node expect = doc["expect"];
  auto as_of = Date::Parse(doc["as_of"].Scalar(), "as_of");
  ASSERT_TRUE(as_of.has_value()) << as_of.error().ToString();

  course::Settings settings;
  if (doc["settings"]) {
    auto s = codec::SettingsFromJson(ToJson(doc["settings"]));
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    settings = *s;
  }

  Result<course::Assessment> result = [&]() -> Result<course::Assessment> {
    ISO_ASSIGN_OR_RETURN(course::Timeline t, codec::TimelineFromJson(timeline));
    // The Assessment refers to nothing in the timeline, so `t` may go.
    return course::Evaluate(t, Kb(), *as_of, settings);
  }();

  if (expect["error"]) {
    ASSERT_FALSE(result.has_value()) << "expected an error, got an assessment";
    const Error& e = result.error();
    std::string all = e.ToString();
    if (expect["error"]["where"]) {
      // The first problem or any of the others found in the same pass.
      const std::string want = expect["error"]["where"].Scalar();
      bool found = e.where.find(want) != std::string::npos;
      for (const Error& d : e.details) found = found || d.where.find(want) != std::string::npos;
      EXPECT_TRUE(found) << "no error where contains '" << want << "': " << all;
    }
    if (expect["error"]["message"]) {
      EXPECT_NE(all.find(expect["error"]["message"].Scalar()), std::string::npos)
          << "error = " << all;
    }
    return;
  }
  ASSERT_TRUE(result.has_value()) << "evaluation failed: " << result.error().ToString();
  const json::value out = codec::AssessmentToJson(*result);

  // DueTasks (the worklist entry point) gives exactly the assessment's tasks.
  {
    auto t = codec::TimelineFromJson(timeline);
    ASSERT_TRUE(t.has_value());
    auto tasks = course::DueTasks(*t, Kb(), *as_of, settings);
    ASSERT_TRUE(tasks.has_value()) << tasks.error().ToString();
    json::array got;
    for (const course::Task& task : *tasks) got.push_back(codec::TaskToJson(task));
    EXPECT_EQ(json::serialize(got), json::serialize(out.at("tasks")))
        << "DueTasks differs from Evaluate().tasks";
  }

  auto check_scalar = [&](const char* key, std::string_view pointer) {
    if (!expect[key]) return;
    const json::value* v = At(out, pointer);
    ASSERT_NE(v, nullptr) << pointer;
    json::value want = ToJson(expect[key]);
    EXPECT_TRUE(ScalarEquals(want, *v))
        << key << ": expected " << Show(want) << ", got " << Show(*v) << " at " << pointer;
  };
  check_scalar("phase", "/phase");
  check_scalar("candidacy", "/candidacy/verdict");
  check_scalar("may_prescribe", "/may_prescribe/allowed");
  check_scalar("may_dispense", "/may_dispense/allowed");
  check_scalar("dispense_by", "/may_dispense/by");
  for (const ListCheck& lc : kLists) {
    CheckList(out, expect, lc, false);
    CheckList(out, expect, lc, true);
  }
  if (expect["values"]) {
    for (const auto& kv : expect["values"]) {
      const std::string pointer = kv.first.Scalar();
      const json::value* v = At(out, pointer);
      json::value want = ToJson(kv.second);
      if (want.is_null()) {
        EXPECT_TRUE(!v || v->is_null()) << pointer << ": expected null/absent, got " << Show(*v);
        continue;
      }
      ASSERT_NE(v, nullptr) << pointer << " is not in the assessment";
      if (want.is_object() && want.get_object().contains("approx")) {
        double target = want.at("approx").to_number<double>();
        double tol = want.get_object().contains("tolerance")
                         ? want.at("tolerance").to_number<double>()
                         : 0.01;
        ASSERT_TRUE(v->is_number()) << pointer << " is " << Show(*v);
        EXPECT_NEAR(v->to_number<double>(), target, tol) << pointer;
      } else {
        EXPECT_TRUE(ScalarEquals(want, *v))
            << pointer << ": expected " << Show(want) << ", got " << Show(*v);
      }
    }
  }
  for (const auto& kv : expect) {
    static const std::vector<std::string> keys = {"error",
                                                  "phase",
                                                  "candidacy",
                                                  "may_prescribe",
                                                  "may_dispense",
                                                  "dispense_by",
                                                  "values",
                                                  "alerts",
                                                  "tasks",
                                                  "findings",
                                                  "labs",
                                                  "prescribe_reasons",
                                                  "dispense_reasons",
                                                  "candidacy_reasons",
                                                  "dose_notes",
                                                  "program_notes",
                                                  "absent_alerts",
                                                  "absent_tasks",
                                                  "absent_findings",
                                                  "absent_labs",
                                                  "absent_prescribe_reasons",
                                                  "absent_dispense_reasons",
                                                  "absent_candidacy_reasons",
                                                  "absent_dose_notes",
                                                  "absent_program_notes"};
    EXPECT_NE(std::find(keys.begin(), keys.end(), kv.first.Scalar()), keys.end())
        << "unknown expect key '" << kv.first.Scalar() << "'";
  }
  if (HasFailure()) {
    std::cerr << "assessment:\n" << codec::PrettyJson(out);
  }
}

std::string CaseName(const testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  if (s.size() > 5 && s.ends_with(".yaml")) s.resize(s.size() - 5);
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, CaseFile, testing::ValuesIn(CaseFiles()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CaseFile);

}  // namespace
}  // namespace isocourse
