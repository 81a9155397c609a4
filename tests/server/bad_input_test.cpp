// Bad input over real HTTP: each request gets the right 4xx, a problem+json body
// that says what was wrong and where, and nothing is stored.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "harness.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup({"--body-limit", "65536"}));
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }

  // Posts events for p1 as dr_a and checks a 4xx problem naming `where`, and that
  // the timeline did not change.
  void ExpectRejected(const std::string& body, int status, const std::string& where,
                      const std::string& detail_part,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    World& w = *world_;
    HttpClient c = w.client();
    int64_t before = Version();
    HttpResult r = c.Post("/api/v1/patients/" + w.p1 + "/events", body, w.dr_a, headers);
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    EXPECT_EQ(r.Where(), where) << r.body;
    EXPECT_NE(r.Detail().find(detail_part), std::string::npos) << r.body;
    EXPECT_EQ(Version(), before) << "something was stored";
  }

  int64_t Version() {
    HttpResult r = world_->client().Get("/api/v1/patients/" + world_->p1, world_->admin);
    return r.json.at("version").as_int64();
  }

  std::string Events(int64_t version, const std::string& event_json) {
    return R"({"expected_version": )" + std::to_string(version) + R"(, "events": [)" + event_json +
           "]}";
  }

  static World* world_;
};
World* BadInputTest::world_ = nullptr;

TEST_F(BadInputTest, MalformedJsonSaysWhere) {
  ExpectRejected(R"({"expected_version": 1, "events": [)", 400, "body", "not valid JSON");
  ExpectRejected("{\n  \"expected_version\": 1,\n  \"events\": [}\n", 400, "body", "line 3");
  ExpectRejected("", 400, "body", "empty");
  ExpectRejected("[1, 2]", 400, "body", "expected a JSON object, got an array");
  ExpectRejected(std::string(100, '[') + std::string(100, ']'), 400, "body", "not valid JSON");
}

TEST_F(BadInputTest, WrongTypesAndUnknownFields) {
  int64_t v = Version();
  ExpectRejected(R"({"expected_version": "1", "events": []})", 400, "expected_version",
                 "expected an integer, got a string");
  ExpectRejected(R"({"expected_version": 1.5, "events": []})", 400, "expected_version",
                 "expected an integer");
  ExpectRejected(R"({"expected_version": -1, "events": []})", 400, "expected_version",
                 "out of range");
  ExpectRejected(R"({"expected_version": 1, "events": {}})", 400, "events",
                 "expected an array, got an object");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-01-09", "kg": "sixty"})"), 400,
                 "events[0].kg", "expected a number, got a string");
  ExpectRejected(R"({"expected_version": 1, "events": []})", 400, "events", "at least one event");
  ExpectRejected(R"({"expected_version": 1, "events": [], "extra": true})", 400, "extra",
                 "unknown field");
  ExpectRejected(R"({"expected_version": 1, "events": [{"type": "weight", "date": "2026-01-09",
                    "kg": 60}], "sneaky": 1})",
                 400, "sneaky", "unknown field");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-01-09", "kg": 60, "lbs": 132})"),
                 400, "events[0].lbs", "unknown field");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-01-09", "kg": 60, "id": "mine"})"),
                 400, "events[0].id", "assigned by the server");
  ExpectRejected(Events(v, R"({"type": "weighing", "date": "2026-01-09", "kg": 60})"), 400,
                 "events[0].type", "not an event type");
  ExpectRejected(Events(v, R"({"date": "2026-01-09", "kg": 60})"), 400, "events[0].type",
                 "required field is missing");
}

TEST_F(BadInputTest, ImpossibleDatesAndWrongUnits) {
  int64_t v = Version();
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-02-30", "kg": 60})"), 400,
                 "events[0].date", "not a real calendar date");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-13-01", "kg": 60})"), 400,
                 "events[0].date", "");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "01/05/2026", "kg": 60})"), 400,
                 "events[0].date", "");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-01-09", "kg": 6000})"), 400,
                 "events[0].kg", "out of range");
  ExpectRejected(Events(v, R"({"type": "lab", "date": "2026-01-09", "loinc": "2571-8",
                               "value": 150, "unit": "mg/dl"})"),
                 400, "events[0].unit", "'mg/dl' is not a unit");
  ExpectRejected(Events(v, R"({"type": "weight", "date": "2026-01-09", "kg": 60},
                              {"type": "weight", "date": "2026-02-31", "kg": 60})"),
                 400, "events[1].date", "");

  World& w = *world_;
  HttpClient c = w.client();
  HttpResult future = c.Post("/api/v1/patients",
                             R"({"given_name": "A", "family_name": "B", "birth_date": "2090-01-01",
                                 "sex": "female"})",
                             w.dr_a);
  EXPECT_EQ(future.status, 400);
  EXPECT_EQ(future.Where(), "birth_date");
  EXPECT_NE(future.Detail().find("in the future"), std::string::npos) << future.body;
  HttpResult sex = c.Post("/api/v1/patients",
                          R"({"given_name": "A", "family_name": "B", "birth_date": "2000-01-01",
                              "sex": "F"})",
                          w.dr_a);
  EXPECT_EQ(sex.status, 400);
  EXPECT_EQ(sex.Where(), "sex");
  EXPECT_EQ(c.Get("/api/v1/patients?birth_date=2001-02-29", w.dr_a).status, 400);
  EXPECT_EQ(c.Get("/api/v1/patients?limit=abc", w.dr_a).Where(), "limit");
  EXPECT_EQ(c.Get("/api/v1/patients?limit=100000", w.dr_a).status, 400);
}

