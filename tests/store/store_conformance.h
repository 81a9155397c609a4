// File: store_conformance.h (tests only)
//
// The Store contract, written once and run against every backend: include this
// header in one test file per backend and instantiate it with a Backend type:
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, StoreConformance, SqliteBackend);
//
// A Backend owns one fresh, empty database for one test and provides:
//   Result<std::unique_ptr<Store>> Open();       // (re)opens that database
//   std::string Exec(const std::string& sql);    // SQL behind the store's back: "" or error
//   std::string Value(const std::string& sql);   // first column of the first row
//   static std::string DropTrigger(std::string_view trigger, std::string_view table);
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/crypto.h"
#include "store/store.h"

namespace isocourse::store {

template <class Backend>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto s = backend_.Open();
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }

  ClinicId MakeClinic(std::string name = "Riverside Dermatology") {
    auto c = store_->CreateClinic(Clinic{ClinicId(), std::move(name), "US", ""});
    EXPECT_TRUE(c) << c.error().ToString();
    return c ? c->id : ClinicId();
  }

  Patient MakePatient(const ClinicId& clinic, std::string family = "Rivera") {
    auto p = store_->CreatePatient(NewPatient{clinic, "Ana", std::move(family),
                                              Date::FromYmd(2004, 5, 17), "female", "MRN-1",
                                              UserId("usr_test")});
    EXPECT_TRUE(p) << p.error().ToString();
    return p ? *p : Patient{};
  }

  static EventDraft Weight(double kg, int day = 1) {
    return EventDraft{"weight", Date::FromYmd(2026, 1, static_cast<unsigned>(day)), std::nullopt,
                      "{\"kg\":" + std::to_string(kg) + "}"};
  }

  static AppendRequest Req(const PatientId& p, int64_t expected, std::vector<EventDraft> events,
                           std::string key = "") {
    return AppendRequest{p, expected, std::move(key), UserId("usr_test"), std::move(events)};
  }

  static AuditDraft Read(std::string actor, std::optional<PatientId> patient = std::nullopt) {
    return AuditDraft{std::move(actor),   "staff",      "patient.read", "patients/x",
                      std::move(patient), std::nullopt, "10.0.0.1",     "treatment",
                      "allowed"};
  }

  // Tampers with the database: drops the append-only trigger, then runs `sql`.
  void Tamper(std::string_view trigger, std::string_view table, const std::string& sql) {
    store_.reset();
    ASSERT_EQ(backend_.Exec(Backend::DropTrigger(trigger, table)), "");
    ASSERT_EQ(backend_.Exec(sql), "");
    Reopen();
  }

  Backend backend_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreConformance);

TYPED_TEST_P(StoreConformance, OpensAFreshDatabaseAtTheLatestSchema) {
  EXPECT_TRUE(this->store_->Ping());
  EXPECT_EQ(this->store_->SchemaVersion(), 4);
  EXPECT_EQ(*this->store_->CountPatients(), 0);
  EXPECT_EQ(*this->store_->CountUsers(), 0);
  auto report = this->store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
}

