// The pharmacy routes over real HTTP: a pharmacist finds a prescription with only what
// the check needs, the check answers yes/no with every reason (rule id, citation) and
// the dispense-by date, a dispense is recorded only when allowed (a refusal is 422 with
// the reasons, nothing stored), retries replay, and other clinics and roles are kept
// out.
//
// tests/server/data/dispense-allowed.json is docs/examples/timeline-us-active.json up
// to the second prescription (rx-2 of 2026-02-03, not yet picked up) plus the month-2
// counseling, contraception entry and comprehension answers: rx-2 may be dispensed from
// the negative test of 2026-02-02 to the end of its 7-day window, 2026-02-08.
#include <gtest/gtest.h>

#include "engine_fixture.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

class DispenseRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
    HttpClient c = world_->client();
    patient_ = new std::string(
        NewPatient(c, world_->dr_a, "Pia", "Pharmacyton", "2007-05-14", "RX-TEST-7"));
    ids_ = new std::map<std::string, std::string>(LoadTimeline(
        c, world_->dr_a, *patient_, SourcePath("tests/server/data/dispense-allowed.json")));
    world_->NewAudit();
  }
  static void TearDownTestSuite() {
    delete world_;
    delete patient_;
    delete ids_;
    world_ = nullptr;
  }
  static json::object CheckBody(const std::string& rx, const std::string& date) {
    return json::object{{"patient_id", *patient_}, {"prescription_id", rx}, {"date", date}};
  }
  static World* world_;
  static std::string* patient_;
  static std::map<std::string, std::string>* ids_;
};
World* DispenseRoutesTest::world_ = nullptr;
std::string* DispenseRoutesTest::patient_ = nullptr;
std::map<std::string, std::string>* DispenseRoutesTest::ids_ = nullptr;

std::vector<std::string> Codes(const json::value& reasons) {
  std::vector<std::string> out;
  for (const auto& r : reasons.as_array()) out.emplace_back(r.at("code").as_string());
  return out;
}

TEST_F(DispenseRoutesTest, LookupShowsOnlyWhatTheCheckNeeds) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string rx2 = ids_->at("rx-2"), rx1 = ids_->at("rx-1");
  for (const std::string& q :
       {std::string("pharmacyton"), std::string("RX-TEST"), std::string("2007-05-14"), rx2}) {
    HttpResult r = c.Get("/api/v1/dispense/lookup?q=" + q, w.pharm_a);
    ASSERT_EQ(r.status, 200) << q << " " << r.body;
    const json::array& items = r.json.at("items").as_array();
    ASSERT_FALSE(items.empty()) << q;
    const json::object& first = items.front().as_object();
    EXPECT_EQ(first.at("prescription_id").as_string(), rx2) << "newest first: " << q;
    EXPECT_EQ(first.at("patient_id").as_string(), *patient_);
    EXPECT_EQ(first.at("patient_name").as_string(), "Pia Pharmacyton");
    EXPECT_EQ(first.at("birth_date").as_string(), "2007-05-14");
    EXPECT_EQ(first.at("prescription_date").as_string(), "2026-02-03");
    EXPECT_EQ(first.at("daily_mg").to_number<double>(), 60.0);
    EXPECT_EQ(first.at("days_supply").as_int64(), 30);
    // Nothing of the chart: exactly these fields.
    EXPECT_EQ(first.size(), 8u) << json::serialize(first);
    if (q == rx2) {
      EXPECT_EQ(items.size(), 1u);
    }
    if (q == "pharmacyton") {
      ASSERT_EQ(items.size(), 2u);
      EXPECT_EQ(items[1].at("prescription_id").as_string(), rx1);
    }
  }
  // Another clinic's patient is not found by name; bad queries name the parameter.
  HttpResult other = c.Get("/api/v1/dispense/lookup?q=" + w.p2_family, w.pharm_a);
  ASSERT_EQ(other.status, 200);
  EXPECT_TRUE(other.json.at("items").as_array().empty());
  EXPECT_EQ(other.body.find(w.p2_family), std::string::npos);
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup?q=x", w.pharm_a).Where(), "q");
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup", w.pharm_a).status, 400);
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup?q=2026-02-31", w.pharm_a).Where(), "q");
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup?q=pia", w.patient_a).status, 403);
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup?q=pia", Credentials{}).status, 401);
  EXPECT_EQ(c.Get("/api/v1/dispense/lookup?q=pia&clinic_id=" + w.clinic_b, w.pharm_a).status, 403);
  w.NewAudit();
  c.Get("/api/v1/dispense/lookup?q=pia", w.pharm_a);
  auto audit = AuditOf(w, "dispense.lookup");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("clinic_id").as_string(), w.clinic_a);
}

