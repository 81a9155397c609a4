// Course engine benchmarks (docs/performance.md, "Course engine"):
//  - BM_EvaluateTypical: one 6-month course timeline of about 200 events, evaluated on
//    a date in month 6 (target <= 20 us median);
//  - BM_PopulationSweep/N: a synthetic population of N patients at every stage of a
//    course (candidates, lead-in, active, paused, completed, discontinued; US/EU/UK;
//    can / cannot get pregnant), generated on the fly on two threads, with every
//    patient's due tasks from course::DueTasks (the worklist entry point: the tasks of
//    Evaluate without candidacy, alert and decision texts), keeping the pending ones (target for N
//    = 1,000,000: <= 10 s, peak RSS <= 2 GB).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <charconv>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "core/course/evaluate.h"
#include "core/program/program.h"
#include "store/knowledge_files.h"

namespace isocourse {
namespace {

using namespace course;

const KnowledgeBase& Kb() {
  static const KnowledgeBase kb = [] {
    auto loaded = store::LoadKnowledgeDir(ISOCOURSE_BENCH_KNOWLEDGE_DIR);
    if (!loaded) {
      std::fprintf(stderr, "knowledge: %s\n", loaded.error().ToString().c_str());
      std::abort();
    }
    return *std::move(loaded);
  }();
  return kb;
}

// Builds synthetic timelines into a reusable buffer.
class Generator {
 public:
  enum class Stage { kCandidate, kLeadIn, kActive, kPaused, kCompleted, kDiscontinued };

  struct Spec {
    Stage stage = Stage::kActive;
    Jurisdiction jurisdiction = Jurisdiction::kUS;
    bool can_get_pregnant = true;
    int months = 6;           // months of treatment so far (active) or in total (ended)
    int days_after_end = 30;  // ended courses: days from the end to as_of
    bool daily_doses = true;  // record daily dose confirmations (the typical ~200 events)
  };

  // Fills `t` and returns the evaluation date. The events of the previous timeline are
  // overwritten in place (same-type payloads reuse their storage), as a store reading
  // one patient after another into a buffer would.
  Date Make(const Spec& s, std::minstd_rand& rng, Timeline& t) {
    n_ = 0;
    const Date as_of = Build(s, rng, t);
    t.events.resize(n_);
    return as_of;
  }

