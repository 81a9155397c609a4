// The course engine (docs/course-engine.md). Every number and every sentence it emits
// comes from knowledge/ (course_knowledge.h); this file holds only the logic that
// combines them. Each output carries the knowledge item's id and citation.
#include "core/course/evaluate.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <span>
#include <string>

#include "core/course/course_knowledge.h"
#include "core/course/scratch.h"
#include "core/course/text.h"
#include "core/dose/ledger.h"
#ifdef ISOCOURSE_HAVE_PROGRAM_RULES
#include "core/program/program.h"
#endif

namespace isocourse::course {

namespace {

constexpr const char* kPack = "course";

std::string Num(double v) {
  // Up to 2 decimals, no trailing zeros.
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 2);
  std::string s(buf, res.ptr);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Views of knowledge strings (a Task's `unblocks`; see LIFETIME in assessment.h).
std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

// The index of alternative T in Payload.
template <class T, size_t I = 0>
constexpr size_t VariantIndex() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Payload>, T>) {
    return I;
  } else {
    return VariantIndex<T, I + 1>();
  }
}

// Everything one evaluation derives from the timeline, in one pass.
using Events = std::span<const Event* const>;

struct Derived {
  // Events on or before as_of grouped by type, each group in date order; the spans
  // point into `storage` (a per-thread buffer).
  Scratch<std::vector<const Event*>> storage;
  Events profiles, weights, conditions, diagnoses, prior, med_starts, med_stops, enrollments,
      contraception, preg_tests, labs, prescriptions, dispenses, doses, moods, side_effects, visits,
      lifecycle, program_steps, opt_ins;
  Scratch<dose::LedgerInput> ledger_in;  // the dose ledger's input (a per-thread buffer)
  dose::LedgerResult ledger;
  bool ledger_ok = false;
  bool weight_missing = false;
  std::span<const dose::Dispense> course_dispenses;  // current course (ledger_in's)
  std::optional<Date> start;                         // first day of treatment
  std::optional<Date> previous_course_last_dose;     // a previous isotretinoin course
  MgPerKg target{0};
  std::string_view target_source;
};

class Engine {
 public:
  Engine(const ResolvedTimeline& tl, const KnowledgeBase& kb, Date as_of, const Settings& s)
      : tl_(tl), kb_(kb), ck_(*kb.course), as_of_(as_of), settings_(s) {}

  Status Derive();
  const CourseFacts& facts() const { return facts_; }
  // tasks_only: only what the tasks need (labs without texts, program tasks); no
  // candidacy, dose section, alerts or decisions (DueTasks).
  Result<Assessment> Assess(bool tasks_only = false);

 private:
  const CourseRule& Rule(R r) const { return ck_.Get(r, facts_.jurisdiction); }
  Explanation Explain(const ItemMeta& m) const {
    return Explanation{m.id, kPack, ck_.pack_version, m.citation};
  }
  Explanation Explain(R r) const { return Explain(Rule(r).meta); }
  double Value(R r) const { return Rule(r).value.value_or(0); }
  Reason MakeReason(R r, std::string_view code, bool blocking, std::string message) const {
    return Reason{code, blocking, std::move(message), Explain(r)};
  }
  // A date `offset` treatment days after `anchor`: pauses starting on or after the
  // anchor push it back by their length (an open pause is taken to end tomorrow).
  Date TreatmentDate(Date anchor, int offset) const;
  bool CanGetPregnant() const { return facts_.category == PregnancyPotential::kCanGetPregnant; }
  std::string Label(const Event* e) const;

  Status DeriveLifecycle();
  Status DeriveDose();
  void DerivePhase();

  void AssessCandidacy(Assessment& a);
  void AssessDose(Assessment& a);
  void AssessLabs(Assessment& a);
  void AssessAlerts(Assessment& a);
  void AssessTasks(Assessment& a);
  void AssessDecisions(Assessment& a);
  bool HormonalContraceptionInUse(const std::vector<ContraceptionMethod>& methods) const;
  std::vector<ContraceptionMethod> MethodsInUse() const;
  bool MedicationActive(MedicationClass c, std::vector<EventId>* ids) const;
  bool ConditionPresent(Condition c, std::vector<EventId>* ids) const;
  const DiagnosisEvent* CandidacyDiagnosis(const Event** ev) const;
  Task MakeTask(const ItemMeta& meta, TaskKind kind, std::string id, std::string title,
                std::optional<Date> earliest, std::optional<Date> due, std::optional<Date> latest,
                bool done, std::string detail, std::vector<std::string_view> unblocks) const;
  // `opened_done(k)` -> {occurrence k's window has opened, it is done}.
  template <class OpenedDone>
  int PickOccurrence(int every, const OpenedDone& opened_done) const;
  void AddTask(Assessment& a, const ItemMeta& meta, TaskKind kind, std::string id,
               std::string title, std::optional<Date> earliest, std::optional<Date> due,
               std::optional<Date> latest, bool done, std::string detail,
               std::vector<std::string_view> unblocks);

