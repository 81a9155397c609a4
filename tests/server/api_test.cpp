// End-to-end behaviour of `isocourse serve` over real HTTP: operations endpoints, the
// timeline round trip, first start, static files and articles, graceful shutdown, the
// demo, and the operator commands (user, backup, restore, verify) on a live database.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "harness.h"

namespace isocourse::testing {
namespace {

namespace json = boost::json;

int RunCli(const std::string& args, std::string* out = nullptr) {
  std::string cmd = Binary() + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[512];
  std::string text;
  while (fgets(buf, sizeof buf, p)) text += buf;
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(w_.Setup(extra_args_)); }
  std::vector<std::string> extra_args_;
  World w_;
};

TEST_F(ApiTest, HealthReadinessMetricsAndOpenApi) {
  HttpClient c = w_.client();
  HttpResult h = c.Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.json.at("status").as_string(), "ok");
  HttpResult r = c.Get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.at("checks").at("database").as_string(), "ok");
  HttpResult m = c.Get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find(
                "isocourse_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"),
            std::string::npos)
      << m.body;
  EXPECT_NE(
      m.body.find("isocourse_http_request_duration_seconds_bucket{route=\"/api/v1/patients\""),
      std::string::npos);
  EXPECT_NE(m.body.find("isocourse_store_commits_total "), std::string::npos);
  EXPECT_NE(m.body.find("isocourse_http_errors_total"), std::string::npos);
  // Metrics name routes by pattern, never a concrete patient id.
  EXPECT_EQ(m.body.find(w_.p1), std::string::npos);
  HttpResult o = c.Get("/api/openapi.json");
  EXPECT_EQ(o.status, 200);
  EXPECT_EQ(o.json.at("openapi").as_string(), "3.1.0");
}

TEST_F(ApiTest, TimelineAppendPageCorrectAndReadAsDocument) {
  HttpClient c = w_.client();
  std::string base = "/api/v1/patients/" + w_.p1;
  json::array events;
  for (int i = 0; i < 4; ++i)
    events.push_back(json::object{
        {"type", "weight"}, {"date", "2026-02-0" + std::to_string(i + 1)}, {"kg", 60 + i}});
  HttpResult app =
      c.Post(base + "/events",
             json::serialize(json::object{{"expected_version", 1}, {"events", events}}), w_.dr_a);
  ASSERT_EQ(app.status, 201) << app.body;
  EXPECT_EQ(app.json.at("version").as_int64(), 5);
  EXPECT_EQ(app.json.at("events").at(0).at("event").at("recorded_by").as_string(), w_.dr_a_id);

  // Paging follows the next links to the end.
  std::string next = base + "/events?limit=2";
  std::vector<int64_t> seqs;
  while (!next.empty()) {
    HttpResult page = c.Get(next, w_.staff_a);
    ASSERT_EQ(page.status, 200) << page.body;
    for (const auto& it : page.json.at("items").as_array()) seqs.push_back(it.at("seq").as_int64());
    next = page.json.at("next").is_null() ? "" : std::string(page.json.at("next").as_string());
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3, 4, 5}));

  std::string wrong_id(app.json.at("events").at(1).at("event").at("id").as_string());
  HttpResult fix =
      c.Post(base + "/events/" + wrong_id + "/corrections",
             R"({"expected_version": 5, "event": {"date": "2026-02-02", "kg": 71}})", w_.dr_a);
  ASSERT_EQ(fix.status, 201) << fix.body;
  const json::value& corr = fix.json.at("events").at(0).at("event");
  EXPECT_EQ(corr.at("corrects").as_string(), wrong_id);
  EXPECT_EQ(corr.at("type").as_string(), "weight");
  // Correcting the same event twice is refused by the engine's rules.
  HttpResult twice =
      c.Post(base + "/events/" + wrong_id + "/corrections",
             R"({"expected_version": 6, "event": {"date": "2026-02-02", "kg": 72}})", w_.dr_a);
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_EQ(twice.Where().rfind("event", 0), 0u) << twice.body;

  HttpResult doc = c.Get(base + "/timeline", w_.dr_a);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json.at("patient").as_string(), w_.p1);
  EXPECT_EQ(doc.json.at("events").as_array().size(), 6u);
  EXPECT_EQ(doc.json.at("version").as_int64(), 6);

  HttpResult plan = c.Post(base + "/dose-plan",
                           R"({"weight_kg": 60, "product": "generic", "target_mg_per_kg": 120,
                               "start": "2026-02-10"})",
                           w_.dr_a);
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_TRUE(plan.json.is_object());
  HttpResult bad_plan = c.Post(base + "/dose-plan",
                               R"({"weight_kg": -3, "product": "generic", "target_mg_per_kg": 120,
                                   "start": "2026-02-10"})",
                               w_.dr_a);
  EXPECT_EQ(bad_plan.status, 400);
  EXPECT_EQ(bad_plan.Where(), "weight_kg");
  // The planner without a patient: clinic roles only.
  std::string plan_body = R"({"weight_kg": 70, "product": "generic", "target_mg_per_kg": 135,
                              "start": "2026-12-01"})";
  EXPECT_EQ(c.Post("/api/v1/dose-plan", plan_body, w_.staff_a).status, 200);
  EXPECT_EQ(c.Post("/api/v1/dose-plan", plan_body, w_.patient_a).status, 403);
  EXPECT_EQ(c.Post("/api/v1/dose-plan", plan_body).status, 401);
}

