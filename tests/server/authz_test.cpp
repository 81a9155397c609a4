// The authorization matrix over real HTTP: every patient route x every role x own and
// other clinic (and own/other record for a patient login), every admin route x every
// role. Any unexpected allow is a leak and fails the test; every request on patient
// data must leave an audit entry naming who, what, which patient and the outcome.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "harness.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

enum class Expect { kAllow, kNotFound, kForbidden, kUnauthenticated };

const char* Name(Expect e) {
  switch (e) {
    case Expect::kAllow:
      return "allow";
    case Expect::kNotFound:
      return "404";
    case Expect::kForbidden:
      return "403";
    case Expect::kUnauthenticated:
      return "401";
  }
  return "?";
}

bool Matches(Expect e, int status) {
  switch (e) {
    case Expect::kAllow:
      return status >= 200 && status < 300;
    case Expect::kNotFound:
      return status == 404;
    case Expect::kForbidden:
      return status == 403;
    case Expect::kUnauthenticated:
      return status == 401;
  }
  return false;
}

struct Actor {
  std::string name;
  const Credentials* creds;
  const std::string* id;
};

class AuthzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static World* world_;
};
World* AuthzTest::world_ = nullptr;

TEST_F(AuthzTest, PatientRoutesByRoleAndTenant) {
  World& w = *world_;
  HttpClient c = w.client();
  Credentials anonymous;
  std::string none = "anonymous";
  std::vector<Actor> actors = {{"admin", &w.admin, &w.admin_id},
                               {"prescriber A", &w.dr_a, &w.dr_a_id},
                               {"staff A", &w.staff_a, &w.staff_a_id},
                               {"pharmacist A", &w.pharm_a, &w.pharm_a_id},
                               {"patient p1", &w.patient_a, &w.patient_a_id},
                               {"anonymous", &anonymous, &none}};

  // Each call gets the patient, an event of theirs that may be corrected, and the
  // current version, all prepared before the call so that the call is the only
  // audited request.
  struct Target {
    std::string patient, event;
    int64_t version = 0;
  };
  struct RouteCase {
    std::string name;
    std::string action;  // audit action
    bool write;
    std::function<HttpResult(const Credentials&, const Target&)> call;
  };
  auto version_of = [&](const std::string& p) -> int64_t {
    HttpResult r = c.Get("/api/v1/patients/" + p, w.admin);
    return r.json.at("version").as_int64();
  };
  auto prepare = [&](const std::string& p) {
    // A fresh event to correct (an event can be corrected only once).
    int64_t v = version_of(p);
    json::object b{{"expected_version", v},
                   {"events", json::array{json::object{
                                  {"type", "weight"}, {"date", "2026-01-20"}, {"kg", 63}}}}};
    HttpResult r = c.Post("/api/v1/patients/" + p + "/events", json::serialize(b), w.admin);
    EXPECT_EQ(r.status, 201) << r.body;
    return Target{p, std::string(r.json.at("events").at(0).at("event").at("id").as_string()),
                  v + 1};
  };
  std::vector<RouteCase> routes = {
      {"GET patient", "patient.read", false,
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient, cr);
       }},
      {"GET events", "events.read", false,
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/events", cr);
       }},
      {"GET timeline", "timeline.read", false,
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/timeline", cr);
       }},
      {"POST dose-plan", "dose_plan.compute", false,
       [&](const Credentials& cr, const Target& t) {
         return c.Post("/api/v1/patients/" + t.patient + "/dose-plan",
                       R"({"weight_kg": 60, "product": "generic", "target_mg_per_kg": 120,
                           "start": "2026-01-10"})",
                       cr);
       }},
      {"POST events", "events.append", true,
       [&](const Credentials& cr, const Target& t) {
         json::object b{{"expected_version", t.version},
                        {"events", json::array{json::object{
                                       {"type", "weight"}, {"date", "2026-02-01"}, {"kg", 62}}}}};
         return c.Post("/api/v1/patients/" + t.patient + "/events", json::serialize(b), cr);
       }},
      {"POST correction", "events.correct", true,
       [&](const Credentials& cr, const Target& t) {
         json::object b{{"expected_version", t.version},
                        {"event", json::object{{"date", "2026-01-20"}, {"kg", 63.5}}}};
         return c.Post("/api/v1/patients/" + t.patient + "/events/" + t.event + "/corrections",
                       json::serialize(b), cr);
       }},
  };

  // expected[actor][own?] for reads and writes.
  auto expect = [&](const std::string& actor, bool own, bool write) {
    if (actor == "anonymous") return Expect::kUnauthenticated;
    if (actor == "admin") return Expect::kAllow;
    if (actor == "pharmacist A") return Expect::kForbidden;
    if (actor == "patient p1") {
      if (!own) return Expect::kNotFound;
      return write ? Expect::kForbidden : Expect::kAllow;
    }
    return own ? Expect::kAllow : Expect::kNotFound;  // prescriber, staff of clinic A
  };

  for (const RouteCase& route : routes) {
    for (const Actor& actor : actors) {
      for (bool own : {true, false}) {
        Expect e = expect(actor.name, own, route.write);
        SCOPED_TRACE(route.name + " as " + actor.name + " on " + (own ? "own" : "other") +
                     " patient, expecting " + Name(e));
        Target t = prepare(own ? w.p1 : w.p2);
        w.NewAudit();
        HttpResult r = route.call(*actor.creds, t);
        EXPECT_TRUE(Matches(e, r.status)) << "got " << r.status << ": " << r.body;
        // The audit trail: authenticated requests on patient data leave exactly one
        // entry with who, what, which patient and how it ended.
        std::vector<json::object> audit = w.NewAudit();
        if (e == Expect::kUnauthenticated) {
          EXPECT_TRUE(audit.empty());
        } else if (audit.size() != 1u) {
          ADD_FAILURE() << "expected one audit entry, got " << audit.size();
        } else {
          const json::object& a = audit[0];
          EXPECT_EQ(a.at("actor").as_string(), *actor.id);
          EXPECT_EQ(a.at("action").as_string(), route.action);
          EXPECT_EQ(a.at("patient_id").as_string(), t.patient);
          EXPECT_EQ(a.at("remote").as_string(), "127.0.0.1");
          EXPECT_EQ(a.at("reason").as_string(), "treatment");
          EXPECT_EQ(a.at("outcome").as_string(), e == Expect::kAllow ? "ok" : "denied");
        }
        if (e != Expect::kAllow) {
          // Nothing leaks: no other clinic's name in the answer, and no write happened.
          EXPECT_EQ(r.body.find(w.p2_family), std::string::npos) << r.body;
          EXPECT_EQ(r.Header("content-type"), "application/problem+json");
          EXPECT_EQ(version_of(t.patient), t.version);
        }
      }
    }
  }
}

