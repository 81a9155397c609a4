// Event store throughput on a real SQLite file (WAL, synchronous=FULL): every append
// returns only after its transaction is durably committed. Concurrent writers share
// commits (group commit), which is where the throughput comes from. Target (issue 4):
// >= 5,000 durable events/s.
//
//   build/release/bench/bench_store --benchmark_min_time=2s
//
// The database lives in $ISOCOURSE_BENCH_DIR (default /tmp): put it on the disk you want
// to measure, since fsync speed is the limit. With $ISOCOURSE_BENCH_PG set to a libpq
// connection string (an existing database), the same benchmarks measure the PostgreSQL
// store instead (docs/performance.md has the command).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace isocourse::store {
namespace {

namespace fs = std::filesystem;

class BenchDb {
 public:
  static BenchDb& Get() {
    static BenchDb db;
    return db;
  }
  Store& store() { return *store_; }
  ClinicId clinic() const { return clinic_; }

  PatientId AddPatient() {
    auto p = store_->CreatePatient(store::NewPatient{
        clinic_, "Bench", "Mark", Date::FromYmd(2000, 1, 1), "female", "", UserId("usr_bench")});
    return p->id;
  }

 private:
  BenchDb() {
    if (const char* pg = std::getenv("ISOCOURSE_BENCH_PG"); pg && *pg) {
      auto opened = PgStore::Open(pg);
      if (!opened) {
        std::fprintf(stderr, "bench_store: %s\n", opened.error().ToString().c_str());
        std::exit(1);
      }
      store_ = std::move(*opened);
    } else {
      const char* base = std::getenv("ISOCOURSE_BENCH_DIR");
      std::string tmpl = (fs::path(base ? base : "/tmp") / "isocourse-bench-XXXXXX").string();
      dir_ = mkdtemp(tmpl.data());
      store_ = std::move(*SqliteStore::Open(dir_ / "bench.db"));
    }
    clinic_ = store_->CreateClinic(Clinic{ClinicId(), "Bench", "US", ""})->id;
  }
  ~BenchDb() {
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
  ClinicId clinic_;
};

EventDraft Weight(int i) {
  return EventDraft{"weight", Date::FromYmd(2026, 1, 1 + static_cast<unsigned>(i % 28)),
                    std::nullopt, "{\"kg\":" + std::to_string(50 + i % 40) + "}"};
}

// Each thread appends one event per request to its own patient, waiting for the
// durable commit each time. Items/s = durable events per second over all threads.
void BM_DurableAppend(benchmark::State& state) {
  BenchDb& db = BenchDb::Get();
  PatientId patient;
  {
    static std::mutex mu;
    std::lock_guard lock(mu);
    patient = db.AddPatient();
  }
  int64_t version = 0;
  int i = 0;
  StoreStats before = db.store().Stats();
  for (auto _ : state) {
    auto r =
        db.store().Append(AppendRequest{patient, version, "", UserId("usr_bench"), {Weight(i++)}});
    if (!r) {
      state.SkipWithError(r.error().ToString().c_str());
      break;
    }
    version = r->version;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    StoreStats s = db.store().Stats();
    double commits = static_cast<double>(s.commits - before.commits);
    state.counters["events_per_commit"] =
        commits > 0 ? static_cast<double>(s.events_appended - before.events_appended) / commits : 0;
  }
}
BENCHMARK(BM_DurableAppend)->Threads(1)->Threads(8)->Threads(32)->Threads(64)->UseRealTime();

// The same with an idempotency key on every request (what the API does for clients
// that send one).
void BM_DurableAppendWithIdempotencyKey(benchmark::State& state) {
  BenchDb& db = BenchDb::Get();
  PatientId patient;
  {
    static std::mutex mu;
    std::lock_guard lock(mu);
    patient = db.AddPatient();
  }
  int64_t version = 0;
  int i = 0;
  static std::atomic<int64_t> key{0};
  for (auto _ : state) {
    auto r = db.store().Append(AppendRequest{
        patient, version, "k" + std::to_string(key++), UserId("usr_bench"), {Weight(i++)}});
    if (!r) {
      state.SkipWithError(r.error().ToString().c_str());
      break;
    }
    version = r->version;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DurableAppendWithIdempotencyKey)->Threads(32)->UseRealTime();

// Audit entries: written on every patient-data request.
void BM_DurableAudit(benchmark::State& state) {
  BenchDb& db = BenchDb::Get();
  AuditDraft d{"usr_bench",
               "staff",
               "patient.read",
               "GET /api/v1/patients/pat_x",
               PatientId("pat_x"),
               db.clinic(),
               "127.0.0.1",
               "treatment",
               "ok"};
  for (auto _ : state) {
    auto r = db.store().AppendAudit(d);
    if (!r) {
      state.SkipWithError(r.error().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DurableAudit)->Threads(1)->Threads(32)->UseRealTime();

// Reading a 100-event timeline (what every engine call starts with).
void BM_ReadTimeline(benchmark::State& state) {
  BenchDb& db = BenchDb::Get();
  static PatientId patient = [&] {
    PatientId p = db.AddPatient();
    std::vector<EventDraft> drafts;
    for (int i = 0; i < 100; ++i) drafts.push_back(Weight(i));
    (void)db.store().Append(AppendRequest{p, 0, "", UserId("usr_bench"), drafts});
    return p;
  }();
  for (auto _ : state) {
    auto events = db.store().ReadEvents(patient);
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadTimeline)->Threads(1)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace isocourse::store

BENCHMARK_MAIN();
