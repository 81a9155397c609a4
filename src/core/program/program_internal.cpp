#include "core/program/program_internal.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/course/text.h"
#include "core/program/program_knowledge.h"

namespace isocourse::program::internal {

using course::Event;

std::string Ds(Date d) {
  // Date::ToString uses snprintf; this is on every reason's path.
  return course::DateText(d);
}

std::string Plural(int n, std::string_view unit) {
  return std::to_string(n) + " " + std::string(unit) + (n == 1 ? "" : "s");
}

int AgeOn(Date birth, Date on) {
  int age = on.year() - birth.year();
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
    --age;
  }
  return age;
}

std::optional<Date> Record::LatestAfter(const std::vector<Date>& dates, std::optional<Date> after) {
  std::optional<Date> best;
  for (Date d : dates) {
    if (after && d <= *after) continue;
    if (!best || d > *best) best = d;
  }
  return best;
}

namespace {
bool IsAcknowledgementForm(std::string_view form) {
  return form.find("acknowledgement") != std::string_view::npos ||
         form.find("acknowledgment") != std::string_view::npos;
}
}  // namespace

Record Collect(const course::ResolvedTimeline& timeline, Date as_of) {
  Record r;
  CollectInto(timeline, as_of, r);
  return r;
}

void CollectInto(const course::ResolvedTimeline& timeline, Date as_of, Record& r) {
  for (auto* v : {&r.counseling, &r.comprehension_passed, &r.menses, &r.second_prescriber_agreed,
                  &r.mental_health_assessments, &r.sexual_function_assessments,
                  &r.acknowledgement_forms, &r.consents}) {
    v->clear();
  }
  r.tests.clear();
  r.prescriptions.clear();
  r.dispenses.clear();
  r.clinic_entry.reset();
  r.patient_entry.reset();
  r.enrollment.reset();
  r.first_dispense.reset();
  r.last_dispense.reset();
  r.last_dispense_days = 0;
  for (const Event* e : timeline.events) {
    // A result or entry recorded after as_of is not known yet (program.h).
    if (e->date > as_of) continue;
    if (const auto* t = e->As<course::PregnancyTestEvent>()) {
      if (t->specimen_date <= as_of) r.tests.push_back(TestView{e, t});
    } else if (const auto* p = e->As<course::PrescriptionEvent>()) {
      r.prescriptions.push_back(RxView{e, p});
    } else if (const auto* d = e->As<course::DispenseEvent>()) {
      r.dispenses.push_back(FillView{e, d});
    } else if (e->As<course::CounselingEvent>()) {
      r.counseling.push_back(e->date);
    } else if (const auto* c = e->As<course::ComprehensionEvent>()) {
      if (c->passed) r.comprehension_passed.push_back(e->date);
    } else if (e->As<course::MensesEvent>()) {
      r.menses.push_back(e->date);
    } else if (const auto* s = e->As<course::SecondPrescriberEvent>()) {
      if (s->agreed) r.second_prescriber_agreed.push_back(e->date);
    } else if (const auto* a = e->As<course::ProgramAssessmentEvent>()) {
      (a->kind == course::ProgramAssessmentKind::kMentalHealth ? r.mental_health_assessments
                                                               : r.sexual_function_assessments)
          .push_back(e->date);
    } else if (const auto* k = e->As<course::ConsentEvent>()) {
      if (k->signed_by_patient || k->signed_by_guardian) {
        r.consents.push_back(e->date);
        if (IsAcknowledgementForm(k->form)) r.acknowledgement_forms.push_back(e->date);
      }
    } else if (const auto* m = e->As<course::ContraceptionEvent>()) {
      // Events are in date order, so the last one seen per side is the latest.
      (m->entered_by == course::EnteredBy::kClinic ? r.clinic_entry : r.patient_entry) =
          EntryView{e, m};
    } else if (e->As<course::EnrollmentEvent>()) {
      r.enrollment = e->date;
    }
  }
  // By specimen date, stable; a handful of tests, so an insertion sort (no buffer).
  for (size_t i = 1; i < r.tests.size(); ++i) {
    TestView t = r.tests[i];
    size_t k = i;
    for (; k > 0 && t.specimen() < r.tests[k - 1].specimen(); --k) r.tests[k] = r.tests[k - 1];
    r.tests[k] = t;
  }
  if (!r.dispenses.empty()) {
    r.first_dispense = r.dispenses.front().event->date;
    r.last_dispense = r.dispenses.back().event->date;
    r.last_dispense_days = r.dispenses.back().data->days_supply;
  }
}