 private:
  Date Build(const Spec& s, std::minstd_rand& rng, Timeline& t) {
    const Date assessed = Date::FromYmd(2025, 11, 1).AddDays(static_cast<int>(rng() % 60));
    const bool cgp = s.can_get_pregnant;
    Add(t, assessed,
        ProfileEvent{
            Date::FromYmd(1995 + static_cast<int>(rng() % 15),
                          static_cast<unsigned>(1 + rng() % 12),
                          static_cast<unsigned>(1 + rng() % 28)),
            cgp ? SexAtBirth::kFemale : SexAtBirth::kMale,
            cgp ? PregnancyPotential::kCanGetPregnant : PregnancyPotential::kCannotGetPregnant,
            true, s.jurisdiction});
    Add(t, assessed, WeightEvent{Kilograms(55.0 + static_cast<double>(rng() % 40))});
    DiagnosisEvent dx;
    dx.iga = 4;
    dx.face = {30, 25, static_cast<int>(rng() % 5)};
    dx.scarring = true;
    dx.gags = std::array<int, kGagsRegionCount>{3, 4, 4, 2, 3, static_cast<int>(rng() % 5)};
    Add(t, assessed, dx);
    Add(t, assessed,
        PriorTreatmentEvent{PriorTreatmentKind::kOralAntibiotic,
                            "doxycycline",
                            assessed.AddDays(-200),
                            assessed.AddDays(-30),
                            TreatmentResponse::kFailed,
                            {}});
    Add(t, assessed,
        PriorTreatmentEvent{PriorTreatmentKind::kTopicalRetinoid,
                            "adapalene",
                            assessed.AddDays(-260),
                            assessed.AddDays(-30),
                            TreatmentResponse::kPartial,
                            {}});
    const ProgramKind program = s.jurisdiction == Jurisdiction::kUS   ? ProgramKind::kIpledge
                                : s.jurisdiction == Jurisdiction::kEU ? ProgramKind::kEuPpp
                                                                      : ProgramKind::kUkPpp;
    if (s.stage == Stage::kCandidate) return assessed.AddDays(3);
    Add(t, assessed,
        EnrollmentEvent{
            program,
            cgp ? PregnancyPotential::kCanGetPregnant : PregnancyPotential::kCannotGetPregnant, "",
            "dr"});
    Add(t, assessed, ConsentEvent{"agreement", true, false});
    const Date start = assessed.AddDays(35);
    if (cgp) {
      ContraceptionEvent c;
      c.methods = {{ContraceptionMethod::kCombinedPill, assessed.AddDays(-5), {}},
                   {ContraceptionMethod::kMaleCondom, assessed.AddDays(-5), {}}};
      c.entered_by = EnteredBy::kClinic;
      Add(t, assessed, c);
      c.entered_by = EnteredBy::kPatient;
      Add(t, assessed.AddDays(1), c);
      Add(t, assessed, Test(PregnancyTestPurpose::kScreening, assessed));
    }
    Add(t, assessed.AddDays(10),
        MoodScreenEvent{MoodInstrument::kPhq9, {0, 1, 0, 0, 1, 0, 0, 0, 0}, {}});
    for (const char* loinc : {"2571-8", "2093-3", "1742-6"}) {
      Add(t, start.AddDays(-10), Lab(loinc, 100));
    }
    if (s.stage == Stage::kLeadIn) return assessed.AddDays(20);
    if (cgp)
      Add(t, start.AddDays(-2), Test(PregnancyTestPurpose::kConfirmation, start.AddDays(-2)));
    Add(t, start, CourseStartEvent{});

    // Monthly cycle: tests, counseling, questions, contraception entries, prescription,
    // dispense, mood screen, visit, labs every second month, a side-effect report.
    const int months = s.months;
    Date end = start.AddDays(months * 30);
    for (int m = 0; m < months; ++m) {
      const Date d = start.AddDays(m * 30);
      if (m > 0) {
        if (cgp) Add(t, d.AddDays(-2), Test(PregnancyTestPurpose::kMonthly, d.AddDays(-2)));
        Add(t, d.AddDays(-1), CounselingEvent{{CounselingTopic::kPregnancyPrevention}, "dr"});
        if (cgp) {
          ContraceptionEvent c;
          c.entered_by = EnteredBy::kPatient;
          c.methods = {{ContraceptionMethod::kCombinedPill, assessed.AddDays(-5), {}},
                       {ContraceptionMethod::kMaleCondom, assessed.AddDays(-5), {}}};
          Add(t, d.AddDays(-1), c);
          Add(t, d.AddDays(-1), ComprehensionEvent{true, 5, 5});
        }
        Add(t, d.AddDays(-1),
            MoodScreenEvent{MoodInstrument::kPhq2, {0, static_cast<int>(rng() % 2)}, {}});
        Add(t, d.AddDays(-1), VisitEvent{{5, 10, 1}, {}, 2, true, ""});
      }
      const EventId rx =
          Add(t, d.AddDays(-1),
              PrescriptionEvent{"Claravis", Milligrams(30), Milligrams(m == 0 ? 30.0 : 60.0), 2, 30,
                                0, 60, "dr"});
      DispenseEvent disp;
      disp.prescription = rx;
      disp.days_supply = 30;
      Add(t, d, disp);
      if (m % 2 == 1) {
        Add(t, d.AddDays(5), Lab("2571-8", 150.0 + static_cast<double>(rng() % 300)));
        Add(t, d.AddDays(5), Lab("1742-6", 20.0 + static_cast<double>(rng() % 40)));
      }
      Add(t, d.AddDays(12),
          SideEffectEvent{{Symptom::kCheilitis, Symptom::kDrySkin}, SymptomSeverity::kMild, ""});
      if (m % 2 == 0)
        Add(t, d.AddDays(3), WeightEvent{Kilograms(60.0 + static_cast<double>(rng() % 30))});
      if (s.daily_doses) {
        // Dose confirmations on 21 of every 30 days (a typical app user).
        for (int k = 0; k < 30; ++k) {
          if (k % 10 >= 7) continue;
          DoseEvent dz;
          dz.taken = (rng() % 25) != 0;
          Add(t, d.AddDays(k), dz);
        }
      }
    }
    if (s.stage == Stage::kActive) return end.AddDays(-5);
    if (s.stage == Stage::kPaused) {
      Add(t, end.AddDays(-20), CoursePauseEvent{"surgery"});
      return end.AddDays(-10);
    }
    if (s.stage == Stage::kCompleted) {
      Add(t, end, CourseCompleteEvent{});
    } else {
      Add(t, end, CourseDiscontinueEvent{"low mood"});
    }
    return end.AddDays(s.days_after_end);
  }