TYPED_TEST_P(StoreConformance, ClinicsAndPatients) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic("Riverside");
  ClinicId other = this->MakeClinic("Avenue");
  auto dup = s.CreateClinic(Clinic{c, "Again", "US", ""});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  auto bad = s.CreateClinic(Clinic{ClinicId(), "", "US", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "name");
  auto clinics = s.ListClinics();
  ASSERT_TRUE(clinics);
  ASSERT_EQ(clinics->size(), 2u);
  EXPECT_EQ((*clinics)[0].name, "Avenue");  // by name
  EXPECT_EQ(s.GetClinic(c)->name, "Riverside");
  EXPECT_EQ(s.GetClinic(ClinicId("cln_nope")).error().code, ErrorCode::kNotFound);

  Patient p = this->MakePatient(c, "Garcia");
  this->MakePatient(c, "Gar%cia");
  this->MakePatient(c, "alvarez");
  this->MakePatient(other, "Garcia");
  auto orphan = s.CreatePatient(NewPatient{ClinicId("cln_nope"), "A", "B",
                                           Date::FromYmd(2000, 1, 1), "", "", UserId("usr_test")});
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*s.CountPatients(), 4);
  auto got = s.GetPatient(p.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->family_name, "Garcia");
  EXPECT_EQ(got->birth_date, Date::FromYmd(2004, 5, 17));
  EXPECT_EQ(got->version, 0);
  EXPECT_EQ(got->head_hash, kGenesisHash);
  EXPECT_EQ(s.GetPatient(PatientId("pat_nope")).error().code, ErrorCode::kNotFound);

  PatientQuery q;
  q.clinic = c;
  auto all = s.ListPatients(q);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].family_name, "alvarez");  // case-insensitive order
  q.name = "GARC";
  EXPECT_EQ(s.ListPatients(q)->size(), 1u);
  q.name = "%";  // literally
  EXPECT_EQ(s.ListPatients(q)->size(), 1u);
  q.name = "ana garcia";  // given and family name together
  EXPECT_EQ(s.ListPatients(q)->size(), 1u);
  q.name = "' OR 1=1 --";
  EXPECT_EQ(s.ListPatients(q)->size(), 0u);
  q.name = "";
  q.birth_date = Date::FromYmd(2004, 5, 17);
  EXPECT_EQ(s.ListPatients(q)->size(), 3u);  // this clinic's only
  q.clinic.reset();
  q.birth_date = Date::FromYmd(2004, 5, 17);
  EXPECT_EQ(s.ListPatients(q)->size(), 4u);
  q.limit = 2;
  q.offset = 3;
  EXPECT_EQ(s.ListPatients(q)->size(), 1u);
}

TYPED_TEST_P(StoreConformance, AppendThenReadReturnsEventsInOrderWithChain) {
  Store& s = *this->store_;
  Patient p = this->MakePatient(this->MakeClinic());
  auto r = s.Append(
      this->Req(p.id, 0, {this->Weight(60.5), this->Weight(61, 2), this->Weight(61.5, 3)}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->version, 3);
  EXPECT_FALSE(r->replayed);
  auto events = s.ReadEvents(p.id);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  std::string prev(kGenesisHash);
  for (size_t i = 0; i < 3; ++i) {
    const Event& e = (*events)[i];
    EXPECT_EQ(e.seq, static_cast<int64_t>(i + 1));
    EXPECT_EQ(e.type, "weight");
    EXPECT_EQ(e.recorded_by.value(), "usr_test");
    EXPECT_EQ(e.id, r->events[i].id);
    EXPECT_EQ(e.recorded_at, r->events[i].recorded_at);
    EXPECT_EQ(e.prev_hash, prev);
    EXPECT_EQ(e.hash, EventHash(prev, e));  // the same hash function on every backend
    EXPECT_FALSE(e.corrects);
    prev = e.hash;
  }
  EXPECT_EQ((*events)[1].effective, Date::FromYmd(2026, 1, 2));
  EXPECT_EQ((*events)[0].payload_json, "{\"kg\":60.500000}");
  auto after = s.ReadEvents(p.id, 1, 1);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().seq, 2);
  auto one = s.GetEvent(p.id, r->events[2].id);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->seq, 3);
  EXPECT_EQ(s.GetEvent(p.id, EventId("evt_nope")).error().code, ErrorCode::kNotFound);
  auto got = s.GetPatient(p.id);
  EXPECT_EQ(got->version, 3);
  EXPECT_EQ(got->head_hash, prev);
  EXPECT_EQ(s.Stats().events_appended, 3u);
}