Rules::Rules(const KnowledgeBase& kb, Jurisdiction j, const ProgramPack& pack,
             std::optional<ProgramCategory> category)
    : kb_(&kb), j_(j), pack_(&pack), category_(category) {}

const ProgramRule* Rules::Lookup(std::string_view id) const {
  size_t slot = static_cast<size_t>((reinterpret_cast<std::uintptr_t>(id.data()) >> 3) *
                                        0x9E3779B97F4A7C15ULL >>
                                    57);  // 7 bits: 128 slots
  for (; memo_[slot].data != nullptr; slot = (slot + 1) % kMemoSlots) {
    if (memo_[slot].data == id.data() && memo_[slot].size == id.size()) return memo_[slot].rule;
  }
  const ProgramRule* r = FindProgramRule(*kb_, id, j_);
  if (!r && std::find(missing_.begin(), missing_.end(), id) == missing_.end()) {
    missing_.emplace_back(id);
  }
  if (memo_count_ < kMemoMax && id.data() != nullptr) {
    memo_[slot] = Memo{id.data(), id.size(), r};
    ++memo_count_;
  }
  return r;
}

std::string Rules::Missing() const {
  std::string out;
  for (const std::string& id : missing_) out += (out.empty() ? "" : ", ") + id;
  return out;
}

const ProgramRule& Rules::Get(std::string_view id) const {
  static const ProgramRule kMissing{};
  const ProgramRule* r = Lookup(id);
  return r ? *r : kMissing;
}

bool Rules::InForce(std::string_view id) const {
  const ProgramRule* r = Lookup(id);
  if (!r || !RuleInPack(*r, *pack_)) return false;
  if (r->categories.empty() || !category_) return true;
  return std::find(r->categories.begin(), r->categories.end(), *category_) != r->categories.end();
}

int Rules::Int(std::string_view id) const {
  return static_cast<int>(std::lround(Get(id).value.value_or(0)));
}

course::Explanation Rules::Explain(std::string_view id) const {
  const ProgramRule& r = Get(id);
  course::Explanation e;
  // The knowledge's own copy of the id (same text), so the view never outlives it
  // (assessment.h, LIFETIME); `id` is only used when the rule is missing, which makes
  // the evaluation an error anyway (Missing()).
  e.rule_id = r.meta.id.empty() ? id : std::string_view(r.meta.id);
  e.rule_pack = pack_->meta.id;
  e.pack_version = pack_->version;
  e.citation = r.meta.citation;
  return e;
}

course::Reason Rules::Reason(std::string_view code, bool blocking, std::string_view id,
                             std::string message) const {
  course::Reason out;
  out.code = code;
  out.blocking = blocking;
  const ProgramRule& r = Get(id);
  if (!r.verified) message += " (rule not verified in a primary source)";
  out.message = std::move(message);
  out.explanation.rule_id = r.meta.id.empty() ? id : std::string_view(r.meta.id);
  out.explanation.rule_pack = pack_->meta.id;
  out.explanation.pack_version = pack_->version;
  out.explanation.citation = r.meta.citation;
  return out;
}

// --- contraception -------------------------------------------------------------------

namespace {
bool InUse(const course::ContraceptionMethodUse& m, Date on) {
  return m.start <= on && (!m.end || *m.end >= on);
}
}  // namespace

