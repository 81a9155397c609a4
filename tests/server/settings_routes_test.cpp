// Clinic settings over real HTTP: a clinic's prescriber chooses the engine settings once
// (lab profile, iPLEDGE 2026 go-live date...), and from then on every evaluation of the
// clinic's patients uses them: the assessment equals `isocourse evaluate --settings`
// with the same JSON. Changes are versioned (stale writes get 409), kept in a history,
// audited, and only admins and the clinic's own prescribers may make them.
#include <gtest/gtest.h>

#include <fstream>

#include "engine_fixture.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

const char* kExample = "docs/examples/timeline-us-active.json";

class SettingsRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
    active_ = new std::string(ActiveExamplePatient(*world_));
  }
  static void TearDownTestSuite() {
    delete world_;
    delete active_;
    world_ = nullptr;
  }
  static std::string SettingsPath(const std::string& clinic) {
    return "/api/v1/clinics/" + clinic + "/settings";
  }
  static World* world_;
  static std::string* active_;
};
World* SettingsRoutesTest::world_ = nullptr;
std::string* SettingsRoutesTest::active_ = nullptr;

TEST_F(SettingsRoutesTest, AClinicsChoiceChangesItsPatientsAssessmentsLikeTheCliSetting) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string assessment = "/api/v1/patients/" + *active_ + "/assessment?as_of=2026-02-20";

  HttpResult before = c.Get(SettingsPath(w.clinic_a), w.staff_a);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json.at("version").as_int64(), 0);
  EXPECT_EQ(before.json.at("effective").at("ipledge_2026_cutover").as_string(), "2026-08-08");
  EXPECT_TRUE(before.json.at("effective").at("lab_profile").is_null());
  EXPECT_TRUE(before.json.at("changed_by").is_null());
  HttpResult old = c.Get(assessment, w.dr_a);  // evaluated and cached with the defaults
  ASSERT_EQ(old.status, 200) << old.body;
  w.NewAudit();

  // iPLEDGE 2026 rules from January and the DELPHI 2022 lab profile.
  json::object settings{{"ipledge_2026_cutover", "2026-01-01"}, {"lab_profile", "delphi_2022"}};
  HttpResult put =
      c.Put(SettingsPath(w.clinic_a),
            json::serialize(json::object{{"expected_version", 0}, {"settings", settings}}), w.dr_a);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json.at("version").as_int64(), 1);
  EXPECT_EQ(put.json.at("changed_by").as_string(), w.dr_a_id);
  EXPECT_EQ(put.json.at("settings"), json::value(settings));
  EXPECT_EQ(put.json.at("effective").at("lab_profile").as_string(), "delphi_2022");
  auto audit = AuditOf(w, "clinic.settings.update");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("clinic_id").as_string(), w.clinic_a);
  EXPECT_EQ(audit[0].at("actor").as_string(), w.dr_a_id);

  // The next evaluation uses them at once (not the cached one), as the CLI does.
  HttpResult now = c.Get(assessment, w.dr_a);
  ASSERT_EQ(now.status, 200) << now.body;
  TempDir dir;
  const std::string file = (dir.path() / "settings.json").string();
  std::ofstream(file) << json::serialize(settings);
  json::value cli = json::parse(
      RunCli("evaluate " + SourcePath(kExample) + " --as-of 2026-02-20 --json --settings " + file));
  const json::object& a = now.json.as_object();
  EXPECT_EQ(a.at("rule_packs"), cli.at("rule_packs"));
  EXPECT_NE(a.at("rule_packs"), old.json.at("rule_packs")) << "the cutover should change the pack";
  EXPECT_EQ(Ids(a.at("tasks"), "id"), Ids(cli.at("tasks"), "id"));
  EXPECT_EQ(Ids(a.at("may_dispense").at("reasons"), "code"),
            Ids(cli.at("may_dispense").at("reasons"), "code"));

  // A second writer with the old version is refused; nothing is stored.
  HttpResult stale = c.Put(
      SettingsPath(w.clinic_a),
      json::serialize(json::object{{"expected_version", 0}, {"settings", json::object{}}}), w.dr_a);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_NE(stale.body.find("version 1"), std::string::npos) << stale.body;
  HttpResult history = c.Get(SettingsPath(w.clinic_a) + "/history", w.pharm_a);
  ASSERT_EQ(history.status, 200) << history.body;
  ASSERT_EQ(history.json.at("items").as_array().size(), 1u);

  // Back to the defaults: version 2, and the history keeps both choices.
  HttpResult reset =
      c.Put(SettingsPath(w.clinic_a),
            json::serialize(json::object{{"expected_version", 1}, {"settings", json::object{}}}),
            w.admin);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json.at("version").as_int64(), 2);
  history = c.Get(SettingsPath(w.clinic_a) + "/history", w.dr_a);
  ASSERT_EQ(history.json.at("items").as_array().size(), 2u);
  EXPECT_EQ(history.json.at("items").at(0).at("settings"), json::value(settings));
  HttpResult again = c.Get(assessment, w.dr_a);
  EXPECT_EQ(again.json.at("rule_packs"), old.json.at("rule_packs"));
}