TEST_F(AuthzTest, PatientListsAndSearchesStayInsideTheClinic) {
  World& w = *world_;
  HttpClient c = w.client();
  for (const Credentials* who : {&w.dr_a, &w.staff_a}) {
    HttpResult r = c.Get("/api/v1/patients?limit=200", *who);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_FALSE(r.json.at("items").as_array().empty());
    for (const auto& p : r.json.at("items").as_array())
      EXPECT_EQ(p.at("clinic_id").as_string(), w.clinic_a);
    EXPECT_EQ(r.body.find(w.p2_family), std::string::npos);
    // Searching for the other clinic's patient by name finds nothing...
    HttpResult s = c.Get("/api/v1/patients?q=" + w.p2_family, *who);
    ASSERT_EQ(s.status, 200);
    EXPECT_TRUE(s.json.at("items").as_array().empty());
    // ...and asking for the other clinic is refused.
    EXPECT_EQ(c.Get("/api/v1/patients?clinic_id=" + w.clinic_b, *who).status, 403);
  }
  HttpResult all = c.Get("/api/v1/patients?limit=200", w.admin);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json.at("items").as_array().size(), 2u);
  for (const Credentials* who : {&w.pharm_a, &w.patient_a}) {
    HttpResult r = c.Get("/api/v1/patients", *who);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.body.find("Rivera"), std::string::npos);
  }
  EXPECT_EQ(c.Get("/api/v1/patients").status, 401);
  std::vector<json::object> audit = w.NewAudit();
  ASSERT_FALSE(audit.empty());
  for (const auto& a : audit) EXPECT_EQ(a.at("action").as_string(), "patient.list");
}

TEST_F(AuthzTest, CreatingPatientsOnlyInTheOwnClinic) {
  World& w = *world_;
  HttpClient c = w.client();
  auto body = [](const std::string& clinic) {
    json::object b{{"given_name", "New"},
                   {"family_name", "Person"},
                   {"birth_date", "2000-01-01"},
                   {"sex", "male"}};
    if (!clinic.empty()) b["clinic_id"] = clinic;
    return json::serialize(b);
  };
  HttpResult own = c.Post("/api/v1/patients", body(""), w.staff_a);
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(own.json.at("clinic_id").as_string(), w.clinic_a);
  EXPECT_EQ(c.Post("/api/v1/patients", body(w.clinic_b), w.dr_a).status, 403);
  EXPECT_EQ(c.Post("/api/v1/patients", body(""), w.pharm_a).status, 403);
  EXPECT_EQ(c.Post("/api/v1/patients", body(""), w.patient_a).status, 403);
  EXPECT_EQ(c.Post("/api/v1/patients", body(""), w.admin).status, 400);  // must name a clinic
  EXPECT_EQ(c.Post("/api/v1/patients", body(w.clinic_b), w.admin).status, 201);
  EXPECT_EQ(c.Post("/api/v1/patients", body("")).status, 401);
}

