// The SQLite event store, on real database files in a temporary directory: what is
// particular to SQLite (files, WAL, backup and restore, the verify command). The Store
// contract shared with PostgreSQL runs on SQLite too, from store_conformance.h
// (sqlite_conformance_test.cpp, in this binary).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "store/crypto.h"
#include "store/sqlite_store.h"

namespace isocourse::store {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "isocourse-store-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs SQL directly on the file, behind the store's back.
void RawSql(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(SqliteOptions opt = {}) {
    store_.reset();
    auto s = SqliteStore::Open(db_path(), std::move(opt));
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }

  fs::path db_path() const { return dir_.path() / "data" / "test.db"; }

  ClinicId MakeClinic() {
    auto c = store_->CreateClinic(Clinic{ClinicId(), "Riverside Dermatology", "US", ""});
    EXPECT_TRUE(c) << c.error().ToString();
    return c->id;
  }

  Patient MakePatient(const ClinicId& clinic, std::string family = "Rivera") {
    auto p = store_->CreatePatient(NewPatient{clinic, "Ana", std::move(family),
                                              Date::FromYmd(2004, 5, 17), "female", "MRN-1",
                                              UserId("usr_test")});
    EXPECT_TRUE(p) << p.error().ToString();
    return *p;
  }

  static EventDraft Weight(double kg, int day = 1) {
    return EventDraft{"weight", Date::FromYmd(2026, 1, static_cast<unsigned>(day)), std::nullopt,
                      "{\"kg\":" + std::to_string(kg) + "}"};
  }

  AppendRequest Req(const PatientId& p, int64_t expected, std::vector<EventDraft> events,
                    std::string key = "") {
    return AppendRequest{p, expected, std::move(key), UserId("usr_test"), std::move(events)};
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreTest, CreatesFileWithWalAndLatestSchema) {
  EXPECT_TRUE(fs::exists(db_path()));
  EXPECT_EQ(store_->SchemaVersion(), SqliteStore::LatestSchemaVersion());
  EXPECT_TRUE(store_->Ping());
}

AuditDraft Read(std::string actor) {
  return AuditDraft{std::move(actor), "staff",    "patient.read", "patients/x", std::nullopt,
                    std::nullopt,     "10.0.0.1", "treatment",    "ok"};
}

// The writer keeps the audit chain's head in memory. Another process writing to the
// same file (an operator command while the server runs) must not fork the chain.
TEST_F(StoreTest, AuditChainStaysWholeWhenAnotherProcessWritesToo) {
  auto other = SqliteStore::Open(db_path());
  ASSERT_TRUE(other) << other.error().ToString();
  Patient p = MakePatient(MakeClinic());
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(store_->AppendAudit(Read("usr_server")));
    ASSERT_TRUE((*other)->AppendAudit(Read("usr_cli")));
    AppendRequest req = Req(p.id, round, {Weight(60 + round, round + 1)});
    req.audit = Read("usr_server");
    ASSERT_TRUE(store_->Append(req));
    ASSERT_TRUE((*other)->AppendAudit(Read("usr_cli")));
  }
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->first_break->problem;
  EXPECT_EQ(report->audit_entries, 20);
}

TEST_F(StoreTest, VerifyCommandPrintsTheFirstBrokenLinkAndExitsOne) {
  Patient p = MakePatient(MakeClinic());
  auto r = store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)}));
  ASSERT_TRUE(r);
  store_.reset();
  auto run = [&](std::string& out) {
    std::string cmd =
        std::string(ISOCOURSE_TEST_BIN) + " verify --db '" + db_path().string() + "' 2>&1";
    FILE* f = popen(cmd.c_str(), "r");
    char buf[512];
    out.clear();
    while (fgets(buf, sizeof buf, f)) out += buf;
    int status = pclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string out;
  EXPECT_EQ(run(out), 0) << out;
  EXPECT_NE(out.find("ok: 1 patients, 2 events"), std::string::npos) << out;
  RawSql(db_path(),
         "DROP TRIGGER events_no_update; UPDATE events SET recorded_by='usr_x' WHERE seq=1;");
  EXPECT_EQ(run(out), 1) << out;
  EXPECT_NE(
      out.find("BROKEN: patient " + p.id.value() + " at seq 1 (" + r->events[0].id.value() + ")"),
      std::string::npos)
      << out;
}

TEST_F(StoreTest, MigratesAnOldFileAndKeepsItsData) {
  store_.reset();
  fs::remove_all(db_path().parent_path());
  SqliteOptions old;
  old.migrate_to = 1;  // a database as the first release wrote it
  Reopen(std::move(old));
  ASSERT_EQ(store_->SchemaVersion(), 1);
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));

  Reopen();
  EXPECT_EQ(store_->SchemaVersion(), SqliteStore::LatestSchemaVersion());
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  // Tables from later migrations work.
  auto u = store_->CreateUser(
      NewUser{"admin", "Admin", Role::kAdmin, std::nullopt, std::nullopt, "$argon2id$fake"});
  EXPECT_TRUE(u) << u.error().ToString();
  EXPECT_TRUE(store_->AppendAudit(
      AuditDraft{"usr_a", "admin", "x", "", std::nullopt, std::nullopt, "", "", "allowed"}));
}