TEST_F(SettingsRoutesTest, OnlyAdminsAndTheClinicsPrescribersChangeThem) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string body =
      json::serialize(json::object{{"expected_version", 0}, {"settings", json::object{}}});
  EXPECT_EQ(c.Put(SettingsPath(w.clinic_a), body, w.staff_a).status, 403);
  EXPECT_EQ(c.Put(SettingsPath(w.clinic_a), body, w.pharm_a).status, 403);
  EXPECT_EQ(c.Put(SettingsPath(w.clinic_a), body, w.patient_a).status, 403);
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_a), w.patient_a).status, 403);
  // Another clinic's settings look like a clinic that does not exist.
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_a), w.dr_b).status, 404);
  EXPECT_EQ(c.Put(SettingsPath(w.clinic_a), body, w.dr_b).status, 404);
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_b), w.dr_a).status, 404);
  EXPECT_EQ(c.Get(SettingsPath("cln_nowhere"), w.admin).status, 404);
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_a), w.pharm_a).status, 200);
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_b), w.dr_b).status, 200);
  EXPECT_EQ(c.Get(SettingsPath(w.clinic_a)).status, 401);
}

TEST_F(SettingsRoutesTest, BadSettingsNameTheFieldAndStoreNothing) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult start = c.Get(SettingsPath(w.clinic_b), w.dr_b);
  ASSERT_EQ(start.status, 200);
  const int64_t version = start.json.at("version").as_int64();
  struct Bad {
    std::string body;
    std::string where;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"expected_version": 0, "settings": {"lab_profile": "weekly"}})",
            "settings.lab_profile"},
           {R"({"expected_version": 0, "settings": {"ipledge_2026_cutover": "2026-02-30"}})",
            "settings.ipledge_2026_cutover"},
           {R"({"expected_version": 0, "settings": {"colour": "blue"}})", "settings.colour"},
           {R"({"expected_version": 0, "settings": {"due_soon_days": 400}})",
            "settings.due_soon_days"},
           {R"({"settings": {}})", "expected_version"},
           {R"({"expected_version": 0, "settings": [], "x": 1})", "settings"},
           {R"({"expected_version": "zero", "settings": {}})", "expected_version"},
           {"{not json", "body"},
       }) {
    HttpResult r = c.Put(SettingsPath(w.clinic_b), b.body, w.dr_b);
    EXPECT_EQ(r.status, 400) << b.body << " -> " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << b.body;
    EXPECT_NE(r.body.find(b.where), std::string::npos) << b.body << " -> " << r.body;
  }
  HttpResult after = c.Get(SettingsPath(w.clinic_b) + "/history", w.dr_b);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(static_cast<int64_t>(after.json.at("items").as_array().size()), version);
}

}  // namespace
}  // namespace isocourse::testing