TYPED_TEST_P(StoreConformance, StaleExpectedVersionIsAConflictCarryingTheCurrentVersion) {
  Store& s = *this->store_;
  Patient p = this->MakePatient(this->MakeClinic());
  ASSERT_TRUE(s.Append(this->Req(p.id, 0, {this->Weight(60), this->Weight(61, 2)})));
  auto r = s.Append(this->Req(p.id, 1, {this->Weight(70, 3)}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().where, "expected_version");
  EXPECT_EQ(ConflictCurrentVersion(r.error()), 2);
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 2u);
}

TYPED_TEST_P(StoreConformance, IdempotencyKeysReplayAndRefuseReuse) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  Patient p = this->MakePatient(c);
  Patient q = this->MakePatient(c, "Other");
  auto first = s.Append(this->Req(p.id, 0, {this->Weight(60)}, "key-123"));
  ASSERT_TRUE(first);
  auto again = s.Append(this->Req(p.id, 0, {this->Weight(60)}, "key-123"));
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->version, 1);
  ASSERT_EQ(again->events.size(), 1u);
  EXPECT_EQ(again->events[0].id, first->events[0].id);
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 1u);
  ASSERT_TRUE(s.Append(this->Req(p.id, 1, {this->Weight(61, 2)})));
  auto late = s.Append(this->Req(p.id, 0, {this->Weight(60)}, "key-123"));
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->replayed);  // still a replay after the timeline moved on
  EXPECT_EQ(late->version, 1);
  auto other = s.Append(this->Req(p.id, 2, {this->Weight(99, 3)}, "key-123"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(other.error().where, "Idempotency-Key");
  auto elsewhere = s.Append(this->Req(q.id, 0, {this->Weight(60)}, "key-123"));
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 2u);
  EXPECT_EQ(s.ReadEvents(q.id)->size(), 0u);
  EXPECT_EQ(s.Stats().events_appended, 2u);  // replays excluded
}

TYPED_TEST_P(StoreConformance, CorrectionsMustNameAnEventOfThisPatient) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  Patient p = this->MakePatient(c);
  Patient q = this->MakePatient(c, "Other");
  auto first = s.Append(this->Req(p.id, 0, {this->Weight(600)}));
  auto theirs = s.Append(this->Req(q.id, 0, {this->Weight(70)}));
  ASSERT_TRUE(first && theirs);
  EventDraft fix = this->Weight(60);
  fix.corrects = first->events[0].id;
  auto r = s.Append(this->Req(p.id, 1, {fix}));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(s.ReadEvents(p.id)->at(1).corrects, first->events[0].id);
  EXPECT_EQ(s.ReadEvents(p.id)->at(0).payload_json, "{\"kg\":600.000000}");  // untouched
  EventDraft alone = this->Weight(60);
  alone.corrects = EventId("evt_doesnotexist");
  auto r1 = s.Append(this->Req(p.id, 2, {alone}));
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r1.error().where, "events[0].corrects");
  for (const EventId& target : {EventId("evt_doesnotexist"), theirs->events[0].id}) {
    EventDraft bad = this->Weight(60);
    bad.corrects = target;
    auto r2 = s.Append(this->Req(p.id, 2, {this->Weight(61), bad}));
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r2.error().where, "events[1].corrects");
  }
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 2u);  // nothing of the refused appends
}