TEST_F(AuthzTest, AdminRoutesAreForAdminsOnly) {
  World& w = *world_;
  HttpClient c = w.client();
  struct Call {
    std::string name;
    std::function<HttpResult(const Credentials&)> run;
  };
  std::vector<Call> calls = {
      {"GET clinics", [&](const Credentials& cr) { return c.Get("/api/v1/clinics", cr); }},
      {"POST clinics",
       [&](const Credentials& cr) {
         return c.Post("/api/v1/clinics", R"({"name": "X", "jurisdiction": "UK"})", cr);
       }},
      {"GET users", [&](const Credentials& cr) { return c.Get("/api/v1/users", cr); }},
      {"POST users",
       [&](const Credentials& cr) {
         static int n = 0;
         return c.Post("/api/v1/users",
                       R"({"username": "u)" + std::to_string(++n) +
                           R"(", "role": "staff", "clinic_id": ")" + w.clinic_a + R"("})",
                       cr);
       }},
      {"POST disable",
       [&](const Credentials& cr) {
         return c.Post("/api/v1/users/" + w.dr_b_id + "/enable", "", cr);
       }},
      {"GET tokens", [&](const Credentials& cr) { return c.Get("/api/v1/tokens", cr); }},
      {"POST tokens",
       [&](const Credentials& cr) {
         return c.Post("/api/v1/tokens", R"({"user_id": ")" + w.staff_a_id + R"(", "name": "t"})",
                       cr);
       }},
      {"GET audit", [&](const Credentials& cr) { return c.Get("/api/v1/audit", cr); }},
      {"GET audit export",
       [&](const Credentials& cr) { return c.Get("/api/v1/audit/export", cr); }},
  };
  Credentials anonymous;
  for (const Call& call : calls) {
    SCOPED_TRACE(call.name);
    HttpResult a = call.run(w.admin);
    EXPECT_TRUE(a.status >= 200 && a.status < 300) << a.status << " " << a.body;
    for (const Credentials* who : {&w.dr_a, &w.staff_a, &w.pharm_a, &w.patient_a, &w.dr_b}) {
      HttpResult r = call.run(*who);
      EXPECT_EQ(r.status, 403) << r.body;
      EXPECT_EQ(r.body.find("test-password"), std::string::npos);
    }
    EXPECT_EQ(call.run(anonymous).status, 401);
  }
}

TEST_F(AuthzTest, CookieSessionsNeedTheCsrfTokenForWrites) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult login =
      c.Post("/api/v1/auth/login", R"({"username": "dr_a", "password": "test-password-123"})");
  ASSERT_EQ(login.status, 200);
  std::string set_cookie = login.Header("set-cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  std::string csrf(login.json.at("csrf_token").as_string());

  Credentials browser{"", cookie, ""};
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p1, browser).status, 200);  // reads need no token
  std::string body = R"({"given_name": "C", "family_name": "Srf", "birth_date": "2000-01-01",
                         "sex": "female"})";
  HttpResult forged = c.Post("/api/v1/patients", body, browser);
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.Where(), "X-CSRF-Token");
  Credentials wrong{"", cookie, "not-the-token"};
  EXPECT_EQ(c.Post("/api/v1/patients", body, wrong).status, 403);
  Credentials good{"", cookie, csrf};
  EXPECT_EQ(c.Post("/api/v1/patients", body, good).status, 201);

  EXPECT_EQ(c.Post("/api/v1/auth/logout", "", good).status, 204);
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p1, browser).status, 401);
}

TEST_F(AuthzTest, ApiTokensWorkUntilRevokedAndDisabledUsersAreLockedOut) {
  World& w = *world_;
  HttpClient c = w.client();
  HttpResult made = c.Post(
      "/api/v1/tokens", R"({"user_id": ")" + w.staff_a_id + R"(", "name": "lab import"})", w.admin);
  ASSERT_EQ(made.status, 201) << made.body;
  Credentials token{std::string(made.json.at("token").as_string()), "", ""};
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p1, token).status, 200);
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p2, token).status, 404);  // still clinic A only
  HttpResult list = c.Get("/api/v1/tokens", w.admin);
  EXPECT_EQ(list.body.find(token.bearer), std::string::npos);  // never shown again
  std::string id(made.json.at("id").as_string());
  EXPECT_EQ(c.Delete("/api/v1/tokens/" + id, w.admin).status, 204);
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p1, token).status, 401);

  Credentials dr_b = c.Login("dr_b", "test-password-123");
  ASSERT_FALSE(dr_b.bearer.empty());
  EXPECT_EQ(c.Post("/api/v1/users/" + w.dr_b_id + "/disable", "", w.admin).status, 200);
  EXPECT_EQ(c.Get("/api/v1/patients/" + w.p2, dr_b).status, 401);
  EXPECT_EQ(c.Post("/api/v1/auth/login", R"({"username": "dr_b", "password": "test-password-123"})")
                .status,
            403);
  EXPECT_EQ(c.Post("/api/v1/users/" + w.dr_b_id + "/enable", "", w.admin).status, 200);
}

}  // namespace
}  // namespace isocourse::testing