  template <class P>
  const EventId& Add(Timeline& t, Date d, P payload) {
    if (n_ == t.events.size()) t.events.emplace_back();
    Event& e = t.events[n_];
    char buf[16] = {'e'};
    auto res = std::to_chars(buf + 1, buf + sizeof buf, n_);
    ++n_;
    e.id = EventId(std::string(buf, res.ptr));
    e.date = d;
    if (e.recorded_by.empty()) e.recorded_by = UserId("u");
    e.corrects.reset();
    e.payload = std::move(payload);
    return e.id;
  }
  static PregnancyTestEvent Test(PregnancyTestPurpose p, Date specimen) {
    PregnancyTestEvent x;
    x.purpose = p;
    x.specimen_date = specimen;
    x.setting = TestSetting::kCertifiedLab;
    x.result = TestResult::kNegative;
    return x;
  }
  static LabEvent Lab(const char* loinc, double value) {
    LabEvent l;
    l.loinc = loinc;
    l.value = value;
    l.unit = loinc == std::string_view("1742-6") ? LabUnit::kUPerL : LabUnit::kMgPerDl;
    l.fasting = true;
    l.hours_since_alcohol = 72;
    return l;
  }
  size_t n_ = 0;
};

// One measured iteration each, kept out of line so that an instruction count can be
// taken for exactly this work (evaluation plus freeing its result), e.g.
//   valgrind --tool=callgrind --toggle-collect='*EvaluateOnce*' bench_course
//     --benchmark_filter=BM_EvaluateTypical
// and dividing by the number of calls (docs/performance.md).
[[gnu::noinline]] size_t EvaluateOnce(const Timeline& t, const KnowledgeBase& kb, Date as_of,
                                      const Settings& settings, benchmark::State& state) {
  auto a = Evaluate(t, kb, as_of, settings);
  if (!a) {
    state.SkipWithError(a.error().ToString().c_str());
    return 0;
  }
  benchmark::DoNotOptimize(a);
  return a->tasks.size();
}

// The pending tasks of one patient, or nullopt on error.
[[gnu::noinline]] std::optional<size_t> DueTasksOnce(const Timeline& t, const KnowledgeBase& kb,
                                                     Date as_of, const Settings& settings,
                                                     const std::function<void(const Task&)>& keep) {
  auto tasks = DueTasks(t, kb, as_of, settings);
  if (!tasks) return std::nullopt;
  benchmark::DoNotOptimize(tasks);
  for (const Task& task : *tasks) keep(task);
  return tasks->size();
}

void BM_EvaluateTypical(benchmark::State& state) {
  const KnowledgeBase& kb = Kb();
  std::minstd_rand rng(42);
  Generator gen;
  Timeline t;
  t.patient = PatientId("bench");
  Generator::Spec spec;
  spec.months = 6;
  const Date as_of = gen.Make(spec, rng, t);
  Settings settings;
  size_t tasks = 0;
  for (auto _ : state) {
    tasks = EvaluateOnce(t, kb, as_of, settings, state);
  }
  state.counters["events"] = static_cast<double>(t.events.size());
  state.counters["tasks"] = static_cast<double>(tasks);
}
BENCHMARK(BM_EvaluateTypical)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// The program rules' share of BM_EvaluateTypical: corrections, course facts and
// program::EvaluateProgram only (no candidacy, labs, alerts or tasks of the course
// engine).
void BM_ProgramRulesOnly(benchmark::State& state) {
  const KnowledgeBase& kb = Kb();
  std::minstd_rand rng(42);
  Generator gen;
  Timeline t;
  Generator::Spec spec;
  const Date as_of = gen.Make(spec, rng, t);
  Settings settings;
  for (auto _ : state) {
    auto r = ResolveCorrections(t);
    auto f = DeriveCourseFacts(*r, kb, as_of, settings);
    auto p = program::EvaluateProgram(*r, *f, kb, as_of, settings);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ProgramRulesOnly)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// Corrections and course facts (incl. the dose ledger) only.
void BM_FactsOnly(benchmark::State& state) {
  const KnowledgeBase& kb = Kb();
  std::minstd_rand rng(42);
  Generator gen;
  Timeline t;
  Generator::Spec spec;
  const Date as_of = gen.Make(spec, rng, t);
  Settings settings;
  for (auto _ : state) {
    auto r = ResolveCorrections(t);
    auto f = DeriveCourseFacts(*r, kb, as_of, settings);
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(BM_FactsOnly)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

// The generator alone (the sweep's synthetic-input cost).
void BM_GenerateTypical(benchmark::State& state) {
  std::minstd_rand rng(42);
  Generator gen;
  Timeline t;
  Generator::Spec spec;
  for (auto _ : state) {
    benchmark::DoNotOptimize(gen.Make(spec, rng, t));
  }
}
BENCHMARK(BM_GenerateTypical)->Unit(benchmark::kMicrosecond);

// DueTasks on the typical timeline (what the sweep runs per patient).
void BM_DueTasksTypical(benchmark::State& state) {
  const KnowledgeBase& kb = Kb();
  std::minstd_rand rng(42);
  Generator gen;
  Timeline t;
  Generator::Spec spec;
  const Date as_of = gen.Make(spec, rng, t);
  Settings settings;
  const std::function<void(const Task&)> keep = [](const Task&) {};
  for (auto _ : state) {
    benchmark::DoNotOptimize(DueTasksOnce(t, kb, as_of, settings, keep));
  }
}
BENCHMARK(BM_DueTasksTypical)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// One patient's pending due task, compactly.
struct DueTask {
  std::uint32_t patient;
  std::uint16_t kind;
  std::uint8_t status;
  std::int32_t due_days;  // days since epoch, or INT32_MIN for "due now"
};

void BM_PopulationSweep(benchmark::State& state) {
  const KnowledgeBase& kb = Kb();
  const auto n = static_cast<std::uint32_t>(state.range(0));
  constexpr int kThreads = 2;
  std::vector<std::vector<DueTask>> due(kThreads);
  std::atomic<std::uint64_t> errors{0};
  for (auto _ : state) {
    std::vector<std::thread> pool;
    for (int w = 0; w < kThreads; ++w) {
      pool.emplace_back([&, w] {
        std::minstd_rand rng(1234 + static_cast<unsigned>(w));
        Generator gen;
        Timeline t;
        Settings settings;
        auto& out = due[static_cast<size_t>(w)];
        out.clear();
        out.reserve(n / kThreads * 8);
        std::uint32_t patient = 0;
        const std::function<void(const Task&)> keep_pending = [&](const Task& task) {
          if (task.status == TaskStatus::kDone || task.status == TaskStatus::kCancelled) return;
          out.push_back(DueTask{patient, static_cast<std::uint16_t>(task.kind),
                                static_cast<std::uint8_t>(task.status),
                                task.due ? task.due->days_since_epoch() : INT32_MIN});
        };
        auto keep = [&](std::uint32_t p) -> const std::function<void(const Task&)>& {
          patient = p;
          return keep_pending;
        };
        for (std::uint32_t p = static_cast<std::uint32_t>(w); p < n; p += kThreads) {
          Generator::Spec s;
          const auto r = rng() % 100;
          s.stage = r < 10   ? Generator::Stage::kCandidate
                    : r < 20 ? Generator::Stage::kLeadIn
                    : r < 70 ? Generator::Stage::kActive
                    : r < 75 ? Generator::Stage::kPaused
                    : r < 92 ? Generator::Stage::kCompleted
                             : Generator::Stage::kDiscontinued;
          const auto j = rng() % 10;
          s.jurisdiction = j < 6   ? Jurisdiction::kUS
                           : j < 8 ? Jurisdiction::kEU
                                   : Jurisdiction::kUK;
          s.can_get_pregnant = rng() % 2 == 0;
          s.months = 1 + static_cast<int>(rng() % 6);
          s.days_after_end = static_cast<int>(rng() % 900);
          s.daily_doses = rng() % 4 == 0;  // a quarter of patients log their doses
          const Date as_of = gen.Make(s, rng, t);
          if (!DueTasksOnce(t, kb, as_of, settings, keep(p))) errors.fetch_add(1);
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  size_t total = 0;
  for (const auto& v : due) total += v.size();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["patients"] = static_cast<double>(n);
  state.counters["due_tasks"] = static_cast<double>(total);
  state.counters["errors"] = static_cast<double>(errors.load());
  state.counters["peak_rss_mb"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
  state.counters["patients_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PopulationSweep)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace isocourse

BENCHMARK_MAIN();
