// File: program_internal.h  (internal to src/core/program/)
//
// What the evaluator (evaluate_program.cpp) and the forecaster (forecast.cpp) share:
// the program-relevant events of a timeline on or before as_of (`Record`), the rules
// of the pack in force (`Rules`, which builds Reasons and Explanations), and the
// contraception and test-setting checks.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/date.h"
#include "core/knowledge/knowledge.h"
#include "core/result.h"

namespace isocourse::program::internal {

struct TestView {
  const course::Event* event = nullptr;
  const course::PregnancyTestEvent* data = nullptr;
  Date specimen() const { return data->specimen_date; }
  bool negative() const { return data->result == course::TestResult::kNegative; }
  bool positive() const { return data->result == course::TestResult::kPositive; }
};
struct RxView {
  const course::Event* event = nullptr;
  const course::PrescriptionEvent* data = nullptr;
};
struct FillView {
  const course::Event* event = nullptr;
  const course::DispenseEvent* data = nullptr;
};
struct EntryView {
  const course::Event* event = nullptr;
  const course::ContraceptionEvent* data = nullptr;
};

// The program-relevant events recorded on or before as_of, in date order.
struct Record {
  std::vector<TestView> tests;  // by specimen date
  std::vector<RxView> prescriptions;
  std::vector<FillView> dispenses;
  std::vector<Date> counseling;
  std::vector<Date> comprehension_passed;
  std::vector<Date> menses;
  std::vector<Date> second_prescriber_agreed;
  std::vector<Date> mental_health_assessments;
  std::vector<Date> sexual_function_assessments;
  std::vector<Date> acknowledgement_forms;  // consent events with an acknowledgement-of-risk form
  std::vector<Date> consents;               // every signed consent
  std::optional<EntryView> clinic_entry;    // latest contraception entry by the clinic
  std::optional<EntryView> patient_entry;   // latest by the patient
  std::optional<Date> enrollment;           // latest enrollment date
  // Dates derived from the above.
  std::optional<Date> first_dispense;
  std::optional<Date> last_dispense;
  int last_dispense_days = 0;

  // The latest date in `dates` strictly after `after` (any if unset), or nullopt.
  static std::optional<Date> LatestAfter(const std::vector<Date>& dates, std::optional<Date> after);
};

Record Collect(const course::ResolvedTimeline& timeline, Date as_of);
// The same into `out`, which is cleared first (its vectors keep their capacity).
void CollectInto(const course::ResolvedTimeline& timeline, Date as_of, Record& out);

// The rules of the pack in force for one patient.
class Rules {
 public:
  Rules(const KnowledgeBase& kb, Jurisdiction j, const ProgramPack& pack,
        std::optional<ProgramCategory> category);

  // Whether rule `id` belongs to the pack in force and applies to the category.
  bool InForce(std::string_view id) const;
  // The rule; every id the code passes is in kRequiredRules, which EvaluateProgram
  // checks first, so this never misses.
  const ProgramRule& Get(std::string_view id) const;
  int Int(std::string_view id) const;  // the rule's value, rounded
  course::Explanation Explain(std::string_view id) const;
  // A reason citing rule `id`; unverified rules say so in the message.
  course::Reason Reason(std::string_view code, bool blocking, std::string_view id,
                        std::string message) const;

  const ProgramPack& pack() const { return *pack_; }
  Jurisdiction jurisdiction() const { return j_; }
  const KnowledgeBase& kb() const { return *kb_; }
  // Ids asked for that the knowledge base lacks ("" when none); EvaluateProgram turns
  // them into an error after the evaluation.
  std::string Missing() const;

 private:
  // The rule for `id`, or nullptr (recorded in missing_). Ids are mostly string
  // literals, so a small memo keyed by the literal's address saves the map lookups.
  const ProgramRule* Lookup(std::string_view id) const;

  const KnowledgeBase* kb_;
  Jurisdiction j_;
  const ProgramPack* pack_;
  std::optional<ProgramCategory> category_;
  struct Memo {
    const char* data = nullptr;
    size_t size = 0;
    const ProgramRule* rule = nullptr;
  };
  // Open addressing on the id's address; at most kMemoMax entries are kept.
  static constexpr size_t kMemoSlots = 128, kMemoMax = 96;
  mutable std::array<Memo, kMemoSlots> memo_{};
  mutable size_t memo_count_ = 0;
  mutable std::vector<std::string> missing_;
};

// --- contraception -------------------------------------------------------------------

enum class ContraceptionRules { kIpledge, kPpp };

struct ContraceptionCheck {
  bool adequate = false;
  bool abstinence_only = false;        // only abstinence was entered
  std::optional<Date> effective_from;  // first day the adequate combination was in use
  std::string summary;                 // "copper_iud since 2026-01-05, male_condom since ..."
  std::string problem;                 // why it is not adequate
};

// Whether the methods of `entry` in use on `on` satisfy the program's rule.
ContraceptionCheck CheckContraception(const KnowledgeBase& kb,
                                      const course::ContraceptionEvent& entry, Date on,
                                      ContraceptionRules rules);

// Empty when the two entries list the same methods; otherwise what differs.
std::string CompareEntries(const course::ContraceptionEvent& clinic,
                           const course::ContraceptionEvent& patient);
// Methods listed by both sides whose start dates differ ("combined_pill: clinic
// 2026-01-03, patient 2026-01-05").
std::string CompareStartDates(const course::ContraceptionEvent& clinic,
                              const course::ContraceptionEvent& patient);

// --- task helpers ----------------------------------------------------------------------

course::TaskStatus StatusFor(Date as_of, std::optional<Date> earliest, std::optional<Date> due,
                             std::optional<Date> latest, int due_soon_days);

std::string Ds(Date d);  // YYYY-MM-DD
// "1 day", "3 days": a count with its unit, for reasons and forecast details.
std::string Plural(int n, std::string_view unit);
// Years completed on `on` for someone born on `birth`.
int AgeOn(Date birth, Date on);

}  // namespace isocourse::program::internal
