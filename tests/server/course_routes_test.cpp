// The course engine over real HTTP: the assessment and forecast routes answer what the
// CLI answers for the same timeline, on the date asked (or today); the worklist lists
// the clinic's active courses with their next task, counts and paging; every route is
// authorized per role and clinic and audited.
#include <gtest/gtest.h>

#include <chrono>

#include "engine_fixture.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

const char* kExample = "docs/examples/timeline-us-active.json";
const char* kForecastExample = "docs/examples/forecast-us-new.json";

class CourseRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
    HttpClient c = world_->client();
    active_ = new std::string(ActiveExamplePatient(*world_));
    planned_ = new std::string(
        NewPatient(c, world_->dr_a, "Dora", "Forecastova", "2000-03-01", "EX-FORECAST"));
    LoadTimeline(c, world_->dr_a, *planned_, SourcePath(kForecastExample));
    world_->NewAudit();
  }
  static void TearDownTestSuite() {
    delete world_;
    delete active_;
    delete planned_;
    world_ = nullptr;
  }
  static World* world_;
  static std::string* active_;
  static std::string* planned_;
};
World* CourseRoutesTest::world_ = nullptr;
std::string* CourseRoutesTest::active_ = nullptr;
std::string* CourseRoutesTest::planned_ = nullptr;

TEST_F(CourseRoutesTest, AssessmentIsTheEnginesAnswerForTheDate) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult r = c.Get("/api/v1/patients/" + *active_ + "/assessment?as_of=2026-02-20", w.dr_a);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value cli =
      json::parse(RunCli("evaluate " + SourcePath(kExample) + " --as-of 2026-02-20 --json"));
  const json::object& a = r.json.as_object();
  EXPECT_EQ(a.at("as_of").as_string(), "2026-02-20");
  EXPECT_EQ(a.at("patient").as_string(), *active_);
  EXPECT_EQ(a.at("version").as_int64(), 26);
  // Same engine, same timeline: the same decisions, alerts, tasks and dose.
  for (const char* k : {"phase", "jurisdiction", "knowledge_version", "rule_packs"})
    EXPECT_EQ(a.at(k), cli.at(k)) << k;
  for (const char* d : {"may_prescribe", "may_dispense"}) {
    EXPECT_EQ(a.at(d).at("allowed"), cli.at(d).at("allowed")) << d;
    EXPECT_EQ(a.at(d).at("by"), cli.at(d).at("by")) << d;
    EXPECT_EQ(Ids(a.at(d).at("reasons"), "code"), Ids(cli.at(d).at("reasons"), "code")) << d;
  }
  EXPECT_EQ(Ids(a.at("alerts"), "id"), Ids(cli.at("alerts"), "id"));
  EXPECT_EQ(Ids(a.at("tasks"), "id"), Ids(cli.at("tasks"), "id"));
  EXPECT_EQ(Ids(a.at("tasks"), "status"), Ids(cli.at("tasks"), "status"));
  EXPECT_EQ(a.at("dose").at("cumulative_mg_per_kg"), cli.at("dose").at("cumulative_mg_per_kg"));
  EXPECT_EQ(a.at("candidacy").at("verdict"), cli.at("candidacy").at("verdict"));
  EXPECT_FALSE(a.at("alerts").as_array().empty()) << "the example has a TG alert";
  for (const auto& al : a.at("alerts").as_array())
    EXPECT_FALSE(al.at("explanation").at("rule_id").as_string().empty());

  // The chart's series: from 0 before the first dose to today's total, never falling.
  const json::array& series = a.at("dose").at("series").as_array();
  ASSERT_GE(series.size(), 3u);
  EXPECT_EQ(series.front().at("cumulative_mg_per_kg").to_number<double>(), 0.0);
  EXPECT_EQ(series.back().at("date").as_string(), "2026-02-20");
  EXPECT_NEAR(series.back().at("cumulative_mg_per_kg").to_number<double>(),
              cli.at("dose").at("cumulative_mg_per_kg").to_number<double>(), 0.01);
  double prev = -1;
  for (const auto& p : series) {
    double v = p.at("cumulative_mg_per_kg").to_number<double>();
    EXPECT_GE(v, prev);
    prev = v;
  }

  // An earlier date ignores what happened after it.
  HttpResult early = c.Get("/api/v1/patients/" + *active_ + "/assessment?as_of=2025-12-10", w.dr_a);
  ASSERT_EQ(early.status, 200);
  EXPECT_NE(early.json.at("phase"), a.at("phase"));
  EXPECT_FALSE(early.json.at("dose").at("has_doses").as_bool());
  EXPECT_TRUE(early.json.at("dose").at("series").as_array().empty());
}