ContraceptionCheck CheckContraception(const KnowledgeBase& kb,
                                      const course::ContraceptionEvent& entry, Date on,
                                      ContraceptionRules rules) {
  ContraceptionCheck out;
  std::vector<Date> independent, dependent;  // start dates of counted methods
  std::optional<Date> abstinence;
  std::uint64_t seen = 0;  // bit per ContraceptionMethod (17 of them)
  static_assert(course::Vocab<course::ContraceptionMethod>::kNames.size() <= 64);
  std::vector<std::string> not_counted;
  for (const course::ContraceptionMethodUse& m : entry.methods) {
    std::string name(course::Name(m.method));
    if (!out.summary.empty()) out.summary += ", ";
    out.summary += name + " since " + Ds(m.start);
    if (!InUse(m, on)) {
      not_counted.push_back(name + " (not in use on " + Ds(on) + ")");
      continue;
    }
    const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(m.method);
    if (seen & bit) continue;  // the same method twice counts once
    seen |= bit;
    const ContraceptionMethodInfo* info = FindContraceptionMethod(kb, name);
    ContraceptionClass cls = info ? info->method_class : ContraceptionClass::kInadequate;
    switch (cls) {
      case ContraceptionClass::kUserIndependent:
        independent.push_back(m.start);
        break;
      case ContraceptionClass::kUserDependent:
        dependent.push_back(m.start);
        break;
      case ContraceptionClass::kAbstinence:
        abstinence = m.start;
        break;
      case ContraceptionClass::kInadequate:
        not_counted.push_back(name + " (does not count)");
        break;
    }
  }
  std::sort(independent.begin(), independent.end());
  std::sort(dependent.begin(), dependent.end());
  std::vector<Date> all = independent;
  all.insert(all.end(), dependent.begin(), dependent.end());
  std::sort(all.begin(), all.end());
  const bool has_methods = !all.empty();

  if (rules == ContraceptionRules::kIpledge) {
    // Two effective methods at the same time, or abstinence (L-OLD; ppp.md §1.1).
    if (abstinence) {
      out.adequate = true;
      out.effective_from = abstinence;
      out.abstinence_only = !has_methods;
    } else if (all.size() >= 2) {
      out.adequate = true;
      out.effective_from = all[1];  // the day the second method started
    } else {
      out.problem = all.empty() ? "no effective method in use"
                                : "only one effective method in use; two are required";
    }
  } else {
    // One highly effective user-independent method, or two user-dependent ones
    // (SmPC §4.4); abstinence does not replace contraception (ppp.scope.all-cbp).
    if (!independent.empty()) {
      out.adequate = true;
      out.effective_from = independent.front();
    } else if (dependent.size() >= 2) {
      out.adequate = true;
      out.effective_from = dependent[1];
    } else {
      out.abstinence_only = abstinence.has_value() && !has_methods;
      out.problem = out.abstinence_only ? "abstinence alone does not satisfy the programme"
                    : dependent.size() == 1
                        ? "one user-dependent method only; a second complementary method or "
                          "one user-independent method is required"
                        : "no effective method in use";
    }
  }
  if (!not_counted.empty() && !out.adequate) {
    std::string list;
    for (const std::string& s : not_counted) list += (list.empty() ? "" : ", ") + s;
    out.problem += "; not counted: " + list;
  }
  if (out.summary.empty()) out.summary = "none entered";
  return out;
}

namespace {
// The methods of an entry as a bit set (bit = the method's enumerator).
std::uint64_t MethodSet(const course::ContraceptionEvent& e) {
  std::uint64_t out = 0;
  for (const auto& m : e.methods) out |= std::uint64_t{1} << static_cast<unsigned>(m.method);
  return out;
}
// In enumerator order.
std::string Join(std::uint64_t set) {
  std::string out;
  for (size_t i = 0; i < course::Vocab<course::ContraceptionMethod>::kNames.size(); ++i) {
    if (!(set & (std::uint64_t{1} << i))) continue;
    out += (out.empty() ? "" : ", ") +
           std::string(course::Name(static_cast<course::ContraceptionMethod>(i)));
  }
  return out.empty() ? "none" : out;
}
}  // namespace

std::string CompareEntries(const course::ContraceptionEvent& clinic,
                           const course::ContraceptionEvent& patient) {
  auto a = MethodSet(clinic);
  auto b = MethodSet(patient);
  if (a == b) return "";
  return "clinic entered " + Join(a) + "; patient entered " + Join(b);
}

std::string CompareStartDates(const course::ContraceptionEvent& clinic,
                              const course::ContraceptionEvent& patient) {
  std::string out;
  for (const auto& c : clinic.methods) {
    for (const auto& p : patient.methods) {
      if (c.method == p.method && c.start != p.start) {
        if (!out.empty()) out += "; ";
        out += std::string(course::Name(c.method)) + ": clinic " + Ds(c.start) + ", patient " +
               Ds(p.start);
      }
    }
  }
  return out;
}

course::TaskStatus StatusFor(Date as_of, std::optional<Date> earliest, std::optional<Date> due,
                             std::optional<Date> latest, int due_soon_days) {
  if (latest ? as_of > *latest : (due && as_of > *due)) return course::TaskStatus::kOverdue;
  if (earliest && as_of < *earliest) {
    // Not yet possible; amber only when the opening is close.
    return as_of.AddDays(due_soon_days) >= *earliest ? course::TaskStatus::kDueSoon
                                                     : course::TaskStatus::kOnTrack;
  }
  if (due && as_of.AddDays(due_soon_days) >= *due) return course::TaskStatus::kDueSoon;
  if (earliest && as_of >= *earliest) return course::TaskStatus::kDueSoon;
  return course::TaskStatus::kOnTrack;
}

}  // namespace isocourse::program::internal