TEST_F(ApiTest, AuditCanBeFilteredAndExported) {
  HttpClient c = w_.client();
  ASSERT_EQ(c.Get("/api/v1/patients/" + w_.p1, w_.staff_a).status, 200);
  HttpResult list =
      c.Get("/api/v1/audit?patient_id=" + w_.p1 + "&actor=" + w_.staff_a_id, w_.admin);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json.at("items").as_array().size(), 1u);
  const json::value& a = list.json.at("items").at(0);
  EXPECT_EQ(a.at("action").as_string(), "patient.read");
  EXPECT_EQ(a.at("role").as_string(), "staff");
  EXPECT_EQ(a.at("hash").as_string().size(), 64u);
  HttpResult exported = c.Get("/api/v1/audit/export", w_.admin);
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.Header("content-type"), "application/x-ndjson");
  size_t lines = 0;
  std::string prev_hash;
  std::istringstream in(exported.body);
  for (std::string line; std::getline(in, line); ++lines) {
    json::value v = json::parse(line);
    if (!prev_hash.empty()) {
      EXPECT_EQ(v.at("prev_hash").as_string(), prev_hash);
    }
    prev_hash = std::string(v.at("hash").as_string());
  }
  EXPECT_GT(lines, 5u);
  HttpResult paged = c.Get("/api/v1/audit?limit=2", w_.admin);
  EXPECT_FALSE(paged.json.at("next").is_null());
}

TEST_F(ApiTest, RestartKeepsDataAndPrintsNoNewPassword) {
  EXPECT_EQ(w_.server->Stop(), 0);
  ServerProcess again(ServerOptions{w_.dir.path() / "world.db", {}});
  ASSERT_TRUE(again.Start());
  EXPECT_TRUE(again.admin_password().empty()) << again.stdout_text();
  HttpClient c = again.client();
  // Sessions are stored, so the old token still works after the restart.
  HttpResult p = c.Get("/api/v1/patients/" + w_.p1, w_.dr_a);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.json.at("version").as_int64(), 1);
  EXPECT_EQ(again.Stop(), 0);
}

TEST(ApiStandalone, ServesStaticFilesAndArticles) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "web" / "assets");
  std::ofstream(dir.path() / "web" / "index.html") << "<!doctype html><title>isocourse</title>";
  std::ofstream(dir.path() / "web" / "assets" / "app.js") << "console.log('hi')";
  std::ofstream(dir.path() / "secret.txt") << "do not serve";
  ServerProcess s(
      ServerOptions{dir.path() / "s.db", {"--static-dir", (dir.path() / "web").string()}});
  ASSERT_TRUE(s.Start());
  HttpClient c = s.client();
  HttpResult index = c.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<title>isocourse</title>"), std::string::npos);
  EXPECT_NE(index.Header("content-type").find("text/html"), std::string::npos);
  HttpResult js = c.Get("/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.Header("content-type").find("javascript"), std::string::npos);
  EXPECT_EQ(c.Get("/patients/123").body, index.body);  // the app's own routes
  EXPECT_EQ(c.Get("/../secret.txt").status, 404);
  EXPECT_EQ(c.Get("/%2e%2e/secret.txt").status, 404);
  EXPECT_EQ(c.Get("/assets/missing.js").status, 404);
  EXPECT_EQ(c.Get("/api/v1/unknown").status, 404);  // the API never falls back to the app

  HttpResult articles = c.Get("/api/v1/articles");
  ASSERT_EQ(articles.status, 200);
  bool found = false;
  for (const auto& a : articles.json.at("items").as_array()) {
    found = found || a.at("id").as_string() == "article.mood";
    EXPECT_FALSE(a.as_object().contains("markdown"));
  }
  EXPECT_TRUE(found) << articles.body;
  HttpResult one = c.Get("/api/v1/articles/mood");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json.at("id").as_string(), "article.mood");
  EXPECT_FALSE(one.json.at("markdown").as_string().empty());
  EXPECT_FALSE(one.json.at("sources").as_array().empty());
  EXPECT_EQ(c.Get("/api/v1/articles/nope").status, 404);
  EXPECT_EQ(s.Stop(), 0);
}