TEST_F(BadInputTest, HugeBodiesAndHeadersAreRefused) {
  World& w = *world_;
  HttpClient c = w.client();
  int64_t before = Version();
  std::string huge = Events(before, R"({"type": "weight", "date": "2026-01-09", "kg": 60,
                                        "note": ")" +
                                        std::string(200 * 1024, 'x') + "\"}");
  HttpResult r = c.Post("/api/v1/patients/" + w.p1 + "/events", huge, w.dr_a);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.Detail().find("larger than the limit"), std::string::npos) << r.body;
  EXPECT_EQ(Version(), before);
  HttpResult h = c.Request("GET", "/healthz", "", {{"X-Padding", std::string(20 * 1024, 'y')}});
  EXPECT_EQ(h.status, 431);
  // The server is still fine afterwards.
  EXPECT_EQ(c.Get("/healthz").status, 200);
}

TEST_F(BadInputTest, InjectionLookingStringsAreJustText) {
  World& w = *world_;
  HttpClient c = w.client();
  const std::string evil = "Robert'); DROP TABLE patients;--";
  json::object body{{"given_name", "<script>alert(1)</script>"},
                    {"family_name", evil},
                    {"birth_date", "2000-01-01"},
                    {"sex", "male"}};
  HttpResult made = c.Post("/api/v1/patients", json::serialize(body), w.dr_a);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json.at("family_name").as_string(), evil);
  HttpResult search = c.Get("/api/v1/patients?q=%27%20OR%201%3D1%20--", w.dr_a);
  ASSERT_EQ(search.status, 200);
  EXPECT_TRUE(search.json.at("items").as_array().empty());
  HttpResult wildcard = c.Get("/api/v1/patients?q=%25", w.dr_a);
  ASSERT_EQ(wildcard.status, 200);
  EXPECT_TRUE(wildcard.json.at("items").as_array().empty());
  HttpResult found = c.Get("/api/v1/patients?q=DROP%20TABLE", w.dr_a);
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.json.at("items").as_array().size(), 1u);
  // Everything still works: the tables are there.
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p1, w.dr_a).status, 200);
  ExpectRejected(Events(Version(), R"({"type": "weight; DROP TABLE events", "date": "2026-01-09",
                                       "kg": 60})"),
                 400, "events[0].type", "not an event type");
  HttpResult traversal = c.Get("/api/v1/patients/..%2F..%2Fetc%2Fpasswd", w.dr_a);
  EXPECT_EQ(traversal.status, 404);
  HttpResult control = c.Post("/api/v1/patients",
                              R"({"given_name": "A\u0000B", "family_name": "C",
                                  "birth_date": "2000-01-01", "sex": "male"})",
                              w.dr_a);
  EXPECT_EQ(control.status, 400);
  EXPECT_EQ(control.Where(), "given_name");
}

TEST_F(BadInputTest, StaleVersionsAndReplayedIdempotencyKeys) {
  World& w = *world_;
  HttpClient c = w.client();
  int64_t v = Version();
  std::string weight = R"({"type": "weight", "date": "2026-01-09", "kg": 60})";
  HttpResult stale = c.Post("/api/v1/patients/" + w.p1 + "/events", Events(v - 1, weight), w.dr_a);
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.Where(), "expected_version");
  EXPECT_EQ(stale.json.at("current_version").as_int64(), v);
  EXPECT_EQ(Version(), v);

  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "retry-42"}};
  HttpResult first = c.Post("/api/v1/patients/" + w.p1 + "/events", Events(v, weight), w.dr_a, key);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResult again = c.Post("/api/v1/patients/" + w.p1 + "/events", Events(v, weight), w.dr_a, key);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json.at("events"), first.json.at("events"));
  EXPECT_EQ(Version(), v + 1);
  // The same key for a different request.
  ExpectRejected(Events(v + 1, R"({"type": "weight", "date": "2026-01-10", "kg": 99})"), 409,
                 "Idempotency-Key", "already used for a different request", key);
  ExpectRejected(Events(v + 1, weight), 400, "Idempotency-Key", "printable ASCII",
                 {{"Idempotency-Key", "has space"}});
  // A correction of an event that does not exist.
  HttpResult nothing =
      c.Post("/api/v1/patients/" + w.p1 + "/events/evt_nope/corrections",
             R"({"expected_version": 1, "event": {"date": "2026-01-05"}})", w.dr_a);
  EXPECT_EQ(nothing.status, 404);
  EXPECT_EQ(Version(), v + 1);
}