TEST_F(DispenseRoutesTest, CheckAnswersYesOrNoWithEveryReason) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string rx2 = ids_->at("rx-2"), rx1 = ids_->at("rx-1");
  HttpResult yes =
      c.Post("/api/v1/dispense/check", json::serialize(CheckBody(rx2, "2026-02-04")), w.pharm_a);
  ASSERT_EQ(yes.status, 200) << yes.body;
  EXPECT_EQ(yes.json.at("as_of").as_string(), "2026-02-04");
  EXPECT_EQ(yes.json.at("prescription_id").as_string(), rx2);
  const json::value& d = yes.json.at("decision");
  EXPECT_TRUE(d.at("allowed").as_bool());
  EXPECT_EQ(d.at("by").as_string(), "2026-02-08");
  ASSERT_FALSE(d.at("reasons").as_array().empty());
  for (const auto& r : d.at("reasons").as_array()) {
    EXPECT_FALSE(r.at("explanation").at("rule_id").as_string().empty());
    EXPECT_FALSE(r.at("explanation").at("citation").at("source").as_string().empty());
  }
  // Only the check: no chart in the answer.
  EXPECT_EQ(yes.json.as_object().size(), 4u) << yes.body;

  // After the window: no, with the program's reason.
  HttpResult late =
      c.Post("/api/v1/dispense/check", json::serialize(CheckBody(rx2, "2026-02-09")), w.pharm_a);
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_FALSE(late.json.at("decision").at("allowed").as_bool());
  auto codes = Codes(late.json.at("decision").at("reasons"));
  EXPECT_NE(std::find(codes.begin(), codes.end(), "window-missed"), codes.end());
  // The first prescription was picked up already: no, and says so first.
  HttpResult filled =
      c.Post("/api/v1/dispense/check", json::serialize(CheckBody(rx1, "2026-02-04")), w.pharm_a);
  ASSERT_EQ(filled.status, 200);
  EXPECT_FALSE(filled.json.at("decision").at("allowed").as_bool());
  EXPECT_EQ(Codes(filled.json.at("decision").at("reasons")).front(),
            "prescription-already-dispensed");
  EXPECT_TRUE(filled.json.at("decision").at("reasons").at(0).at("blocking").as_bool());
  // Before it was written: no.
  HttpResult early =
      c.Post("/api/v1/dispense/check", json::serialize(CheckBody(rx2, "2026-02-01")), w.pharm_a);
  EXPECT_EQ(Codes(early.json.at("decision").at("reasons")).front(), "prescription-after-date");

  // Bad input and unknown ids.
  struct Bad {
    json::object body;
    int status;
    std::string where;
  };
  std::vector<Bad> bad = {
      {json::object{{"patient_id", *patient_}}, 400, "prescription_id"},
      {json::object{{"patient_id", *patient_}, {"prescription_id", rx2}, {"date", "2026-02-30"}},
       400, "date"},
      {json::object{{"patient_id", *patient_}, {"prescription_id", rx2}, {"pharmacy", "x"}}, 400,
       "pharmacy"},
      {json::object{{"patient_id", *patient_}, {"prescription_id", "evt_nope"}}, 404,
       "prescription_id"},
      {json::object{{"patient_id", *patient_}, {"prescription_id", ids_->at("wt-1")}}, 404,
       "prescription_id"},
      {json::object{{"patient_id", "pat_nope"}, {"prescription_id", rx2}}, 404, "patient_id"},
  };
  for (const Bad& b : bad) {
    HttpResult r = c.Post("/api/v1/dispense/check", json::serialize(b.body), w.pharm_a);
    EXPECT_EQ(r.status, b.status) << json::serialize(b.body) << " " << r.body;
    EXPECT_EQ(r.Where(), b.where) << json::serialize(b.body);
  }
  EXPECT_EQ(c.Post("/api/v1/dispense/check", "{", w.pharm_a).status, 400);

  // Who may check: the clinic's pharmacist and clinic roles, an admin; not a patient;
  // another clinic's staff do not learn the patient exists.
  std::string body = json::serialize(CheckBody(rx2, "2026-02-04"));
  EXPECT_EQ(c.Post("/api/v1/dispense/check", body, w.dr_a).status, 200);
  EXPECT_EQ(c.Post("/api/v1/dispense/check", body, w.admin).status, 200);
  EXPECT_EQ(c.Post("/api/v1/dispense/check", body, w.patient_a).status, 403);
  HttpResult other = c.Post("/api/v1/dispense/check", body, w.dr_b);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.Where(), "patient_id");
  EXPECT_EQ(c.Post("/api/v1/dispense/check", body, Credentials{}).status, 401);
  // The pharmacist still cannot read the chart.
  EXPECT_EQ(c.Get("/api/v1/patients/" + *patient_ + "/assessment", w.pharm_a).status, 403);
  EXPECT_EQ(c.Get("/api/v1/patients/" + *patient_ + "/events", w.pharm_a).status, 403);

  w.NewAudit();
  c.Post("/api/v1/dispense/check", body, w.pharm_a);
  c.Post("/api/v1/dispense/check", json::serialize(CheckBody(rx2, "2026-02-09")), w.pharm_a);
  auto audit = AuditOf(w, "dispense.check");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].at("patient_id").as_string(), *patient_);
  EXPECT_EQ(audit[0].at("actor").as_string(), w.pharm_a_id);
  EXPECT_EQ(audit[0].at("outcome").as_string(), "ok");
  EXPECT_EQ(audit[1].at("outcome").as_string(), "refused");
}