TEST(ApiStandalone, ConfigFileSetsWhatFlagsDoNot) {
  TempDir dir;
  std::filesystem::path cfg = dir.path() / "isocourse.toml";
  std::ofstream(cfg) << "# test config\n[serve]\nbody-limit = 2048\nquiet = true\n";
  ServerProcess s(ServerOptions{dir.path() / "c.db", {"--config", cfg.string()}});
  ASSERT_TRUE(s.Start()) << s.stdout_text();
  HttpClient c = s.client();
  HttpResult big = c.Post("/api/v1/auth/login", std::string(4096, ' ') + "{}");
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(s.Stop(), 0);
  std::ofstream(cfg) << "prot = 1\n";
  std::string out;
  EXPECT_EQ(RunCli("serve --config '" + cfg.string() + "'", &out), 2);
  EXPECT_NE(out.find("isocourse.toml:1: unknown setting 'prot'"), std::string::npos) << out;
}

TEST(ApiStandalone, HeadAnswersLikeGetWithoutTheBody) {
  TempDir dir;
  ServerProcess s(ServerOptions{dir.path() / "h.db", {}});
  ASSERT_TRUE(s.Start());
  HttpClient c = s.client();
  for (const char* path : {"/healthz", "/api/v1/articles", "/api/openapi.json"}) {
    HttpResult get = c.Get(path);
    HttpResult head = c.Request("HEAD", path);
    ASSERT_EQ(get.status, 200) << path;
    EXPECT_EQ(head.status, 200) << path;
    EXPECT_TRUE(head.body.empty()) << path;
    EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(head.Header("content-type"), get.Header("content-type")) << path;
  }
  // Routes without a GET stay closed to HEAD.
  EXPECT_EQ(c.Request("HEAD", "/api/v1/dose-plan").status, 405);
  EXPECT_EQ(s.Stop(), 0);
}

TEST(ApiStandalone, SlowClientsAreCutOffAfterTheReadTimeout) {
  TempDir dir;
  ServerProcess s(ServerOptions{dir.path() / "t.db", {"--read-timeout", "1"}});
  ASSERT_TRUE(s.Start());
  // A client that sends half a request line and then nothing (slowloris).
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(s.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const char partial[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  ASSERT_GT(write(fd, partial, sizeof partial - 1), 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto t0 = std::chrono::steady_clock::now();
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf);  // 0 = the server closed the connection
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);
  EXPECT_EQ(n, 0);
  EXPECT_GT(waited, 0.5);
  EXPECT_LT(waited, 4.0);
  EXPECT_EQ(s.client().Get("/healthz").status, 200);  // everyone else is served
  EXPECT_EQ(s.Stop(), 0);
}

struct ShutdownUnderLoad {
  int exit_code = -1;
  int answered = 0;  // complete, well-formed answers
  int broken = 0;    // cut off or failed
};

// Four clients send `request` in a loop; after `load` the server gets SIGTERM. A client
// stops once the server no longer accepts connections.
ShutdownUnderLoad SigtermUnderLoad(ServerProcess& s, const std::function<HttpResult()>& request,
                                   const std::function<bool(const HttpResult&)>& well_formed,
                                   std::chrono::milliseconds load) {
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, broken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      while (!stop) {
        HttpResult r = request();
        if (r.status == 0) return;
        ++(well_formed(r) ? answered : broken);
      }
    });
  }
  std::this_thread::sleep_for(load);
  ShutdownUnderLoad out;
  out.exit_code = s.Stop();
  stop = true;
  for (auto& t : threads) t.join();
  out.answered = answered;
  out.broken = broken;
  return out;
}