TEST_F(StoreTest, RefusesADatabaseFromANewerVersion) {
  store_.reset();
  RawSql(db_path(),
         "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'future', 'x')");
  auto s = SqliteStore::Open(db_path());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.error().message.find("newer isocourse"), std::string::npos);
}

TEST_F(StoreTest, RefusesAFileThatIsNotADatabase) {
  fs::path junk = dir_.path() / "junk.db";
  std::ofstream(junk) << "this is not sqlite, just some text that is long enough to matter....\n"
                      << std::string(200, 'x');
  auto s = SqliteStore::Open(junk);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(s.error().where, junk.string());
}

TEST_F(StoreTest, BackupAndRestoreRoundTrip) {
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));
  fs::path backup = dir_.path() / "backups" / "b1.db";
  int calls = 0, last_done = 0, last_total = 0;
  auto st = store_->Backup(backup, [&](int done, int total) {
    ++calls;
    last_done = done;
    last_total = total;
  });
  ASSERT_TRUE(st) << st.error().ToString();
  EXPECT_TRUE(fs::exists(backup));
  EXPECT_FALSE(fs::exists(dir_.path() / "backups" / "b1.db-wal"));
  EXPECT_GT(calls, 0);
  EXPECT_EQ(last_done, last_total);

  // A second backup to the same name is refused, the first is kept.
  auto again = store_->Backup(backup);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  // Changes after the backup...
  ASSERT_TRUE(store_->Append(Req(p.id, 2, {Weight(70, 3)})));
  Patient later = MakePatient(store_->ListClinics()->front().id, "Later");
  store_.reset();

  // ...are gone after the restore.
  auto restored = RestoreDatabase(backup, db_path());
  ASSERT_TRUE(restored) << restored.error().ToString();
  Reopen();
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);
  EXPECT_FALSE(store_->GetPatient(later.id));
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  // And the store keeps working.
  EXPECT_TRUE(store_->Append(Req(p.id, 2, {Weight(62, 4)})));
}

TEST_F(StoreTest, RestoreRefusesATamperedBackup) {
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));
  fs::path backup = dir_.path() / "b.db";
  ASSERT_TRUE(store_->Backup(backup));
  RawSql(backup, "DROP TRIGGER events_no_update; UPDATE events SET effective_date='2020-01-01'");
  store_.reset();
  auto restored = RestoreDatabase(backup, db_path());
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(restored.error().message.find("chain is broken"), std::string::npos);
  Reopen();
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);  // the live database is untouched

  auto missing = RestoreDatabase(dir_.path() / "nope.db", db_path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, ConcurrentAppendsAreSerializedAndGroupCommitted) {
  ClinicId c = MakeClinic();
  Patient shared = MakePatient(c, "Shared");
  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Optimistic concurrency: re-read the version and retry on conflict.
        for (;;) {
          auto p = store_->GetPatient(shared.id);
          ASSERT_TRUE(p);
          auto r = store_->Append(Req(shared.id, p->version, {Weight(60 + t)},
                                      "t" + std::to_string(t) + "-" + std::to_string(i)));
          if (r) {
            ++acknowledged;
            break;
          }
          ASSERT_EQ(r.error().code, ErrorCode::kConflict) << r.error().ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  EXPECT_EQ(store_->ReadEvents(shared.id)->size(), static_cast<size_t>(kThreads * kPerThread));
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.events_appended, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(stats.commits, stats.writes);
}

TEST_F(StoreTest, UsersSessionsAndTokens) {
  ClinicId c = MakeClinic();
  auto hash = HashPassword("correct horse battery staple");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("wrong", *hash));
  auto u = store_->CreateUser(NewUser{"nurse.kim", "Kim", Role::kStaff, c, std::nullopt, *hash});
  ASSERT_TRUE(u) << u.error().ToString();
  auto dup =
      store_->CreateUser(NewUser{"Nurse.Kim", "Kim 2", Role::kStaff, c, std::nullopt, *hash});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  auto noclinic =
      store_->CreateUser(NewUser{"x", "", Role::kStaff, std::nullopt, std::nullopt, *hash});
  ASSERT_FALSE(noclinic);
  EXPECT_EQ(noclinic.error().where, "clinic");

  auto found = store_->FindUserByName("NURSE.KIM");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u->id);
  EXPECT_EQ(found->role, Role::kStaff);

  Timestamp now = store_->Now();
  ASSERT_TRUE(store_->CreateSession(Session{"h1", u->id, "csrf", now, AddSeconds(now, 3600)}));
  auto ses = store_->FindSession("h1");
  ASSERT_TRUE(ses);
  EXPECT_EQ(ses->user, u->id);
  ASSERT_TRUE(store_->SetUserDisabled(u->id, true));
  EXPECT_FALSE(store_->FindSession("h1"));  // disabling ends sessions
  EXPECT_TRUE(store_->GetUser(u->id)->disabled);

  auto tok =
      store_->CreateApiToken(ApiToken{"", u->id, "lab import", Blake2bHex("secret"), "", ""});
  ASSERT_TRUE(tok);
  EXPECT_TRUE(store_->FindApiToken(Blake2bHex("secret")));
  ASSERT_TRUE(store_->RevokeApiToken(tok->id));
  EXPECT_FALSE(store_->FindApiToken(Blake2bHex("secret"))->revoked_at.empty());
  EXPECT_FALSE(store_->RevokeApiToken(tok->id));
}

}  // namespace
}  // namespace isocourse::store
