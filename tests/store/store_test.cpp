// The SQLite event store, on real database files in a temporary directory.
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

TEST_F(StoreTest, AppendThenReadReturnsEventsInOrderWithChain) {
  Patient p = MakePatient(MakeClinic());
  auto r = store_->Append(Req(p.id, 0, {Weight(60.5), Weight(61, 2), Weight(61.5, 3)}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->version, 3);
  EXPECT_FALSE(r->replayed);

  auto events = store_->ReadEvents(p.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  std::string prev(kGenesisHash);
  for (int i = 0; i < 3; ++i) {
    const Event& e = (*events)[i];
    EXPECT_EQ(e.seq, i + 1);
    EXPECT_EQ(e.type, "weight");
    EXPECT_EQ(e.prev_hash, prev);
    EXPECT_EQ(e.hash, EventHash(prev, e));
    EXPECT_EQ(e.recorded_by.value(), "usr_test");
    EXPECT_EQ(e.id, (*r).events[i].id);
    prev = e.hash;
  }
  EXPECT_EQ((*events)[1].effective, Date::FromYmd(2026, 1, 2));
  EXPECT_EQ((*events)[0].payload_json, "{\"kg\":60.500000}");

  auto after = store_->ReadEvents(p.id, 1, 1);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().seq, 2);

  auto got = store_->GetPatient(p.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->head_hash, prev);
}

TEST_F(StoreTest, AnAuditEntryRidesInTheAppendsTransaction) {
  Patient p = MakePatient(MakeClinic());
  AuditDraft audit{"usr_test", "staff",     "events.append", "POST /x", p.id,
                   p.clinic,   "127.0.0.1", "treatment",     "ok"};
  AppendRequest req = Req(p.id, 0, {Weight(60)}, "k-audit");
  req.audit = audit;
  ASSERT_TRUE(store_->Append(req));
  ASSERT_TRUE(store_->Append(req));  // a replay is an access too
  req.expected_version = 5;          // a conflict writes neither
  req.idempotency_key.clear();
  ASSERT_FALSE(store_->Append(req));
  AuditQuery q;
  q.patient = p.id;
  auto entries = store_->ListAudit(q);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].what.action, "events.append");
  EXPECT_TRUE(store_->Verify()->ok());
}

TEST_F(StoreTest, StaleExpectedVersionIsAConflictCarryingTheCurrentVersion) {
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));
  auto r = store_->Append(Req(p.id, 1, {Weight(70, 3)}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().where, "expected_version");
  EXPECT_EQ(ConflictCurrentVersion(r.error()), 2);
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);  // nothing written
}

TEST_F(StoreTest, RetriedAppendWithSameIdempotencyKeyWritesOnce) {
  Patient p = MakePatient(MakeClinic());
  auto first = store_->Append(Req(p.id, 0, {Weight(60)}, "key-123"));
  ASSERT_TRUE(first);
  auto again = store_->Append(Req(p.id, 0, {Weight(60)}, "key-123"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->version, 1);
  ASSERT_EQ(again->events.size(), 1u);
  EXPECT_EQ(again->events[0].id, first->events[0].id);
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 1u);

  // Still a replay after the timeline moved on.
  ASSERT_TRUE(store_->Append(Req(p.id, 1, {Weight(61, 2)})));
  auto late = store_->Append(Req(p.id, 0, {Weight(60)}, "key-123"));
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->replayed);
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);

  // The same key for a different request is refused.
  auto other = store_->Append(Req(p.id, 2, {Weight(99, 3)}, "key-123"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(other.error().where, "Idempotency-Key");
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 2u);
}

TEST_F(StoreTest, CorrectionIsANewEventNamingTheOriginal) {
  Patient p = MakePatient(MakeClinic());
  auto first = store_->Append(Req(p.id, 0, {Weight(600)}));
  ASSERT_TRUE(first);
  EventDraft fix = Weight(60);
  fix.corrects = first->events[0].id;
  auto r = store_->Append(Req(p.id, 1, {fix}));
  ASSERT_TRUE(r) << r.error().ToString();
  auto events = store_->ReadEvents(p.id);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].payload_json, "{\"kg\":600.000000}");  // the original is untouched
  EXPECT_EQ((*events)[1].corrects, first->events[0].id);

  EventDraft bad = Weight(60);
  bad.corrects = EventId("evt_doesnotexist");
  auto r2 = store_->Append(Req(p.id, 2, {bad}));
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r2.error().where, "events[0].corrects");
}

TEST_F(StoreTest, EnvelopeValidationNamesTheField) {
  Patient p = MakePatient(MakeClinic());
  EventDraft bad_type = Weight(60);
  bad_type.type = "Weight; DROP TABLE events";
  auto r = store_->Append(Req(p.id, 0, {bad_type}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "events[0].type");
  auto none = store_->Append(Req(p.id, 0, {}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().where, "events");
  auto missing = store_->Append(Req(PatientId("pat_nobody"), 0, {Weight(60)}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->ReadEvents(p.id)->size(), 0u);
}

TEST_F(StoreTest, EventsCannotBeUpdatedThroughSql) {
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60)})));
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &h), SQLITE_OK);
  int rc = sqlite3_exec(h, "UPDATE events SET payload='{}'", nullptr, nullptr, nullptr);
  EXPECT_NE(rc, SQLITE_OK);
  EXPECT_NE(std::string(sqlite3_errmsg(h)).find("append-only"), std::string::npos);
  sqlite3_close(h);
}

