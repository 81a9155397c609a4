// The public symptom checker over real HTTP: no login, a stateless interview that asks
// the context and the red-flag screen first, answers a red flag with emergency triage,
// lists its finding catalogue, and names the field of every bad request.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

class SymptomRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess(ServerOptions{dir_.path() / "s.db", {}});
    ASSERT_TRUE(server_->Start()) << server_->stdout_text();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static HttpResult Step(const json::object& body) {
    return server_->client().Post("/api/v1/symptom-check/interview", json::serialize(body));
  }
  static inline TempDir dir_;
  static ServerProcess* server_;
};
ServerProcess* SymptomRoutesTest::server_ = nullptr;

TEST_F(SymptomRoutesTest, CatalogueIsPublic) {
  HttpResult r = server_->client().Get("/api/v1/symptom-check/findings");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GT(r.json.at("findings").as_array().size(), 50u);
  EXPECT_GT(r.json.at("conditions").as_array().size(), 20u);
  EXPECT_EQ(r.json.at("triage_levels").as_array().size(), 5u);
  bool red_flag = false;
  for (const auto& f : r.json.at("findings").as_array())
    red_flag = red_flag || f.at("phase").as_string() == "red_flag_screen";
  EXPECT_TRUE(red_flag);
}

TEST_F(SymptomRoutesTest, InterviewAsksOneQuestionAtATimeAndTriagesRedFlags) {
  // The first question is the context question.
  HttpResult r = Step(json::object{{"age", 17}, {"sex", "male"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.json.at("question").is_object());
  EXPECT_EQ(r.json.at("question").at("phase").as_string(), "context");
  EXPECT_FALSE(r.json.at("should_stop").as_bool());

  // Answer "no" to everything until the red-flag screen, then "yes" to its first
  // question: the triage is at least urgent and says why.
  json::array evidence;
  std::string red_flag;
  for (int step = 0; step < 30 && red_flag.empty(); ++step) {
    HttpResult s = Step(json::object{{"age", 17}, {"sex", "male"}, {"evidence", evidence}});
    ASSERT_EQ(s.status, 200) << s.body;
    const json::value& q = s.json.at("question");
    ASSERT_TRUE(q.is_object()) << "the red-flag screen comes before the end: " << s.body;
    std::string phase(q.at("phase").as_string());
    for (const auto& item : q.at("items").as_array()) {
      bool yes = phase == "red_flag_screen" && red_flag.empty();
      if (yes) red_flag = std::string(item.at("id").as_string());
      evidence.push_back(json::object{
          {"id", item.at("id")}, {"choice", yes ? "present" : "absent"}, {"source", phase}});
      if (q.at("type").as_string() == "single") break;
    }
  }
  ASSERT_FALSE(red_flag.empty());
  HttpResult after = Step(json::object{{"age", 17}, {"sex", "male"}, {"evidence", evidence}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(after.json.at("has_emergency_evidence").as_bool()) << red_flag;
  std::string level(after.json.at("triage").at("level").as_string());
  EXPECT_TRUE(level == "emergency" || level == "urgent_24h") << level;
  EXPECT_FALSE(after.json.at("triage").at("rules").as_array().empty());
  EXPECT_FALSE(after.json.at("triage").at("words").as_string().empty());
  EXPECT_TRUE(after.json.at("doctor_summary").is_object());
}

TEST_F(SymptomRoutesTest, BadRequestsNameTheField) {
  struct Bad {
    std::string body, where;
  };
  for (
      const Bad& b : std::vector<Bad>{
          {R"({"sex": "male"})", "age"},
          {R"({"age": 17})", "sex"},
          {R"({"age": 300, "sex": "male"})", "age"},
          {R"({"age": 17, "sex": "robot"})", "sex"},
          {R"({"age": 17, "sex": "male", "colour": "red"})", "colour"},
          {R"({"age": 17, "sex": "male", "evidence": [{"id": "sx.nope", "choice": "present"}]})",
           "evidence[0].id"},
          {R"({"age": 17, "sex": "male", "evidence": [{"id": "sx.ctx.isotretinoin", "choice": "maybe"}]})",
           "evidence[0].choice"},
          {"{not json", "body"},
          {"", "body"}}) {
    HttpResult r = server_->client().Post("/api/v1/symptom-check/interview", b.body);
    EXPECT_EQ(r.status, 400) << b.body << " " << r.body;
    EXPECT_EQ(r.Where(), b.where) << b.body << " " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  }
  // A flood of answers is refused before the engine runs.
  json::array many;
  for (int i = 0; i < 401; ++i)
    many.push_back(json::object{{"id", "sx.ctx.isotretinoin"}, {"choice", "absent"}});
  HttpResult r = Step(json::object{{"age", 17}, {"sex", "male"}, {"evidence", many}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Where(), "evidence");
  EXPECT_EQ(server_->client().Get("/api/v1/symptom-check/interview").status, 405);
}

}  // namespace
}  // namespace isocourse::testing