TEST_F(CourseRoutesTest, AssessmentDefaultsToTodayAndRefusesBadDates) {
  World& w = *world_;
  HttpClient c = w.client();
  auto today = [] {
    auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    std::chrono::year_month_day ymd{days};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return std::string(buf);
  };
  std::string before = today();
  HttpResult r = c.Get("/api/v1/patients/" + *active_ + "/assessment", w.staff_a);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string as_of(r.json.at("as_of").as_string());
  EXPECT_TRUE(as_of == before || as_of == today()) << as_of;

  for (const char* bad : {"2026-02-30", "yesterday", "2026-2-3", ""}) {
    HttpResult b = c.Get("/api/v1/patients/" + *active_ + "/assessment?as_of=" + bad, w.dr_a);
    EXPECT_EQ(b.status, 400) << bad;
    EXPECT_EQ(b.Where(), "as_of") << bad;
    EXPECT_EQ(b.Header("content-type"), "application/problem+json");
  }
  HttpResult f = c.Get("/api/v1/patients/" + *planned_ + "/forecast?as_of=2026-13-01", w.dr_a);
  EXPECT_EQ(f.status, 400);
  EXPECT_EQ(f.Where(), "as_of");
  HttpResult h =
      c.Get("/api/v1/patients/" + *planned_ + "/forecast?as_of=2026-01-05&horizon_days=0", w.dr_a);
  EXPECT_EQ(h.status, 400);
  EXPECT_EQ(h.Where(), "horizon_days");
}

TEST_F(CourseRoutesTest, ForecastIsTheCliForecast) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult r = c.Get("/api/v1/patients/" + *planned_ + "/forecast?as_of=2026-01-05", w.dr_a);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value cli = json::parse(
      RunCli("forecast " + SourcePath(kForecastExample) + " --as-of 2026-01-05 --json"));
  json::object got = r.json.as_object();
  json::object want = cli.as_object();
  EXPECT_EQ(got.at("patient").as_string(), *planned_);
  got.erase("patient");
  want.erase("patient");
  EXPECT_EQ(json::serialize(got), json::serialize(want));
  EXPECT_FALSE(got.at("steps").as_array().empty());
}

