// The symptom checker's JSON request/response codec (codec/symptom_json.h): the shape a
// future server route exposes unchanged.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "codec/symptom_json.h"
#include "tiny_kb.h"

namespace isocourse::codec {
namespace {

namespace json = boost::json;

void ExpectError(std::string_view text, const std::string& where, const std::string& words) {
  auto r = SymptomRequestFromText(text);
  ASSERT_FALSE(r) << text;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().where, where) << r.error().ToString();
  EXPECT_NE(r.error().message.find(words), std::string::npos) << r.error().ToString();
}

TEST(SymptomCodecTest, DecodesAFullRequest) {
  auto r = SymptomRequestFromText(R"({
    "interview_id": "abc", "age": 17, "sex": "male",
    "context": {"complaint": "spots", "on_isotretinoin": true, "isotretinoin_weeks": 6,
                "pregnancy_possible": false, "problem_weeks": 10.5,
                "medications": [{"name": "doxycycline", "weeks": 12}],
                "treatments": [{"name": "BPO", "weeks": 8, "response": "no_change", "ongoing": true}]},
    "evidence": [{"id": "sx.a", "choice": "present", "source": "initial"},
                 {"id": "sx.b", "choice": "unknown"}],
    "options": {"explain": true, "max_questions": 12, "max_conditions": 3, "doctor_summary": false}
  })");
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->age, 17);
  EXPECT_EQ(r->sex, symptom::Sex::kMale);
  EXPECT_EQ(r->context.complaint, "spots");
  EXPECT_EQ(r->context.on_isotretinoin, true);
  EXPECT_EQ(r->context.isotretinoin_weeks, 6);
  EXPECT_EQ(r->context.pregnancy_possible, false);
  EXPECT_DOUBLE_EQ(*r->context.problem_weeks, 10.5);
  ASSERT_EQ(r->context.medications.size(), 1u);
  EXPECT_TRUE(r->context.medications[0].current);
  ASSERT_EQ(r->context.treatments.size(), 1u);
  EXPECT_EQ(r->context.treatments[0].response, "no_change");
  EXPECT_TRUE(r->context.treatments[0].ongoing);
  ASSERT_EQ(r->evidence.size(), 2u);
  EXPECT_EQ(r->evidence[0].source, "initial");
  EXPECT_EQ(r->evidence[1].choice, symptom::Choice::kUnknown);
  EXPECT_TRUE(r->options.explain);
  EXPECT_EQ(r->options.max_questions, 12);
  EXPECT_EQ(r->options.max_conditions, 3);
  EXPECT_FALSE(r->options.doctor_summary);

  // And back: the saved form decodes to the same request.
  auto again = SymptomRequestFromJson(SymptomRequestToJson(*r));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->evidence.size(), 2u);
  EXPECT_EQ(again->context.treatments[0].name, "BPO");
}

TEST(SymptomCodecTest, BadRequestsNameTheField) {
  ExpectError("{", "body", "not valid JSON");
  ExpectError("[]", "body", "object");
  ExpectError(R"({"sex": "female"})", "age", "required");
  ExpectError(R"({"age": 20})", "sex", "required");
  ExpectError(R"({"age": 20, "sex": "other"})", "sex", "not allowed");
  ExpectError(R"({"age": "twenty", "sex": "male"})", "age", "number");
  ExpectError(R"({"age": 20.5, "sex": "male"})", "age", "whole number");
  ExpectError(R"({"age": 20, "sex": "male", "colour": 1})", "colour", "not a known field");
  ExpectError(R"({"age": 20, "sex": "male", "context": {"weeks": 1}})", "context.weeks",
              "not a known field");
  ExpectError(R"({"age": 20, "sex": "male", "evidence": [{"choice": "present"}]})",
              "evidence[0].id", "required");
  ExpectError(R"({"age": 20, "sex": "male", "evidence": [{"id": "sx.a", "choice": "yes"}]})",
              "evidence[0].choice", "not allowed");
  ExpectError(R"({"age": 20, "sex": "male", "evidence": [{"id": "sx.a"}]})", "evidence[0].choice",
              "required");
  ExpectError(R"({"age": 20, "sex": "male", "evidence": [{"id": "sx.a", "choice": "present",
               "source": "guess"}]})",
              "evidence[0].source", "not allowed");
  ExpectError(R"({"age": 20, "sex": "male", "evidence": {}})", "evidence", "list");
  ExpectError(R"({"age": 20, "sex": "male", "context": {"medications": [{"weeks": 2}]}})",
              "context.medications[0].name", "required");
  ExpectError(R"({"age": 20, "sex": "male", "options": {"explain": "yes"}})", "options.explain",
              "true or false");
}

