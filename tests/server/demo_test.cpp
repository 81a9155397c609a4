// The demo clinics (src/server/demo.cpp) seeded relative to "today" and read back
// through the API in-process: in every clinic the pharmacist finds a prescription that
// may be dispensed today (with its dispense-by date) and one that is refused with its
// reasons; the worklists show every status colour; the alert, paused and
// post-treatment patients are what their MRNs say. Run on the server's own clock and
// on fixed dates on both sides of the rule-pack changes (iPLEDGE 2026, UK 2026), so the
// demo stays alive whenever it is seeded.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "server/api.h"
#include "server/demo.h"
#include "store/knowledge_files.h"
#include "store/sqlite_store.h"

namespace isocourse::server {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

struct Answer {
  int status = 0;
  json::value body;
};

// A seeded demo database behind an in-process Api.
class DemoNetwork {
 public:
  // `today` unset: the server's clock (the store's), as `isocourse serve --demo` does.
  explicit DemoNetwork(std::optional<Date> today) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "isocourse-demo-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    store_ = std::move(*store::SqliteStore::Open(dir_ / "demo.db"));
    auto kb = store::LoadKnowledgeDir(ISOCOURSE_TEST_KNOWLEDGE_DIR);
    EXPECT_TRUE(kb.has_value()) << kb.error().message;
    kb_ = std::move(*kb);
    today_ = today ? *today : ServerToday(*store_);
    auto seeded = SeedDemo(*store_, today_);
    EXPECT_TRUE(seeded.has_value()) << seeded.error().where << ": " << seeded.error().message;
    if (seeded) summary_ = *seeded;
    ApiOptions opt;
    opt.knowledge = &kb_;
    api_ = std::make_unique<Api>(*store_, std::move(opt));
  }
  ~DemoNetwork() {
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Date today() const { return today_; }
  const DemoSummary& summary() const { return summary_; }
  // "?as_of=..." for a fixed date; nothing on the server's clock, so the routes' own
  // default (today by the server clock) is what is tested there.
  std::string AsOf(char sep) const {
    return fixed_ ? std::string(1, sep) + "as_of=" + today_.ToString() : "";
  }
  void set_fixed(bool f) { fixed_ = f; }

  Answer Call(http::verb method, const std::string& target, const std::string& token,
              const std::string& body = "") {
    HttpRequest req;
    req.remote = "127.0.0.1";
    req.msg.method(method);
    req.msg.target(target);
    req.msg.version(11);
    if (!token.empty()) req.msg.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.msg.set(http::field::content_type, "application/json");
      req.msg.body() = body;
    }
    req.msg.prepare_payload();
    HttpResponse r = api_->HandleAndWait(req);
    Answer a;
    a.status = static_cast<int>(r.result_int());
    boost::system::error_code ec;
    a.body = json::parse(r.body(), ec);
    return a;
  }

  std::string Login(const std::string& user) {
    Answer a = Call(http::verb::post, "/api/v1/auth/login", "",
                    json::serialize(json::object{{"username", user}, {"password", kDemoPassword}}));
    EXPECT_EQ(a.status, 200) << user << ": " << json::serialize(a.body);
    if (a.status != 200) return "";
    return std::string(a.body.at("token").as_string());
  }

  // MRN -> patient id for the caller's clinic.
  std::map<std::string, std::string> PatientsByMrn(const std::string& token) {
    std::map<std::string, std::string> out;
    for (int cursor = 0;; cursor += 200) {
      Answer a = Call(http::verb::get,
                      "/api/v1/patients?limit=200&cursor=" + std::to_string(cursor), token);
      EXPECT_EQ(a.status, 200) << json::serialize(a.body);
      if (a.status != 200) break;
      for (const auto& p : a.body.at("items").as_array())
        out[std::string(p.at("mrn").as_string())] = std::string(p.at("id").as_string());
      if (a.body.at("next").is_null()) break;
    }
    return out;
  }