TYPED_TEST_P(StoreConformance, EnvelopeValidationNamesTheField) {
  Store& s = *this->store_;
  Patient p = this->MakePatient(this->MakeClinic());
  EventDraft bad_type = this->Weight(60);
  bad_type.type = "Weight; DROP TABLE events";
  auto r = s.Append(this->Req(p.id, 0, {bad_type}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "events[0].type");
  auto none = s.Append(this->Req(p.id, 0, {}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().where, "events");
  auto spaced = s.Append(this->Req(p.id, 0, {this->Weight(60)}, "a key"));
  ASSERT_FALSE(spaced);
  EXPECT_EQ(spaced.error().where, "idempotency_key");
  auto missing = s.Append(this->Req(PatientId("pat_nobody"), 0, {this->Weight(60)}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 0u);
}

TYPED_TEST_P(StoreConformance, AnAuditEntryRidesInTheAppendsTransaction) {
  Store& s = *this->store_;
  Patient p = this->MakePatient(this->MakeClinic());
  AppendRequest req = this->Req(p.id, 0, {this->Weight(60)}, "k-audit");
  req.audit = AuditDraft{"usr_test", "staff",     "events.append", "POST /x", p.id,
                         p.clinic,   "127.0.0.1", "treatment",     "ok"};
  ASSERT_TRUE(s.Append(req));
  ASSERT_TRUE(s.Append(req));  // a replay is an access too
  req.expected_version = 5;    // a conflict writes neither
  req.idempotency_key.clear();
  ASSERT_FALSE(s.Append(req));
  AuditQuery q;
  q.patient = p.id;
  auto entries = s.ListAudit(q);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].what.action, "events.append");
  EXPECT_EQ((*entries)[0].what.clinic, p.clinic);
  EXPECT_TRUE(s.Verify()->ok());
}

TYPED_TEST_P(StoreConformance, AuditAppendAndList) {
  Store& s = *this->store_;
  PatientId pid("pat_x");
  for (int i = 0; i < 5; ++i) {
    auto a = s.AppendAudit(
        this->Read(i % 2 ? "usr_b" : "usr_a", i == 4 ? std::optional(pid) : std::nullopt));
    ASSERT_TRUE(a) << a.error().ToString();
    EXPECT_EQ(a->seq, i + 1);
    EXPECT_EQ(a->hash, AuditHash(a->prev_hash, *a));
  }
  AuditDraft no_action = this->Read("usr_a");
  no_action.action.clear();
  auto bad = s.AppendAudit(no_action);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().where, "action");

  auto all = s.ListAudit(AuditQuery{});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u);
  std::string prev(kGenesisHash);
  for (const AuditEntry& a : *all) {
    EXPECT_EQ(a.prev_hash, prev);
    prev = a.hash;
  }
  AuditQuery q;
  q.actor = "usr_b";
  EXPECT_EQ(s.ListAudit(q)->size(), 2u);
  q = AuditQuery{};
  q.after_seq = 2;
  q.limit = 2;
  auto page = s.ListAudit(q);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ(page->front().seq, 3);
  q = AuditQuery{};
  q.patient = pid;
  EXPECT_EQ(s.ListAudit(q)->size(), 1u);
  q = AuditQuery{};
  q.from = (*all)[0].at;
  q.to = AddSeconds((*all)[4].at, 1);
  EXPECT_EQ(s.ListAudit(q)->size(), 5u);
  q.to = (*all)[0].at;  // exclusive
  EXPECT_EQ(s.ListAudit(q)->size(), 0u);
}

