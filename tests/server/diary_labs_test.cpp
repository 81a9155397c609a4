// The diary and the lab import over real HTTP. A patient's check-in is stored as
// timeline events and answers at once with the red flags it raises and, after a
// positive PHQ-2, the PHQ-9 to complete; a lab CSV is stored whole or, with any bad
// line, not at all, and the error names every bad line.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

class DiaryLabsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
    // p1 (clinic A, the patient login's own record) gets the active course.
    LoadTimeline(world_->client(), world_->dr_a, world_->p1,
                 SourcePath("docs/examples/timeline-us-active.json"));
    world_->NewAudit();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static std::string Diary() { return "/api/v1/patients/" + world_->p1 + "/diary"; }
  static std::string Import(const std::string& p) {
    return "/api/v1/patients/" + p + "/labs/import";
  }
  static World* world_;
};
World* DiaryLabsTest::world_ = nullptr;

std::vector<std::string> AlertIds(const HttpResult& r) {
  std::vector<std::string> out;
  for (const auto& a : r.json.at("alerts").as_array()) out.emplace_back(a.at("id").as_string());
  return out;
}

TEST_F(DiaryLabsTest, RedFlagAnswerReturnsTheInstructionAtOnce) {
  World& w = *world_;
  HttpClient c = w.client();
  const int64_t v0 = VersionOf(c, w.dr_a, w.p1);
  json::object body{
      {"date", "2026-02-12"},
      {"dose", json::object{{"taken", true}}},
      {"side_effects",
       json::object{{"symptoms", json::array{"abdominal_pain_severe"}}, {"severity", "severe"}}},
      {"mood", json::object{{"instrument", "phq2"}, {"items", json::array{0, 1}}}}};
  HttpResult r = c.Post(Diary(), json::serialize(body), w.patient_a, {{"Idempotency-Key", "d-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("version").as_int64(), v0 + 3);
  auto ids = AlertIds(r);
  ASSERT_EQ(ids.size(), 1u) << r.body;
  const json::value& alert = r.json.at("alerts").at(0);
  EXPECT_EQ(alert.at("id").as_string(), "course.redflag.pancreatitis");
  EXPECT_TRUE(alert.at("stop_drug").as_bool());
  EXPECT_EQ(alert.at("urgency").as_string(), "emergency");
  EXPECT_FALSE(alert.at("action").as_string().empty());
  EXPECT_EQ(alert.at("explanation").at("citation").at("source").as_string(), "L-ABS");
  // The alert names the stored event, not a placeholder.
  std::string se_id;
  for (const auto& e : r.json.at("events").as_array()) {
    if (e.at("event").at("type").as_string() == "side_effect")
      se_id = std::string(e.at("event").at("id").as_string());
    EXPECT_EQ(e.at("event").at("recorded_by").as_string(), w.patient_a_id);
  }
  ASSERT_EQ(alert.at("events").as_array().size(), 1u);
  EXPECT_EQ(alert.at("events").at(0).as_string(), se_id);
  EXPECT_TRUE(r.json.at("follow_up").is_null()) << "PHQ-2 of 1 is negative";

  // The same request again (a retry) replays and stores nothing.
  HttpResult again =
      c.Post(Diary(), json::serialize(body), w.patient_a, {{"Idempotency-Key", "d-1"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0 + 3);

  // The clinic sees it in the assessment.
  HttpResult a = c.Get("/api/v1/patients/" + w.p1 + "/assessment?as_of=2026-02-12", w.dr_a);
  ASSERT_EQ(a.status, 200);
  EXPECT_FALSE(a.json.at("may_dispense").at("allowed").as_bool());
}

TEST_F(DiaryLabsTest, PositivePhq2AsksForThePhq9) {
  World& w = *world_;
  HttpClient c = w.client();
  json::object body{{"date", "2026-02-12"},
                    {"mood", json::object{{"instrument", "phq2"}, {"items", json::array{2, 2}}}}};
  HttpResult r = c.Post(Diary(), json::serialize(body), w.patient_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto ids = AlertIds(r);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "mood.phq2.positive"), ids.end()) << r.body;
  const json::value& f = r.json.at("follow_up");
  ASSERT_TRUE(f.is_object()) << r.body;
  EXPECT_EQ(f.at("instrument").as_string(), "phq9");
  EXPECT_EQ(f.at("explanation").at("rule_id").as_string(), "mood.phq9.follow-up");
  EXPECT_FALSE(f.at("message").as_string().empty());
  // Item 9 above 0 on the PHQ-9: same-day review.
  json::object phq9{{"date", "2026-02-12"},
                    {"mood", json::object{{"instrument", "phq9"},
                                          {"items", json::array{2, 2, 1, 1, 1, 1, 1, 1, 1}}}}};
  HttpResult p = c.Post(Diary(), json::serialize(phq9), w.staff_a);
  ASSERT_EQ(p.status, 201) << p.body;
  ids = AlertIds(p);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "mood.phq9.item9"), ids.end()) << p.body;
  EXPECT_TRUE(p.json.at("follow_up").is_null());
}

TEST_F(DiaryLabsTest, DiaryBadInputAndAuthorization) {
  World& w = *world_;
  HttpClient c = w.client();
  const int64_t v0 = VersionOf(c, w.dr_a, w.p1);
  struct Bad {
    std::string body, where;
  };
  std::vector<Bad> bad = {
      {R"({"dose": {"taken": true}})", "date"},
      {R"({"date": "2026-02-30", "dose": {"taken": true}})", "date"},
      {R"({"date": "2999-01-01", "dose": {"taken": true}})", "date"},
      {R"({"date": "2026-02-12"})", "body"},
      {R"({"date": "2026-02-12", "dose": {"taken": "yes"}})", "dose.taken"},
      {R"({"date": "2026-02-12", "dose": {"taken": true, "mg": 5000}})", "dose.mg"},
      {R"({"date": "2026-02-12", "dose": {"taken": true, "pills": 2}})", "dose.pills"},
      {R"({"date": "2026-02-12", "feeling": "ok", "dose": {"taken": true}})", "feeling"},
      {R"({"date": "2026-02-12", "side_effects": {"symptoms": ["itchy_elbow"], "severity": "mild"}})",
       "side_effects.symptoms[0]"},
      {R"({"date": "2026-02-12", "side_effects": {"symptoms": ["headache"], "severity": "awful"}})",
       "side_effects.severity"},
      {R"({"date": "2026-02-12", "mood": {"instrument": "phq2", "items": [1, 4]}})",
       "mood.items[1]"},
      {R"({"date": "2026-02-12", "mood": {"instrument": "phq2", "items": [1, 1, 1]}})",
       "mood.items"},
      {R"({"date": "2026-02-12", "mood": {"instrument": "gad7", "items": [1, 1]}})",
       "mood.instrument"},
      {R"([1, 2])", "body"},
  };
  for (const Bad& b : bad) {
    HttpResult r = c.Post(Diary(), b.body, w.patient_a);
    EXPECT_EQ(r.status, 400) << b.body << " " << r.body;
    EXPECT_EQ(r.Where(), b.where) << b.body << " " << r.body;
  }
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0) << "nothing stored";

  std::string ok = R"({"date": "2026-02-12", "dose": {"taken": false}})";
  EXPECT_EQ(c.Post(Diary(), ok, w.pharm_a).status, 403);
  EXPECT_EQ(c.Post(Diary(), ok, w.dr_b).status, 404);
  EXPECT_EQ(c.Post(Diary(), ok, Credentials{}).status, 401);
  // A patient writes only their own diary.
  HttpResult other = c.Post("/api/v1/patients/" + w.p2 + "/diary", ok, w.patient_a);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body.find(w.p2_family), std::string::npos);
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0);
  w.NewAudit();
  EXPECT_EQ(c.Post(Diary(), ok, w.patient_a).status, 201);
  auto audit = AuditOf(w, "diary.append");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("patient_id").as_string(), w.p1);
  EXPECT_EQ(audit[0].at("actor").as_string(), w.patient_a_id);
  EXPECT_EQ(audit[0].at("outcome").as_string(), "ok");
}