TEST_F(CourseRoutesTest, ReadsAreAuthorizedAndAudited) {
  World& w = *world_;
  HttpClient c = w.client();
  Credentials anonymous;
  struct Case {
    const char* who;
    const Credentials* creds;
    std::string patient;
    int status;
  };
  std::vector<Case> cases = {
      {"admin", &w.admin, *active_, 200},
      {"prescriber A", &w.dr_a, *active_, 200},
      {"staff A", &w.staff_a, *active_, 200},
      {"pharmacist A (no chart)", &w.pharm_a, *active_, 403},
      {"patient p1, own record", &w.patient_a, w.p1, 200},
      {"patient p1, another record", &w.patient_a, *active_, 404},
      {"prescriber B, other clinic", &w.dr_b, *active_, 404},
      {"anonymous", &anonymous, *active_, 401},
  };
  for (const char* route : {"assessment", "forecast"}) {
    for (const Case& k : cases) {
      HttpResult r =
          c.Get("/api/v1/patients/" + k.patient + "/" + route + "?as_of=2026-02-20", *k.creds);
      EXPECT_EQ(r.status, k.status) << route << " by " << k.who << ": " << r.body;
      if (r.status == 404) {
        EXPECT_EQ(r.Where(), "patient_id");
        EXPECT_EQ(r.body.find("Exampleton"), std::string::npos) << "no data leaks";
      }
    }
  }
  w.NewAudit();
  c.Get("/api/v1/patients/" + *active_ + "/assessment?as_of=2026-02-20", w.dr_a);
  c.Get("/api/v1/patients/" + *active_ + "/assessment", w.pharm_a);
  auto audit = AuditOf(w, "assessment.read");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].at("actor").as_string(), w.dr_a_id);
  EXPECT_EQ(audit[0].at("patient_id").as_string(), *active_);
  EXPECT_EQ(audit[0].at("outcome").as_string(), "ok");
  EXPECT_EQ(audit[0].at("reason").as_string(), "treatment");
  EXPECT_EQ(audit[1].at("actor").as_string(), w.pharm_a_id);
  EXPECT_EQ(audit[1].at("outcome").as_string(), "denied");
}

TEST_F(CourseRoutesTest, WorklistListsTheClinicsActiveCourses) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult r = c.Get("/api/v1/worklist?as_of=2026-02-20&limit=500", w.dr_a);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array& items = r.json.at("items").as_array();
  std::map<std::string, json::object> rows;
  for (const auto& it : items)
    rows[std::string(it.at("patient").at("id").as_string())] = it.as_object();
  EXPECT_EQ(rows.size(), 3u) << r.body;  // p1, the active course, the forecast patient
  ASSERT_TRUE(rows.contains(*active_));
  EXPECT_FALSE(rows.contains(w.p2)) << "another clinic's patient";
  EXPECT_EQ(r.body.find(w.p2_family), std::string::npos);
  const json::object& row = rows.at(*active_);
  EXPECT_EQ(row.at("phase").as_string(), "active");
  EXPECT_EQ(row.at("program").as_string(), "ipledge");
  EXPECT_EQ(row.at("category").as_string(), "can_get_pregnant");
  EXPECT_EQ(row.at("jurisdiction").as_string(), "US");
  EXPECT_EQ(row.at("day_of_course").as_int64(), 47);  // first dose 2026-01-05
  EXPECT_EQ(row.at("patient").at("mrn").as_string(), "EX-ACTIVE");
  EXPECT_GE(row.at("alerts").as_int64(), 1);
  // The status is the most urgent open task's, and the next task has that status.
  json::value assessment =
      c.Get("/api/v1/patients/" + *active_ + "/assessment?as_of=2026-02-20", w.dr_a).json;
  std::vector<std::string> order = {"overdue", "due_soon", "blocked", "paused", "on_track"};
  size_t best = order.size();
  for (const auto& t : assessment.at("tasks").as_array()) {
    auto it = std::find(order.begin(), order.end(), std::string(t.at("status").as_string()));
    best = std::min(best, static_cast<size_t>(it - order.begin()));
  }
  ASSERT_LT(best, order.size());
  EXPECT_EQ(row.at("status").as_string(), order[best]);
  EXPECT_EQ(row.at("next_task").at("status").as_string(), order[best]);
  EXPECT_FALSE(row.at("next_task").at("explanation").at("rule_id").as_string().empty());

  // Counts add up to the rows.
  int64_t sum = 0;
  for (const auto& [k, v] : r.json.at("counts").as_object()) sum += v.as_int64();
  EXPECT_EQ(sum, static_cast<int64_t>(items.size()));

  // Status filter, sort, date range, paging with a next link.
  std::string status(row.at("status").as_string());
  HttpResult f = c.Get("/api/v1/worklist?as_of=2026-02-20&status=" + status, w.dr_a);
  ASSERT_EQ(f.status, 200);
  for (const auto& it : f.json.at("items").as_array())
    EXPECT_EQ(it.at("status").as_string(), status);
  EXPECT_EQ(f.json.at("items").as_array().size(),
            static_cast<size_t>(r.json.at("counts").at(status).as_int64()));
  HttpResult byname = c.Get("/api/v1/worklist?as_of=2026-02-20&sort=name", w.dr_a);
  ASSERT_EQ(byname.status, 200);
  std::vector<std::string> names;
  for (const auto& it : byname.json.at("items").as_array())
    names.push_back(std::string(it.at("patient").at("family_name").as_string()));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  HttpResult range =
      c.Get("/api/v1/worklist?as_of=2026-02-20&from=2030-01-01&to=2030-12-31", w.dr_a);
  ASSERT_EQ(range.status, 200);
  EXPECT_TRUE(range.json.at("items").as_array().empty());
  std::set<std::string> paged;
  std::string next = "/api/v1/worklist?as_of=2026-02-20&limit=1";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    HttpResult p = c.Get(next, w.dr_a);
    ASSERT_EQ(p.status, 200) << next << " " << p.body;
    ASSERT_EQ(p.json.at("items").as_array().size(), 1u);
    paged.insert(std::string(p.json.at("items").at(0).at("patient").at("id").as_string()));
    next = p.json.at("next").is_null() ? "" : std::string(p.json.at("next").as_string());
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(paged.size(), 3u);

  // Clinic B sees only its own patient; an admin names the clinic.
  HttpResult b = c.Get("/api/v1/worklist?as_of=2026-02-20", w.dr_b);
  ASSERT_EQ(b.status, 200);
  ASSERT_EQ(b.json.at("items").as_array().size(), 1u);
  EXPECT_EQ(b.json.at("items").at(0).at("patient").at("id").as_string(), w.p2);
  HttpResult admin = c.Get("/api/v1/worklist?as_of=2026-02-20&clinic_id=" + w.clinic_b, w.admin);
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(admin.json.at("items").as_array().size(), 1u);
}