// The server answers a read only after its audit entry is durable, without holding a
// thread: the store calls back once the entry's transaction committed.
TYPED_TEST_P(StoreConformance, AsyncAuditEntriesAreDurableWhenTheCallbackRuns) {
  constexpr int kEntries = 200;
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, failed = 0;
  for (int i = 0; i < kEntries; ++i) {
    this->store_->AppendAuditAsync(this->Read("usr_" + std::to_string(i)), [&](Status st) {
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
  // Another connection sees every entry at once.
  EXPECT_EQ(this->backend_.Value("SELECT count(*) FROM audit_log"), std::to_string(kEntries));
  EXPECT_EQ(this->backend_.Value("SELECT max(seq) FROM audit_log"), std::to_string(kEntries));
  auto report = this->store_->Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->first_break->problem;
  EXPECT_EQ(report->audit_entries, kEntries);
  StoreStats stats = this->store_->Stats();
  EXPECT_GE(stats.writes, static_cast<uint64_t>(kEntries));
  EXPECT_LE(stats.commits, stats.writes);

  bool called = false;
  AuditDraft d = this->Read("usr_a");
  d.action.clear();
  this->store_->AppendAuditAsync(d, [&](Status st) {
    called = true;
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().where, "action");
  });
  EXPECT_TRUE(called);
}

TYPED_TEST_P(StoreConformance, AppendOnlyTablesRefuseUpdateAndDelete) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  Patient p = this->MakePatient(c);
  ASSERT_TRUE(s.Append(this->Req(p.id, 0, {this->Weight(60)})));
  ASSERT_TRUE(s.AppendAudit(this->Read("usr_a")));
  ASSERT_TRUE(s.SetClinicSettings(c, 0, "{}", UserId("usr_a")));
  for (const char* sql :
       {"UPDATE events SET payload = '{}'", "DELETE FROM events",
        "UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
        "UPDATE clinic_settings SET settings = '{\"a\":1}'", "DELETE FROM clinic_settings"}) {
    std::string err = this->backend_.Exec(sql);
    EXPECT_TRUE(err.find("append-only") != std::string::npos ||
                err.find("versioned") != std::string::npos)
        << sql << ": " << err;
  }
  EXPECT_EQ(s.ReadEvents(p.id)->size(), 1u);
  EXPECT_TRUE(s.Verify()->ok());
}

TYPED_TEST_P(StoreConformance, VerifyPassesOnAnUntouchedDatabase) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  for (int i = 0; i < 3; ++i) {
    Patient p = this->MakePatient(c, "P" + std::to_string(i));
    ASSERT_TRUE(s.Append(this->Req(p.id, 0, {this->Weight(60), this->Weight(61, 2)})));
  }
  ASSERT_TRUE(s.AppendAudit(this->Read("usr_a")));
  auto report = s.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->patients, 3);
  EXPECT_EQ(report->events, 6);
  EXPECT_EQ(report->audit_entries, 1);
}

TYPED_TEST_P(StoreConformance, VerifyFindsAnEventEditedBehindTheStoresBack) {
  Patient p = this->MakePatient(this->MakeClinic());
  auto r = this->store_->Append(
      this->Req(p.id, 0, {this->Weight(60), this->Weight(61, 2), this->Weight(62, 3)}));
  ASSERT_TRUE(r);
  this->Tamper("events_no_update", "events",
               "UPDATE events SET payload = '{\"kg\":6.1}' WHERE seq = 2");
  auto report = this->store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_break->chain, "patient " + p.id.value());
  EXPECT_EQ(report->first_break->seq, 2);
  EXPECT_EQ(report->first_break->id, r->events[1].id.value());
  EXPECT_NE(report->first_break->problem.find("changed"), std::string::npos);
}

TYPED_TEST_P(StoreConformance, VerifyFindsARemovedLastEvent) {
  Patient p = this->MakePatient(this->MakeClinic());
  ASSERT_TRUE(this->store_->Append(this->Req(p.id, 0, {this->Weight(60), this->Weight(61, 2)})));
  this->Tamper("events_no_delete", "events", "DELETE FROM events WHERE seq = 2");
  auto report = this->store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_break->seq, 2);
  EXPECT_NE(report->first_break->problem.find("removed"), std::string::npos);
}

TYPED_TEST_P(StoreConformance, VerifyFindsAnEditedAuditEntry) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(this->store_->AppendAudit(this->Read("usr_a")));
  this->Tamper("audit_no_update", "audit_log",
               "UPDATE audit_log SET actor = 'usr_b' WHERE seq = 2");
  auto report = this->store_->Verify();
  ASSERT_TRUE(report);
  ASSERT_FALSE(report->ok());
  EXPECT_EQ(report->first_break->chain, "audit");
  EXPECT_EQ(report->first_break->seq, 2);
  EXPECT_EQ(report->audit_entries, 2);
}

