// The pregnancy-prevention program rules: US iPLEDGE (packs V2021 / V2026, chosen by
// date with the cutover in Settings), EU PPP, UK PPP + MHRA measures. Every number
// and every sentence of a reason's source is a knowledge rule
// (knowledge/program-*.yaml); docs/programs.md lists them. Which rules apply is
// decided by pack membership in the knowledge (Rules::InForce), so the V2021/V2026
// differences are data, not branches on a version string.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/course/scratch.h"
#include "core/course/text.h"
#include "core/program/program.h"
#include "core/program/program_internal.h"
#include "core/program/program_knowledge.h"

namespace isocourse::program {

namespace {

using course::Cat;
using course::Decision;
using course::Reason;
using course::Task;
using course::TaskKind;
using course::TaskStatus;
using internal::Ds;
using internal::Plural;
using internal::Record;
using internal::Rules;
using internal::TestView;

std::string SettingName(course::TestSetting s) {
  switch (s) {
    case course::TestSetting::kCertifiedLab:
      return "a certified laboratory";
    case course::TestSetting::kMedicalOffice:
      return "a medical office";
    case course::TestSetting::kHome:
      return "a home test";
  }
  return "an unknown setting";
}

// One evaluation: inputs, the rules in force, and the state being filled.
struct Eval {
  const course::CourseFacts& facts;
  Date as_of;
  const course::Settings& settings;
  Rules rules;
  Record& rec;
  ProgramState& st;
  // Tasks emitted so far per rule (for the "#n" in task ids); a handful of rules.
  std::vector<std::pair<std::string_view, int>> task_counts;

  bool cgp() const { return facts.category == course::PregnancyPotential::kCanGetPregnant; }
  // Treatment has begun: a pickup is on record. (Doses without any recorded pickup
  // cannot be placed in a prescription cycle, so they do not count as a start here.)
  bool started() const { return rec.first_dispense.has_value(); }
  bool ended() const {
    return facts.completed || facts.discontinued || (facts.end_date && *facts.end_date <= as_of);
  }

  void Prescribe(Reason r) { st.may_prescribe.reasons.push_back(std::move(r)); }
  void Dispense(Reason r) { st.may_dispense.reasons.push_back(std::move(r)); }
  void Both(const Reason& r) {
    st.may_prescribe.reasons.push_back(r);
    st.may_dispense.reasons.push_back(r);
  }
  void Fact(std::string_view key, std::string value) {
    st.section.facts.push_back(course::ProgramFact{key, std::move(value)});
  }

  Task& AddTask(std::string_view rule, TaskKind kind, std::string title,
                std::optional<Date> earliest, std::optional<Date> due, std::optional<Date> latest,
                std::vector<std::string_view> unblocks, std::string detail = "",
                std::string blocked_by = "") {
    Task t;
    int n = 0;
    for (auto& [r, count] : task_counts) {
      if (r == rule) n = ++count;
    }
    if (n == 0) task_counts.emplace_back(rule, n = 1);
    const std::string number = std::to_string(n);
    t.id.reserve(rule.size() + 1 + number.size());
    t.id.append(rule).append("#").append(number);
    t.kind = kind;
    t.title = std::move(title);
    t.earliest = earliest;
    t.due = due;
    t.latest = latest;
    t.unblocks = std::move(unblocks);
    t.detail = std::move(detail);
    t.blocked_by = std::move(blocked_by);
    t.explanation = rules.Explain(rule);
    if (facts.paused) {
      t.status = TaskStatus::kPaused;  // nothing is overdue while paused
    } else if (!t.blocked_by.empty()) {
      t.status = TaskStatus::kBlocked;
    } else {
      t.status = internal::StatusFor(as_of, earliest, due, latest, settings.due_soon_days);
    }
    st.tasks.push_back(std::move(t));
    return st.tasks.back();
  }

  // Last day covered by the current supply, and the day the next supply is needed.
  std::optional<Date> SupplyLastDay() const {
    if (facts.supply_runs_out) return facts.supply_runs_out;
    if (rec.last_dispense)
      return rec.last_dispense->AddDays(std::max(rec.last_dispense_days, 1) - 1);
    return std::nullopt;
  }
  std::optional<Date> NeededBy() const {
    auto last = SupplyLastDay();
    return last ? std::optional(last->AddDays(1)) : std::nullopt;
  }

  // The prescription not yet filled: the latest one after the last pickup.
  const internal::RxView* PendingRx() const {
    const internal::RxView* out = nullptr;
    for (const auto& rx : rec.prescriptions) {
      if (rec.last_dispense && rx.event->date <= *rec.last_dispense) continue;
      out = &rx;
    }
    return out;
  }