  const ResolvedTimeline& tl_;
  const KnowledgeBase& kb_;
  const CourseKnowledge& ck_;
  Date as_of_;
  const Settings& settings_;
  CourseFacts facts_;
  Derived d_;
  bool tasks_only_ = false;
};

std::string Engine::Label(const Event* e) const {
  const auto& all = tl_.source->events;
  size_t idx = static_cast<size_t>(e - all.data());
  return EventLabel(*tl_.source, idx);
}

Date Engine::TreatmentDate(Date anchor, int offset) const {
  Date d = anchor.AddDays(offset);
  for (const CoursePause& p : facts_.pauses) {
    if (p.start < anchor || p.start > d) continue;
    Date end = p.end ? *p.end : as_of_.AddDays(1);
    if (end < p.start) continue;
    d = d.AddDays(p.start.DaysUntil(end));
  }
  return d;
}

Status Engine::Derive() {
  // Group the events in force on as_of: count per group, then place each event at
  // its group's next slot (a counting sort that keeps date order within a group).
  constexpr size_t kTypes = std::variant_size_v<Payload>;
  constexpr size_t kLifecycleGroup = kTypes, kProgramGroup = kTypes + 1, kGroups = kTypes + 2;
  auto group_of = [](size_t type) {
    if (type >= VariantIndex<CourseStartEvent>() && type <= VariantIndex<CourseDiscontinueEvent>())
      return kLifecycleGroup;
    if (type == VariantIndex<ConsentEvent>() || type == VariantIndex<CounselingEvent>() ||
        type == VariantIndex<ComprehensionEvent>() ||
        type == VariantIndex<SecondPrescriberEvent>() ||
        type == VariantIndex<ProgramAssessmentEvent>())
      return kProgramGroup;
    return type;
  };
  std::array<size_t, kGroups + 1> offset{};
  size_t in_force = 0;
  for (const Event* e : tl_.events) {
    if (e->date > as_of_) break;  // sorted by date
    ++offset[group_of(e->payload.index()) + 1];
    ++in_force;
  }
  for (size_t g = 0; g < kGroups; ++g) offset[g + 1] += offset[g];
  d_.storage->resize(in_force);
  std::array<size_t, kGroups> next{};
  for (size_t g = 0; g < kGroups; ++g) next[g] = offset[g];
  for (size_t i = 0; i < in_force; ++i) {
    const Event* e = tl_.events[i];
    (*d_.storage)[next[group_of(e->payload.index())]++] = e;
  }
  auto group = [&](size_t g) {
    return Events(d_.storage->data() + offset[g], offset[g + 1] - offset[g]);
  };
  auto of = [&](auto tag) { return group(VariantIndex<typename decltype(tag)::type>()); };
  d_.profiles = of(std::type_identity<ProfileEvent>{});
  d_.weights = of(std::type_identity<WeightEvent>{});
  d_.conditions = of(std::type_identity<ConditionEvent>{});
  d_.diagnoses = of(std::type_identity<DiagnosisEvent>{});
  d_.prior = of(std::type_identity<PriorTreatmentEvent>{});
  d_.med_starts = of(std::type_identity<MedicationStartEvent>{});
  d_.med_stops = of(std::type_identity<MedicationStopEvent>{});
  d_.enrollments = of(std::type_identity<EnrollmentEvent>{});
  d_.contraception = of(std::type_identity<ContraceptionEvent>{});
  d_.preg_tests = of(std::type_identity<PregnancyTestEvent>{});
  d_.labs = of(std::type_identity<LabEvent>{});
  d_.prescriptions = of(std::type_identity<PrescriptionEvent>{});
  d_.dispenses = of(std::type_identity<DispenseEvent>{});
  d_.doses = of(std::type_identity<DoseEvent>{});
  d_.moods = of(std::type_identity<MoodScreenEvent>{});
  d_.side_effects = of(std::type_identity<SideEffectEvent>{});
  d_.visits = of(std::type_identity<VisitEvent>{});
  d_.opt_ins = of(std::type_identity<HomeTestOptInEvent>{});
  d_.lifecycle = group(kLifecycleGroup);
  d_.program_steps = group(kProgramGroup);

  // Profile, jurisdiction, category, age.
  if (!d_.profiles.empty()) facts_.profile = d_.profiles.back()->As<ProfileEvent>();
  facts_.jurisdiction = settings_.jurisdiction
                            ? *settings_.jurisdiction
                            : (facts_.profile ? facts_.profile->jurisdiction : Jurisdiction::kUS);
  if (!d_.enrollments.empty()) {
    facts_.category = d_.enrollments.back()->As<EnrollmentEvent>()->category;
  } else if (facts_.profile) {
    facts_.category = facts_.profile->pregnancy_potential;
  }
  if (facts_.profile && facts_.profile->birth_date) {
    auto b = facts_.profile->birth_date->ymd();
    auto n = as_of_.ymd();
    int age = static_cast<int>(n.year()) - static_cast<int>(b.year());
    if (n.month() < b.month() || (n.month() == b.month() && n.day() < b.day())) --age;
    facts_.age_years = age;
  }
  facts_.regular_cycles = facts_.profile && facts_.profile->regular_cycles.value_or(false);
  facts_.home_tests_opt_in = settings_.home_tests_opt_in;
  if (!d_.opt_ins.empty()) {
    facts_.home_tests_opt_in = d_.opt_ins.back()->As<HomeTestOptInEvent>()->opted_in;
  }

  ISO_RETURN_IF_ERROR(DeriveLifecycle());
  ISO_RETURN_IF_ERROR(DeriveDose());
  DerivePhase();
  return {};
}

Status Engine::DeriveLifecycle() {
  // The current course is the latest course_start; lifecycle events before it belong
  // to earlier courses.
  std::optional<Date> current_start;
  std::optional<Date> prev_end;
  for (const Event* e : d_.lifecycle) {
    if (e->As<CourseStartEvent>()) {
      if (current_start) {
        // An earlier course: its last day on drug is the day before its recorded end
        // (a lifecycle date is the first day of the new state), else the day before
        // this start.
        prev_end = facts_.end_date ? std::optional<Date>(facts_.end_date->AddDays(-1))
                                   : std::optional<Date>(e->date.AddDays(-1));
      }
      current_start = e->date;
      facts_.pauses.clear();
      facts_.completed = facts_.discontinued = false;
      facts_.end_date.reset();
      continue;
    }
    if (facts_.end_date) continue;  // nothing changes an ended course
    if (const auto* p = e->As<CoursePauseEvent>()) {
      if (!facts_.pauses.empty() && !facts_.pauses.back().end) continue;  // already paused
      facts_.pauses.push_back(CoursePause{e->date, std::nullopt, p->reason});
    } else if (e->As<CourseResumeEvent>()) {
      if (!facts_.pauses.empty() && !facts_.pauses.back().end) facts_.pauses.back().end = e->date;
    } else if (e->As<CourseCompleteEvent>()) {
      facts_.completed = true;
      facts_.end_date = e->date;
    } else if (e->As<CourseDiscontinueEvent>()) {
      facts_.discontinued = true;
      facts_.end_date = e->date;
    }
  }
  facts_.course_start = current_start;
  if (prev_end) d_.previous_course_last_dose = *prev_end;
  for (const Event* e : d_.prior) {
    const auto* p = e->As<PriorTreatmentEvent>();
    if (p->kind != PriorTreatmentKind::kIsotretinoin) continue;
    Date last = p->end ? *p->end : e->date;
    if (current_start && last >= *current_start) continue;
    if (!d_.previous_course_last_dose || last > *d_.previous_course_last_dose) {
      d_.previous_course_last_dose = last;
    }
  }
  facts_.paused = !facts_.pauses.empty() && !facts_.pauses.back().end && !facts_.end_date;
  return {};
}

Status Engine::DeriveDose() {
  dose::LedgerInput& in = *d_.ledger_in;
  in.dispenses.clear();
  in.doses.clear();
  in.pauses.clear();
  in.weights.clear();
  in.target.reset();
  in.as_of = as_of_;
  in.weight_rule = settings_.weight_rule;
  const std::optional<Date> from = facts_.course_start;
  for (const Event* e : d_.weights) {
    in.weights.push_back({e->date, e->As<WeightEvent>()->kg});
  }
  // Product look-ups are case-insensitive scans; remember the few names seen (views of
  // the timeline's own strings, which outlive this evaluation).
  std::array<std::pair<std::string_view, double>, 8> factors;
  size_t n_factors = 0;
  auto product_factor = [&](std::string_view name, const Event* e,
                            std::string_view field) -> Result<double> {
    for (size_t i = 0; i < n_factors; ++i) {
      if (factors[i].first == name) return factors[i].second;
    }
    const Product* p = kb_.FindProduct(name);
    if (!p) {
      std::string known;
      for (const Product& x : kb_.products) {
        if (!known.empty()) known += ", ";
        known += x.meta.id;
      }
      return InvalidArgument(
          Label(e) + "." + std::string(field),
          "'" + std::string(name) + "' is not a known product; expected one of: " + known);
    }
    if (n_factors < factors.size()) factors[n_factors++] = {name, p->equivalence_factor};
    return p->equivalence_factor;
  };
  for (const Event* e : d_.dispenses) {
    if (from && e->date < *from) continue;
    const auto* disp = e->As<DispenseEvent>();
    std::string_view product = disp->product;
    std::optional<Milligrams> daily = disp->daily;
    if (disp->prescription) {
      const Event* rx = nullptr;
      for (const Event* x : d_.prescriptions) {
        if (x->id == *disp->prescription) rx = x;
      }
      const auto* p = rx ? rx->As<PrescriptionEvent>() : nullptr;
      if (!p) {
        return InvalidArgument(Label(e) + ".prescription",
                               "'" + disp->prescription->value() +
                                   "' is not a prescription in force (it may have been retracted)");
      }
      if (product.empty()) product = p->product;
      if (!daily) daily = p->daily;
    }
    ISO_ASSIGN_OR_RETURN(double factor, product_factor(product, e, "product"));
    dose::Dispense d;
    d.date = e->date;
    d.daily = daily.value_or(Milligrams(0));
    d.days_supply = disp->days_supply;
    d.equivalence_factor = factor;
    d.product = product;
    in.dispenses.push_back(std::move(d));
  }
  d_.course_dispenses = in.dispenses;
  for (const Event* e : d_.prescriptions) {
    ISO_RETURN_IF_ERROR(product_factor(e->As<PrescriptionEvent>()->product, e, "product"));
  }
  for (const Event* e : d_.doses) {
    if (from && e->date < *from) continue;
    const auto* dz = e->As<DoseEvent>();
    if (dz->taken && !dz->mg) continue;  // confirms the scheduled dose
    dose::DoseRecord r;
    r.date = e->date;
    r.taken = dz->taken;
    r.mg = dz->mg.value_or(Milligrams(0));
    r.equivalence_factor = 1.0;
    std::string_view product = dz->product;
    if (product.empty()) {
      for (const dose::Dispense& d : d_.course_dispenses) {
        if (d.date <= e->date) product = d.product;
      }
    }
    if (!product.empty()) {
      ISO_ASSIGN_OR_RETURN(r.equivalence_factor, product_factor(product, e, "product"));
    }
    in.doses.push_back(r);
  }
  for (const CoursePause& p : facts_.pauses) in.pauses.push_back({p.start, p.end});
  // Like a pause date, the complete/discontinue date is the first day off drug.
  if (facts_.end_date) in.pauses.push_back({*facts_.end_date, std::nullopt});

  // Target: extend > course_start > settings > knowledge default.
  if (const auto& t = ck_.default_target) {
    d_.target = t->default_goal;
    d_.target_source = t->meta.id;
  }
  if (settings_.cumulative_goal) {
    d_.target = *settings_.cumulative_goal;
    d_.target_source = "settings";
  }
  for (const Event* e : d_.lifecycle) {
    if (from && e->date < *from) continue;
    if (const auto* s = e->As<CourseStartEvent>(); s && s->target) {
      d_.target = *s->target;
      d_.target_source = "course_start";
    }
    if (const auto* x = e->As<CourseExtendEvent>()) {
      d_.target = x->new_target;
      d_.target_source = "course_extend";
    }
  }
  in.target = d_.target;

  const bool any_drug =
      !in.dispenses.empty() || std::any_of(in.doses.begin(), in.doses.end(),
                                           [](const dose::DoseRecord& r) { return r.taken; });
  if (any_drug && in.weights.empty()) {
    d_.weight_missing = true;
  } else {
    auto led = dose::ComputeLedger(in);
    if (!led) {
      Error err = led.error();
      err.message = "dose ledger: " + err.message;
      return std::unexpected(err);
    }
    d_.ledger = *std::move(led);
    d_.ledger_ok = true;
  }
  facts_.first_dose = d_.ledger.first_dose;
  facts_.last_dose = d_.ledger.last_dose;
  facts_.supply_runs_out = d_.ledger.supply_runs_out;
  if (!facts_.last_dose && facts_.end_date && facts_.course_start &&
      *facts_.end_date > *facts_.course_start) {
    // Course recorded without supply data: assume drug up to the day before the end.
    facts_.last_dose = facts_.end_date->AddDays(-1);
  }
  if (!facts_.first_dose && facts_.course_start && d_.weight_missing &&
      !d_.course_dispenses.empty()) {
    facts_.first_dose = d_.course_dispenses.front().date;
  }
  d_.start = facts_.course_start ? facts_.course_start : facts_.first_dose;
  return {};
}

void Engine::DerivePhase() {
  const bool started = d_.start.has_value() && *d_.start <= as_of_;
  Phase ph = Phase::kCandidate;
  if (facts_.discontinued) {
    ph = Phase::kDiscontinued;
  } else if (facts_.completed) {
    Date last = facts_.last_dose ? *facts_.last_dose : facts_.end_date->AddDays(-1);
    if (last.DaysUntil(as_of_) <= static_cast<int>(Value(R::kCoursePhasePostTreatmentDays))) {
      ph = Phase::kPostTreatment;
    } else if (as_of_ <= last.AddMonths(static_cast<int>(Value(R::kCoursePhaseFollowUpMonths)))) {
      ph = Phase::kFollowUp;
    } else {
      ph = Phase::kCompleted;
    }
  } else if (started) {
    ph = facts_.paused ? Phase::kPaused : Phase::kActive;
  } else if (CanGetPregnant() && !d_.contraception.empty()) {
    ph = Phase::kLeadIn;
  } else if (!d_.enrollments.empty() || !d_.program_steps.empty() || !d_.prescriptions.empty() ||
             !d_.preg_tests.empty()) {
    ph = Phase::kPreStart;
  }
  facts_.phase = ph;
}

// --- candidacy ----------------------------------------------------------------------

bool Engine::ConditionPresent(Condition c, std::vector<EventId>* ids) const {
  const Event* last = nullptr;
  for (const Event* e : d_.conditions) {
    if (e->As<ConditionEvent>()->condition == c) last = e;
  }
  if (!last || !last->As<ConditionEvent>()->present) return false;
  if (ids) ids->push_back(last->id);
  return true;
}

bool Engine::MedicationActive(MedicationClass c, std::vector<EventId>* ids) const {
  bool any = false;
  for (const Event* e : d_.med_starts) {
    if (e->As<MedicationStartEvent>()->medication_class != c) continue;
    bool stopped = std::any_of(d_.med_stops.begin(), d_.med_stops.end(), [&](const Event* s) {
      return s->As<MedicationStopEvent>()->start_event == e->id;
    });
    if (stopped) continue;
    any = true;
    if (ids) ids->push_back(e->id);
  }
  return any;
}

std::vector<ContraceptionMethod> Engine::MethodsInUse() const {
  std::vector<ContraceptionMethod> out;
  const Event* latest[2] = {nullptr, nullptr};
  for (const Event* e : d_.contraception) {
    latest[static_cast<size_t>(e->As<ContraceptionEvent>()->entered_by)] = e;
  }
  for (const Event* e : latest) {
    if (!e) continue;
    for (const ContraceptionMethodUse& m : e->As<ContraceptionEvent>()->methods) {
      if (m.start > as_of_ || (m.end && *m.end < as_of_)) continue;
      if (std::find(out.begin(), out.end(), m.method) == out.end()) out.push_back(m.method);
    }
  }
  return out;
}

bool Engine::HormonalContraceptionInUse(const std::vector<ContraceptionMethod>& methods) const {
  if (MedicationActive(MedicationClass::kCombinedHormonalContraceptive, nullptr) ||
      MedicationActive(MedicationClass::kProgestinOnlyPill, nullptr) ||
      MedicationActive(MedicationClass::kOtherHormonalContraceptive, nullptr)) {
    return true;
  }
  for (ContraceptionMethod m : methods) {
    auto it = kb_.contraception_methods.find(Name(m));
    if (it != kb_.contraception_methods.end() && it->second.hormonal) return true;
  }
  return false;
}

const DiagnosisEvent* Engine::CandidacyDiagnosis(const Event** ev) const {
  // The assessment the decision to treat rests on: the latest one on or before the
  // start (before the start: the latest one); if all are after the start, the first.
  const Event* best = nullptr;
  for (const Event* e : d_.diagnoses) {
    if (!d_.start || e->date <= *d_.start) best = e;
  }
  if (!best && !d_.diagnoses.empty()) best = d_.diagnoses.front();
  if (ev) *ev = best;
  return best ? best->As<DiagnosisEvent>() : nullptr;
}

void Engine::AssessCandidacy(Assessment& a) {
  Candidacy& c = a.candidacy;
  c.reasons.reserve(8);
  const Jurisdiction j = facts_.jurisdiction;
  const bool eu = j != Jurisdiction::kUS;
  // Age at the start of the course (or today before it starts).
  std::optional<int> age = facts_.age_years;
  if (age && d_.start && *d_.start < as_of_ && facts_.profile->birth_date) {
    auto b = facts_.profile->birth_date->ymd();
    auto n = d_.start->ymd();
    int x = static_cast<int>(n.year()) - static_cast<int>(b.year());
    if (n.month() < b.month() || (n.month() == b.month() && n.day() < b.day())) --x;
    age = x;
  }
  c.age_years = age;
  bool age_blocks = false, needs_review = false;
  if (!age) {
    c.reasons.push_back(MakeReason(R::kCandidacyAgeUnknown, "unknown", false,
                                   Rule(R::kCandidacyAgeUnknown).message));
    needs_review = true;
  } else {
    const int min_age = static_cast<int>(Value(R::kCandidacyAgeMinimum));
    if (*age < min_age) {
      age_blocks = true;
      c.reasons.push_back(MakeReason(R::kCandidacyAgeMinimum, "not_met", true,
                                     "Age " + std::to_string(*age) + " is below " +
                                         std::to_string(min_age) + ". " +
                                         Rule(R::kCandidacyAgeMinimum).message));
    } else {
      c.reasons.push_back(MakeReason(
          R::kCandidacyAgeMinimum, "met", false,
          "Age " + std::to_string(*age) + " (minimum " + std::to_string(min_age) + ")."));
    }
  }

  const Event* dx_event = nullptr;
  const DiagnosisEvent* dx = CandidacyDiagnosis(&dx_event);
  bool severe = false, scarring = false, psychosocial = false;
  if (!dx) {
    c.reasons.push_back(MakeReason(R::kCandidacyAssessmentMissing, "unknown", false,
                                   Rule(R::kCandidacyAssessmentMissing).message));
    needs_review = true;
  } else {
    const int nodules = dx->face.nodules.value_or(0) + dx->trunk.nodules.value_or(0);
    const int inflammatory =
        dx->face.papules_pustules.value_or(0) + dx->trunk.papules_pustules.value_or(0);
    std::vector<std::string> why;
    if (dx->iga && *dx->iga >= static_cast<int>(Value(R::kCandidacySeverityIga)))
      why.push_back("IGA " + std::to_string(*dx->iga));
    if (dx->nodular.value_or(false)) why.push_back("nodular acne");
    if (dx->conglobata.value_or(false)) why.push_back("acne conglobata");
    if (dx->fulminans.value_or(false)) why.push_back("acne fulminans");
    if (nodules >= static_cast<int>(Value(R::kCandidacySeverityNodules)))
      why.push_back(std::to_string(nodules) + " nodules");
    if (inflammatory >= static_cast<int>(Value(R::kCandidacySeverityInflammatory)))
      why.push_back(std::to_string(inflammatory) + " inflammatory lesions");
    severe = !why.empty();
    std::string list;
    for (const std::string& w : why) list += (list.empty() ? "" : ", ") + w;
    c.reasons.push_back(MakeReason(
        R::kCandidacyIndicationSevere, severe ? "met" : "not_met", false,
        severe ? Rule(R::kCandidacyIndicationSevere).title + ": " + list + "."
               : "Not severe on the recorded assessment (" + DateText(dx_event->date) + ")."));
    scarring = dx->scarring.value_or(false);
    c.reasons.push_back(MakeReason(
        R::kCandidacyIndicationScarring, scarring ? "met" : "not_met", false,
        scarring ? Rule(R::kCandidacyIndicationScarring).message : "No scarring recorded."));
    psychosocial = dx->psychosocial_burden.value_or(false);
    c.reasons.push_back(MakeReason(R::kCandidacyIndicationPsychosocial,
                                   psychosocial ? "met" : "not_met", false,
                                   psychosocial ? Rule(R::kCandidacyIndicationPsychosocial).message
                                                : "No psychosocial burden recorded."));
  }

  // Treatment failure: days covered by non-isotretinoin therapy, with a failed oral
  // antibiotic (EU/UK: and a topical).
  bool failure = false;
  {
    std::vector<std::pair<int, int>> spans;
    bool oral_failed = false, topical = false;
    for (const Event* e : d_.prior) {
      const auto* p = e->As<PriorTreatmentEvent>();
      if (p->kind == PriorTreatmentKind::kIsotretinoin) continue;
      Date end = p->end ? std::min(*p->end, as_of_) : as_of_;
      if (end < p->start) continue;
      spans.push_back({p->start.days_since_epoch(), end.days_since_epoch()});
      const bool not_responding = p->response == TreatmentResponse::kFailed ||
                                  p->response == TreatmentResponse::kPartial ||
                                  p->response == TreatmentResponse::kRelapsed ||
                                  p->response == TreatmentResponse::kIntolerant;
      if (p->kind == PriorTreatmentKind::kOralAntibiotic && not_responding) oral_failed = true;
      if (p->kind == PriorTreatmentKind::kTopicalRetinoid ||
          p->kind == PriorTreatmentKind::kTopicalAntibiotic ||
          p->kind == PriorTreatmentKind::kBenzoylPeroxide ||
          p->kind == PriorTreatmentKind::kTopicalOther)
        topical = true;
    }
    std::sort(spans.begin(), spans.end());
    int covered = 0, cur_lo = 0, cur_hi = -1;
    bool open = false;
    for (auto [lo, hi] : spans) {
      if (!open || lo > cur_hi + 1) {
        if (open) covered += cur_hi - cur_lo + 1;
        cur_lo = lo;
        cur_hi = hi;
        open = true;
      } else {
        cur_hi = std::max(cur_hi, hi);
      }
    }
    if (open) covered += cur_hi - cur_lo + 1;
    const double months = Value(R::kCandidacyIndicationTreatmentFailure);
    // A month is counted as 30 days here ("3 months" = 90 days of therapy).
    const bool long_enough = covered >= static_cast<int>(std::lround(months * 30));
    failure = long_enough && oral_failed && (!eu || topical);
    std::string msg;
    if (failure) {
      msg = Rule(R::kCandidacyIndicationTreatmentFailure).message + " (" + std::to_string(covered) +
            " days of therapy recorded).";
    } else if (spans.empty()) {
      msg = "No prior acne treatment recorded.";
    } else {
      msg = "Not met: " + std::to_string(covered) + " days of conventional therapy recorded" +
            (oral_failed ? "" : ", no oral antibiotic without response") +
            (eu && !topical ? ", no topical therapy" : "") + " (needs " + Num(months) +
            " months including an oral antibiotic" + (eu ? " and topical therapy" : "") + ").";
    }
    c.reasons.push_back(MakeReason(R::kCandidacyIndicationTreatmentFailure,
                                   failure ? "met" : "not_met", false, msg));
  }

  // Contraindications and interactions.
  const bool cgp = CanGetPregnant();
  const std::vector<ContraceptionMethod> methods = MethodsInUse();
  const bool hormonal = HormonalContraceptionInUse(methods);
  Severity worst = Severity::kInfo;
  bool any_finding = false;
  for (const Interaction* x : ck_.interactions_in[static_cast<size_t>(j)]) {
    const auto sev = x->severity[static_cast<size_t>(j)];
    if (!sev) continue;
    if (x->can_get_pregnant_only && !cgp) continue;
    std::vector<EventId> ids;
    bool hit = false;
    if (x->condition && ConditionPresent(*x->condition, &ids)) hit = true;
    if (x->medication && MedicationActive(*x->medication, &ids)) hit = true;
    if (x->contraception_method &&
        std::find(methods.begin(), methods.end(), *x->contraception_method) != methods.end()) {
      hit = true;
      for (const Event* e : d_.contraception) ids.push_back(e->id);
    }
    if (!hit) continue;
    if (x->with_hormonal_contraception && !hormonal) continue;
    Finding f;
    f.rule_id = x->meta.id;
    f.severity = *sev;
    f.message = x->title + ": " + x->message;
    f.action = x->action;
    f.events = std::move(ids);
    f.explanation = Explain(x->meta);
    if (!any_finding || *sev > worst) worst = *sev;
    any_finding = true;
    c.findings.push_back(std::move(f));
  }
  // A previous isotretinoin course that ended too recently.
  if (d_.previous_course_last_dose) {
    const Date ref = d_.start ? *d_.start : as_of_;
    const bool msd = settings_.retreatment == RetreatmentInterval::kMsd4Months;
    const Date earliest = msd ? d_.previous_course_last_dose->AddMonths(
                                    static_cast<int>(Value(R::kDoseRetreatmentMsd)))
                              : d_.previous_course_last_dose->AddDays(
                                    static_cast<int>(Value(R::kDoseRetreatmentLabel)));
    if (ref < earliest) {
      const CourseRule& r = Rule(R::kCandidacyPriorCourseTooEarly);
      Finding f;
      f.rule_id = r.meta.id;
      f.severity = r.severity;
      f.message = r.title + ": last dose " + DateText(*d_.previous_course_last_dose) +
                  "; a second course from " + DateText(earliest) + " (" +
                  Rule(msd ? R::kDoseRetreatmentMsd : R::kDoseRetreatmentLabel).title + "). " +
                  r.message;
      f.action = r.action;
      f.explanation = Explain(r.meta);
      if (!any_finding || r.severity > worst) worst = r.severity;
      any_finding = true;
      c.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(c.findings.begin(), c.findings.end(),
                   [](const Finding& x, const Finding& y) { return x.severity > y.severity; });

  // Verdict (candidacy.verdict).
  const bool any_reason = severe || scarring || psychosocial || failure;
  const bool indicated = eu ? ((severe || scarring) && failure) : any_reason;
  if (age_blocks || (any_finding && worst == Severity::kHardStop)) {
    c.verdict = CandidacyVerdict::kNotIndicated;
  } else if (needs_review || (any_finding && worst == Severity::kMajor)) {
    c.verdict = CandidacyVerdict::kNeedsReview;
  } else if (indicated) {
    c.verdict = CandidacyVerdict::kIndicated;
  } else if (any_reason) {
    c.verdict = CandidacyVerdict::kNeedsReview;
  } else {
    c.verdict = CandidacyVerdict::kNotIndicated;
  }
  // The full verdict rule is the knowledge item's text; the reason names the outcome.
  c.reasons.push_back(MakeReason(R::kCandidacyVerdict, Name(c.verdict), false,
                                 Rule(R::kCandidacyVerdict).title + " (" + JurisdictionName(j) +
                                     "): " + std::string(Name(c.verdict))));
}

// --- dose ---------------------------------------------------------------------------

void Engine::AssessDose(Assessment& a) {
  DoseSection& s = a.dose;
  const dose::LedgerResult& l = d_.ledger;
  s.has_doses = l.days_on_drug > 0;
  s.cumulative_mg = l.cumulative_mg;
  s.cumulative_equivalent_mg = l.cumulative_equivalent_mg;
  s.cumulative_per_kg = l.cumulative_per_kg;
  s.current_per_kg_day = l.current_per_kg;
  s.current_daily = l.current_daily;
  s.latest_weight = l.latest_weight;
  s.days_on_drug = l.days_on_drug;
  s.days_paused = l.days_paused;
  s.doses_missed = l.doses_missed;
  s.first_dose = l.first_dose;
  s.last_dose = l.last_dose;
  s.supply_runs_out = l.supply_runs_out;
  s.target = d_.target;
  s.target_source = d_.target_source;
  s.remaining_per_kg = l.remaining_per_kg;
  s.projected_target_date = l.projected_target_date;
  if (d_.weight_missing) {
    s.notes.push_back(MakeReason(R::kDoseWeightMissing, "weight-missing", false,
                                 Rule(R::kDoseWeightMissing).message));
  }
  if (s.has_doses && s.cumulative_per_kg >= s.target) {
    s.notes.push_back(MakeReason(R::kDoseTargetReached, "target-reached", false,
                                 Rule(R::kDoseTargetReached).message + " (" +
                                     Num(s.cumulative_per_kg.value()) + " of " +
                                     Num(s.target.value()) + " mg/kg)."));
  }
  const bool msd = settings_.retreatment == RetreatmentInterval::kMsd4Months;
  const R rr = msd ? R::kDoseRetreatmentMsd : R::kDoseRetreatmentLabel;
  s.retreatment_rule = Explain(rr);
  if ((facts_.completed || facts_.discontinued) && facts_.last_dose) {
    s.second_course_earliest = msd ? facts_.last_dose->AddMonths(static_cast<int>(Value(rr)))
                                   : facts_.last_dose->AddDays(static_cast<int>(Value(rr)));
    s.second_course_eligible = as_of_ >= *s.second_course_earliest;
  }
}

// --- labs ---------------------------------------------------------------------------

void Engine::AssessLabs(Assessment& a) {
  LabSection& ls = a.labs;
  const Jurisdiction j = facts_.jurisdiction;
  ls.profile = settings_.lab_profile
                   ? *settings_.lab_profile
                   : (j == Jurisdiction::kUS ? LabProfile::kUsLabel : LabProfile::kEuSmpc);
  if (const LabProfileRule* p = ck_.Profile(ls.profile)) ls.profile_rule = p->meta.id;
  const double alcohol_hours = Value(R::kLabsAlcohol);
  ls.results.reserve(d_.labs.size());
  for (const Event* e : d_.labs) {
    const LabEvent& lab = *e->As<LabEvent>();
    LabResultView v;
    v.event = e->id;
    v.date = e->date;
    v.loinc = lab.loinc;
    v.value = lab.value;
    v.unit = lab.unit;
    const LabAnalyte* an = ck_.AnalyteByLoinc(lab.loinc);
    if (!an) {
      v.analyte = lab.name;
      v.flag = LabFlag::kUnknown;
      v.reasons.push_back(MakeReason(R::kLabsUnknownAnalyte, "unknown-analyte", false,
                                     Rule(R::kLabsUnknownAnalyte).message));
      ls.results.push_back(std::move(v));
      continue;
    }
    v.analyte = an->analyte;
    v.canonical_unit = std::string(Name(an->canonical_unit));
    v.canonical_value = an->ToCanonical(lab.value, lab.unit);
    if (!v.canonical_value) {
      v.flag = LabFlag::kUnknown;
      std::string units(Name(an->canonical_unit));
      for (const LabUnitFactor& f : an->units) units += ", " + std::string(Name(f.unit));
      v.reasons.push_back(MakeReason(R::kLabsUnitMismatch, "unit-mismatch", false,
                                     std::string(Name(lab.unit)) + " is not a unit for " +
                                         an->name + " (expected " + units + "). " +
                                         Rule(R::kLabsUnitMismatch).message));
      ls.results.push_back(std::move(v));
      continue;
    }
    const double canon = *v.canonical_value;
    if (tasks_only_) {
      // Tasks need the analyte, the date and whether the draw is reliable.
      v.unreliable =
          an->lipid && lab.hours_since_alcohol && *lab.hours_since_alcohol < alcohol_hours;
      ls.results.push_back(std::move(v));
      continue;
    }
    bool review = false, alert = false;
    if (an->lipid && lab.hours_since_alcohol && *lab.hours_since_alcohol < alcohol_hours) {
      v.unreliable = true;
      v.reasons.push_back(MakeReason(R::kLabsAlcohol, "alcohol-within-36h", false,
                                     "Drawn " + Num(*lab.hours_since_alcohol) +
                                         " h after alcohol. " + Rule(R::kLabsAlcohol).message));
    }
    if (an->lipid && lab.fasting && !*lab.fasting) {
      v.reasons.push_back(
          MakeReason(R::kLabsNonFasting, "non-fasting", false, Rule(R::kLabsNonFasting).message));
    }
    // Thresholds, each compared in its own unit (pick the tagged one for j).
    for (const LabThreshold& th : an->thresholds) {
      if (!th.meta.AppliesTo(j)) continue;
      if (th.meta.jurisdictions.empty()) {
        bool replaced =
            std::any_of(an->thresholds.begin(), an->thresholds.end(), [&](const LabThreshold& o) {
              return &o != &th && o.meta.id == th.meta.id && !o.meta.jurisdictions.empty() &&
                     o.meta.AppliesTo(j);
            });
        if (replaced) continue;
      }
      auto in_unit = an->FromCanonical(canon, th.unit);
      if (!in_unit || !(*in_unit > th.above)) continue;
      const bool is_alert = th.flag == LabFlag::kAlert;
      (is_alert ? alert : review) = true;
      std::string shown = Num(*in_unit) + " " + std::string(Name(th.unit));
      v.reasons.push_back(Reason{is_alert ? "above-alert-threshold" : "above-review-threshold",
                                 false,
                                 th.title + " (" + shown + " > " + Num(th.above) + " " +
                                     std::string(Name(th.unit)) + "). " + th.message,
                                 Explain(th.meta)});
    }
    // Reference range (the lab's own, else the knowledge review line).
    const bool has_range = lab.reference_low || lab.reference_high;
    bool above_range = false;
    if (lab.reference_high && lab.value > *lab.reference_high) above_range = true;
    if (above_range || (lab.reference_low && lab.value < *lab.reference_low)) {
      review = true;
      v.reasons.push_back(MakeReason(R::kLabsOutsideRange, "outside-reference-range", false,
                                     Num(lab.value) + " " + std::string(Name(lab.unit)) + " is " +
                                         (above_range ? "above " + Num(*lab.reference_high)
                                                      : "below " + Num(*lab.reference_low)) +
                                         ". " + Rule(R::kLabsOutsideRange).message));
    } else if (!has_range && an->review_above && canon > *an->review_above) {
      review = true;
      above_range = true;
      v.reasons.push_back(
          Reason{"above-review-line", false,
                 Num(canon) + " " + v.canonical_unit + " is above " + Num(*an->review_above) + " " +
                     v.canonical_unit + " (no reference range given). " +
                     Rule(R::kLabsOutsideRange).message,
                 Explanation{an->meta.id, kPack, ck_.pack_version, an->review_citation}});
    }
    if (an->rising_check && above_range) {
      // The previous result of the same analyte.
      for (auto it = ls.results.rbegin(); it != ls.results.rend(); ++it) {
        if (it->analyte != an->analyte || !it->canonical_value) continue;
        if (canon > *it->canonical_value) {
          review = true;
          v.reasons.push_back(MakeReason(R::kLabsRising, "rising", false,
                                         "Up from " + Num(*it->canonical_value) + " " +
                                             v.canonical_unit + " on " + DateText(it->date) + ". " +
                                             Rule(R::kLabsRising).message));
        }
        break;
      }
    }
    v.flag = alert          ? LabFlag::kAlert
             : review       ? LabFlag::kReview
             : v.unreliable ? LabFlag::kUnreliable
                            : LabFlag::kNormal;
    ls.results.push_back(std::move(v));
  }
}

// --- alerts -------------------------------------------------------------------------

void Engine::AssessAlerts(Assessment& a) {
  const Jurisdiction j = facts_.jurisdiction;
  const bool cgp = CanGetPregnant();
  const Date lookback = as_of_.AddDays(-static_cast<int>(Value(R::kAlertsLookback)));
  auto from_rule = [&](R r, Date date, std::vector<EventId> ids, std::string message) {
    const CourseRule& rule = Rule(r);
    Alert al;
    al.id = rule.meta.id;
    al.severity = rule.severity;
    al.urgency = rule.urgency;
    al.title = rule.title;
    al.message = std::move(message);
    al.action = rule.action;
    al.stop_drug = rule.stop_drug;
    al.date = date;
    al.events = std::move(ids);
    al.explanation = Explain(rule.meta);
    a.alerts.push_back(std::move(al));
  };

  // Red flags from recent side-effect reports (the latest report per flag).
  for (const RedFlag& rf : ck_.red_flags) {
    if (!rf.meta.AppliesTo(j)) continue;
    if (rf.can_get_pregnant_only && !cgp) continue;
    const Event* hit = nullptr;
    for (const Event* e : d_.side_effects) {
      if (e->date < lookback) continue;
      const auto* se = e->As<SideEffectEvent>();
      if (rf.min_severity && se->severity < *rf.min_severity) continue;
      bool all = true;
      for (const auto& group : rf.groups) {
        bool any = false;
        for (Symptom s : group) {
          if (std::find(se->symptoms.begin(), se->symptoms.end(), s) != se->symptoms.end())
            any = true;
        }
        if (!any) all = false;
      }
      if (all) hit = e;
    }
    if (!hit) continue;
    Alert al;
    al.id = rf.meta.id;
    al.severity = rf.severity;
    al.urgency = rf.urgency;
    al.title = rf.condition;
    al.message = rf.message;
    al.action = rf.action;
    al.stop_drug = rf.stop_drug;
    al.date = hit->date;
    al.events = {hit->id};
    al.explanation = Explain(rf.meta);
    a.alerts.push_back(std::move(al));
  }

  // Pregnancy: the latest test is positive.
  if (!d_.preg_tests.empty()) {
    const Event* e = d_.preg_tests.back();
    if (e->As<PregnancyTestEvent>()->result == TestResult::kPositive) {
      from_rule(R::kAlertPregnancyPositive, e->date, {e->id},
                Rule(R::kAlertPregnancyPositive).message + " (specimen " +
                    DateText(e->As<PregnancyTestEvent>()->specimen_date) + ")");
    }
  }

  // Mood screens.
  const Event* last_phq9 = nullptr;
  const Event* first_phq9 = nullptr;
  const Event* last_phq2 = nullptr;
  for (const Event* e : d_.moods) {
    const auto* m = e->As<MoodScreenEvent>();
    if (m->instrument == MoodInstrument::kPhq2) {
      last_phq2 = e;
    } else {
      if (!first_phq9) first_phq9 = e;
      last_phq9 = e;
    }
  }
  auto total = [](const Event* e) {
    int t = 0;
    for (int x : e->As<MoodScreenEvent>()->items) t += x;
    return t;
  };
  if (last_phq9) {
    const auto* m = last_phq9->As<MoodScreenEvent>();
    const int t = total(last_phq9);
    if (m->items.size() >= 9 && m->items[8] > 0) {
      from_rule(
          R::kMoodPhq9Item9, last_phq9->date, {last_phq9->id},
          "Item 9 scored " + std::to_string(m->items[8]) + ". " + Rule(R::kMoodPhq9Item9).message);
    }
    if (t >= static_cast<int>(Value(R::kMoodPhq9Severe))) {
      from_rule(R::kMoodPhq9Severe, last_phq9->date, {last_phq9->id},
                "PHQ-9 total " + std::to_string(t) + ". " + Rule(R::kMoodPhq9Severe).message);
    } else if (t >= static_cast<int>(Value(R::kMoodPhq9Moderate))) {
      from_rule(R::kMoodPhq9Moderate, last_phq9->date, {last_phq9->id},
                "PHQ-9 total " + std::to_string(t) + ". " + Rule(R::kMoodPhq9Moderate).message);
    }
    if (first_phq9 != last_phq9) {
      const int rise = t - total(first_phq9);
      if (rise >= static_cast<int>(Value(R::kMoodTrendWorsening))) {
        from_rule(R::kMoodTrendWorsening, last_phq9->date, {first_phq9->id, last_phq9->id},
                  "PHQ-9 rose from " + std::to_string(total(first_phq9)) + " (" +
                      DateText(first_phq9->date) + ") to " + std::to_string(t) + " (" +
                      DateText(last_phq9->date) + "). " + Rule(R::kMoodTrendWorsening).message);
      }
    }
  }
  if (last_phq2 && (!last_phq9 || last_phq9->date < last_phq2->date) &&
      total(last_phq2) >= static_cast<int>(Value(R::kMoodPhq2Positive))) {
    from_rule(R::kMoodPhq2Positive, last_phq2->date, {last_phq2->id},
              "PHQ-2 total " + std::to_string(total(last_phq2)) + ". " +
                  Rule(R::kMoodPhq2Positive).message + " " + Rule(R::kMoodPhq9FollowUp).message);
  }

  // Early flare: risk predictors before and in the first weeks, and flare signs.
  const int window = static_cast<int>(Value(R::kFlareWindow));
  const bool early = facts_.phase == Phase::kCandidate || facts_.phase == Phase::kPreStart ||
                     facts_.phase == Phase::kLeadIn ||
                     ((facts_.phase == Phase::kActive || facts_.phase == Phase::kPaused) &&
                      d_.start && d_.start->DaysUntil(as_of_) < window);
  const Event* dx_event = nullptr;
  const DiagnosisEvent* dx = CandidacyDiagnosis(&dx_event);
  if (early && dx) {
    std::vector<std::string> why;
    if (dx->gags) {
      const auto& f = Rule(R::kGagsFactors).values;
      double g = 0;
      for (size_t i = 0; i < kGagsRegionCount; ++i) g += f[i] * (*dx->gags)[i];
      if (g > Value(R::kFlareGags))
        why.push_back("GAGS " + Num(g) + " (> " + Num(Value(R::kFlareGags)) + ")");
    }
    if (dx->face.nodules && *dx->face.nodules > Value(R::kFlareFacialNodules))
      why.push_back(std::to_string(*dx->face.nodules) + " facial nodules (> " +
                    Num(Value(R::kFlareFacialNodules)) + ")");
    if (dx->face.comedones && *dx->face.comedones > Value(R::kFlareFacialComedones))
      why.push_back(std::to_string(*dx->face.comedones) + " facial comedones (> " +
                    Num(Value(R::kFlareFacialComedones)) + ")");
    if (dx->trunk.nodules && *dx->trunk.nodules > Value(R::kFlareTruncalNodules))
      why.push_back(Rule(R::kFlareTruncalNodules).title + " (" +
                    std::to_string(*dx->trunk.nodules) + ")");
    if (dx->macrocomedones.value_or(false)) why.push_back(Rule(R::kFlareMacrocomedones).title);
    if (!why.empty()) {
      std::string list;
      for (const std::string& w : why) list += (list.empty() ? "" : "; ") + w;
      from_rule(R::kFlareRisk, dx_event->date, {dx_event->id},
                Rule(R::kFlareRisk).message + " " + list + ".");
    }
  }
  if (d_.start) {
    const Event* hit = nullptr;
    for (const Event* e : d_.side_effects) {
      if (e->date < *d_.start || d_.start->DaysUntil(e->date) >= window || e->date < lookback)
        continue;
      for (Symptom s : e->As<SideEffectEvent>()->symptoms) {
        if (s == Symptom::kAcneFlare || s == Symptom::kUlceratedLesions ||
            s == Symptom::kBleedingLesions)
          hit = e;
      }
    }
    if (hit) {
      from_rule(R::kFlareSigns, hit->date, {hit->id},
                Rule(R::kFlareSigns).message + " (day " +
                    std::to_string(d_.start->DaysUntil(hit->date) + 1) + " of treatment)");
    }
  }

  // Lab alerts and review flags: the latest result per analyte.
  for (size_t i = 0; i < a.labs.results.size(); ++i) {
    const LabResultView& v = a.labs.results[i];
    if (v.flag != LabFlag::kAlert && v.flag != LabFlag::kReview) continue;
    bool newer = false;
    for (size_t k = i + 1; k < a.labs.results.size(); ++k) {
      if (a.labs.results[k].analyte == v.analyte) newer = true;
    }
    if (newer) continue;
    const LabAnalyte* an = ck_.Analyte(v.analyte);
    if (!an) continue;
    if (v.flag == LabFlag::kAlert) {
      for (const LabThreshold& th : an->thresholds) {
        if (th.flag != LabFlag::kAlert || !th.meta.AppliesTo(j)) continue;
        auto in_unit = an->FromCanonical(*v.canonical_value, th.unit);
        if (!in_unit || !(*in_unit > th.above)) continue;
        Alert al;
        al.id = th.meta.id;
        al.severity = th.severity;
        al.urgency = th.urgency;
        al.title = th.title;
        al.message =
            an->name + " " + Num(v.value) + " " + std::string(Name(v.unit)) + " on " +
            DateText(v.date) + ". " + th.message +
            (v.unreliable ? " The draw was within 36 hours of alcohol; repeat fasting." : "");
        al.action = th.action;
        al.stop_drug = th.stop_drug;
        al.date = v.date;
        al.events = {v.event};
        al.explanation = Explain(th.meta);
        a.alerts.push_back(std::move(al));
        break;
      }
    } else {
      // Review: the first reason that explains it.
      const Reason* why = nullptr;
      for (const Reason& r : v.reasons) {
        if (r.code == "above-review-threshold" || r.code == "outside-reference-range" ||
            r.code == "above-review-line" || r.code == "rising")
          why = why ? why : &r;
      }
      const CourseRule& rule = Rule(R::kLabsOutsideRange);
      Alert al;
      al.id = why ? why->explanation.rule_id : rule.meta.id;
      al.severity = rule.severity;
      al.urgency = rule.urgency;
      al.title = an->name + ": review";
      al.message = an->name + " " + Num(v.value) + " " + std::string(Name(v.unit)) + " on " +
                   DateText(v.date) + ". " + (why ? why->message : rule.message);
      al.action = rule.action;
      al.date = v.date;
      al.events = {v.event};
      al.explanation = why ? why->explanation : Explain(rule.meta);
      a.alerts.push_back(std::move(al));
    }
  }

  std::stable_sort(a.alerts.begin(), a.alerts.end(), [](const Alert& x, const Alert& y) {
    if (x.urgency != y.urgency) return x.urgency < y.urgency;
    if (x.severity != y.severity) return x.severity > y.severity;
    return x.date > y.date;
  });
}

// --- tasks --------------------------------------------------------------------------

void Engine::AddTask(Assessment& a, const ItemMeta& meta, TaskKind kind, std::string id,
                     std::string title, std::optional<Date> earliest, std::optional<Date> due,
                     std::optional<Date> latest, bool done, std::string detail,
                     std::vector<std::string_view> unblocks) {
  a.tasks.push_back(MakeTask(meta, kind, std::move(id), std::move(title), earliest, due, latest,
                             done, std::move(detail), std::move(unblocks)));
}

template <class OpenedDone>
int Engine::PickOccurrence(int every, const OpenedDone& opened_done) const {
  // One-off: occurrence 0. Recurring: the latest occurrence whose window has opened
  // (missed ones before it are moot), unless it is done; then the next one.
  if (every <= 0) return 0;
  int chosen = -1;
  bool chosen_done = false;
  for (int k = 0; k < 1000; ++k) {
    auto [opened, done] = opened_done(k);
    if (opened) {
      chosen = k;
      chosen_done = done;
      continue;
    }
    return chosen < 0 || chosen_done ? k : chosen;
  }
  return chosen < 0 ? 0 : chosen;
}

Task Engine::MakeTask(const ItemMeta& meta, TaskKind kind, std::string id, std::string title,
                      std::optional<Date> earliest, std::optional<Date> due,
                      std::optional<Date> latest, bool done, std::string detail,
                      std::vector<std::string_view> unblocks) const {
  Task t;
  t.id = std::move(id);
  t.kind = kind;
  t.title = std::move(title);
  t.earliest = earliest;
  t.due = due;
  t.latest = latest;
  t.detail = std::move(detail);
  t.unblocks = std::move(unblocks);
  t.explanation = Explain(meta);
  if (done) {
    t.status = TaskStatus::kDone;
  } else {
    const std::optional<Date> late = latest ? latest : due;
    if (late && as_of_ > *late) {
      t.status = TaskStatus::kOverdue;
    } else if (!due || (earliest && as_of_ >= *earliest) ||
               as_of_.DaysUntil(*due) <= settings_.due_soon_days) {
      t.status = TaskStatus::kDueSoon;
    } else {
      t.status = TaskStatus::kOnTrack;
    }
  }
  return t;
}

void Engine::AssessTasks(Assessment& a) {
  const Jurisdiction j = facts_.jurisdiction;
  const bool cgp = CanGetPregnant();
  const bool female = facts_.profile && facts_.profile->sex_at_birth == SexAtBirth::kFemale;
  const bool started = d_.start && *d_.start <= as_of_;
  const bool ended = facts_.completed || facts_.discontinued;
  const bool treating_or_planned = facts_.phase != Phase::kCandidate || started;

  auto any_in = [](Events evs, Date lo, Date hi) {
    for (const Event* e : evs) {
      if (e->date >= lo && e->date <= hi) return true;
    }
    return false;
  };
  auto labs_done = [&](const std::vector<std::string>& analytes, Date lo, Date hi,
                       std::string* missing) {
    bool all = true;
    for (const std::string& an : analytes) {
      bool found = false;
      for (const LabResultView& v : a.labs.results) {
        if (v.analyte == an && v.date >= lo && v.date <= hi) found = true;
      }
      if (!found) {
        all = false;
        if (missing) {
          if (!missing->empty()) *missing += ", ";
          *missing += an;
        }
      }
    }
    return all;
  };

  // Labs by profile.
  if (const LabProfileRule* prof = ck_.Profile(a.labs.profile);
      prof && treating_or_planned && !ended) {
    // The peak dose: the first dispense at the highest daily dose so far.
    std::optional<Date> peak;
    Milligrams peak_mg{0};
    for (const dose::Dispense& dsp : d_.course_dispenses) {
      if (dsp.daily > peak_mg) {
        peak_mg = dsp.daily;
        peak = dsp.date;
      }
    }
    for (const LabCheck& c : prof->checks) {
      std::string names;
      for (const std::string& an : c.analytes) {
        if (!names.empty()) names += ", ";
        names += an;
      }
      const std::string_view missing_label = "; missing: ";
      if (c.before_start) {
        if (!started) {
          std::string missing;
          const bool done =
              labs_done(c.analytes, as_of_.AddDays(c.earliest_offset), as_of_, &missing);
          AddTask(a, c.meta, TaskKind::kLab, c.meta.id, c.name, std::nullopt, std::nullopt,
                  std::nullopt, done,
                  Cat("Before the first dose (", names, "; results from the ",
                      std::to_string(-c.earliest_offset), " days before the start count)",
                      missing.empty() ? "" : missing_label, missing),
                  {"course start"});
        } else {
          const Date lo = d_.start->AddDays(c.earliest_offset);
          const Date hi = d_.start->AddDays(c.latest_offset);
          std::string missing;
          const bool done = labs_done(c.analytes, lo, hi, &missing);
          AddTask(a, c.meta, TaskKind::kLab, c.meta.id, c.name, lo, d_.start->AddDays(c.due_offset),
                  hi, done, Cat(names, missing.empty() ? "" : missing_label, missing),
                  {"course start"});
        }
        continue;
      }
      if (!started) continue;
      const Date anchor = c.anchor == LabAnchor::kPeakDose ? (peak ? *peak : *d_.start) : *d_.start;
      if (c.anchor == LabAnchor::kPeakDose && !peak) continue;
      // Occurrences: report the latest that has opened if not done, else the next one.
      const int every = c.repeat_every.value_or(0);
      auto window = [&](int k) {
        return std::array<Date, 3>{TreatmentDate(anchor, c.earliest_offset + k * every),
                                   TreatmentDate(anchor, c.due_offset + k * every),
                                   TreatmentDate(anchor, c.latest_offset + k * every)};
      };
      const int k = PickOccurrence(every, [&](int i) {
        auto w = window(i);
        return std::pair<bool, bool>{w[0] <= as_of_, labs_done(c.analytes, w[0], w[2], nullptr)};
      });
      const auto w = window(k);
      std::string missing;
      const bool done = labs_done(c.analytes, w[0], w[2], &missing);
      a.tasks.push_back(MakeTask(c.meta, TaskKind::kLab,
                                 every ? Cat(c.meta.id, "#", std::to_string(k + 1)) : c.meta.id,
                                 c.name, w[0], w[1], w[2], done,
                                 Cat(names, missing.empty() ? "" : missing_label, missing), {}));
    }
  }

  // Task rules (mood screens, post-treatment, follow-up).
  for (const TaskRule* r : ck_.tasks_in[static_cast<size_t>(j)]) {
    if (r->can_get_pregnant_only && !cgp) continue;
    if (r->female_only && !female) continue;
    auto due_from = [&](Date anchor) {
      return anchor.AddMonths(r->offset_months).AddDays(r->offset_days);
    };
    switch (r->anchor) {
      case TaskAnchor::kBeforeStart: {
        if (!treating_or_planned || ended) break;
        const Date lo =
            started ? d_.start->AddDays(-r->window_before) : as_of_.AddDays(-r->window_before);
        const Date hi = started ? *d_.start : as_of_;
        const bool done = r->kind == TaskKind::kMoodScreen ? any_in(d_.moods, lo, hi) : false;
        if (started) {
          AddTask(a, r->meta, r->kind, r->meta.id, r->title, lo, *d_.start, *d_.start, done,
                  r->detail, Views(r->unblocks));
        } else {
          AddTask(a, r->meta, r->kind, r->meta.id, r->title, std::nullopt, std::nullopt,
                  std::nullopt, done, r->detail, Views(r->unblocks));
        }
        break;
      }
      case TaskAnchor::kStart: {
        if (!started) break;
        if (facts_.completed) break;  // a completed course has no monthly tasks left
        const int every = r->repeat_every.value_or(0);
        const Date base = d_.start->AddMonths(r->offset_months);
        auto window = [&](int k) {
          const int off = r->offset_days + k * every;
          return std::array<Date, 3>{TreatmentDate(base, off - r->window_before),
                                     TreatmentDate(base, off),
                                     TreatmentDate(base, off + r->window_after)};
        };
        auto is_done = [&](const std::array<Date, 3>& w) {
          return r->kind == TaskKind::kMoodScreen && any_in(d_.moods, w[0], w[2]);
        };
        const int k = PickOccurrence(every, [&](int i) {
          auto w = window(i);
          return std::pair<bool, bool>{w[0] <= as_of_, is_done(w)};
        });
        const auto w = window(k);
        Task t = MakeTask(r->meta, r->kind,
                          every ? Cat(r->meta.id, "#", std::to_string(k + 1)) : r->meta.id,
                          r->title, w[0], w[1], w[2], is_done(w), r->detail, Views(r->unblocks));
        if (facts_.discontinued) {
          // Discontinuation cancels the recurring tasks (lifecycle.discontinued).
          if (t.status == TaskStatus::kDone) break;
          t.status = TaskStatus::kCancelled;
          t.detail = Rule(R::kLifecycleDiscontinued).message;
        }
        a.tasks.push_back(std::move(t));
        break;
      }
      case TaskAnchor::kLastDose: {
        if (!ended || !facts_.last_dose) break;
        const Date due = due_from(*facts_.last_dose);
        if (r->until) {
          AddTask(a, r->meta, r->kind, r->meta.id, r->title, facts_.last_dose->AddDays(1), due,
                  std::nullopt, as_of_ > due, Cat(r->detail, " Until ", DateText(due), "."),
                  Views(r->unblocks));
          // A running requirement is not "due soon": it is on track until it ends.
          if (a.tasks.back().status == TaskStatus::kDueSoon)
            a.tasks.back().status = TaskStatus::kOnTrack;
          break;
        }
        const Date lo = due.AddDays(-r->window_before);
        const Date hi = due.AddDays(r->window_after);
        bool done = false;
        if (r->kind == TaskKind::kPregnancyTest) {
          for (const Event* e : d_.preg_tests) {
            const Date s = e->As<PregnancyTestEvent>()->specimen_date;
            if (s >= lo && s <= hi) done = true;
          }
        } else if (r->kind == TaskKind::kFollowUp) {
          done = any_in(d_.visits, lo, hi) || any_in(d_.diagnoses, lo, hi);
        }
        AddTask(a, r->meta, r->kind, r->meta.id, r->title, lo, due, hi, done, r->detail,
                Views(r->unblocks));
        break;
      }
    }
  }

  // A lipid draw too soon after alcohol: repeat it.
  for (size_t i = 0; i < a.labs.results.size(); ++i) {
    const LabResultView& v = a.labs.results[i];
    if (!v.unreliable) continue;
    bool later = false;
    for (size_t k = i + 1; k < a.labs.results.size(); ++k) {
      if (a.labs.results[k].analyte == v.analyte && !a.labs.results[k].unreliable) later = true;
    }
    if (later) continue;
    const CourseRule& r = Rule(R::kLabsRepeatUnreliable);
    AddTask(a, r.meta, TaskKind::kLab, r.meta.id + ":" + v.analyte,
            "Repeat " + v.analyte + " fasting, at least 36 h after alcohol", v.date.AddDays(2),
            v.date.AddDays(static_cast<int>(r.value.value_or(7))), std::nullopt, false, r.message,
            {});
  }
}

// --- decisions ----------------------------------------------------------------------

void Engine::AssessDecisions(Assessment& a) {
  std::vector<Reason> blocking;
  for (const Finding& f : a.candidacy.findings) {
    if (f.severity != Severity::kHardStop) continue;
    blocking.push_back(Reason{"hard-stop", true,
                              Rule(R::kDecisionHardStop).title + ": " + f.message, f.explanation});
  }
  for (const Alert& al : a.alerts) {
    // The program's own stop alerts already carry blocking reasons in its decisions.
    if (!al.stop_drug || al.explanation.rule_pack != kPack) continue;
    blocking.push_back(Reason{"stop-drug-alert", true,
                              Rule(R::kDecisionStopDrug).title + ": " + al.title + " (" +
                                  DateText(al.date) + "). " + al.action,
                              al.explanation});
  }
  if (facts_.paused) {
    blocking.push_back(
        MakeReason(R::kDecisionPaused, "paused", true, Rule(R::kDecisionPaused).message));
  }
  if (facts_.completed || facts_.discontinued) {
    std::string msg = Rule(R::kDecisionEnded).message;
    if (a.dose.second_course_earliest) {
      msg += " Second course from " + DateText(*a.dose.second_course_earliest) + ".";
    }
    blocking.push_back(MakeReason(R::kDecisionEnded, "course-ended", true, msg));
  }
  std::vector<Reason> notes;
  for (const Alert& al : a.alerts) {
    if (al.explanation.rule_id.rfind("lab.tg.pancreatitis", 0) == 0) {
      notes.push_back(Reason{"tg-above-threshold", false,
                             Rule(R::kDecisionTgAlert).message + " " + al.message, al.explanation});
    }
  }
  for (Decision* d : {&a.may_prescribe, &a.may_dispense}) {
    d->reasons.reserve(d->reasons.size() + blocking.size() + notes.size());
    for (const Reason& r : blocking) d->reasons.push_back(r);
    for (const Reason& r : notes) d->reasons.push_back(r);
    d->allowed = d->allowed && blocking.empty();
  }
}

Result<Assessment> Engine::Assess(bool tasks_only) {
  tasks_only_ = tasks_only;
  Assessment a;
  a.as_of = as_of_;
  a.patient = tl_.source->patient;
  a.knowledge_version = kb_.version;
  a.jurisdiction = facts_.jurisdiction;
  a.phase = facts_.phase;
  a.phase_rule = Explain(R::kCoursePhase);
  a.rule_packs.push_back(std::string(kPack) + " " + ck_.pack_version);
  if (!tasks_only) {
    AssessCandidacy(a);
    AssessDose(a);
  }
  AssessLabs(a);
  if (!tasks_only) AssessAlerts(a);
  AssessTasks(a);

  a.may_prescribe.allowed = true;
  a.may_dispense.allowed = true;
#ifdef ISOCOURSE_HAVE_PROGRAM_RULES
  {
    ISO_ASSIGN_OR_RETURN(program::ProgramState ps,
                         program::EvaluateProgram(tl_, facts_, kb_, as_of_, settings_));
    a.program = std::move(ps.section);
    if (!a.program.rule_pack.empty()) {
      std::string pack(a.program.rule_pack);
      pack += ' ';
      pack += a.program.pack_version;
      a.rule_packs.push_back(std::move(pack));
    }
    a.may_prescribe = std::move(ps.may_prescribe);
    a.may_dispense = std::move(ps.may_dispense);
    // The program rules time the post-treatment pregnancy test and contraception by
    // program (US 1 month, EU/UK 5 weeks): where they emit one, ours of the same kind
    // goes. Likewise their positive-test alert replaces ours (program.h).
    auto program_has = [&](TaskKind k) {
      return std::any_of(ps.tasks.begin(), ps.tasks.end(), [&](const Task& t) {
        return t.kind == k && t.explanation.rule_id.find("post") != std::string::npos;
      });
    };
    std::erase_if(a.tasks, [&](const Task& t) {
      return (t.explanation.rule_id == "post.pregnancy-test" &&
              program_has(TaskKind::kPregnancyTest)) ||
             (t.explanation.rule_id == "post.contraception" &&
              program_has(TaskKind::kContraception));
    });
    const bool program_pregnancy_alert =
        std::any_of(ps.alerts.begin(), ps.alerts.end(), [](const Alert& al) {
          return al.stop_drug && al.id.find("pregnancy") != std::string::npos;
        });
    if (program_pregnancy_alert) {
      std::erase_if(a.alerts, [](const Alert& al) { return al.id == "alert.pregnancy.positive"; });
    }
    for (Task& t : ps.tasks) a.tasks.push_back(std::move(t));
    for (Alert& al : ps.alerts) a.alerts.push_back(std::move(al));
    std::stable_sort(a.alerts.begin(), a.alerts.end(), [](const Alert& x, const Alert& y) {
      if (x.urgency != y.urgency) return x.urgency < y.urgency;
      if (x.severity != y.severity) return x.severity > y.severity;
      return x.date > y.date;
    });
  }
#endif
  if (!tasks_only) AssessDecisions(a);

  // Nothing is overdue while paused: pending tasks wait for the resume.
  if (facts_.paused) {
    for (Task& t : a.tasks) {
      if (t.status == TaskStatus::kOnTrack || t.status == TaskStatus::kDueSoon ||
          t.status == TaskStatus::kOverdue) {
        t.status = TaskStatus::kPaused;
        if (t.detail.empty()) {
          t.detail = Rule(R::kLifecyclePaused).message;
        } else {
          t.detail += " " + Rule(R::kLifecyclePaused).message;
        }
      }
    }
  }
  // Undated (due now) first, then by due date; ties keep their order. Sorting keys and
  // moving each task once is cheaper than stable-sorting the tasks themselves.
  std::vector<std::pair<int, size_t>> order;
  order.reserve(a.tasks.size());
  for (size_t i = 0; i < a.tasks.size(); ++i) {
    order.emplace_back(a.tasks[i].due ? a.tasks[i].due->days_since_epoch() : INT32_MIN, i);
  }
  std::sort(order.begin(), order.end());
  // Apply the permutation in place (cycle by cycle), so no second task buffer is made.
  std::vector<size_t> from(order.size());
  for (size_t i = 0; i < order.size(); ++i) from[i] = order[i].second;
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] == i) continue;
    Task held = std::move(a.tasks[i]);
    size_t j = i;
    while (from[j] != i) {
      a.tasks[j] = std::move(a.tasks[from[j]]);
      const size_t next = from[j];
      from[j] = j;
      j = next;
    }
    a.tasks[j] = std::move(held);
    from[j] = j;
  }
  return a;
}

}  // namespace

