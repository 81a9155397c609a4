// The PostgreSQL store against a real server: CTest starts one for these tests
// (fixture `postgres`, tests/support/pg_server.sh) and each test gets a fresh database.
// The Store contract shared with SQLite is in store_conformance.h; what is particular
// to PostgreSQL (migrations, connecting) is here.
#include <thread>

#include "store/pg_store.h"
#include "store_conformance.h"
#include "support/pg_test_db.h"

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

}  // namespace
}  // namespace isocourse::store