// Many writers at once on a few patients, with audit entries riding along and more
// written beside them: every append is acknowledged exactly once (after retries on
// conflicts) and every chain, per patient and of the audit log, stays whole.
TYPED_TEST_P(StoreConformance, ConcurrentWritersKeepEveryChainWhole) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  std::vector<Patient> patients;
  for (int i = 0; i < 3; ++i)
    patients.push_back(this->MakePatient(c, "Shared" + std::to_string(i)));
  constexpr int kThreads = 8, kPerThread = 25;
  std::atomic<int> acknowledged{0}, async_done{0}, async_failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const Patient& p = patients[static_cast<size_t>((t + i) % 3)];
        for (;;) {
          auto cur = s.GetPatient(p.id);
          ASSERT_TRUE(cur);
          AppendRequest req = this->Req(p.id, cur->version, {this->Weight(60 + t)},
                                        "t" + std::to_string(t) + "-" + std::to_string(i));
          req.audit = this->Read("usr_" + std::to_string(t), p.id);
          auto r = s.Append(req);
          if (r) {
            ++acknowledged;
            break;
          }
          ASSERT_EQ(r.error().code, ErrorCode::kConflict) << r.error().ToString();
        }
        ASSERT_TRUE(s.AppendAudit(this->Read("usr_sync")));
        s.AppendAuditAsync(this->Read("usr_async"), [&](Status st) {
          if (!st) ++async_failed;
          ++async_done;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 3000 && async_done.load() < kThreads * kPerThread; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(async_done.load(), kThreads * kPerThread);
  EXPECT_EQ(async_failed.load(), 0);
  EXPECT_EQ(acknowledged.load(), kThreads * kPerThread);
  size_t events = 0;
  for (const Patient& p : patients) events += s.ReadEvents(p.id)->size();
  EXPECT_EQ(events, static_cast<size_t>(kThreads * kPerThread));
  auto report = s.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->first_break->chain << " " << report->first_break->problem;
  EXPECT_EQ(report->events, kThreads * kPerThread);
  EXPECT_EQ(report->audit_entries, 3 * kThreads * kPerThread);
  EXPECT_EQ(s.Stats().events_appended, static_cast<uint64_t>(kThreads * kPerThread));
}

// Two stores on one database (the server and an operator's command): neither keeps a
// private idea of the audit chain's head that the other could fork.
TYPED_TEST_P(StoreConformance, TwoStoresOnOneDatabaseKeepTheAuditChainWhole) {
  auto other = this->backend_.Open();
  ASSERT_TRUE(other) << other.error().ToString();
  Store& s = *this->store_;
  Patient p = this->MakePatient(this->MakeClinic());
  std::thread cli([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE((*other)->AppendAudit(this->Read("usr_cli")));
  });
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(s.AppendAudit(this->Read("usr_server")));
    AppendRequest req = this->Req(p.id, round, {this->Weight(60 + round, round + 1)});
    req.audit = this->Read("usr_server");
    ASSERT_TRUE(s.Append(req));
  }
  cli.join();
  auto report = s.Verify();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->first_break->problem;
  EXPECT_EQ(report->audit_entries, 40);
}