Result<CourseFacts> DeriveCourseFacts(const ResolvedTimeline& timeline, const KnowledgeBase& kb,
                                      Date as_of, const Settings& settings) {
  if (!kb.course) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no course rules (knowledge/course-rules.yaml)");
  }
  Engine engine(timeline, kb, as_of, settings);
  ISO_RETURN_IF_ERROR(engine.Derive());
  return engine.facts();
}

Result<std::vector<Task>> DueTasks(const Timeline& timeline, const KnowledgeBase& kb, Date as_of,
                                   const Settings& settings) {
  if (!kb.course) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no course rules (knowledge/course-rules.yaml)");
  }
  Scratch<ResolvedTimeline> resolved;
  ISO_RETURN_IF_ERROR(ResolveCorrectionsInto(timeline, *resolved));
  Engine engine(*resolved, kb, as_of, settings);
  ISO_RETURN_IF_ERROR(engine.Derive());
  ISO_ASSIGN_OR_RETURN(Assessment a, engine.Assess(/*tasks_only=*/true));
  return std::move(a.tasks);
}

Result<Assessment> Evaluate(const Timeline& timeline, const KnowledgeBase& kb, Date as_of,
                            const Settings& settings) {
  if (!kb.course) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no course rules (knowledge/course-rules.yaml)");
  }
  Scratch<ResolvedTimeline> resolved;
  ISO_RETURN_IF_ERROR(ResolveCorrectionsInto(timeline, *resolved));
  Engine engine(*resolved, kb, as_of, settings);
  ISO_RETURN_IF_ERROR(engine.Derive());
  return engine.Assess();
}

}  // namespace isocourse::course
