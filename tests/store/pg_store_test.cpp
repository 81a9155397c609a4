// The PostgreSQL store against a real server: CTest starts one for these tests
// (fixture `postgres`, tests/support/pg_server.sh) and each test gets a fresh database.
// The Store contract shared with SQLite is in store_conformance.h; what is particular
// to PostgreSQL (migrations, the connection string, the CLI's refusals) is here.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/open_store.h"
#include "store/pg_store.h"
#include "store_conformance.h"
#include "support/pg_test_db.h"
#include "support/run_cli.h"

namespace isocourse::store {
// Outside the anonymous namespace: CTest names the typed tests after it.
class PgBackend {
 public:
  Result<std::unique_ptr<Store>> Open() {
    if (!db_.error().empty()) return MakeError(ErrorCode::kUnavailable, "test", db_.error());
    auto s = PgStore::Open(db_.conninfo());
    if (!s) return std::unexpected(s.error());
    return std::unique_ptr<Store>(std::move(*s));
  }
  std::string Exec(const std::string& sql) { return db_.Exec(sql); }
  std::string Value(const std::string& sql) { return db_.Value(sql); }
  static std::string DropTrigger(std::string_view trigger, std::string_view table) {
    return "DROP TRIGGER " + std::string(trigger) + " ON " + std::string(table);
  }

 private:
  isocourse::testing::PgTestDb db_;
};

namespace {

using isocourse::testing::PgTestDb;
using isocourse::testing::RunCli;

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreConformance, PgBackend);

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(db_.error(), ""); }
  PgTestDb db_;
};

TEST_F(PgStoreTest, MigratesAnOldDatabaseAndKeepsItsData) {
  PgOptions old;
  old.migrate_to = 1;  // a database as the first release wrote it
  auto first = PgStore::Open(db_.conninfo(), old);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ((*first)->SchemaVersion(), 1);
  auto c = (*first)->CreateClinic(Clinic{ClinicId(), "Old", "US", ""});
  ASSERT_TRUE(c);
  auto p = (*first)->CreatePatient(
      NewPatient{c->id, "A", "B", Date::FromYmd(2000, 1, 1), "", "", UserId("usr_x")});
  ASSERT_TRUE(p);
  ASSERT_TRUE((*first)->Append(AppendRequest{
      p->id,
      0,
      "",
      UserId("usr_x"),
      {EventDraft{"weight", Date::FromYmd(2026, 1, 1), std::nullopt, "{\"kg\":60}"}}}));
  EXPECT_EQ(db_.Value("SELECT to_regclass('users') IS NULL"), "t");
  first->reset();

  auto now = PgStore::Open(db_.conninfo());
  ASSERT_TRUE(now) << now.error().ToString();
  EXPECT_EQ((*now)->SchemaVersion(), PgStore::LatestSchemaVersion());
  EXPECT_EQ(db_.Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(PgStore::LatestSchemaVersion()));
  EXPECT_EQ((*now)->ReadEvents(p->id)->size(), 1u);
  EXPECT_TRUE((*now)->Verify()->ok());
  EXPECT_TRUE((*now)->CreateUser(
      NewUser{"admin", "Admin", Role::kAdmin, std::nullopt, std::nullopt, "$argon2id$fake"}));
}

TEST_F(PgStoreTest, RefusesADatabaseFromANewerVersion) {
  ASSERT_TRUE(PgStore::Open(db_.conninfo()));
  ASSERT_EQ(db_.Exec("INSERT INTO schema_migrations(version, name, applied_at) "
                     "VALUES (999, 'future', 'x')"),
            "");
  auto s = PgStore::Open(db_.conninfo());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.error().message.find("newer isocourse"), std::string::npos) << s.error().message;
}

// Several processes starting on one new database at once: each migration runs once.
TEST_F(PgStoreTest, ConcurrentOpensMigrateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto s = PgStore::Open(db_.conninfo());
      EXPECT_TRUE(s) << s.error().ToString();
      if (s) ++opened;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), 4);
  EXPECT_EQ(db_.Value("SELECT count(*) FROM schema_migrations"),
            std::to_string(PgStore::LatestSchemaVersion()));
}