TEST_F(BadInputTest, LoginFailuresBackOffAndLock) {
  World& w = *world_;
  HttpClient c = w.client();
  auto login = [&](const std::string& pw) {
    return c.Post("/api/v1/auth/login", R"({"username": "staff_a", "password": ")" + pw + R"("})");
  };
  HttpResult unknown = c.Post("/api/v1/auth/login", R"({"username": "nobody", "password": "x"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.Detail(), "wrong username or password");
  for (int i = 0; i < 5; ++i) {
    HttpResult r = login("wrong-password");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.Detail(), "wrong username or password");
  }
  HttpResult locked = login("test-password-123");
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_NE(locked.Detail().find("locked until"), std::string::npos);
  HttpResult missing = c.Post("/api/v1/auth/login", R"({"username": "staff_a"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Where(), "password");
  // The failures are audited.
  int failed = 0;
  for (const auto& a : w.NewAudit()) failed += a.at("action").as_string() == "login.failed";
  EXPECT_GE(failed, 6);
}

// "%00" and "%FF" decode to a NUL and to bytes that are not UTF-8: refused as bad
// input before any lookup, audit entry or database sees them (PostgreSQL would cut a
// NUL short and refuse the bytes).
TEST_F(BadInputTest, PathsAndQueriesMustBeText) {
  World& w = *world_;
  HttpClient c = w.client();
  w.NewAudit();
  struct Case {
    std::string target;
    std::string where;
  };
  for (const Case& k : std::vector<Case>{
           {"/api/v1/patients/" + w.p1 + "%00x", "path"},
           {"/api/v1/patients/" + w.p1 + "%FF/timeline", "path"},
           {"/api/v1/patients/%C0%80", "path"},  // an overlong NUL
           {"/api/v1/patients?q=Riv%00era", "q"},
           {"/api/v1/patients?q%FF=x", "query"},
           {"/api/v1/patients?q=%ED%A0%80", "q"},  // a UTF-16 surrogate
       }) {
    HttpResult r = c.Get(k.target, w.dr_a);
    EXPECT_EQ(r.status, 400) << k.target << ": " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json") << k.target;
    EXPECT_EQ(r.Where(), k.where) << k.target;
  }
  EXPECT_TRUE(w.NewAudit().empty()) << "refused before anything was read";
  // Real text in any script still works.
  HttpResult ok = c.Get("/api/v1/patients?q=%C3%96zt%C3%BCrk", w.dr_a);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(BadInputTest, UnknownRoutesMethodsAndCredentials) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult r = c.Get("/api/v1/nothing-here", w.admin);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  HttpResult m =
      c.Request("PUT", "/api/v1/patients", "{}", {{"Authorization", "Bearer " + w.admin.bearer}});
  EXPECT_EQ(m.status, 405);
  EXPECT_NE(m.Detail().find("allowed: "), std::string::npos) << m.body;
  EXPECT_NE(m.Detail().find("GET"), std::string::npos) << m.body;
  EXPECT_NE(m.Detail().find("POST"), std::string::npos) << m.body;
  HttpResult bad_auth = c.Request("GET", "/api/v1/patients", "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(bad_auth.status, 401);
  EXPECT_EQ(bad_auth.Where(), "Authorization");
  EXPECT_EQ(bad_auth.Header("www-authenticate"), "Bearer realm=\"isocourse\"");
  Credentials forged{"iso_forged_token", "", ""};
  EXPECT_EQ(c.Get("/api/v1/patients", forged).status, 401);
  HttpResult purpose =
      c.Request("GET", "/api/v1/patients/" + w.p1, "",
                {{"Authorization", "Bearer " + w.dr_a.bearer}, {"X-Purpose-Of-Use", "x\"; DROP"}});
  EXPECT_EQ(purpose.status, 400);
  EXPECT_EQ(purpose.Where(), "X-Purpose-Of-Use");
}

}  // namespace
}  // namespace isocourse::testing