TEST(SymptomCodecTest, ResponseHasTheApiShape) {
  auto kb = LoadKnowledge(testing::TinySymptomFiles(), "tiny");
  ASSERT_TRUE(kb) << kb.error().ToString();
  auto req = SymptomRequestFromText(R"({"age": 30, "sex": "female",
      "evidence": [{"id": "sx.ctx.isotretinoin", "choice": "absent", "source": "context"},
                   {"id": "sx.rf.bleeding", "choice": "present", "source": "red_flag_screen"}],
      "options": {"explain": true}})");
  ASSERT_TRUE(req) << req.error().ToString();
  auto a = symptom::Assess(*req, *kb);
  ASSERT_TRUE(a) << a.error().ToString();
  json::object o = SymptomAssessmentToJson(*a);
  // Round-trip through text, as a client would see it.
  json::value v = json::parse(json::serialize(o));
  const json::object& r = v.as_object();
  ASSERT_TRUE(r.at("question").is_object());
  const json::object& q = r.at("question").as_object();
  EXPECT_EQ(q.at("type").as_string(), "single");
  EXPECT_EQ(q.at("phase").as_string(), "interview");
  ASSERT_EQ(q.at("items").as_array().size(), 1u);
  EXPECT_EQ(q.at("items").as_array()[0].as_object().at("choices").as_array().size(), 3u);
  ASSERT_TRUE(r.at("conditions").is_array());
  EXPECT_EQ(r.at("conditions").as_array()[0].as_object().at("id").as_string().size() > 0, true);
  EXPECT_FALSE(r.at("should_stop").as_bool());
  EXPECT_TRUE(r.at("has_emergency_evidence").as_bool());
  const json::object& t = r.at("triage").as_object();
  EXPECT_EQ(t.at("level").as_string(), "urgent_24h");
  EXPECT_EQ(t.at("rank").as_int64(), 3);
  EXPECT_EQ(t.at("words").as_string(), "today");
  EXPECT_EQ(t.at("rules").as_array()[0].as_object().at("id").as_string(), "redflag.bleeding");
  EXPECT_TRUE(r.at("severity").is_object());
  EXPECT_TRUE(r.at("explanations").is_array());
  EXPECT_TRUE(r.at("doctor_summary").as_object().at("text").is_string());
  EXPECT_EQ(r.at("knowledge_version").as_string(), "tiny");
}

TEST(SymptomCodecTest, FinishedInterviewHasNullQuestion) {
  auto kb = LoadKnowledge(testing::TinySymptomFiles(), "tiny");
  ASSERT_TRUE(kb);
  auto req = SymptomRequestFromText(R"({"age": 30, "sex": "female",
      "evidence": [{"id": "sx.ctx.isotretinoin", "choice": "absent"},
                   {"id": "sx.rf.bleeding", "choice": "absent"},
                   {"id": "sx.a", "choice": "present"}, {"id": "sx.b", "choice": "present"},
                   {"id": "sx.n.0", "choice": "present"}, {"id": "sx.n.1", "choice": "absent"}]})");
  ASSERT_TRUE(req);
  auto a = symptom::Assess(*req, *kb);
  ASSERT_TRUE(a) << a.error().ToString();
  json::object o = SymptomAssessmentToJson(*a);
  EXPECT_TRUE(o.at("question").is_null());
  EXPECT_TRUE(o.at("should_stop").as_bool());
  EXPECT_EQ(o.at("stop_reason").as_string(), "confident");
  EXPECT_FALSE(o.contains("explanations"));
}

TEST(SymptomCodecTest, CatalogueListsFindingsGroupsConditionsAndLevels) {
  auto kb = LoadKnowledge(testing::TinySymptomFiles(), "tiny");
  ASSERT_TRUE(kb);
  json::object c = SymptomCatalogueToJson(*kb);
  EXPECT_EQ(c.at("findings").as_array().size(), kb->symptom->findings.size());
  EXPECT_EQ(c.at("groups").as_array().size(), 1u);
  EXPECT_EQ(c.at("conditions").as_array().size(), 4u);
  EXPECT_EQ(c.at("triage_levels").as_array().size(), 5u);
  const json::object& first = c.at("findings").as_array()[0].as_object();
  EXPECT_EQ(first.at("id").as_string(), "sx.ctx.isotretinoin");
  EXPECT_EQ(first.at("phase").as_string(), "context");
}

}  // namespace
}  // namespace isocourse::codec