TEST_F(CourseRoutesTest, WorklistRefusesOtherRolesAndBadParameters) {
  World& w = *world_;
  HttpClient c = w.client();
  EXPECT_EQ(c.Get("/api/v1/worklist", w.pharm_a).status, 403);
  EXPECT_EQ(c.Get("/api/v1/worklist", w.patient_a).status, 403);
  EXPECT_EQ(c.Get("/api/v1/worklist", Credentials{}).status, 401);
  EXPECT_EQ(c.Get("/api/v1/worklist?clinic_id=" + w.clinic_b, w.dr_a).status, 403);
  struct Bad {
    std::string query, where;
  };
  for (const Bad& b : std::vector<Bad>{{"status=late", "status"},
                                       {"status=done", "status"},
                                       {"sort=age", "sort"},
                                       {"limit=0", "limit"},
                                       {"limit=501", "limit"},
                                       {"cursor=-1", "cursor"},
                                       {"from=2026-02-31", "from"},
                                       {"from=2026-03-01&to=2026-02-01", "to"},
                                       {"as_of=tomorrow", "as_of"}}) {
    HttpResult r = c.Get("/api/v1/worklist?" + b.query, w.dr_a);
    EXPECT_EQ(r.status, 400) << b.query;
    EXPECT_EQ(r.Where(), b.where) << b.query;
  }
  w.NewAudit();
  c.Get("/api/v1/worklist?as_of=2026-02-20", w.staff_a);
  auto audit = AuditOf(w, "worklist.read");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].at("clinic_id").as_string(), w.clinic_a);
  EXPECT_EQ(audit[0].at("outcome").as_string(), "ok");
}

}  // namespace
}  // namespace isocourse::testing