TEST(ApiStandalone, SigtermFinishesInFlightRequestsAndExitsCleanly) {
  TempDir dir;
  ServerProcess s(ServerOptions{dir.path() / "g.db", {}});
  ASSERT_TRUE(s.Start());
  HttpClient c = s.client();
  ShutdownUnderLoad r = SigtermUnderLoad(
      s, [&] { return c.Get("/readyz"); },
      [](const HttpResult& h) { return h.status == 200 && h.json.is_object(); },
      std::chrono::milliseconds(200));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GT(r.answered, 0);
  EXPECT_EQ(r.broken, 0) << "a response was cut off or failed during shutdown";
}

// Audited reads answer only once their audit entry is durable (the request waits for
// the group commit without a thread). A shutdown must still answer each of them, and
// every answered read must have its entry after the restart.
TEST(ApiStandalone, SigtermAnswersAuditedReadsInFlightAndKeepsTheirAuditEntries) {
  TempDir dir;
  ServerOptions opt{dir.path() / "a.db", {"--demo"}};
  ServerProcess s(opt);
  ASSERT_TRUE(s.Start()) << s.stdout_text();
  HttpClient c = s.client();
  Credentials pharm = c.Login("pharm.us", "isocourse-demo");
  ASSERT_FALSE(pharm.bearer.empty());
  ShutdownUnderLoad r = SigtermUnderLoad(
      s, [&] { return c.Get("/api/v1/dispense/lookup?q=an", pharm); },
      [](const HttpResult& h) {
        return h.status == 200 && h.json.is_object() && h.json.as_object().contains("items");
      },
      std::chrono::milliseconds(300));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GT(r.answered, 0);
  EXPECT_EQ(r.broken, 0) << "a response was cut off or failed during shutdown";

  std::string out;
  EXPECT_EQ(RunCli("verify --db '" + opt.db.string() + "'", &out), 0) << out;
  ServerProcess again(opt);
  ASSERT_TRUE(again.Start()) << again.stdout_text();
  Credentials admin = again.client().Login("admin", "isocourse-demo");
  HttpResult exported = again.client().Get("/api/v1/audit/export", admin);
  ASSERT_EQ(exported.status, 200);
  int lookups = 0;
  for (size_t pos = 0; (pos = exported.body.find("\"dispense.lookup\"", pos)) != std::string::npos;
       ++pos)
    ++lookups;
  EXPECT_GE(lookups, r.answered) << "an answered read has no audit entry";
  EXPECT_EQ(again.Stop(), 0);
}

TEST(ApiStandalone, DemoSeedsARealisticClinicThatVerifies) {
  TempDir dir;
  ServerProcess s(ServerOptions{dir.path() / "demo.db", {"--demo"}});
  ASSERT_TRUE(s.Start()) << s.stdout_text();
  EXPECT_NE(s.stdout_text().find("200 patients"), std::string::npos) << s.stdout_text();
  EXPECT_NE(s.stdout_text().find("dr.us"), std::string::npos);
  HttpClient c = s.client();
  Credentials dr = c.Login("dr.us", "isocourse-demo");
  ASSERT_FALSE(dr.bearer.empty());
  HttpResult list = c.Get("/api/v1/patients?limit=200", dr);
  ASSERT_EQ(list.status, 200);
  size_t n = list.json.at("items").as_array().size();
  EXPECT_GT(n, 80u);
  EXPECT_LT(n, 200u);  // the other clinics' patients are not visible
  Credentials patient = c.Login("patient.demo", "isocourse-demo");
  ASSERT_FALSE(patient.bearer.empty());
  HttpResult me = c.Get("/api/v1/auth/me", patient);
  EXPECT_EQ(me.json.at("user").at("display_name").as_string(), "Demo patient");
  std::string own(me.json.at("user").at("patient_id").as_string());
  HttpResult tl = c.Get("/api/v1/patients/" + own + "/timeline", patient);
  ASSERT_EQ(tl.status, 200);
  EXPECT_GT(tl.json.at("events").as_array().size(), 5u);
  EXPECT_EQ(s.Stop(), 0);
  std::string out;
  EXPECT_EQ(RunCli("verify --db '" + (dir.path() / "demo.db").string() + "'", &out), 0) << out;
}

