// The authorization matrix over real HTTP, one table for every route on patient data:
// the patient routes, the engine routes (assessment, forecast, diary, lab import) and
// the pharmacy and worklist routes x every role x own and other clinic (and own/other
// record for a patient login); then every admin route x every role. Any unexpected
// allow is a leak and fails the test; every request on patient data must leave an
// audit entry naming who, what, which patient (or clinic) and the outcome.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <set>

#include "engine_fixture.h"
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

// Parses one row of the matrix: six cells in the order of `actors` below, each two
// letters for (own, other): A allow, N 404, F 403, U 401.
std::vector<std::pair<Expect, Expect>> Row(std::string_view cells) {
  auto one = [](char ch) {
    switch (ch) {
      case 'A':
        return Expect::kAllow;
      case 'N':
        return Expect::kNotFound;
      case 'F':
        return Expect::kForbidden;
      default:
        return Expect::kUnauthenticated;
    }
  };
  std::vector<std::pair<Expect, Expect>> out;
  for (size_t i = 0; i + 1 < cells.size(); i += 3)
    out.emplace_back(one(cells[i]), one(cells[i + 1]));
  return out;
}

class AuthzTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new World();
    ASSERT_TRUE(world_->Setup());
    // Both patients get the course of tests/server/data/dispense-allowed.json, so the
    // engine routes have something to evaluate and a prescription (rx-2) that may be
    // dispensed on 2026-02-04.
    HttpClient c = world_->client();
    for (const std::string* p : {&world_->p1, &world_->p2}) {
      auto ids =
          LoadTimeline(c, world_->admin, *p, SourcePath("tests/server/data/dispense-allowed.json"));
      rx_[*p] = ids["rx-2"];
    }
    world_->NewAudit();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  static World* world_;
  static std::map<std::string, std::string> rx_;  // patient -> its waiting prescription
};
World* AuthzTest::world_ = nullptr;
std::map<std::string, std::string> AuthzTest::rx_;