TEST_F(StoreTest, VerifyPassesOnAnUntouchedDatabase) {
  ClinicId c = MakeClinic();
  for (int i = 0; i < 3; ++i) {
    Patient p = MakePatient(c, "P" + std::to_string(i));
    ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));
  }
  ASSERT_TRUE(
      store_->AppendAudit(AuditDraft{"usr_a", "admin", "patient.read", "patients/x", std::nullopt,
                                     std::nullopt, "127.0.0.1", "treatment", "allowed"}));
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->patients, 3);
  EXPECT_EQ(report->events, 6);
  EXPECT_EQ(report->audit_entries, 1);
}

AuditDraft Read(std::string actor) {
  return AuditDraft{std::move(actor), "staff",    "patient.read", "patients/x", std::nullopt,
                    std::nullopt,     "10.0.0.1", "treatment",    "ok"};
}

// The server answers a read only after its audit entry is durable, without holding a
// thread: the store calls back once the group commit is done.
TEST_F(StoreTest, AsyncAuditEntriesAreDurableWhenTheCallbackRuns) {
  constexpr int kEntries = 200;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, failed = 0;
  for (int i = 0; i < kEntries; ++i) {
    store_->AppendAuditAsync(Read("usr_" + std::to_string(i)), [&](Status st) {
      std::lock_guard lock(mu);
      ++done;
      if (!st) ++failed;
      cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return done == kEntries; }));
  }
  EXPECT_EQ(failed, 0);
  // Another connection sees every entry, in order, and the chain holds.
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &h), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT count(*), max(seq) FROM audit_log", -1, &q, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), kEntries);
  EXPECT_EQ(sqlite3_column_int(q, 1), kEntries);
  sqlite3_finalize(q);
  sqlite3_close(h);
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->first_break->problem;
  EXPECT_EQ(report->audit_entries, kEntries);
}

TEST_F(StoreTest, AsyncAuditWithoutAnActionFailsAtOnce) {
  bool called = false;
  AuditDraft d = Read("usr_a");
  d.action.clear();
  store_->AppendAuditAsync(d, [&](Status st) {
    called = true;
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().where, "action");
  });
  EXPECT_TRUE(called);
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

TEST_F(StoreTest, VerifyFindsAnEventEditedBehindTheStoresBack) {
  ClinicId c = MakeClinic();
  Patient p = MakePatient(c);
  auto r = store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2), Weight(62, 3)}));
  ASSERT_TRUE(r);
  store_.reset();
  RawSql(db_path(),
         "DROP TRIGGER events_no_update; UPDATE events SET payload='{\"kg\":6.1}' WHERE seq=2;");
  Reopen();
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_break->chain, "patient " + p.id.value());
  EXPECT_EQ(report->first_break->seq, 2);
  EXPECT_EQ(report->first_break->id, r->events[1].id.value());
  EXPECT_NE(report->first_break->problem.find("changed"), std::string::npos);
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

TEST_F(StoreTest, VerifyFindsARemovedLastEvent) {
  Patient p = MakePatient(MakeClinic());
  ASSERT_TRUE(store_->Append(Req(p.id, 0, {Weight(60), Weight(61, 2)})));
  store_.reset();
  RawSql(db_path(), "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq=2;");
  Reopen();
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->first_break->problem.find("removed"), std::string::npos);
}

TEST_F(StoreTest, VerifyFindsAnEditedAuditEntry) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_->AppendAudit(AuditDraft{"usr_a", "staff", "patient.read", "patients/x", std::nullopt,
                                       std::nullopt, "10.0.0.1", "treatment", "allowed"}));
  }
  store_.reset();
  RawSql(db_path(),
         "DROP TRIGGER audit_no_update; UPDATE audit_log SET actor='usr_b' WHERE seq=2;");
  Reopen();
  auto report = store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_break->chain, "audit");
  EXPECT_EQ(report->first_break->seq, 2);
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

TEST_F(StoreTest, PatientSearchTreatsWildcardsLiterally) {
  ClinicId c = MakeClinic();
  ClinicId other = store_->CreateClinic(Clinic{ClinicId(), "Other", "EU", ""})->id;
  MakePatient(c, "Garcia");
  MakePatient(c, "Gar%cia");
  MakePatient(other, "Garcia");
  PatientQuery q;
  q.clinic = c;
  q.name = "garc";
  EXPECT_EQ(store_->ListPatients(q)->size(), 1u);
  q.name = "%";
  EXPECT_EQ(store_->ListPatients(q)->size(), 1u);
  q.name = "' OR 1=1 --";
  EXPECT_EQ(store_->ListPatients(q)->size(), 0u);
  q.name = "";
  q.birth_date = Date::FromYmd(2004, 5, 17);
  EXPECT_EQ(store_->ListPatients(q)->size(), 2u);
  q.limit = 1;
  q.offset = 1;
  EXPECT_EQ(store_->ListPatients(q)->size(), 1u);
}

}  // namespace
}  // namespace isocourse::store