TYPED_TEST_P(StoreConformance, UsersSessionsAndTokens) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  Patient p = this->MakePatient(c);
  const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$fake";
  auto u = s.CreateUser(NewUser{"nurse.kim", "Kim", Role::kStaff, c, std::nullopt, hash});
  ASSERT_TRUE(u) << u.error().ToString();
  auto dup = s.CreateUser(NewUser{"Nurse.Kim", "Kim 2", Role::kStaff, c, std::nullopt, hash});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().where, "username");
  auto noclinic = s.CreateUser(NewUser{"x", "", Role::kStaff, std::nullopt, std::nullopt, hash});
  ASSERT_FALSE(noclinic);
  EXPECT_EQ(noclinic.error().where, "clinic");
  auto ghost =
      s.CreateUser(NewUser{"y", "", Role::kStaff, ClinicId("cln_nope"), std::nullopt, hash});
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error().code, ErrorCode::kNotFound);
  auto pat = s.CreateUser(NewUser{"ana", "", Role::kPatient, c, p.id, hash});
  ASSERT_TRUE(pat) << pat.error().ToString();
  EXPECT_EQ(s.GetUser(pat->id)->patient, p.id);
  auto admin = s.CreateUser(NewUser{"Admin", "", Role::kAdmin, std::nullopt, std::nullopt, hash});
  ASSERT_TRUE(admin);

  auto found = s.FindUserByName("NURSE.KIM");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u->id);
  EXPECT_EQ(found->role, Role::kStaff);
  EXPECT_EQ(found->clinic, c);
  EXPECT_EQ(s.FindUserByName("nobody").error().code, ErrorCode::kNotFound);
  auto users = s.ListUsers();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].username, "Admin");  // case-insensitive order
  EXPECT_EQ((*users)[2].username, "nurse.kim");
  EXPECT_EQ(*s.CountUsers(), 3);

  ASSERT_TRUE(s.SetLoginState(u->id, 3, "2030-01-01T00:00:00.000Z"));
  EXPECT_EQ(s.GetUser(u->id)->failed_logins, 3);
  EXPECT_EQ(s.GetUser(u->id)->locked_until, "2030-01-01T00:00:00.000Z");
  ASSERT_TRUE(s.SetPassword(u->id, hash + "2"));
  EXPECT_EQ(s.GetUser(u->id)->password_hash, hash + "2");
  EXPECT_EQ(s.GetUser(u->id)->failed_logins, 0);
  EXPECT_EQ(s.SetPassword(UserId("usr_nope"), hash).error().code, ErrorCode::kNotFound);

  Timestamp now = s.Now();
  ASSERT_TRUE(s.CreateSession(Session{"h1", u->id, "csrf", now, AddSeconds(now, 3600)}));
  ASSERT_TRUE(s.CreateSession(Session{"h2", u->id, "csrf2", now, AddSeconds(now, 3600)}));
  ASSERT_TRUE(s.CreateSession(Session{"h3", pat->id, "csrf3", now, AddSeconds(now, 3600)}));
  auto ses = s.FindSession("h1");
  ASSERT_TRUE(ses);
  EXPECT_EQ(ses->user, u->id);
  EXPECT_EQ(ses->csrf_token, "csrf");
  ASSERT_TRUE(s.DeleteSession("h2"));
  EXPECT_EQ(s.FindSession("h2").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(s.DeleteUserSessions(pat->id));
  EXPECT_FALSE(s.FindSession("h3"));
  ASSERT_TRUE(s.SetUserDisabled(u->id, true));
  EXPECT_FALSE(s.FindSession("h1"));  // disabling ends sessions
  EXPECT_TRUE(s.GetUser(u->id)->disabled);
  ASSERT_TRUE(s.SetUserDisabled(u->id, false));
  EXPECT_FALSE(s.GetUser(u->id)->disabled);
  // Starting a session clears the expired ones.
  ASSERT_TRUE(
      s.CreateSession(Session{"old", u->id, "c", AddSeconds(now, -7200), AddSeconds(now, -3600)}));
  ASSERT_TRUE(s.CreateSession(Session{"new", u->id, "c", now, AddSeconds(now, 3600)}));
  EXPECT_FALSE(s.FindSession("old"));

  auto tok = s.CreateApiToken(ApiToken{"", u->id, "lab import", Blake2bHex("secret"), "", ""});
  ASSERT_TRUE(tok);
  EXPECT_FALSE(s.CreateApiToken(ApiToken{"", UserId("usr_nope"), "x", Blake2bHex("s2"), "", ""}));
  EXPECT_EQ(s.FindApiToken(Blake2bHex("secret"))->id, tok->id);
  EXPECT_EQ(s.ListApiTokens()->size(), 1u);
  ASSERT_TRUE(s.RevokeApiToken(tok->id));
  EXPECT_FALSE(s.FindApiToken(Blake2bHex("secret"))->revoked_at.empty());
  auto twice = s.RevokeApiToken(tok->id);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kNotFound);
}