// A database whose defaults are SERIALIZABLE and asynchronous commits: the store sets
// its own session up, so concurrent appends to one patient still meet only kConflict.
TEST_F(PgStoreTest, DatabaseDefaultsDoNotChangeTheContract) {
  ASSERT_EQ(db_.Exec("ALTER DATABASE " + db_.name() +
                     " SET default_transaction_isolation = 'serializable'"),
            "");
  ASSERT_EQ(db_.Exec("ALTER DATABASE " + db_.name() + " SET synchronous_commit = off"), "");
  auto s = PgStore::Open(db_.conninfo());
  ASSERT_TRUE(s) << s.error().ToString();
  Store& store = **s;
  auto c = store.CreateClinic(Clinic{ClinicId(), "C", "US", ""});
  ASSERT_TRUE(c);
  auto p = store.CreatePatient(
      NewPatient{c->id, "A", "B", Date::FromYmd(2000, 1, 1), "", "", UserId("usr_x")});
  ASSERT_TRUE(p);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        for (;;) {
          auto cur = store.GetPatient(p->id);
          ASSERT_TRUE(cur);
          AppendRequest req{p->id,
                            cur->version,
                            "",
                            UserId("usr_x"),
                            {EventDraft{"weight", Date::FromYmd(2026, 1, 1), std::nullopt, "{}"}}};
          req.audit = AuditDraft{"usr_x", "staff", "events.append", "", p->id, c->id, "", "", "ok"};
          auto r = store.Append(req);
          if (r) break;
          ASSERT_EQ(r.error().code, ErrorCode::kConflict) << r.error().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto report = store.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->events, 80);
  EXPECT_EQ(report->audit_entries, 80);
}

// Pooled connections the server closed (a restart, pg_terminate_backend) are replaced
// on the next request instead of failing it.
TEST_F(PgStoreTest, ConnectionsClosedByTheServerAreReplaced) {
  auto s = PgStore::Open(db_.conninfo());
  ASSERT_TRUE(s) << s.error().ToString();
  auto c = (*s)->CreateClinic(Clinic{ClinicId(), "C", "US", ""});
  ASSERT_TRUE(c);
  const std::string others =
      " FROM pg_stat_activity WHERE datname = '" + db_.name() + "' AND pid <> pg_backend_pid()";
  ASSERT_NE(db_.Value("SELECT count(*)" + others), "0");
  ASSERT_EQ(db_.Exec("SELECT pg_terminate_backend(pid)" + others), "");
  for (int i = 0; i < 200 && db_.Value("SELECT count(*)" + others) != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (int i = 0; i < 3; ++i) {
    auto got = (*s)->GetClinic(c->id);
    EXPECT_TRUE(got) << got.error().ToString();
    EXPECT_TRUE((*s)->SetClinicSettings(c->id, i, "{}", UserId("usr_a")));
  }
}

// libpq sends text up to its first NUL: such a value is refused, not stored cut short
// (its hash would no longer match). Bytes that are not UTF-8 are refused by the server,
// which aborts the transaction: in the async audit writer's batch such an entry fails
// alone (savepoints), the others commit and the chain holds.
TEST_F(PgStoreTest, TextWithANulIsRefusedAndFailsOnlyItsOwnAuditEntry) {
  auto opened = PgStore::Open(db_.conninfo());
  ASSERT_TRUE(opened) << opened.error().ToString();
  PgStore& s = **opened;
  auto draft = [](std::string resource) {
    return AuditDraft{"usr_a",      "staff",      "patient.read", std::move(resource),
                      std::nullopt, std::nullopt, "127.0.0.1",    "treatment",
                      "ok"};
  };
  const std::string with_nul("GET /api/v1/patients/x\0y", 24);
  const std::string not_utf8 = "GET /api/v1/patients/x\xFFy";
  auto refused = s.AppendAudit(draft(with_nul));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);

  constexpr int kEntries = 40, kBad = 17;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  std::vector<int> failed;
  for (int i = 0; i < kEntries; ++i) {
    s.AppendAuditAsync(draft(i == kBad ? not_utf8 : "GET /api/v1/patients/" + std::to_string(i)),
                       [&, i](Status st) {
                         std::lock_guard lock(mu);
                         ++done;
                         if (!st) failed.push_back(i);
                         cv.notify_all();
                       });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == kEntries; }));
  }
  EXPECT_EQ(failed, std::vector<int>{kBad});
  auto report = s.Verify();
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->audit_entries, kEntries - 1);
}