TEST(ApiStandalone, OperatorCommandsOnALiveDatabase) {
  TempDir dir;
  std::string db = (dir.path() / "ops.db").string();
  ServerProcess s(ServerOptions{db, {}});
  ASSERT_TRUE(s.Start());
  std::string out;
  ASSERT_EQ(
      RunCli("clinic add 'Ops Clinic' --jurisdiction UK --id cln_ops --db '" + db + "'", &out), 0)
      << out;
  ASSERT_EQ(RunCli("user add nurse.ops --role staff --clinic cln_ops --db '" + db + "'", &out), 0)
      << out;
  auto pos = out.find("password: ");
  ASSERT_NE(pos, std::string::npos) << out;
  std::string pw = out.substr(pos + 10, out.find('\n', pos) - pos - 10);
  HttpClient c = s.client();
  Credentials nurse = c.Login("nurse.ops", pw);
  ASSERT_FALSE(nurse.bearer.empty());
  EXPECT_EQ(RunCli("user add x --role staff --db '" + db + "'", &out), 2);
  EXPECT_NE(out.find("--clinic"), std::string::npos) << out;

  // Clinic settings set from the command line: checked like the API checks them,
  // versioned, and read by the running server.
  const std::string bad = (dir.path() / "bad.json").string();
  const std::string good = (dir.path() / "msd.json").string();
  std::ofstream(bad) << R"({"retreatment": "someday"})";
  std::ofstream(good) << R"({"retreatment": "msd_4_months"})";
  EXPECT_EQ(RunCli("clinic settings cln_ops --set '" + bad + "' --db '" + db + "'", &out), 2);
  EXPECT_NE(out.find("bad.json: settings.retreatment"), std::string::npos) << out;
  ASSERT_EQ(RunCli("clinic settings cln_ops --set '" + good + "' --db '" + db + "'", &out), 0)
      << out;
  EXPECT_NE(out.find("stored version 1"), std::string::npos) << out;
  HttpResult settings = c.Get("/api/v1/clinics/cln_ops/settings", nurse);
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_EQ(settings.json.at("version").as_int64(), 1);
  EXPECT_EQ(settings.json.at("effective").at("retreatment").as_string(), "msd_4_months");
  ASSERT_EQ(RunCli("user list --db '" + db + "'", &out), 0);
  EXPECT_NE(out.find("nurse.ops"), std::string::npos);
  HttpResult p = c.Post("/api/v1/patients",
                        R"({"given_name": "O", "family_name": "P", "birth_date": "2001-01-01",
                            "sex": "male"})",
                        nurse);
  ASSERT_EQ(p.status, 201);
  std::string pid(p.json.at("id").as_string());

  // Online backup while the server runs, then a change, then restore.
  std::string backup = (dir.path() / "b.db").string();
  ASSERT_EQ(RunCli("backup '" + backup + "' --db '" + db + "'", &out), 0) << out;
  EXPECT_NE(out.find("100%"), std::string::npos) << out;
  ASSERT_EQ(c.Post("/api/v1/patients/" + pid + "/events",
                   R"({"expected_version": 0, "events": [{"type": "weight", "date": "2026-01-01",
                       "kg": 70}]})",
                   nurse)
                .status,
            201);
  ASSERT_EQ(RunCli("user disable nurse.ops --db '" + db + "'", &out), 0) << out;
  EXPECT_EQ(c.Get("/api/v1/patients/" + pid, nurse).status, 401);
  EXPECT_EQ(s.Stop(), 0);
  ASSERT_EQ(RunCli("restore '" + backup + "' --db '" + db + "'", &out), 0) << out;
  ASSERT_EQ(RunCli("verify --db '" + db + "'", &out), 0) << out;
  ASSERT_TRUE(s.Start());
  Credentials again = s.client().Login("nurse.ops", pw);  // enabled again in the backup
  ASSERT_FALSE(again.bearer.empty());
  HttpResult back = s.client().Get("/api/v1/patients/" + pid, again);
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.json.at("version").as_int64(), 0);  // the event came after the backup
  EXPECT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace isocourse::testing