TYPED_TEST_P(StoreConformance, ClinicSettingsAreVersioned) {
  Store& s = *this->store_;
  ClinicId c = this->MakeClinic();
  auto none = s.GetClinicSettings(c);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->version, 0);
  EXPECT_EQ(none->settings_json, "{}");
  auto v1 = s.SetClinicSettings(c, 0, "{\"due_soon_days\":5}", UserId("usr_a"));
  ASSERT_TRUE(v1) << v1.error().ToString();
  EXPECT_EQ(v1->version, 1);
  auto stale = s.SetClinicSettings(c, 0, "{\"due_soon_days\":9}", UserId("usr_b"));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(ConflictCurrentVersion(stale.error()), 1);
  auto v2 = s.SetClinicSettings(c, 1, "{\"due_soon_days\":7}", UserId("usr_b"));
  ASSERT_TRUE(v2);
  auto cur = s.GetClinicSettings(c);
  EXPECT_EQ(cur->version, 2);
  EXPECT_EQ(cur->settings_json, "{\"due_soon_days\":7}");
  EXPECT_EQ(cur->changed_by, UserId("usr_b"));
  auto history = s.ClinicSettingsHistory(c);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].settings_json, "{\"due_soon_days\":5}");
  EXPECT_EQ(s.GetClinicSettings(ClinicId("cln_nope")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.ClinicSettingsHistory(ClinicId("cln_nope")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.SetClinicSettings(ClinicId("cln_nope"), 0, "{}", UserId("usr_a")).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(s.SetClinicSettings(c, 2, "{}", UserId()).error().where, "changed_by");

  // Writers racing at the same version: exactly one wins each version.
  std::atomic<int> won{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      auto r = s.SetClinicSettings(c, 2, "{}", UserId("usr_c"));
      if (r) {
        ++won;
      } else if (r.error().code == ErrorCode::kConflict) {
        ++conflicts;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), 5);
  EXPECT_EQ(s.GetClinicSettings(c)->version, 3);
}

TYPED_TEST_P(StoreConformance, ReopeningKeepsEverything) {
  Patient p = this->MakePatient(this->MakeClinic());
  ASSERT_TRUE(this->store_->Append(this->Req(p.id, 0, {this->Weight(60), this->Weight(61, 2)})));
  ASSERT_TRUE(this->store_->AppendAudit(this->Read("usr_a")));
  this->Reopen();
  EXPECT_EQ(this->store_->SchemaVersion(), 4);
  EXPECT_EQ(this->store_->ReadEvents(p.id)->size(), 2u);
  EXPECT_EQ(this->store_->GetPatient(p.id)->version, 2);
  ASSERT_TRUE(this->store_->Append(this->Req(p.id, 2, {this->Weight(62, 3)})));
  auto a = this->store_->AppendAudit(this->Read("usr_a"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->seq, 2);
  EXPECT_TRUE(this->store_->Verify()->ok());
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreConformance, OpensAFreshDatabaseAtTheLatestSchema, ClinicsAndPatients,
    AppendThenReadReturnsEventsInOrderWithChain,
    StaleExpectedVersionIsAConflictCarryingTheCurrentVersion, IdempotencyKeysReplayAndRefuseReuse,
    CorrectionsMustNameAnEventOfThisPatient, EnvelopeValidationNamesTheField,
    AnAuditEntryRidesInTheAppendsTransaction, AuditAppendAndList,
    AsyncAuditEntriesAreDurableWhenTheCallbackRuns, AppendOnlyTablesRefuseUpdateAndDelete,
    VerifyPassesOnAnUntouchedDatabase, VerifyFindsAnEventEditedBehindTheStoresBack,
    VerifyFindsARemovedLastEvent, VerifyFindsAnEditedAuditEntry,
    ConcurrentWritersKeepEveryChainWhole, TwoStoresOnOneDatabaseKeepTheAuditChainWhole,
    UsersSessionsAndTokens, ClinicSettingsAreVersioned, ReopeningKeepsEverything);

}  // namespace isocourse::store