TEST_F(PgStoreTest, UnreachableServerIsUnavailable) {
  auto s =
      PgStore::Open("host=/nonexistent-isocourse-socket-dir port=1 dbname=x connect_timeout=2");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(s.error().message.find("cannot connect to PostgreSQL"), std::string::npos);
  auto missing = PgStore::Open(db_.conninfo() + "_missing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos)
      << missing.error().message;
}

TEST_F(PgStoreTest, OpenStoreChoosesTheBackendFromTheSpec) {
  EXPECT_TRUE(IsPostgresSpec("postgresql://u@h/db"));
  EXPECT_TRUE(IsPostgresSpec("postgres://u@h/db"));
  EXPECT_TRUE(IsPostgresSpec("host=/run/postgresql dbname=x"));
  EXPECT_TRUE(IsPostgresSpec("dbname=x"));
  // Any libpq keyword first, not only host= and dbname=.
  EXPECT_TRUE(IsPostgresSpec("user=iso host=/run/postgresql dbname=iso"));
  EXPECT_TRUE(IsPostgresSpec(" service = isocourse"));
  EXPECT_TRUE(IsPostgresSpec("port=5432 dbname=x"));
  EXPECT_FALSE(IsPostgresSpec("./user=x.db"));
  EXPECT_FALSE(IsPostgresSpec("data/isocourse.db"));
  EXPECT_FALSE(IsPostgresSpec("/var/lib/postgresql.db"));
  EXPECT_FALSE(IsPostgresSpec(""));
  for (const std::string& spec : {db_.url(), db_.conninfo()}) {
    auto s = OpenStore(spec);
    ASSERT_TRUE(s) << spec << ": " << s.error().ToString();
    EXPECT_NE(dynamic_cast<PgStore*>(s->get()), nullptr) << spec;
  }
  EXPECT_EQ(RedactSpec("postgresql://iso:s3cret@db.example:5432/iso"),
            "postgresql://iso:***@db.example:5432/iso");
  EXPECT_EQ(RedactSpec("host=db user=iso password=s3cret dbname=iso"),
            "host=db user=iso password=*** dbname=iso");
  EXPECT_EQ(RedactSpec("postgres:///iso?host=/tmp&password=s3cret&user=u"),
            "postgres:///iso?host=/tmp&password=***&user=u");
  EXPECT_EQ(RedactSpec("postgresql://iso@db/iso"), "postgresql://iso@db/iso");
  EXPECT_EQ(RedactSpec("data/pass:word@x.db"), "data/pass:word@x.db");
}

TEST_F(PgStoreTest, CliVerifiesAndManagesAPostgresDatabase) {
  auto clinic = RunCli({"clinic", "add", "Riverside", "--jurisdiction", "US", "--db", db_.url()});
  ASSERT_EQ(clinic.exit_code, 0) << clinic.err;
  auto users = RunCli({"user", "list", "--db", db_.url()});
  EXPECT_EQ(users.exit_code, 0) << users.err;
  auto ok = RunCli({"verify", "--db", db_.url()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("every chain verifies"), std::string::npos) << ok.out;
  ::setenv("ISOCOURSE_DB", db_.url().c_str(), 1);  // the default --db may be a URL too
  auto from_env = RunCli({"verify"});
  ::unsetenv("ISOCOURSE_DB");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_NE(from_env.out.find("every chain verifies"), std::string::npos) << from_env.out;

  // Tampering shows up in verify, as with SQLite.
  ASSERT_EQ(db_.Exec("DROP TRIGGER audit_no_update ON audit_log"), "");
  auto entries = PgStore::Open(db_.conninfo());
  ASSERT_TRUE(entries);
  ASSERT_TRUE((*entries)->AppendAudit(
      AuditDraft{"usr_a", "admin", "x", "", std::nullopt, std::nullopt, "", "", "allowed"}));
  ASSERT_EQ(db_.Exec("UPDATE audit_log SET actor = 'usr_b'"), "");
  auto broken = RunCli({"verify", "--db", db_.url()});
  EXPECT_EQ(broken.exit_code, 1) << broken.out << broken.err;
  EXPECT_NE(broken.out.find("BROKEN: audit at seq 1"), std::string::npos) << broken.out;
}

TEST_F(PgStoreTest, BackupAndRestoreRefuseAPostgresUrl) {
  for (const char* cmd : {"backup", "restore"}) {
    auto r = RunCli({cmd, "/tmp/isocourse-never-written.db", "--db", db_.url()});
    EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find(std::string(cmd) == "backup" ? "pg_dump" : "pg_restore"),
              std::string::npos)
        << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/isocourse-never-written.db"));
}

}  // namespace
}  // namespace isocourse::store