  // The dispense check of the newest prescription found by `mrn`.
  Answer CheckNewest(const std::string& token, const std::string& mrn) {
    Answer lookup = Call(http::verb::get, "/api/v1/dispense/lookup?q=" + mrn, token);
    EXPECT_EQ(lookup.status, 200) << json::serialize(lookup.body);
    if (lookup.status != 200 || lookup.body.at("items").as_array().empty()) {
      ADD_FAILURE() << "no prescription found for " << mrn;
      return {};
    }
    const json::object& c = lookup.body.at("items").at(0).as_object();
    json::object body{{"patient_id", c.at("patient_id")},
                      {"prescription_id", c.at("prescription_id")}};
    if (fixed_) body["date"] = today_.ToString();
    return Call(http::verb::post, "/api/v1/dispense/check", token, json::serialize(body));
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  KnowledgeBase kb_;
  std::unique_ptr<Api> api_;
  Date today_;
  DemoSummary summary_;
  bool fixed_ = false;
};

std::set<std::string> BlockingCodes(const json::value& decision) {
  std::set<std::string> out;
  for (const auto& r : decision.at("reasons").as_array()) {
    if (r.at("blocking").as_bool()) out.insert(std::string(r.at("code").as_string()));
  }
  return out;
}

struct ClinicCase {
  const char* tag;
  const char* refusal;  // the blocking reason the REFUSED patient's check names
};
constexpr ClinicCase kClinicCases[] = {
    {"us", "contraception-entries-mismatch"},
    {"eu", "dispense-window-passed"},
    {"uk", "prescription-without-recent-test"},
};
constexpr const char* kColours[] = {"on_track", "due_soon", "overdue", "blocked", "paused"};

// "" = the server's clock; else a fixed date passed as as_of / date.
class DemoOnDate : public ::testing::TestWithParam<const char*> {};

TEST_P(DemoOnDate, ReadyAndRefusedDispensesAndEveryWorklistColour) {
  const std::string param = GetParam();
  std::optional<Date> fixed;
  if (!param.empty()) fixed = *Date::Parse(param, "date");
  DemoNetwork demo(fixed);
  demo.set_fixed(fixed.has_value());
  SCOPED_TRACE("today " + demo.today().ToString());
  EXPECT_EQ(demo.summary().clinics, 3);
  EXPECT_EQ(demo.summary().patients, 200);

  std::set<std::string> colours_seen;
  for (const ClinicCase& cc : kClinicCases) {
    SCOPED_TRACE(cc.tag);
    std::string upper = cc.tag;
    for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
    const std::string pharm = demo.Login(std::string("pharm.") + cc.tag);

    // Ready: allowed today, with a dispense-by date from today on.
    Answer ready = demo.CheckNewest(pharm, "DEMO-" + upper + "-READY");
    ASSERT_EQ(ready.status, 200) << json::serialize(ready.body);
    const json::value& yes = ready.body.at("decision");
    EXPECT_TRUE(yes.at("allowed").as_bool()) << json::serialize(yes);
    EXPECT_TRUE(BlockingCodes(yes).empty()) << json::serialize(yes);
    ASSERT_TRUE(yes.at("by").is_string()) << json::serialize(yes);
    Date by = *Date::Parse(yes.at("by").as_string(), "by");
    EXPECT_GE(by, demo.today());
    EXPECT_EQ(ready.body.at("as_of").as_string(), demo.today().ToString());

    // Refused: not allowed, every reason with its rule, the clinic's own reason first
    // among them.
    Answer refused = demo.CheckNewest(pharm, "DEMO-" + upper + "-REFUSED");
    ASSERT_EQ(refused.status, 200) << json::serialize(refused.body);
    const json::value& no = refused.body.at("decision");
    EXPECT_FALSE(no.at("allowed").as_bool());
    EXPECT_TRUE(BlockingCodes(no).contains(cc.refusal)) << json::serialize(no);
    for (const auto& r : no.at("reasons").as_array()) {
      EXPECT_FALSE(r.at("message").as_string().empty());
      EXPECT_FALSE(r.at("explanation").at("rule_id").as_string().empty());
    }

    // The clinic's worklist: rows of every status its programme can produce (only
    // iPLEDGE has a step that waits, "blocked": the confirmation test's 19 days).
    const std::string dr = demo.Login(std::string("dr.") + cc.tag);
    Answer wl = demo.Call(http::verb::get, "/api/v1/worklist?limit=500" + demo.AsOf('&'), dr);
    ASSERT_EQ(wl.status, 200) << json::serialize(wl.body);
    const json::object& counts = wl.body.at("counts").as_object();
    for (const char* colour : kColours) {
      if (std::string_view(colour) == "blocked" && std::string_view(cc.tag) != "us") continue;
      EXPECT_GT(counts.at(colour).as_int64(), 0) << colour << " " << json::serialize(counts);
    }
    for (const auto& row : wl.body.at("items").as_array())
      colours_seen.insert(std::string(row.at("status").as_string()));
    // Most courses are kept up to date: overdue rows are the exception.
    EXPECT_LT(counts.at("overdue").as_int64() * 4, wl.body.at("total").as_int64())
        << json::serialize(counts);

    // The patients the MRNs name.
    std::map<std::string, std::string> ids = demo.PatientsByMrn(dr);
    auto assess = [&](const std::string& what) {
      const std::string mrn = "DEMO-" + upper + "-" + what;
      EXPECT_TRUE(ids.contains(mrn)) << mrn;
      Answer a = demo.Call(http::verb::get,
                           "/api/v1/patients/" + ids[mrn] + "/assessment" + demo.AsOf('?'), dr);
      EXPECT_EQ(a.status, 200) << mrn << ": " << json::serialize(a.body);
      return a.status == 200 ? a.body.as_object() : json::object{};
    };
    auto alert_ids = [](const json::object& a) {
      std::set<std::string> out;
      if (a.contains("alerts")) {
        for (const auto& al : a.at("alerts").as_array())
          out.insert(std::string(al.at("id").as_string()));
      }
      return out;
    };
    EXPECT_TRUE(alert_ids(assess("ALERT-TG")).contains("lab.tg.pancreatitis-risk"));
    EXPECT_TRUE(alert_ids(assess("ALERT-PHQ9")).contains("mood.phq9.item9"));
    EXPECT_TRUE(alert_ids(assess("ALERT-REDFLAG")).contains("course.redflag.iih"));
    auto phase = [&](const std::string& what) {
      json::object a = assess(what);
      return a.contains("phase") ? std::string(a.at("phase").as_string()) : std::string();
    };
    EXPECT_EQ(phase("PAUSED"), "paused");
    EXPECT_EQ(phase("POST"), "post_treatment");
    json::object ready_a = assess("READY");
    ASSERT_TRUE(ready_a.contains("may_dispense"));
    EXPECT_TRUE(ready_a.at("may_dispense").at("allowed").as_bool());
    EXPECT_TRUE(alert_ids(ready_a).empty()) << json::serialize(ready_a["alerts"]);
  }
  for (const char* colour : kColours) EXPECT_TRUE(colours_seen.contains(colour)) << colour;
}

INSTANTIATE_TEST_SUITE_P(Dates, DemoOnDate,
                         ::testing::Values("",  // the server's clock
                                           "2025-12-31", "2026-03-02", "2026-08-10", "2027-02-28"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                           std::string n = p.param;
                           if (n.empty()) return std::string("ServerClock");
                           for (char& ch : n) {
                             if (ch == '-') ch = '_';
                           }
                           return "On_" + n;
                         });

// The patient login is a real patient of the US clinic whose course is on track.
TEST(Demo, PatientLoginSeesTheirOwnCourse) {
  DemoNetwork demo(std::nullopt);
  const std::string token = demo.Login("patient.demo");
  Answer me = demo.Call(http::verb::get, "/api/v1/auth/me", token);
  ASSERT_EQ(me.status, 200) << json::serialize(me.body);
  const std::string id(me.body.at("user").at("patient_id").as_string());
  Answer a = demo.Call(http::verb::get, "/api/v1/patients/" + id + "/assessment", token);
  ASSERT_EQ(a.status, 200) << json::serialize(a.body);
  EXPECT_EQ(a.body.at("phase").as_string(), "active");
  EXPECT_EQ(a.body.at("jurisdiction").as_string(), "US");
}

// A second seed into the same database is refused and stores nothing.
TEST(Demo, SeedingTwiceIsRefused) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "isocourse-demo-XXXXXX").string();
  std::filesystem::path dir = mkdtemp(tmpl.data());
  {
    auto st = store::SqliteStore::Open(dir / "d.db");
    ASSERT_TRUE(st.has_value());
    Date today = Date::FromYmd(2026, 5, 4);
    ASSERT_TRUE(SeedDemo(**st, today, 40).has_value());
    auto again = SeedDemo(**st, today, 40);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(*(*st)->CountPatients(), 40);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace isocourse::server