  // The latest test that is positive and not followed by a negative one.
  const TestView* CurrentPositive() const {
    for (auto it = rec.tests.rbegin(); it != rec.tests.rend(); ++it) {
      if (it->data->result == course::TestResult::kInvalid) continue;
      return it->positive() ? &*it : nullptr;
    }
    return nullptr;
  }
};

// The positive test stops everything (US: ipledge.pregnancy.stop; EU/UK:
// ppp.pregnancy.stop).
void PregnancyStop(Eval& e, const TestView& t, std::string_view rule) {
  std::string msg = "Positive pregnancy test (specimen " + Ds(t.specimen()) +
                    "): do not prescribe or dispense; " + e.rules.Get(rule).message;
  e.Both(e.rules.Reason("pregnancy-test-positive", true, rule, msg));
  course::Alert a;
  a.id = e.rules.Explain(rule).rule_id;
  a.severity = Severity::kHardStop;
  a.urgency = course::Urgency::kSameDay;
  a.title = "Positive pregnancy test";
  a.message = "Pregnancy test with specimen date " + Ds(t.specimen()) + " is positive.";
  a.action = e.rules.Get(rule).message;
  a.stop_drug = true;
  a.date = t.event->date;
  a.events.push_back(t.event->id);
  a.explanation = e.rules.Explain(rule);
  e.st.alerts.push_back(std::move(a));
  e.st.section.state = "pregnancy";
}

// Post-treatment tasks for a patient who can get pregnant, once the course has ended.
void PostTreatmentTasks(Eval& e, std::string_view test_rule, std::string_view contraception_rule,
                        bool weeks) {
  if (!e.cgp() || !e.ended() || !e.facts.last_dose) return;
  Date last = *e.facts.last_dose;
  int n = e.rules.Int(test_rule);
  Date due = weeks ? last.AddDays(7 * n) : last.AddMonths(n);
  bool done = false;
  for (const TestView& t : e.rec.tests) {
    if (t.negative() && t.specimen() > last &&
        (t.data->purpose == course::PregnancyTestPurpose::kPostTreatment || t.specimen() >= due)) {
      done = true;
    }
  }
  Task& test = e.AddTask(test_rule, TaskKind::kPregnancyTest,
                         "Post-treatment pregnancy test (" + Plural(n, weeks ? "week" : "month") +
                             " after the last dose on " + Ds(last) + ")",
                         std::nullopt, due, std::nullopt, {}, e.rules.Get(test_rule).message);
  if (done) test.status = TaskStatus::kDone;
  Date until = last.AddMonths(e.rules.Int(contraception_rule));
  Task& c = e.AddTask(contraception_rule, TaskKind::kContraception,
                      "Continue contraception until " + Ds(until), last, until, until, {},
                      e.rules.Get(contraception_rule).message);
  c.status = e.as_of > until  ? TaskStatus::kDone
             : e.facts.paused ? TaskStatus::kPaused
                              : TaskStatus::kOnTrack;
  e.Fact("post_treatment_test_due", Ds(due));
  e.Fact("contraception_until", Ds(until));
}

// ---------------------------------------------------------------------------------
// US iPLEDGE
// ---------------------------------------------------------------------------------

// Whether a test in this setting counts; nullopt if it does, else the blocking reason.
std::optional<Reason> IpledgeSettingProblem(const Eval& e, const TestView& t, bool pre_treatment,
                                            std::string_view label, std::vector<Reason>* notes) {
  const Rules& R = e.rules;
  const course::TestSetting s = t.data->setting;
  std::string what = std::string(label) + " on " + Ds(t.specimen()) + " was " + SettingName(s);
  if (pre_treatment) {
    if (R.InForce("ipledge.test.pre-treatment.clia") && s != course::TestSetting::kCertifiedLab) {
      return R.Reason("test-not-clia", true, "ipledge.test.pre-treatment.clia",
                      what +
                          "; before the first dose the 2021 REMS requires a CLIA-certified "
                          "laboratory.");
    }
    if (R.InForce("ipledge.test.pre-treatment.medical-setting") &&
        s == course::TestSetting::kHome) {
      return R.Reason("home-test-before-treatment", true,
                      "ipledge.test.pre-treatment.medical-setting",
                      what +
                          "; before the first dose the test must be done in a medical setting "
                          "(home tests count only during or after treatment).");
    }
    return std::nullopt;
  }
  if (R.InForce("ipledge.test.monthly.clia-or-discretion") &&
      s != course::TestSetting::kCertifiedLab && notes) {
    notes->push_back(
        R.Reason("test-accepted-under-discretion", false, "ipledge.test.monthly.clia-or-discretion",
                 what + "; accepted during treatment under FDA enforcement "
                        "discretion (the 2021 REMS text asks for a CLIA laboratory)."));
  }
  if (R.InForce("ipledge.test.home.opt-in") && s == course::TestSetting::kHome) {
    if (!e.facts.home_tests_opt_in) {
      return R.Reason("home-test-not-opted-in", true, "ipledge.test.home.opt-in",
                      what +
                          "; a home test counts only if the prescriber opted in to home "
                          "testing, and no opt-in is recorded.");
    }
    if (notes) {
      notes->push_back(R.Reason("home-test-accepted", false, "ipledge.test.home.opt-in",
                                what + "; accepted: during treatment, prescriber opted in."));
    }
  }
  return std::nullopt;
}

struct Window {
  Date start;
  Date end;
};

// First prescription, can get pregnant: screening, confirmation >= 19 days later (in
// the first 5 days of menses with regular cycles, after 1 month of contraception, in
// the right setting), lockout after a missed first window (V2021) or immediate retest
// (V2026). Returns the open window, if any.
std::optional<Window> IpledgeFirstTests(Eval& e, const internal::ContraceptionCheck* cc) {
  const Rules& R = e.rules;
  const Record& rec = e.rec;
  std::vector<Reason> notes;

  // Screening: the first negative test marked screening, else the first negative test.
  const TestView* screening = nullptr;
  for (const TestView& t : rec.tests) {
    if (t.negative() && t.data->purpose == course::PregnancyTestPurpose::kScreening) {
      screening = &t;
      break;
    }
  }
  if (!screening) {
    for (const TestView& t : rec.tests) {
      if (t.negative() && t.data->purpose != course::PregnancyTestPurpose::kConfirmation) {
        screening = &t;
        break;
      }
    }
  }
  if (!screening) {
    e.Both(R.Reason("no-screening-test", true, "ipledge.test.screening",
                    "No negative screening pregnancy test is recorded."));
    e.AddTask("ipledge.test.screening", TaskKind::kPregnancyTest,
              "Screening pregnancy test (test 1)", std::nullopt, e.as_of, std::nullopt,
              {"confirmation test"},
              R.InForce("ipledge.test.pre-treatment.clia") ? "In a CLIA-certified laboratory."
                                                           : "In a medical setting.");
    e.st.section.state = "awaiting_screening";
    return std::nullopt;
  }
  if (auto p = IpledgeSettingProblem(e, *screening, true, "The screening test", nullptr)) {
    e.Both(*p);
  } else {
    e.Prescribe(R.Reason("screening-test-negative", false, "ipledge.test.screening",
                         Cat("Negative screening test on ", Ds(screening->specimen()), ".")));
  }
  e.Fact("screening_test", Ds(screening->specimen()));

  const int gap = R.Int("ipledge.test.confirmation.min-gap");
  const Date min_conf = screening->specimen().AddDays(gap);
  std::optional<Date> after_lead_in;
  if (cc && cc->adequate && cc->effective_from) {
    after_lead_in = cc->effective_from->AddMonths(R.Int("ipledge.test.confirmation.after-lead-in"));
  }
  const int window_days = R.Int("ipledge.window.cgp");

  // The confirmation candidate: the latest negative test after the screening test.
  const TestView* cand = nullptr;
  for (const TestView& t : rec.tests) {
    if (&t != screening && t.negative() && t.specimen() >= screening->specimen() &&
        t.event->date >= screening->event->date) {
      cand = &t;
    }
  }
  // An earlier valid confirmation whose window closed unused (no pickup yet at all).
  const TestView* missed = nullptr;
  for (const TestView& t : rec.tests) {
    if (&t == screening || &t == cand || !t.negative() || t.specimen() < min_conf) continue;
    if (t.specimen().AddDays(window_days - 1) >= e.as_of) continue;
    if (IpledgeSettingProblem(e, t, true, "", nullptr)) continue;
    missed = &t;
  }
  std::optional<Date> lockout_until;
  const bool lockout_rule = R.InForce("ipledge.missed-first-window.lockout");
  if (missed && lockout_rule) {
    lockout_until = missed->specimen().AddDays(R.Int("ipledge.missed-first-window.lockout"));
  }

  Date earliest = min_conf;
  if (after_lead_in && *after_lead_in > earliest) earliest = *after_lead_in;
  if (lockout_until && *lockout_until > earliest) earliest = *lockout_until;

  // With regular cycles, the next first-5-days-of-menses window on or after `from`.
  const int menses_days = R.Int("ipledge.test.confirmation.menses");
  auto menses_aligned = [&](Date from) -> std::pair<Date, std::string> {
    if (!e.facts.regular_cycles) return {from, ""};
    std::optional<Date> last;
    for (Date m : rec.menses) {
      if (m <= from) last = m;
    }
    if (!last && !rec.menses.empty()) last = rec.menses.front();
    if (!last)
      return {from, "With regular cycles, collect it in the first " + Plural(menses_days, "day") +
                        " of a period."};
    const int cycle = R.Int("ipledge.plan.cycle-length");
    Date start = *last;
    while (start.AddDays(menses_days - 1) < from) start = start.AddDays(cycle);
    Date d = std::max(start, from);
    return {d, "First " + Plural(menses_days, "day") + " of the period expected from " + Ds(start) +
                   " (cycle of " + Plural(cycle, "day") + " assumed)."};
  };

  auto confirmation_task = [&](std::string blocked_by) {
    auto [proposed, note] = menses_aligned(earliest);
    std::string detail = "At least " + Plural(gap, "day") + " after the screening test (" +
                         Ds(screening->specimen()) + ")";
    if (after_lead_in) detail += ", after 1 month on two methods (" + Ds(*after_lead_in) + ")";
    if (lockout_until) detail += ", not before the lockout ends (" + Ds(*lockout_until) + ")";
    detail += ". " + note;
    if (blocked_by.empty() && e.as_of < earliest) {
      blocked_by = "not before " + Ds(earliest);
    }
    e.Fact("confirmation_earliest", Ds(earliest));
    e.AddTask(
        lockout_until ? "ipledge.missed-first-window.lockout" : "ipledge.test.confirmation.min-gap",
        TaskKind::kPregnancyTest, "Confirmation pregnancy test (test 2)", earliest, proposed,
        std::nullopt, {"prescription", "dispense"}, detail, blocked_by);
  };
  if (lockout_until) {
    e.st.section.lockout_until = lockout_until;
    e.Fact("lockout_until", Ds(*lockout_until));
  }

  if (!cand) {
    std::string msg = "No confirmation test yet; the earliest valid day is " + Ds(earliest) + " (" +
                      Plural(gap, "day") + " after the screening test on " +
                      Ds(screening->specimen()) + ")";
    if (after_lead_in)
      msg += ", and not before 1 month on two methods (" + Ds(*after_lead_in) + ")";
    msg += ".";
    e.Both(R.Reason("no-confirmation-test", true, "ipledge.test.confirmation.min-gap", msg));
    if (lockout_until) {
      e.Both(R.Reason("locked-out", true, "ipledge.missed-first-window.lockout",
                      Cat("The first window, opened by the test on ", Ds(missed->specimen()),
                          ", closed without a pickup; the next test must be collected on or "
                          "after ",
                          Ds(*lockout_until), ".")));
    }
    confirmation_task("");
    e.st.section.state = lockout_until && e.as_of < *lockout_until ? "locked_out" : "lead_in";
    return std::nullopt;
  }

  const TestView& c = *cand;
  const int days_after = screening->specimen().DaysUntil(c.specimen());
  bool valid = true;
  if (c.specimen() < min_conf) {
    valid = false;
    e.Both(R.Reason("confirmation-too-early", true, "ipledge.test.confirmation.min-gap",
                    Cat("The test on ", Ds(c.specimen()), " was collected ",
                        Plural(days_after, "day"), " after the screening test (",
                        Ds(screening->specimen()), "); at least ", Plural(gap, "day"),
                        " are required, so the earliest valid day is ", Ds(min_conf), ".")));
  } else {
    e.Prescribe(R.Reason("confirmation-gap-met", false, "ipledge.test.confirmation.min-gap",
                         Cat("Confirmation test on ", Ds(c.specimen()), " is ",
                             Plural(days_after, "day"), " after the screening test.")));
  }
  if (after_lead_in && c.specimen() < *after_lead_in) {
    valid = false;
    e.Both(R.Reason(
        "confirmation-before-lead-in", true, "ipledge.test.confirmation.after-lead-in",
        Cat("The test on ", Ds(c.specimen()),
            " was collected before 1 month on two methods of contraception (from ",
            Ds(*cc->effective_from), "); the earliest valid day is ", Ds(*after_lead_in), ".")));
  }
  if (auto p = IpledgeSettingProblem(e, c, true, "The confirmation test", nullptr)) {
    valid = false;
    e.Both(*p);
  }
  if (lockout_until && c.specimen() < *lockout_until) {
    valid = false;
    e.Both(
        R.Reason("locked-out", true, "ipledge.missed-first-window.lockout",
                 Cat("The first window, opened by the test on ", Ds(missed->specimen()),
                     ", closed without a pickup; the next test must be collected on or after ",
                     Ds(*lockout_until), " (the test on ", Ds(c.specimen()), " is too early).")));
  }
  if (e.facts.regular_cycles) {
    std::optional<Date> m;
    for (Date d : rec.menses) {
      if (d <= c.specimen()) m = d;
    }
    if (m) {
      int day = m->DaysUntil(c.specimen()) + 1;
      if (day > menses_days) {
        valid = false;
        e.Both(R.Reason(
            "confirmation-outside-menses", true, "ipledge.test.confirmation.menses",
            Cat("The test on ", Ds(c.specimen()), " was on cycle day ", std::to_string(day),
                " (period began ", Ds(*m), "); with regular cycles it is collected in the first ",
                Plural(menses_days, "day"), " of the period.")));
      } else {
        e.Prescribe(R.Reason("confirmation-in-menses", false, "ipledge.test.confirmation.menses",
                             Cat("Confirmation test on cycle day ", std::to_string(day), ".")));
      }
    } else {
      e.Prescribe(
          R.Reason("cycle-day-unknown", false, "ipledge.test.confirmation.menses",
                   Cat("Regular cycles, but no period start is recorded: confirm the test on ",
                       Ds(c.specimen()), " was in the first ", Plural(menses_days, "day"),
                       " of the period.")));
    }
  }
  Window w{c.specimen(), c.specimen().AddDays(window_days - 1)};
  if (valid && w.end < e.as_of) {
    // The first window passed without a pickup.
    if (lockout_rule) {
      Date until = c.specimen().AddDays(R.Int("ipledge.missed-first-window.lockout"));
      e.Both(R.Reason(
          "first-window-missed", true, "ipledge.missed-first-window.lockout",
          Cat("The first prescription window (test on ", Ds(c.specimen()), ", open to ", Ds(w.end),
              ") passed without a pickup. Locked out: the next test must "
              "be collected on or after ",
              Ds(until),
              "; the call center cannot "
              "override this.")));
      lockout_until = until;
      earliest = std::max(earliest, until);
      e.st.section.lockout_until = until;
      e.Fact("lockout_until", Ds(until));
      e.st.section.state = e.as_of < until ? "locked_out" : "lead_in";
      course::Alert a;
      a.id = "ipledge.missed-first-window.lockout";
      a.severity = Severity::kMajor;
      a.urgency = course::Urgency::kSoon;
      a.title = "First iPLEDGE window missed: 19-day lockout";
      a.message = "No pickup in the window " + Ds(w.start) + " to " + Ds(w.end) + ".";
      a.action = "Book the next confirmation test on or after " + Ds(until) + ".";
      a.date = w.end.AddDays(1);
      a.events.push_back(c.event->id);
      a.explanation = R.Explain("ipledge.missed-first-window.lockout");
      e.st.alerts.push_back(std::move(a));
    } else {
      e.Both(R.Reason(
          "first-window-missed", true, "ipledge.missed-first-window.retest",
          Cat("The first prescription window (test on ", Ds(c.specimen()), ", open to ", Ds(w.end),
              ") passed without a pickup. No waiting period: repeat the "
              "test now, in a medical setting.")));
      earliest = e.as_of;
      e.st.section.state = "missed_window";
    }
    confirmation_task("");
    return std::nullopt;
  }
  if (!valid) {
    confirmation_task("");
    e.st.section.state = lockout_until && e.as_of < *lockout_until ? "locked_out" : "lead_in";
    return std::nullopt;
  }
  return w;
}

// Later prescriptions, can get pregnant: a test after the last pickup, in an accepted
// setting, whose 7-day window is still open.
std::optional<Window> IpledgeMonthlyTest(Eval& e) {
  const Rules& R = e.rules;
  const int window_days = R.Int("ipledge.window.cgp");
  const TestView* cand = nullptr;
  for (const TestView& t : e.rec.tests) {
    if (t.negative() && t.specimen() > *e.rec.last_dispense) cand = &t;
  }
  auto needed_by = e.NeededBy();
  if (!cand) {
    std::string msg =
        "No pregnancy test since the last pickup on " + Ds(*e.rec.last_dispense) + ".";
    if (needed_by) {
      msg += " The supply lasts to " + Ds(needed_by->AddDays(-1)) + "; a test collected by " +
             Ds(*needed_by) + " still allows a pickup without a gap.";
    }
    e.Both(R.Reason("no-test-this-cycle", true, "ipledge.test.monthly", msg));
    if (!e.ended()) {
      std::optional<Date> earliest =
          needed_by ? std::optional(needed_by->AddDays(-(window_days - 1))) : std::nullopt;
      e.AddTask("ipledge.test.monthly", TaskKind::kPregnancyTest, "Monthly pregnancy test",
                earliest, needed_by.value_or(e.as_of), needed_by, {"prescription", "dispense"},
                "Day 1 of the 7-day window is the specimen date; from " +
                    (earliest ? Ds(*earliest) : Ds(e.as_of)) +
                    " the window still covers the day the supply runs out.");
      if (needed_by) {
        e.Fact("next_test_earliest", Ds(*earliest));
        e.Fact("next_test_latest", Ds(*needed_by));
      }
    }
    e.st.section.state = e.ended() ? "post_treatment" : "awaiting_test";
    return std::nullopt;
  }
  std::vector<Reason> notes;
  if (auto p = IpledgeSettingProblem(e, *cand, false, "The test", &notes)) {
    e.Both(*p);
    e.AddTask("ipledge.test.monthly", TaskKind::kPregnancyTest,
              "Repeat the pregnancy test in an accepted setting", std::nullopt, e.as_of, needed_by,
              {"prescription", "dispense"});
    e.st.section.state = "qualifying";
    return std::nullopt;
  }
  for (Reason& r : notes) e.Prescribe(std::move(r));
  Window w{cand->specimen(), cand->specimen().AddDays(window_days - 1)};
  if (w.end < e.as_of && e.ended()) {
    // After the last dose a test (end of course, post-treatment) serves the
    // post-treatment checks; no supply is coming, so there is no window to miss.
    e.st.section.state = "post_treatment";
    return std::nullopt;
  }
  if (w.end < e.as_of) {
    e.Both(R.Reason("window-missed", true, "ipledge.missed-later-window.retest",
                    Cat("The window opened by the test on ", Ds(w.start), " closed on ", Ds(w.end),
                        " without a pickup; repeat the test now (no waiting period after the "
                        "first prescription).")));
    e.AddTask("ipledge.missed-later-window.retest", TaskKind::kPregnancyTest,
              "Repeat the pregnancy test (window missed)", std::nullopt, e.as_of, std::nullopt,
              {"prescription", "dispense"});
    e.st.section.state = "missed_window";
    return std::nullopt;
  }
  return w;
}

// Prescription-specific checks for dispensing (supply, refills, date in window).
void CheckPendingRx(Eval& e, const internal::RxView& rx, std::string_view supply_rule,
                    std::optional<std::string_view> refill_rule) {
  const Rules& R = e.rules;
  const int max_days = R.Int(supply_rule);
  if (rx.data->days_supply > max_days) {
    e.Dispense(R.Reason("supply-over-limit", true, supply_rule,
                        Cat("The prescription of ", Ds(rx.event->date), " is for ",
                            Plural(rx.data->days_supply, "day"), "; at most ",
                            Plural(max_days, "day"), " may be supplied.")));
  }
  if (refill_rule && rx.data->refills > R.Int(*refill_rule)) {
    e.Dispense(R.Reason("refills-not-allowed", true, *refill_rule,
                        Cat("The prescription of ", Ds(rx.event->date), " carries ",
                            Plural(rx.data->refills, "refill"), "; refills are not allowed.")));
  }
}

void EvaluateIpledge(Eval& e) {
  const Rules& R = e.rules;
  const Record& rec = e.rec;
  const bool first = !e.started();
  const std::optional<Date> cycle_after = rec.last_dispense;
  e.st.section.program = "ipledge";

  if (!rec.enrollment) {
    e.Both(R.Reason("not-enrolled", true, "ipledge.enrollment.required",
                    "The patient is not registered in iPLEDGE."));
    e.AddTask("ipledge.enrollment.required", TaskKind::kEnrollment,
              "Register the patient in iPLEDGE and assign the risk category", std::nullopt, e.as_of,
              std::nullopt, {"prescription", "dispense"});
  } else {
    e.Prescribe(R.Reason("enrolled", false, "ipledge.enrollment.required",
                         Cat("Registered in iPLEDGE on ", Ds(*rec.enrollment), ".")));
  }
  if (rec.consents.empty()) {
    e.Both(R.Reason("no-consent", true, "ipledge.consent.required",
                    "No signed informed consent is recorded."));
    e.AddTask("ipledge.consent.required", TaskKind::kEnrollment, "Patient signs informed consent",
              std::nullopt, e.as_of, std::nullopt, {"prescription", "dispense"});
  }
  if (!e.facts.category) {
    e.Both(R.Reason("category-unknown", true, "ipledge.enrollment.required",
                    "The risk category (can or cannot get pregnant) is not recorded."));
    e.st.section.state = "not_enrolled";
    return;
  }
  e.Fact("category", std::string(course::Name(*e.facts.category)));
  if (const TestView* pos = e.CurrentPositive()) {
    PregnancyStop(e, *pos, "ipledge.pregnancy.stop");
    return;
  }

  // Counseling: monthly (V2021 everyone; V2026 can get pregnant) or at enrollment only
  // (V2026, cannot get pregnant).
  std::optional<Date> counseled;
  const char* monthly = R.InForce("ipledge.counseling.monthly") ? "ipledge.counseling.monthly"
                        : R.InForce("ipledge.counseling.monthly-cgp")
                            ? "ipledge.counseling.monthly-cgp"
                            : nullptr;
  auto needed_by = e.NeededBy();
  if (monthly) {
    counseled = Record::LatestAfter(rec.counseling, cycle_after);
    if (!counseled) {
      e.Both(R.Reason("counseling-due", true, monthly,
                      cycle_after ? "No counseling confirmed since the last pickup on " +
                                        Ds(*cycle_after) + "; it is confirmed every month."
                                  : "No counseling confirmed yet."));
      if (!e.ended()) {
        e.AddTask(monthly, TaskKind::kCounseling, "Counsel the patient and confirm it in iPLEDGE",
                  std::nullopt, first ? e.as_of : needed_by.value_or(e.as_of), needed_by,
                  {"prescription", "dispense"});
      }
    } else {
      e.Prescribe(R.Reason("counseling-done", false, monthly,
                           Cat("Counseling confirmed on ", Ds(*counseled), ".")));
    }
  } else if (R.InForce("ipledge.counseling.ncgp-at-enrollment")) {
    if (rec.counseling.empty()) {
      e.Both(R.Reason("counseling-due", true, "ipledge.counseling.ncgp-at-enrollment",
                      "Counseling at enrollment is not recorded."));
      e.AddTask("ipledge.counseling.ncgp-at-enrollment", TaskKind::kCounseling,
                "Counsel the patient (once, at enrollment)", std::nullopt, e.as_of, std::nullopt,
                {"prescription", "dispense"});
    } else {
      e.Prescribe(R.Reason("counseling-done", false, "ipledge.counseling.ncgp-at-enrollment",
                           Cat("Counseling at enrollment recorded (", Ds(rec.counseling.front()),
                               "); no monthly counseling is required.")));
    }
  }

  std::optional<Window> window;
  const internal::RxView* pending = e.PendingRx();
  if (e.cgp()) {
    // Contraception: the clinic's entry, the patient's monthly entry, and the match.
    std::optional<internal::ContraceptionCheck> cc;
    if (!rec.clinic_entry) {
      e.Both(R.Reason("contraception-not-entered", true, "ipledge.contraception.two-methods",
                      "The clinic has not entered the patient's two methods of contraception."));
      e.AddTask("ipledge.contraception.two-methods", TaskKind::kContraception,
                "Enter the patient's two methods of contraception (or abstinence)", std::nullopt,
                e.as_of, std::nullopt, {"confirmation test", "prescription"});
    } else {
      cc = internal::CheckContraception(e.rules.kb(), *rec.clinic_entry->data, e.as_of,
                                        internal::ContraceptionRules::kIpledge);
      if (!cc->adequate) {
        e.Both(R.Reason("contraception-inadequate", true, "ipledge.contraception.two-methods",
                        Cat("Contraception entered by the clinic does not qualify: ", cc->problem,
                            " (entered: ", cc->summary, ").")));
      } else {
        e.Prescribe(R.Reason(
            "contraception-ok", false, "ipledge.contraception.two-methods",
            Cat((cc->abstinence_only ? "Abstinence committed since " : "Two methods in use since "),
                Ds(*cc->effective_from), " (", cc->summary, ").")));
        e.Fact("contraception_from", Ds(*cc->effective_from));
        if (first) {
          Date ready = cc->effective_from->AddMonths(R.Int("ipledge.contraception.lead-in"));
          if (e.as_of < ready) {
            e.Both(R.Reason(
                "lead-in-incomplete", true, "ipledge.contraception.lead-in",
                Cat("Two methods started on ", Ds(*cc->effective_from),
                    "; the first dose is at least 1 month later, on or after ", Ds(ready), ".")));
          }
        }
      }
    }
    const bool patient_current =
        rec.patient_entry && (!cycle_after || rec.patient_entry->event->date > *cycle_after);
    if (!patient_current) {
      e.Both(R.Reason("patient-entry-due", true, "ipledge.contraception.patient-entry",
                      cycle_after ? "The patient has not entered their methods in iPLEDGE since "
                                    "the last pickup on " +
                                        Ds(*cycle_after) + "."
                                  : "The patient has not entered their methods in iPLEDGE."));
    } else if (rec.clinic_entry) {
      std::string diff =
          internal::CompareEntries(*rec.clinic_entry->data, *rec.patient_entry->data);
      if (!diff.empty()) {
        e.Both(R.Reason("contraception-entries-mismatch", true,
                        "ipledge.contraception.entries-match",
                        Cat("The contraception entries do not match: ", diff,
                            ". Correct one side before the prescription.")));
      } else {
        e.Prescribe(R.Reason("contraception-entries-match", false,
                             "ipledge.contraception.entries-match",
                             "Clinic and patient entered the same methods."));
        std::string dates =
            internal::CompareStartDates(*rec.clinic_entry->data, *rec.patient_entry->data);
        if (!dates.empty()) {
          e.Prescribe(R.Reason(
              "contraception-start-dates-differ", false, "ipledge.contraception.entries-match",
              Cat("Same methods, but the start dates differ (", dates, "); check both entries.")));
        }
      }
    }
    const bool understood = Record::LatestAfter(rec.comprehension_passed, cycle_after).has_value();
    if (!understood) {
      e.Both(R.Reason("comprehension-due", true, "ipledge.comprehension.every-rx",
                      cycle_after ? "The comprehension questions have not been answered since the "
                                    "last pickup on " +
                                        Ds(*cycle_after) + "."
                                  : "The comprehension questions have not been answered."));
    }

    window = first ? IpledgeFirstTests(e, cc ? &*cc : nullptr) : IpledgeMonthlyTest(e);

    // Tasks that belong to the open window.
    if (window) {
      if (!patient_current) {
        e.AddTask("ipledge.contraception.patient-entry", TaskKind::kContraception,
                  "Patient enters their two methods in iPLEDGE", window->start, window->end,
                  window->end, {"prescription", "dispense"});
      }
      if (!understood) {
        e.AddTask("ipledge.comprehension.every-rx", TaskKind::kComprehension,
                  "Patient answers the comprehension questions", window->start, window->end,
                  window->end, {"prescription", "dispense"});
      }
    } else if (!e.ended() && e.st.section.state != "pregnancy") {
      if (!patient_current) {
        e.AddTask("ipledge.contraception.patient-entry", TaskKind::kContraception,
                  "Patient enters their two methods in iPLEDGE", std::nullopt,
                  first ? e.as_of : needed_by.value_or(e.as_of), std::nullopt,
                  {"prescription", "dispense"});
      }
      if (!understood) {
        e.AddTask("ipledge.comprehension.every-rx", TaskKind::kComprehension,
                  "Patient answers the comprehension questions", std::nullopt,
                  first ? e.as_of : needed_by.value_or(e.as_of), std::nullopt,
                  {"prescription", "dispense"});
      }
    }
    if (window) {
      e.Prescribe(
          R.Reason("window-open", false, "ipledge.window.cgp",
                   Cat("Negative test on ", Ds(window->start), " opens the 7-day window ",
                       Ds(window->start), " to ", Ds(window->end), " (day 1 = specimen date).")));
      if (pending && pending->event->date < window->start) {
        e.Dispense(R.Reason("prescription-outside-window", true, "ipledge.window.cgp",
                            Cat("The prescription of ", Ds(pending->event->date),
                                " predates the window that opened on ", Ds(window->start),
                                "; write it inside the window.")));
      }
    }
  } else if (R.InForce("ipledge.window.ncgp")) {
    // V2021, cannot get pregnant: a 30-day window from the office visit (counseling).
    if (counseled) {
      const int days = R.Int("ipledge.window.ncgp");
      Window w{*counseled, counseled->AddDays(days - 1)};
      if (w.end < e.as_of && e.ended()) {
        e.st.section.state = "post_treatment";  // no supply is coming: no window to miss
      } else if (w.end < e.as_of) {
        e.Both(R.Reason("window-missed", true, "ipledge.missed-later-window.retest",
                        Cat("The ", Plural(days, "day"), " window from the visit on ", Ds(w.start),
                            " closed on ", Ds(w.end),
                            " without a pickup; a new visit with counseling re-qualifies.")));
        e.AddTask("ipledge.missed-later-window.retest", TaskKind::kVisit,
                  "Visit with counseling (window missed)", std::nullopt, e.as_of, std::nullopt,
                  {"prescription", "dispense"});
        e.st.section.state = "missed_window";
      } else {
        window = w;
        e.Prescribe(R.Reason("window-open", false, "ipledge.window.ncgp",
                             Cat("The visit on ", Ds(w.start), " opens the ", Plural(days, "day"),
                                 " window to ", Ds(w.end), ".")));
        if (pending && pending->event->date < w.start) {
          e.Dispense(R.Reason("prescription-outside-window", true, "ipledge.window.ncgp",
                              Cat("The prescription of ", Ds(pending->event->date),
                                  " predates the window that opened on ", Ds(w.start), ".")));
        }
      }
    } else {
      e.st.section.state = "awaiting_visit";
    }
  } else if (R.InForce("ipledge.window.ncgp-none")) {
    e.Prescribe(R.Reason("no-window", false, "ipledge.window.ncgp-none",
                         "No prescription window applies to a patient who cannot get pregnant "
                         "under the 2026 REMS."));
  }

  // Supply limits (stated when prescribing, checked on the written prescription).
  e.Prescribe(R.Reason(
      "supply-limit", false, "ipledge.rx.max-supply",
      Cat("Prescribe at most a ", std::to_string(R.Int("ipledge.rx.max-supply")), "-day supply.")));
  e.Prescribe(R.Reason("no-refills", false, "ipledge.rx.no-refills", "Write no refills."));

  if (window) {
    e.st.section.window_start = window->start;
    e.st.section.window_end = window->end;
    e.st.may_dispense.by = window->end;
    e.Fact("window", Ds(window->start) + " to " + Ds(window->end));
    e.Fact("dispense_by", Ds(window->end));
    e.Dispense(
        R.Reason("dispense-by", false, "ipledge.dispense-by",
                 Cat("Dispense no later than ", Ds(window->end), ", the last day of the window.")));
  }
  if (!pending) {
    e.Dispense(R.Reason("no-prescription", true,
                        e.cgp() ? "ipledge.window.cgp" : "ipledge.rx.max-supply",
                        "No prescription is waiting to be dispensed."));
    if (window && !e.ended()) {
      e.AddTask(e.cgp() ? "ipledge.window.cgp" : "ipledge.window.ncgp", TaskKind::kPrescription,
                "Write the prescription inside the window", window->start, window->end, window->end,
                {"dispense"});
    }
  } else {
    CheckPendingRx(e, *pending, "ipledge.rx.max-supply", "ipledge.rx.no-refills");
    if (window && !e.ended()) {
      e.AddTask("ipledge.dispense-by", TaskKind::kDispense,
                "Pick up the prescription of " + Ds(pending->event->date), pending->event->date,
                window->end, window->end, {"next doses"});
    } else if (!window && !e.cgp() && R.InForce("ipledge.window.ncgp-none") && !e.ended()) {
      e.AddTask("ipledge.window.ncgp-none", TaskKind::kDispense,
                "Pick up the prescription of " + Ds(pending->event->date), pending->event->date,
                needed_by, std::nullopt, {"next doses"});
    }
  }
  // Cannot get pregnant, 2021 rules, during treatment: the next monthly visit.
  if (!e.cgp() && monthly && !counseled && !first && needed_by && !e.ended()) {
    const int days = R.Int("ipledge.window.ncgp");
    e.Fact("next_visit_earliest", Ds(needed_by->AddDays(-(days - 1))));
    e.Fact("next_visit_latest", Ds(*needed_by));
  }
  if (e.st.section.state.empty() && e.ended()) e.st.section.state = "post_treatment";
  if (e.st.section.state.empty()) {
    bool blocked = std::any_of(e.st.may_prescribe.reasons.begin(), e.st.may_prescribe.reasons.end(),
                               [](const Reason& r) { return r.blocking; });
    e.st.section.state = pending && window ? "prescribed"
                         : window          ? (blocked ? "qualifying" : "window_open")
                         : first           ? "enrolled"
                                           : (blocked ? "qualifying" : "active");
  }
  PostTreatmentTasks(e, "ipledge.post.test", "ipledge.post.contraception", false);
}

// ---------------------------------------------------------------------------------
// EU PPP and UK (PPP + MHRA)
// ---------------------------------------------------------------------------------

bool Supervised(const TestView& t) { return t.data->setting != course::TestSetting::kHome; }

void EvaluateMhra(Eval& e, bool first) {
  const Rules& R = e.rules;
  const Record& rec = e.rec;
  // The start: today for a first prescription, else the first dose or pickup.
  Date start = e.as_of;
  if (!first) {
    if (e.facts.first_dose) {
      start = *e.facts.first_dose;
    } else if (rec.first_dispense) {
      start = *rec.first_dispense;
    }
  }
  e.Fact("uk_start", Ds(start));
  auto in_range = [&](const ProgramRule& r) {
    return (!r.starts_from || start >= *r.starts_from) && (!r.starts_to || start <= *r.starts_to);
  };
  if (first) {
    const ProgramRule& two = R.Get("mhra.under18.two-prescribers");
    std::optional<Date> birth =
        e.facts.profile ? e.facts.profile->birth_date : std::optional<Date>();
    const int adult = R.Int("mhra.under18.two-prescribers");
    if (R.InForce("mhra.under18.two-prescribers") && in_range(two)) {
      if (!birth) {
        e.Both(R.Reason("birth-date-unknown", true, "mhra.under18.two-prescribers",
                        Cat("The birth date is not recorded, so whether the under-18 "
                            "two-prescriber rule applies to this start (",
                            Ds(start), ") cannot be told.")));
      } else if (int age = internal::AgeOn(*birth, start); age < adult) {
        if (rec.second_prescriber_agreed.empty()) {
          e.Both(R.Reason("second-prescriber-missing", true, "mhra.under18.two-prescribers",
                          Cat("Aged ", std::to_string(age), " at the start on ", Ds(start),
                              ": a second independent prescriber must agree before the first "
                              "prescription (starts ",
                              Ds(*two.starts_from), " to ", Ds(*two.starts_to), ").")));
          e.AddTask("mhra.under18.two-prescribers", TaskKind::kOther,
                    "Second independent prescriber agrees to start", std::nullopt, e.as_of,
                    std::nullopt, {"prescription"});
        } else {
          e.Prescribe(R.Reason(
              "second-prescriber-agreed", false, "mhra.under18.two-prescribers",
              Cat("Second prescriber agreed on ", Ds(rec.second_prescriber_agreed.back()), ".")));
        }
      }
    } else if (birth && internal::AgeOn(*birth, start) < adult) {
      e.Prescribe(
          R.Reason("second-prescriber-not-required", false, "mhra.under18.two-prescribers",
                   Cat("Under 18, but the two-prescriber rule applies only to starts dated ",
                       (two.starts_from ? Ds(*two.starts_from) : std::string("?")), " to ",
                       (two.starts_to ? Ds(*two.starts_to) : std::string("?")), "; this start is ",
                       Ds(start), ".")));
    }
    const ProgramRule& form = R.Get("mhra.acknowledgement-form");
    if (R.InForce("mhra.acknowledgement-form") && in_range(form)) {
      if (rec.acknowledgement_forms.empty()) {
        e.Both(R.Reason("acknowledgement-form-missing", true, "mhra.acknowledgement-form",
                        "The acknowledgement-of-risk form is not recorded."));
        e.AddTask("mhra.acknowledgement-form", TaskKind::kOther,
                  "Complete the acknowledgement-of-risk form", std::nullopt, e.as_of, std::nullopt,
                  {"prescription"});
      } else {
        e.Prescribe(R.Reason("acknowledgement-form-done", false, "mhra.acknowledgement-form",
                             Cat("Acknowledgement-of-risk form completed on ",
                                 Ds(rec.acknowledgement_forms.back()), ".")));
      }
    }
    const ProgramRule& before = R.Get("mhra.assessment.before-start");
    if (R.InForce("mhra.assessment.before-start") && in_range(before)) {
      std::string missing;
      if (rec.mental_health_assessments.empty()) missing = "mental health";
      if (rec.sexual_function_assessments.empty()) {
        missing += std::string(missing.empty() ? "" : " and ") + "sexual function";
      }
      if (!missing.empty()) {
        e.Both(R.Reason("assessment-before-start-missing", true, "mhra.assessment.before-start",
                        Cat("Not assessed before the start: ", missing, ".")));
        e.AddTask("mhra.assessment.before-start", TaskKind::kAssessment,
                  "Assess mental health and sexual function (in person)", std::nullopt, e.as_of,
                  std::nullopt, {"prescription"});
      } else {
        e.Prescribe(R.Reason("assessment-before-start-done", false, "mhra.assessment.before-start",
                             "Mental health and sexual function assessed before the start."));
      }
    }
  } else if (R.InForce("mhra.assessment.during")) {
    std::optional<Date> after = rec.last_dispense;
    bool mh = Record::LatestAfter(rec.mental_health_assessments, after).has_value();
    bool sf = Record::LatestAfter(rec.sexual_function_assessments, after).has_value();
    if (!mh || !sf) {
      std::string missing = !mh && !sf ? "mental health and sexual function"
                            : !mh      ? "mental health"
                                       : "sexual function";
      e.Prescribe(R.Reason("assessment-during-due", false, "mhra.assessment.during",
                           Cat("Not asked since the last supply on ", Ds(*after), ": ", missing,
                               " (monitor during treatment).")));
      if (!e.ended()) {
        auto needed_by = e.NeededBy();
        e.AddTask("mhra.assessment.during", TaskKind::kAssessment,
                  "Ask about mental health and sexual function at the follow-up", std::nullopt,
                  needed_by.value_or(e.as_of), std::nullopt, {});
      }
    }
  }
}

void EvaluatePpp(Eval& e) {
  const Rules& R = e.rules;
  const Record& rec = e.rec;
  const bool uk = R.jurisdiction() == Jurisdiction::kUK;
  const bool first = !e.started();
  e.st.section.program = uk ? "uk_mhra" : "eu_ppp";
  auto needed_by = e.NeededBy();

  if (!e.facts.category) {
    e.Both(R.Reason("category-unknown", true, "ppp.scope.all-cbp",
                    "Whether the patient is of childbearing potential is not recorded, so "
                    "whether the programme applies cannot be told."));
    e.st.section.state = "unknown_category";
    if (uk) EvaluateMhra(e, first);
    return;
  }
  e.Fact("category", std::string(course::Name(*e.facts.category)));
  if (const TestView* pos = e.CurrentPositive()) {
    PregnancyStop(e, *pos, "ppp.pregnancy.stop");
    return;
  }
  if (!e.cgp()) {
    e.Prescribe(R.Reason("ppp-not-applicable", false, "ppp.scope.all-cbp",
                         "Not of childbearing potential: the programme's tests and contraception "
                         "do not apply."));
    e.st.section.state = "not_applicable";
    if (uk) EvaluateMhra(e, first);
    if (!e.PendingRx()) {
      e.Dispense(R.Reason("no-prescription", true, "ppp.dispense.within",
                          "No prescription is waiting to be dispensed."));
    }
    return;
  }
  e.Prescribe(R.Reason("ppp-applies", false, "ppp.scope.all-cbp",
                       "The programme applies (childbearing potential), even if amenorrhoeic or "
                       "not sexually active."));

  // Contraception: the clinic's entry (the patient's if the clinic entered none).
  const auto& entry = rec.clinic_entry ? rec.clinic_entry : rec.patient_entry;
  if (!entry) {
    e.Both(R.Reason("contraception-not-entered", true, "ppp.contraception.methods",
                    "No contraception is recorded."));
    e.AddTask("ppp.contraception.methods", TaskKind::kContraception,
              "Record contraception (one user-independent or two user-dependent methods)",
              std::nullopt, e.as_of, std::nullopt, {"prescription"});
  } else {
    auto cc = internal::CheckContraception(R.kb(), *entry->data, e.as_of,
                                           internal::ContraceptionRules::kPpp);
    if (!cc.adequate) {
      e.Both(R.Reason(
          "contraception-inadequate", true,
          cc.abstinence_only ? "ppp.scope.all-cbp" : "ppp.contraception.methods",
          Cat("Contraception does not qualify: ", cc.problem, " (entered: ", cc.summary, ").")));
    } else {
      e.Prescribe(R.Reason(
          "contraception-ok", false, "ppp.contraception.methods",
          Cat("Qualifying contraception since ", Ds(*cc.effective_from), " (", cc.summary, ").")));
      e.Fact("contraception_from", Ds(*cc.effective_from));
      if (first) {
        Date ready = cc.effective_from->AddMonths(R.Int("ppp.contraception.lead-in"));
        e.Fact("first_dose_earliest", Ds(ready));
        if (e.as_of < ready) {
          e.Both(R.Reason(
              "lead-in-incomplete", true, "ppp.contraception.lead-in",
              Cat("Contraception started on ", Ds(*cc.effective_from),
                  "; treatment starts at least 1 month later, on or after ", Ds(ready), ".")));
        }
      }
    }
  }

  // The test: supervised, negative, after the last pickup, <= 3 days before prescribing.
  const int max_days = R.Int("ppp.test.before-rx");
  const TestView* supervised = nullptr;
  const TestView* home = nullptr;
  for (const TestView& t : rec.tests) {
    if (!t.negative() || (rec.last_dispense && t.specimen() <= *rec.last_dispense)) continue;
    (Supervised(t) ? supervised : home) = &t;
  }
  bool test_ok = false;
  if (supervised && supervised->specimen().DaysUntil(e.as_of) <= max_days) {
    test_ok = true;
    int d = supervised->specimen().DaysUntil(e.as_of);
    e.Prescribe(R.Reason("test-recent", false, "ppp.test.before-rx",
                         Cat("Negative supervised test on ", Ds(supervised->specimen()), " (",
                             Plural(d, "day"), " before today).")));
  } else if (home && home->specimen().DaysUntil(e.as_of) <= max_days) {
    e.Prescribe(R.Reason("home-test-not-supervised", true, "ppp.test.supervised",
                         Cat("The test on ", Ds(home->specimen()),
                             " was a home test; the programme requires a medically supervised "
                             "test.")));
  } else if (supervised) {
    e.Prescribe(R.Reason("no-test-within-3-days", true, "ppp.test.before-rx",
                         Cat("The latest supervised negative test (", Ds(supervised->specimen()),
                             ") was ", Plural(supervised->specimen().DaysUntil(e.as_of), "day"),
                             " before today; it must be no more than ", Plural(max_days, "day"),
                             " before the prescription.")));
  } else {
    e.Prescribe(R.Reason("no-test-within-3-days", true, "ppp.test.before-rx",
                         rec.last_dispense
                             ? "No supervised negative pregnancy test since the last supply on " +
                                   Ds(*rec.last_dispense) + "."
                             : "No supervised negative pregnancy test is recorded."));
  }
  if (!test_ok && !e.ended()) {
    std::optional<Date> earliest, latest;
    if (!first && needed_by) {
      const int within = R.Int("ppp.dispense.within");
      earliest = needed_by->AddDays(-within);
      latest = needed_by;
      e.Fact("next_visit_earliest", Ds(*earliest));
      e.Fact("next_visit_latest", Ds(*latest));
    }
    e.AddTask(first ? "ppp.test.before-rx" : "ppp.test.monthly", TaskKind::kPregnancyTest,
              first ? "Supervised pregnancy test (no more than 3 days before prescribing)"
                    : "Monthly supervised pregnancy test and prescription",
              earliest, latest.value_or(e.as_of), latest, {"prescription", "dispense"},
              "Prescribe within " + Plural(max_days, "day") + " of the test; dispense within " +
                  Plural(R.Int("ppp.dispense.within"), "day") + " of the prescription.");
  }
  e.Prescribe(R.Reason(
      "supply-limit", false, "ppp.rx.max-supply",
      Cat("Prescribe at most ", Plural(R.Int("ppp.rx.max-supply"), "day"), " of treatment.")));

  // Dispensing: within 7 days of a prescription that had a test <= 3 days before it.
  const internal::RxView* pending = e.PendingRx();
  if (!pending) {
    e.Dispense(R.Reason("no-prescription", true, "ppp.dispense.within",
                        "No prescription is waiting to be dispensed."));
  } else {
    const Date rx = pending->event->date;
    const int within = R.Int("ppp.dispense.within");
    const Date by = rx.AddDays(within);
    e.st.may_dispense.by = by;
    e.Fact("dispense_by", Ds(by));
    if (e.as_of > by) {
      e.Dispense(
          R.Reason("dispense-window-passed", true, "ppp.dispense.within",
                   Cat("The prescription of ", Ds(rx), " could be dispensed up to ", Ds(by), " (",
                       Plural(within, "day"), "); it is ", Plural(rx.DaysUntil(e.as_of), "day"),
                       " old. A new test and prescription are needed.")));
    } else {
      e.Dispense(R.Reason("dispense-within", false, "ppp.dispense.within",
                          Cat("Prescription of ", Ds(rx), ": dispense by ", Ds(by), ".")));
      if (!e.ended()) {
        e.AddTask("ppp.dispense.within", TaskKind::kDispense,
                  "Dispense the prescription of " + Ds(rx), rx, by, by, {"next doses"});
      }
    }
    bool rx_tested = false;
    for (const TestView& t : rec.tests) {
      if (t.negative() && Supervised(t) && t.specimen() <= rx &&
          t.specimen().DaysUntil(rx) <= max_days) {
        rx_tested = true;
      }
    }
    if (!rx_tested) {
      e.Dispense(R.Reason("prescription-without-recent-test", true, "ppp.test.before-rx",
                          Cat("No supervised negative test in the ", Plural(max_days, "day"),
                              " before the prescription of ", Ds(rx), ".")));
    }
    CheckPendingRx(e, *pending, "ppp.rx.max-supply", std::nullopt);
  }
  if (e.st.section.state.empty() && e.ended()) e.st.section.state = "post_treatment";
  if (e.st.section.state.empty()) {
    bool blocked = std::any_of(e.st.may_prescribe.reasons.begin(), e.st.may_prescribe.reasons.end(),
                               [](const Reason& r) { return r.blocking; });
    e.st.section.state =
        pending && e.as_of <= pending->event->date.AddDays(R.Int("ppp.dispense.within"))
            ? "prescribed"
        : first ? (blocked ? "pre_start" : "ready")
                : (blocked ? "awaiting_test" : "ready");
  }
  if (uk) EvaluateMhra(e, first);
  PostTreatmentTasks(e, "ppp.test.post", "ppp.post.contraception", true);
}

void Finish(ProgramState& st) {
  auto decide = [](Decision& d) {
    d.allowed = std::none_of(d.reasons.begin(), d.reasons.end(),
                             [](const Reason& r) { return r.blocking; });
  };
  decide(st.may_prescribe);
  decide(st.may_dispense);
  std::stable_sort(st.tasks.begin(), st.tasks.end(), [](const Task& a, const Task& b) {
    auto key = [](const Task& t) { return t.due ? t.due : t.latest; };
    return key(a) < key(b);
  });
}

}  // namespace

Result<ProgramState> EvaluateProgram(const course::ResolvedTimeline& timeline,
                                     const course::CourseFacts& facts, const KnowledgeBase& kb,
                                     Date as_of, const course::Settings& settings) {
  const Jurisdiction j = facts.jurisdiction;
  bool before_first = false;
  const ProgramPack* pack = PackInForce(
      kb, j, as_of,
      j == Jurisdiction::kUS ? std::optional(settings.ipledge_2026_cutover) : std::nullopt,
      &before_first);
  if (!pack) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     std::string("no pregnancy-prevention rule pack for ") + JurisdictionName(j) +
                         " (knowledge/program-packs.yaml not loaded?)");
  }
  // A validated knowledge base has every rule the code reads (the loader checks
  // kRequiredRules); a hand-built one may not. Rules records what it could not find
  // and the evaluation is refused below, so a missing rule never yields a decision.

  std::optional<ProgramCategory> category;
  if (facts.category) {
    category = *facts.category == course::PregnancyPotential::kCanGetPregnant
                   ? ProgramCategory::kCanGetPregnant
                   : ProgramCategory::kCannotGetPregnant;
  }
  ProgramState st;
  st.may_prescribe.reasons.reserve(16);
  st.may_dispense.reasons.reserve(16);
  st.tasks.reserve(8);
  course::Scratch<Record> record;
  internal::CollectInto(timeline, as_of, *record);
  Eval e{facts, as_of, settings, Rules(kb, j, *pack, category), *record, st, {}};
  st.section.applies = true;
  st.section.rule_pack = pack->meta.id;
  st.section.pack_version = pack->version;
  st.section.category = facts.category;
  if (before_first) {
    course::Reason r;
    r.code = "date-before-first-pack";
    r.message = "The date precedes every rule pack for " + std::string(JurisdictionName(j)) +
                "; evaluated under the earliest, " + pack->meta.id + ".";
    r.explanation.rule_id = pack->meta.id;
    r.explanation.rule_pack = pack->meta.id;
    r.explanation.pack_version = pack->version;
    r.explanation.citation = pack->meta.citation;
    st.section.notes.push_back(r);
  }
  if (j == Jurisdiction::kUS) {
    e.Fact("ipledge_2026_cutover", Ds(settings.ipledge_2026_cutover));
    if (pack->meta.id == kUsV2026Pack || !pack->verified) {
      const ProgramPack* v26 = nullptr;
      for (const ProgramPack& p : kb.program_packs) {
        if (p.meta.id == kUsV2026Pack) v26 = &p;
      }
      if (v26 && !v26->verified) {
        course::Reason r;
        r.code = "cutover-unverified";
        r.message = "The go-live of the 2026 REMS (" + Ds(settings.ipledge_2026_cutover) +
                    ", a setting) is not confirmed: " + v26->meta.note;
        r.explanation.rule_id = v26->meta.id;
        r.explanation.rule_pack = pack->meta.id;
        r.explanation.pack_version = pack->version;
        r.explanation.citation = v26->meta.citation;
        st.section.notes.push_back(r);
      }
    }
    EvaluateIpledge(e);
  } else {
    EvaluatePpp(e);
  }
  if (std::string missing = e.rules.Missing(); !missing.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     std::string("the knowledge base lacks program rules for ") +
                         JurisdictionName(j) + ": " + missing +
                         " (knowledge/program-*.yaml not loaded?)");
  }
  Finish(st);
  return st;
}

}  // namespace isocourse::program