TEST_F(DispenseRoutesTest, DispenseIsRecordedOnlyWhenAllowed) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string rx2 = ids_->at("rx-2");
  const int64_t v0 = VersionOf(c, w.dr_a, *patient_);
  auto body = [&](const std::string& date, int days) {
    json::object b = CheckBody(rx2, date);
    b["days_supply"] = days;
    b["pharmacy"] = "Main St Pharmacy";
    return json::serialize(b);
  };
  // Refused (window over): 422 with every reason, nothing stored.
  HttpResult refused = c.Post("/api/v1/dispenses", body("2026-02-09", 30), w.pharm_a,
                              {{"Idempotency-Key", "disp-late-1"}});
  ASSERT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.Header("content-type"), "application/problem+json");
  EXPECT_NE(refused.Detail().find("refuses"), std::string::npos) << refused.Detail();
  auto codes = Codes(refused.json.at("reasons"));
  EXPECT_NE(std::find(codes.begin(), codes.end(), "window-missed"), codes.end());
  for (const auto& r : refused.json.at("reasons").as_array())
    EXPECT_FALSE(r.at("explanation").at("rule_id").as_string().empty());
  EXPECT_EQ(VersionOf(c, w.dr_a, *patient_), v0);

  // Bad input: nothing stored either.
  EXPECT_EQ(c.Post("/api/v1/dispenses", body("2026-02-04", 31), w.pharm_a).Where(), "days_supply");
  EXPECT_EQ(c.Post("/api/v1/dispenses", body("2026-02-04", 0), w.pharm_a).Where(), "days_supply");
  EXPECT_EQ(c.Post("/api/v1/dispenses", body("2999-01-01", 30), w.pharm_a).Where(), "date");
  EXPECT_EQ(c.Post("/api/v1/dispenses", body("2026-02-04", 30), w.patient_a).status, 403);
  EXPECT_EQ(c.Post("/api/v1/dispenses", body("2026-02-04", 30), w.dr_b).status, 404);
  EXPECT_EQ(VersionOf(c, w.dr_a, *patient_), v0);

  // Allowed: recorded, with the check that allowed it.
  HttpResult ok = c.Post("/api/v1/dispenses", body("2026-02-04", 30), w.pharm_a,
                         {{"Idempotency-Key", "disp-ok-1"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json.at("version").as_int64(), v0 + 1);
  const json::value& ev = ok.json.at("event").at("event");
  EXPECT_EQ(ev.at("type").as_string(), "dispense");
  EXPECT_EQ(ev.at("prescription").as_string(), rx2);
  EXPECT_EQ(ev.at("date").as_string(), "2026-02-04");
  EXPECT_EQ(ev.at("pharmacy").as_string(), "Main St Pharmacy");
  EXPECT_EQ(ev.at("recorded_by").as_string(), w.pharm_a_id);
  EXPECT_TRUE(ok.json.at("check").at("decision").at("allowed").as_bool());
  EXPECT_EQ(VersionOf(c, w.dr_a, *patient_), v0 + 1);

  // A retry with the same key replays the first answer and writes nothing.
  HttpResult again = c.Post("/api/v1/dispenses", body("2026-02-04", 30), w.pharm_a,
                            {{"Idempotency-Key", "disp-ok-1"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json.at("event").at("event").at("id"), ok.json.at("event").at("event").at("id"));
  EXPECT_EQ(VersionOf(c, w.dr_a, *patient_), v0 + 1);
  // A second dispense of the same prescription is refused.
  HttpResult twice = c.Post("/api/v1/dispenses", body("2026-02-04", 30), w.pharm_a,
                            {{"Idempotency-Key", "disp-ok-2"}});
  EXPECT_EQ(twice.status, 422) << twice.body;
  EXPECT_EQ(Codes(twice.json.at("reasons")).front(), "prescription-already-dispensed");
  EXPECT_EQ(VersionOf(c, w.dr_a, *patient_), v0 + 1);
  // The engine now counts the supply.
  HttpResult a = c.Get("/api/v1/patients/" + *patient_ + "/assessment?as_of=2026-02-10", w.dr_a);
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.json.at("dose").at("supply_runs_out").as_string(), "2026-03-05");
}

}  // namespace
}  // namespace isocourse::testing