// One table for every route on patient data: the patient routes, the engine routes
// (assessment, forecast, diary, lab import) and the clinic-level ones (dispense lookup,
// check and record; worklist). "own" is patient p1 of clinic A (the patient login's own
// record), "other" is p2 of clinic B; for the clinic-level routes "own"/"other" is the
// clinic asked for (clinic_id A / B).
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

  // Each call gets the patient (and its clinic and waiting prescription), an event of
  // theirs that may be corrected, and the current version, all prepared before the
  // call so that the call is the only audited request.
  struct Target {
    std::string patient, event, clinic, rx;
    int64_t version = 0;
  };
  enum class Scope { kPatient, kClinic };
  struct RouteCase {
    std::string name;
    std::string route;   // method and path as in api/openapi.json
    std::string action;  // audit action
    bool write;
    Scope scope;
    std::vector<std::pair<Expect, Expect>> expect;  // per actor: (own, other)
    std::function<HttpResult(const Credentials&, const Target&)> call;
  };
  auto version_of = [&](const std::string& p) -> int64_t {
    HttpResult r = c.Get("/api/v1/patients/" + p, w.admin);
    return r.json.at("version").as_int64();
  };
  std::map<std::string, std::string> recorded;  // patient -> dispense the matrix recorded
  auto prepare = [&](const std::string& p) {
    // A dispense recorded by an earlier call is entered in error, so the prescription
    // is waiting again.
    if (auto d = recorded.find(p); d != recorded.end()) {
      json::object b{{"expected_version", version_of(p)},
                     {"events", json::array{json::object{{"type", "entered_in_error"},
                                                         {"date", "2026-02-04"},
                                                         {"corrects", d->second},
                                                         {"reason", "authz matrix reset"}}}}};
      HttpResult r = c.Post("/api/v1/patients/" + p + "/events", json::serialize(b), w.admin);
      EXPECT_EQ(r.status, 201) << r.body;
      recorded.erase(d);
    }
    // A fresh event to correct (an event can be corrected only once).
    int64_t v = version_of(p);
    json::object b{{"expected_version", v},
                   {"events", json::array{json::object{
                                  {"type", "weight"}, {"date", "2026-01-20"}, {"kg", 63}}}}};
    HttpResult r = c.Post("/api/v1/patients/" + p + "/events", json::serialize(b), w.admin);
    EXPECT_EQ(r.status, 201) << r.body;
    return Target{p, std::string(r.json.at("events").at(0).at("event").at("id").as_string()),
                  p == w.p1 ? w.clinic_a : w.clinic_b, rx_[p], v + 1};
  };
  auto dispense_body = [](const Target& t, bool record) {
    json::object b{{"patient_id", t.patient}, {"prescription_id", t.rx}, {"date", "2026-02-04"}};
    if (record) b["days_supply"] = 30;
    return json::serialize(b);
  };

  // Cells in actor order:  admin prescr staff pharm patient anonymous
  std::vector<RouteCase> routes = {
      {"GET patient", "GET /api/v1/patients/{patient_id}", "patient.read", false, Scope::kPatient,
       Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient, cr);
       }},
      {"GET events", "GET /api/v1/patients/{patient_id}/events", "events.read", false,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/events", cr);
       }},
      {"GET timeline", "GET /api/v1/patients/{patient_id}/timeline", "timeline.read", false,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/timeline", cr);
       }},
      {"POST dose-plan", "POST /api/v1/patients/{patient_id}/dose-plan", "dose_plan.compute", false,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Post("/api/v1/patients/" + t.patient + "/dose-plan",
                       R"({"weight_kg": 60, "product": "generic", "target_mg_per_kg": 120,
                           "start": "2026-01-10"})",
                       cr);
       }},
      {"POST events", "POST /api/v1/patients/{patient_id}/events", "events.append", true,
       Scope::kPatient, Row("AA AN AN FF FN UU"),
       [&](const Credentials& cr, const Target& t) {
         json::object b{{"expected_version", t.version},
                        {"events", json::array{json::object{
                                       {"type", "weight"}, {"date", "2026-02-01"}, {"kg", 62}}}}};
         return c.Post("/api/v1/patients/" + t.patient + "/events", json::serialize(b), cr);
       }},
      {"POST correction", "POST /api/v1/patients/{patient_id}/events/{event_id}/corrections",
       "events.correct", true, Scope::kPatient, Row("AA AN AN FF FN UU"),
       [&](const Credentials& cr, const Target& t) {
         json::object b{{"expected_version", t.version},
                        {"event", json::object{{"date", "2026-01-20"}, {"kg", 63.5}}}};
         return c.Post("/api/v1/patients/" + t.patient + "/events/" + t.event + "/corrections",
                       json::serialize(b), cr);
       }},
      // --- the engine routes ---
      {"GET assessment", "GET /api/v1/patients/{patient_id}/assessment", "assessment.read", false,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/assessment?as_of=2026-02-04", cr);
       }},
      {"GET forecast", "GET /api/v1/patients/{patient_id}/forecast", "forecast.read", false,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/patients/" + t.patient + "/forecast?as_of=2026-02-04", cr);
       }},
      // The patient writes their own diary; clinic roles may write it for them.
      {"POST diary", "POST /api/v1/patients/{patient_id}/diary", "diary.append", true,
       Scope::kPatient, Row("AA AN AN FF AN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Post("/api/v1/patients/" + t.patient + "/diary",
                       R"({"date": "2026-02-12", "dose": {"taken": false}})", cr);
       }},
      {"POST labs import", "POST /api/v1/patients/{patient_id}/labs/import", "labs.import", true,
       Scope::kPatient, Row("AA AN AN FF FN UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Post("/api/v1/patients/" + t.patient + "/labs/import",
                       "date,loinc,value,unit\n2026-02-15,2571-8,120,mg/dL\n", cr,
                       {{"Content-Type", "text/csv"}});
       }},
      // The pharmacy: pharmacists and clinic roles of the patient's clinic; a patient
      // login may not use it.
      {"GET dispense lookup", "GET /api/v1/dispense/lookup", "dispense.lookup", false,
       Scope::kClinic, Row("AA AF AF AF FF UU"),
       [&](const Credentials& cr, const Target& t) {
         const std::string q = t.patient == w.p1 ? "Rivera" : w.p2_family;
         return c.Get("/api/v1/dispense/lookup?q=" + q + "&clinic_id=" + t.clinic, cr);
       }},
      {"POST dispense check", "POST /api/v1/dispense/check", "dispense.check", false,
       Scope::kPatient, Row("AA AN AN AN FF UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Post("/api/v1/dispense/check", dispense_body(t, false), cr);
       }},
      {"POST dispense record", "POST /api/v1/dispenses", "dispense.record", true, Scope::kPatient,
       Row("AA AN AN AN FF UU"),
       [&](const Credentials& cr, const Target& t) {
         HttpResult r = c.Post("/api/v1/dispenses", dispense_body(t, true), cr);
         if (r.status == 201)
           recorded[t.patient] = std::string(r.json.at("event").at("event").at("id").as_string());
         return r;
       }},
      {"GET worklist", "GET /api/v1/worklist", "worklist.read", false, Scope::kClinic,
       Row("AA AF AF FF FF UU"),
       [&](const Credentials& cr, const Target& t) {
         return c.Get("/api/v1/worklist?as_of=2026-02-04&clinic_id=" + t.clinic, cr);
       }},
  };

  for (const RouteCase& route : routes) {
    ASSERT_EQ(route.expect.size(), actors.size()) << route.name;
    for (size_t ai = 0; ai < actors.size(); ++ai) {
      const Actor& actor = actors[ai];
      for (bool own : {true, false}) {
        Expect e = own ? route.expect[ai].first : route.expect[ai].second;
        SCOPED_TRACE(route.name + " as " + actor.name + " on " + (own ? "own" : "other") +
                     (route.scope == Scope::kClinic ? " clinic" : " patient") + ", expecting " +
                     Name(e));
        Target t = prepare(own ? w.p1 : w.p2);
        w.NewAudit();
        HttpResult r = route.call(*actor.creds, t);
        EXPECT_TRUE(Matches(e, r.status)) << "got " << r.status << ": " << r.body;
        // The audit trail: authenticated requests on patient data leave exactly one
        // entry with who, what, which patient (or clinic) and how it ended.
        std::vector<json::object> audit = w.NewAudit();
        if (e == Expect::kUnauthenticated) {
          EXPECT_TRUE(audit.empty());
        } else if (audit.size() != 1u) {
          ADD_FAILURE() << "expected one audit entry, got " << audit.size();
        } else {
          const json::object& a = audit[0];
          EXPECT_EQ(a.at("actor").as_string(), *actor.id);
          EXPECT_EQ(a.at("action").as_string(), route.action);
          if (route.scope == Scope::kPatient) {
            EXPECT_EQ(a.at("patient_id").as_string(), t.patient);
          } else {
            EXPECT_TRUE(a.at("patient_id").is_null()) << json::serialize(a);
            EXPECT_EQ(a.at("clinic_id").as_string(), t.clinic);
          }
          EXPECT_EQ(a.at("remote").as_string(), "127.0.0.1");
          EXPECT_EQ(a.at("reason").as_string(), "treatment");
          // A 404 for another clinic's patient is a denial in the audit log: the
          // caller is told nothing, the log says what happened.
          const std::string outcome = e == Expect::kAllow ? "ok" : "denied";
          EXPECT_EQ(a.at("outcome").as_string(), outcome);
        }
        // Nothing leaks: no other clinic's patient in any answer to someone outside it.
        if (actor.name != "admin" || e != Expect::kAllow) {
          EXPECT_EQ(r.body.find(w.p2_family), std::string::npos) << r.body;
        }
        if (e == Expect::kAllow && route.name == "POST dispense check") {
          EXPECT_TRUE(r.json.at("decision").at("allowed").as_bool()) << r.body;
        }
        if (e != Expect::kAllow) {
          // A refusal says no more than that, and no write happened.
          EXPECT_EQ(r.Header("content-type"), "application/problem+json");
          EXPECT_EQ(version_of(t.patient), t.version);
        } else if (route.write) {
          EXPECT_GT(version_of(t.patient), t.version);
        } else {
          EXPECT_EQ(version_of(t.patient), t.version);
        }
      }
    }
  }

  // The table is complete: every route the server documents on a patient, the pharmacy
  // or the worklist has a row.
  HttpResult doc = c.Get("/api/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<std::string> rows;
  for (const RouteCase& route : routes) rows.insert(route.route);
  for (const auto& [path, methods] : doc.json.at("paths").as_object()) {
    const bool on_patient = path.starts_with("/api/v1/patients/{patient_id}");
    const bool clinic_level = path.starts_with("/api/v1/dispense") || path == "/api/v1/worklist";
    if (!on_patient && !clinic_level) continue;
    for (const auto& m : methods.as_object()) {
      std::string method(m.key());
      for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const std::string route = method + " " + std::string(path);
      EXPECT_TRUE(rows.contains(route)) << route << " is missing from the matrix";
    }
  }
}

TEST_F(AuthzTest, PatientListsAndSearchesStayInsideTheClinic) {
  World& w = *world_;
  HttpClient c = w.client();
  w.NewAudit();  // what earlier tests in this process left (CTest runs each test alone)
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
