// `isocourse serve --db postgresql://...` end to end: the real binary on a fresh
// database of the test PostgreSQL server (CTest fixture `postgres`), driven over HTTP
// as a clinic would, then `isocourse verify` on the same database.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "harness.h"
#include "support/pg_test_db.h"
#include "support/run_cli.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

TEST(PgServeTest, ServesAClinicFromPostgresAndVerifies) {
  PgTestDb db;
  ASSERT_EQ(db.error(), "");
  World w;
  w.db = db.url();
  // Setup logs in as the printed one-time admin and creates clinics, users of every
  // role, patients and their first events over HTTP.
  ASSERT_TRUE(w.Setup());
  HttpClient c = w.client();
  const std::string base = "/api/v1/patients/" + w.p1;

  json::array events{json::object{{"type", "weight"}, {"date", "2026-01-20"}, {"kg", 62}}};
  HttpResult app =
      c.Post(base + "/events",
             json::serialize(json::object{{"expected_version", 1}, {"events", events}}), w.dr_a);
  ASSERT_EQ(app.status, 201) << app.body;
  HttpResult stale =
      c.Post(base + "/events",
             json::serialize(json::object{{"expected_version", 1}, {"events", events}}), w.dr_a);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json.at("current_version").as_int64(), 2) << stale.body;

  HttpResult timeline = c.Get(base + "/timeline", w.dr_a);
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  EXPECT_EQ(timeline.json.at("events").as_array().size(), 2u) << timeline.body;
  HttpResult assessment = c.Get(base + "/assessment?as_of=2026-02-01", w.dr_a);
  ASSERT_EQ(assessment.status, 200) << assessment.body;
  EXPECT_EQ(assessment.json.at("patient").as_string(), w.p1);
  EXPECT_EQ(assessment.json.at("version").as_int64(), 2);
  // Reads and writes were audited in the database.
  EXPECT_FALSE(w.NewAudit().empty());
  EXPECT_EQ(w.server->Stop(), 0);

  CliResult verify = RunCli({"verify", "--db", db.url()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("ok: 2 patients, 3 events"), std::string::npos) << verify.out;

  // A restart finds everything, and creates no second admin.
  ServerProcess again(ServerOptions{db.url(), {}});
  ASSERT_TRUE(again.Start()) << again.stdout_text();
  EXPECT_TRUE(again.admin_password().empty());
  Credentials dr = again.client().Login("dr_a", "test-password-123");
  ASSERT_FALSE(dr.bearer.empty());
  EXPECT_EQ(again.client().Get(base + "/timeline", dr).json.at("events").as_array().size(), 2u);
  EXPECT_EQ(again.Stop(), 0);
}

}  // namespace
}  // namespace isocourse::testing