TEST_F(DiaryLabsTest, LabCsvIsImportedWhole) {
  World& w = *world_;
  HttpClient c = w.client();
  const int64_t v0 = VersionOf(c, w.dr_a, w.p1);
  std::string csv =
      "date,loinc,value,unit,name,reference_high,fasting\r\n"
      "2026-02-15,2571-8,420,mg/dL,Triglycerides,150,yes\r\n"
      "\r\n"
      "2026-02-15,1742-6,52,U/L,\"ALT, serum\",35,\r\n";
  HttpResult r = c.Post(Import(w.p1), csv, w.dr_a,
                        {{"Content-Type", "text/csv"}, {"Idempotency-Key", "labs-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.at("imported").as_int64(), 2);
  EXPECT_EQ(r.json.at("version").as_int64(), v0 + 2);
  const json::value& alt = r.json.at("events").at(1).at("event");
  EXPECT_EQ(alt.at("type").as_string(), "lab");
  EXPECT_EQ(alt.at("loinc").as_string(), "1742-6");
  EXPECT_EQ(alt.at("name").as_string(), "ALT, serum");
  EXPECT_EQ(alt.at("value").to_number<double>(), 52.0);
  EXPECT_EQ(alt.at("date").as_string(), "2026-02-15");
  EXPECT_TRUE(r.json.at("events").at(0).at("event").at("fasting").as_bool());
  // A retried upload stores nothing more.
  HttpResult again = c.Post(Import(w.p1), csv, w.dr_a,
                            {{"Content-Type", "text/csv"}, {"Idempotency-Key", "labs-1"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0 + 2);
  // The engine reads them.
  HttpResult a = c.Get("/api/v1/patients/" + w.p1 + "/assessment?as_of=2026-02-16", w.dr_a);
  ASSERT_EQ(a.status, 200);
  bool found = false;
  for (const auto& l : a.json.at("labs").at("results").as_array())
    found =
        found || (l.at("date").as_string() == "2026-02-15" && l.at("analyte").as_string() == "tg");
  EXPECT_TRUE(found) << a.body;
}

TEST_F(DiaryLabsTest, BadCsvLineIsNamedAndNothingIsStored) {
  World& w = *world_;
  HttpClient c = w.client();
  const int64_t v0 = VersionOf(c, w.dr_a, w.p1);
  std::string csv =
      "date,loinc,value,unit\n"
      "2026-02-15,2571-8,180,mg/dL\n"
      "2026-02-15,1742-6,high,U/L\n"   // line 3: value
      "2026-02-15,2093-3,200,mg/dl\n"  // line 4: unit (the codec's vocabulary)
      "2026-02-31,2571-8,180,mg/dL\n"  // line 5: date
      "2026-02-15,1742-5,30,U/L\n"     // line 6: check digit
      "2026-02-15,2571-8,180\n";       // line 7: field count
  HttpResult r = c.Post(Import(w.p1), csv, w.dr_a, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Where(), "line 3");
  EXPECT_NE(r.Detail().find("value: 'high' is not a number"), std::string::npos) << r.Detail();
  EXPECT_NE(r.Detail().find("nothing from this file was stored"), std::string::npos);
  std::vector<std::string> lines;
  for (const auto& e : r.json.at("errors").as_array())
    lines.emplace_back(e.at("where").as_string());
  EXPECT_EQ(lines, (std::vector<std::string>{"line 3", "line 4", "line 5", "line 6", "line 7"}))
      << r.body;
  EXPECT_NE(r.body.find("unit: 'mg/dl'"), std::string::npos) << r.body;
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0) << "nothing from the file is stored";

  struct Bad {
    std::string csv, where, content_type = "text/csv";
  };
  for (const Bad& b : std::vector<Bad>{
           {"", "body"},
           {"date,loinc,value\n2026-02-15,2571-8,1\n", "line 1"},
           {"date,loinc,value,unit,colour\n", "line 1"},
           {"date,loinc,value,unit\n", "body"},
           {"date,loinc,value,unit\n2026-02-15,\"2571-8,1,mg/dL\n", "line 2"},
           {"date,loinc,value,unit\n2026-02-15,2571-8,1,mg/dL\n", "Content-Type", "image/png"}}) {
    HttpResult x = c.Post(Import(w.p1), b.csv, w.dr_a, {{"Content-Type", b.content_type}});
    EXPECT_EQ(x.status, 400) << b.csv << " " << x.body;
    EXPECT_EQ(x.Where(), b.where) << b.csv << " " << x.body;
  }
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0);

  std::string good = "date,loinc,value,unit\n2026-02-15,2571-8,180,mg/dL\n";
  EXPECT_EQ(c.Post(Import(w.p1), good, w.patient_a, {{"Content-Type", "text/csv"}}).status, 403);
  EXPECT_EQ(c.Post(Import(w.p1), good, w.pharm_a, {{"Content-Type", "text/csv"}}).status, 403);
  EXPECT_EQ(c.Post(Import(w.p1), good, w.dr_b, {{"Content-Type", "text/csv"}}).status, 404);
  EXPECT_EQ(VersionOf(c, w.dr_a, w.p1), v0);
  w.NewAudit();
  EXPECT_EQ(c.Post(Import(w.p1), good, w.staff_a, {{"Content-Type", "text/csv"}}).status, 201);
  auto audit = AuditOf(w, "labs.import");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("patient_id").as_string(), w.p1);
}

}  // namespace
}  // namespace isocourse::testing
