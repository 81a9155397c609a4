// The forecaster: from today's program state and the planned dates (or none), the
// schedule of tests, visits, prescriptions and pickups that keeps every window open
// with the fewest visits, and a warning for each planned date that would make a step
// slip (a confirmation test too early, a pickup after the window, a monthly test after
// the supply runs out...). Each proposed step and warning cites the rule behind it.
//
// Planning choices (stated in docs/programs.md, "Forecaster"):
// - Everything that can share a day shares it: counseling, questions, contraception
//   entries and the prescription go on the test day; the pickup is proposed the same
//   day.
// - A monthly test is proposed on the first day whose window still covers the day the
//   supply runs out (US: 6 days before it is needed; EU/UK: 7 days, the dispensing
//   limit), which leaves the whole window for pharmacy or insurance delays; its
//   latest day is the day the next supply is needed.
// - The confirmation test is proposed on its first allowed day, moved to the next
//   expected first-5-days-of-menses when cycles are regular and a period start is
//   recorded (cycle length from knowledge: ipledge.plan.cycle-length).
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "core/program/program.h"
#include "core/program/program_internal.h"
#include "core/program/program_knowledge.h"

namespace isocourse::program {

namespace {

using internal::Ds;
using internal::Plural;
using internal::Record;
using internal::Rules;
using internal::TestView;

class Planner {
 public:
  Planner(const Rules& rules, std::optional<ProgramCategory> category,
          std::optional<Date> us_cutover, Record rec, const ProgramState& now,
          const course::CourseFacts& facts, Date as_of, const ForecastRequest& req)
      : R(rules),
        category_(category),
        us_cutover_(us_cutover),
        rec_(std::move(rec)),
        now_(now),
        facts_(facts),
        as_of_(as_of),
        horizon_(as_of.AddDays(std::max(req.horizon_days, 1))) {
    std::vector<PlannedStep> planned = req.planned;
    std::stable_sort(planned.begin(), planned.end(),
                     [](const PlannedStep& a, const PlannedStep& b) { return a.date < b.date; });
    for (const PlannedStep& s : planned) {
      if (s.date < as_of) {
        Warn(std::string(course::Name(s.kind)) + " planned on " + Ds(s.date),
             "The planned date is before today (" + Ds(as_of) + ") and is ignored.", "");
        continue;
      }
      plan_[s.kind].push_back(s);
    }
  }

  // The next planned step of this kind, if any (consumed).
  std::optional<PlannedStep> Pop(StepKind kind) {
    auto it = plan_.find(kind);
    if (it == plan_.end() || it->second.empty()) return std::nullopt;
    PlannedStep s = it->second.front();
    it->second.pop_front();
    return s;
  }
  // The planned date of the next step of this kind, else `proposed`.
  Date Choose(StepKind kind, Date proposed, bool* from_plan) {
    auto s = Pop(kind);
    *from_plan = s.has_value();
    return s ? s->date : proposed;
  }

  void Step(StepKind kind, std::string title, std::optional<Date> earliest,
            std::optional<Date> latest, Date proposed, bool from_plan, std::string detail,
            std::string_view rule, bool in_person) {
    ForecastStep s;
    s.kind = kind;
    s.title = std::move(title);
    s.earliest = earliest;
    s.latest = latest;
    s.proposed = proposed;
    s.from_plan = from_plan;
    s.detail = std::move(detail);
    if (!rule.empty()) s.explanation = R.Explain(rule);
    out_.steps.push_back(std::move(s));
    if (in_person) visit_days_.insert(proposed.days_since_epoch());
  }
  void Warn(std::string step, std::string message, std::string_view rule, bool slips = false) {
    ForecastWarning w;
    w.step = std::move(step);
    w.message = std::move(message);
    if (!rule.empty()) w.explanation = R.Explain(rule);
    w.slips = slips;
    out_.warnings.push_back(std::move(w));
  }
  // A planned date that makes a step slip.
  void Slip(std::string step, std::string message, std::string_view rule) {
    Warn(std::move(step), std::move(message), rule, true);
  }

  ForecastResult Finish() {
    for (const auto& [kind, left] : plan_) {
      for (const PlannedStep& s : left) {
        Warn(std::string(course::Name(kind)) + " planned on " + Ds(s.date),
             "No program step needs this date within the forecast (up to " + Ds(horizon_) +
                 "); it was not used.",
             "");
      }
    }
    std::stable_sort(
        out_.steps.begin(), out_.steps.end(),
        [](const ForecastStep& a, const ForecastStep& b) { return a.proposed < b.proposed; });
    out_.visits = static_cast<int>(visit_days_.size());
    return std::move(out_);
  }

  void Run() {
    if (R.jurisdiction() == Jurisdiction::kUS) {
      RunIpledge();
    } else {
      RunPpp();
    }
    PostTreatment();
  }

 private:
  bool cgp() const { return facts_.category == course::PregnancyPotential::kCanGetPregnant; }
  bool ended() const {
    return facts_.completed || facts_.discontinued ||
           (facts_.end_date && *facts_.end_date <= as_of_);
  }
  bool started() const { return rec_.first_dispense.has_value(); }  // as in program.cpp
  int SupplyDays() const {
    const int max_days = R.Int(R.jurisdiction() == Jurisdiction::kUS ? "ipledge.rx.max-supply"
                                                                     : "ppp.rx.max-supply");
    if (!rec_.prescriptions.empty()) {
      return std::min(std::max(rec_.prescriptions.back().data->days_supply, 1), max_days);
    }
    return max_days;
  }
  std::optional<Date> NeededBy() const {
    if (facts_.supply_runs_out) return facts_.supply_runs_out->AddDays(1);
    if (rec_.last_dispense)
      return rec_.last_dispense->AddDays(std::max(rec_.last_dispense_days, 1));
    return std::nullopt;
  }
  // The day the supply after a pickup runs out: capsules picked up early are taken
  // after the previous supply (as the dose ledger counts them), so an early pickup
  // does not move the schedule earlier.
  static Date Next(Date pickup, Date needed, int supply) {
    return std::max(pickup, needed).AddDays(supply);
  }
  // Can a monthly test be done at home (V2026, prescriber opted in, during treatment)?
  bool HomeTestsAllowed() const {
    return R.InForce("ipledge.test.home.opt-in") && facts_.home_tests_opt_in;
  }

  // The first day on or after `from` in the first N days of an expected period.
  std::pair<Date, std::string> MensesAligned(Date from) const {
    if (!facts_.regular_cycles) return {from, ""};
    const int days = R.Int("ipledge.test.confirmation.menses");
    if (rec_.menses.empty()) {
      return {from, "Regular cycles: book it in the first " + Plural(days, "day") +
                        " of a period (no period start recorded to predict it)."};
    }
    const int cycle = R.Int("ipledge.plan.cycle-length");
    Date start = rec_.menses.back();
    while (start.AddDays(days - 1) < from) start = start.AddDays(cycle);
    return {std::max(start, from), "Next period expected from " + Ds(start) + " (" +
                                       Plural(cycle, "day") + " cycle assumed); cycle day 1-" +
                                       std::to_string(days) + "."};
  }
  bool InMenses(Date d) const {
    if (!facts_.regular_cycles || rec_.menses.empty()) return true;
    const int days = R.Int("ipledge.test.confirmation.menses");
    const int cycle = R.Int("ipledge.plan.cycle-length");
    Date start = rec_.menses.back();
    if (d < start) return true;  // cannot predict backwards; do not warn
    int offset = start.DaysUntil(d) % cycle;
    return offset < days;
  }

  // --- US iPLEDGE ----------------------------------------------------------------------

  void RunIpledge() {
    if (ended()) return;
    if (!facts_.category) {
      Warn("enrollment", "The risk category is not recorded; no schedule can be proposed.",
           "ipledge.enrollment.required");
      return;
    }
    const int supply = SupplyDays();
    std::optional<Date> needed;  // the day the next supply is needed
    if (!started()) {
      auto first = cgp() ? IpledgeFirstCgp() : IpledgeFirstNcgp();
      if (!first) return;
      needed = first->AddDays(supply);
    } else {
      needed = NeededBy();
      // A window open today with no pickup yet: finish this cycle first.
      if (now_.section.window_end && now_.section.window_end >= as_of_) {
        auto p = IpledgeFinishWindow(*now_.section.window_start, *now_.section.window_end,
                                     /*first=*/false, needed);
        if (!p) return;
        needed = needed ? Next(*p, *needed, supply) : p->AddDays(supply);
      }
    }
    IpledgeMonthly(needed);
  }

  // Enrollment visit, screening, confirmation, first prescription and pickup. Returns
  // the first pickup day, or nullopt when it falls beyond the horizon.
  std::optional<Date> IpledgeFirstCgp() {
    bool fp = false;
    Date visit = as_of_;
    const bool need_visit =
        !rec_.enrollment || rec_.consents.empty() || rec_.counseling.empty() || !rec_.clinic_entry;
    if (need_visit) {
      visit = Choose(StepKind::kVisit, as_of_, &fp);
      std::string what;
      if (!rec_.enrollment) what += "register in iPLEDGE, ";
      if (rec_.consents.empty()) what += "sign consent, ";
      if (rec_.counseling.empty()) what += "counsel, ";
      if (!rec_.clinic_entry) what += "start and enter two methods of contraception, ";
      what.resize(what.size() - 2);
      Step(StepKind::kVisit, "Enrollment visit", as_of_, std::nullopt, visit, fp,
           "At this visit: " + what + ".", "ipledge.enrollment.required", true);
    }
    // Contraception lead-in: the clinic's methods, or assumed to start at the visit.
    std::optional<Date> lead_from;
    if (rec_.clinic_entry) {
      auto cc = internal::CheckContraception(R.kb(), *rec_.clinic_entry->data, as_of_,
                                             internal::ContraceptionRules::kIpledge);
      if (cc.adequate) lead_from = cc.effective_from;
    }
    if (!lead_from) lead_from = visit;
    const Date after_lead_in =
        lead_from->AddMonths(R.Int("ipledge.test.confirmation.after-lead-in"));

    // Screening test.
    const TestView* screening = nullptr;
    for (const TestView& t : rec_.tests) {
      if (t.negative() && t.data->purpose != course::PregnancyTestPurpose::kConfirmation) {
        screening = &t;
        break;
      }
    }
    Date screen;
    if (screening) {
      screen = screening->specimen();
    } else {
      screen = Choose(StepKind::kPregnancyTest, visit, &fp);
      Step(StepKind::kPregnancyTest, "Screening pregnancy test (test 1)", as_of_, std::nullopt,
           screen, fp,
           R.InForce("ipledge.test.pre-treatment.clia") ? "In a CLIA-certified laboratory."
                                                        : "In a medical setting.",
           "ipledge.test.screening", true);
    }

    // Confirmation test: an open window from an existing one, else schedule it.
    if (now_.section.window_start && now_.section.window_end &&
        *now_.section.window_end >= as_of_) {
      return IpledgeFinishWindow(*now_.section.window_start, *now_.section.window_end, true,
                                 std::nullopt);
    }
    const int gap = R.Int("ipledge.test.confirmation.min-gap");
    Date earliest = std::max({screen.AddDays(gap), after_lead_in, as_of_});
    std::string why = Plural(gap, "day") + " after the screening test (" + Ds(screen) + ")";
    std::string_view rule = "ipledge.test.confirmation.min-gap";
    if (after_lead_in > screen.AddDays(gap)) {
      why += " and 1 month on two methods (" + Ds(after_lead_in) + ")";
    }
    if (now_.section.lockout_until && *now_.section.lockout_until > earliest) {
      earliest = *now_.section.lockout_until;
      why += "; lockout until " + Ds(earliest);
      rule = "ipledge.missed-first-window.lockout";
    }
    while (true) {
      UseRulesOn(earliest);
      auto [aligned, note] = MensesAligned(earliest);
      if (aligned > horizon_) {
        Warn("confirmation test",
             "The first allowed day (" + Ds(aligned) + ") is beyond the forecast horizon.", rule);
        return std::nullopt;
      }
      Date conf = Choose(StepKind::kPregnancyTest, aligned, &fp);
      if (fp && conf < earliest) {
        Slip("confirmation test planned on " + Ds(conf),
             "Too early: the confirmation test must be at least " + why +
                 "; the earliest valid "
                 "day is " +
                 Ds(earliest) +
                 ". The test, the first prescription and the first dose "
                 "slip to " +
                 Ds(aligned) + " or later.",
             rule);
        conf = aligned;
        fp = false;
      } else if (fp && !InMenses(conf)) {
        Slip("confirmation test planned on " + Ds(conf),
             "Not in the first " + Plural(R.Int("ipledge.test.confirmation.menses"), "day") +
                 " of an expected period; " + note + " Proposed instead: " + Ds(aligned) + ".",
             "ipledge.test.confirmation.menses");
        conf = aligned;
        fp = false;
      }
      Step(StepKind::kPregnancyTest, "Confirmation pregnancy test (test 2)", earliest, std::nullopt,
           conf, fp,
           "Earliest: " + why + ". " + (note.empty() ? "" : note + " ") +
               (R.InForce("ipledge.test.pre-treatment.clia") ? "CLIA-certified laboratory."
                                                             : "Medical setting."),
           rule, true);
      const Date end = conf.AddDays(R.Int("ipledge.window.cgp") - 1);
      auto picked = IpledgeFinishWindow(conf, end, true, std::nullopt);
      if (picked) return picked;
      UseRulesOn(end.AddDays(1));
      // The first window was missed: V2021 lockout or V2026 immediate retest.
      if (R.InForce("ipledge.missed-first-window.lockout")) {
        earliest = conf.AddDays(R.Int("ipledge.missed-first-window.lockout"));
        why = "19 days after the test that opened the missed window (" + Ds(conf) + ")";
        rule = "ipledge.missed-first-window.lockout";
      } else {
        earliest = missed_pickup_.value_or(end.AddDays(1));
        why = "the day of the missed pickup (no waiting period), in a medical setting";
        rule = "ipledge.missed-first-window.retest";
      }
    }
  }

  // Cannot get pregnant: the enrollment visit with counseling, then the prescription.
  std::optional<Date> IpledgeFirstNcgp() {
    bool fp = false;
    Date visit = as_of_;
    std::optional<Date> counseled =
        rec_.counseling.empty() ? std::nullopt : std::optional(rec_.counseling.back());
    if (!rec_.enrollment || rec_.consents.empty() || !counseled) {
      visit = Choose(StepKind::kVisit, as_of_, &fp);
      Step(StepKind::kVisit, "Enrollment visit with counseling", as_of_, std::nullopt, visit, fp,
           "Register, consent and counsel.", "ipledge.enrollment.required", true);
      counseled = visit;
    }
    if (R.InForce("ipledge.window.ncgp")) {
      const Date end = counseled->AddDays(R.Int("ipledge.window.ncgp") - 1);
      if (end < as_of_) {
        visit = Choose(StepKind::kVisit, as_of_, &fp);
        Step(StepKind::kVisit, "Visit with counseling (the last window closed)", as_of_,
             std::nullopt, visit, fp, "", "ipledge.missed-later-window.retest", true);
        counseled = visit;
      }
      return IpledgeFinishWindow(std::max(*counseled, as_of_),
                                 counseled->AddDays(R.Int("ipledge.window.ncgp") - 1), true,
                                 std::nullopt);
    }
    return IpledgeNoWindowFill(std::max(visit, as_of_), std::nullopt);
  }

  // Prescription and pickup inside [start, end]; returns the pickup day or nullopt if
  // the planned pickup misses the window (after warning). `needed_by` is the day the
  // current supply runs out (none before the first dose).
  std::optional<Date> IpledgeFinishWindow(Date start, Date end, bool first,
                                          std::optional<Date> needed_by) {
    const bool cgp_window = cgp();
    std::string_view window_rule = cgp_window ? "ipledge.window.cgp" : "ipledge.window.ncgp";
    bool fp = false;
    const Date from = std::max(start, as_of_);
    const bool has_rx =
        now_.may_dispense.by.has_value() &&
        std::none_of(now_.may_dispense.reasons.begin(), now_.may_dispense.reasons.end(),
                     [](const course::Reason& r) { return r.code == "no-prescription"; }) &&
        start == now_.section.window_start;
    if (cgp_window) {
      Step(StepKind::kComprehension, "Patient answers the questions and enters two methods", start,
           end, from, false, "Before the prescription, inside the window.",
           "ipledge.comprehension.every-rx", false);
    }
    Date rx = from;
    if (!has_rx) {
      rx = Choose(StepKind::kPrescription, from, &fp);
      if (fp && (rx < start || rx > end)) {
        Slip("prescription planned on " + Ds(rx),
             "Outside the window " + Ds(start) + " to " + Ds(end) + "; write it inside the window.",
             window_rule);
        rx = from;
        fp = false;
      }
      Step(StepKind::kPrescription, std::string(first ? "First" : "Monthly") + " prescription",
           start, end, rx, fp, "At most a 30-day supply, no refills.", window_rule, false);
    }
    Date pick = Choose(StepKind::kPickup, std::max(rx, from), &fp);
    if (fp && pick > end) {
      missed_pickup_ = pick;
      std::string msg = "The pickup on " + Ds(pick) + " is after the window closes (" + Ds(end) +
                        ", day 7 counted from the specimen date " + Ds(start) + ").";
      if (first && cgp_window && R.InForce("ipledge.missed-first-window.lockout")) {
        Date until = start.AddDays(R.Int("ipledge.missed-first-window.lockout"));
        msg +=
            " This is the first prescription: a 19-day lockout follows and the next test "
            "cannot be collected before " +
            Ds(until) + "; the first dose slips.";
        Slip("first pickup planned on " + Ds(pick), msg, "ipledge.missed-first-window.lockout");
      } else if (first && cgp_window) {
        msg +=
            " The test must be repeated (no waiting period under the 2026 REMS), in a medical "
            "setting.";
        Slip("first pickup planned on " + Ds(pick), msg, "ipledge.missed-first-window.retest");
      } else {
        msg += " The patient must re-qualify with a new " +
               std::string(cgp_window ? "test" : "visit") + " before the pickup.";
        Slip("pickup planned on " + Ds(pick), msg, "ipledge.missed-later-window.retest");
      }
      if (first && cgp_window) return std::nullopt;
      // A later window: re-qualify on the planned pickup day.
      Step(cgp_window ? StepKind::kPregnancyTest : StepKind::kVisit,
           cgp_window ? "Repeat pregnancy test (window missed)" : "Visit (window missed)", pick,
           std::nullopt, pick, false, "", "ipledge.missed-later-window.retest",
           !(cgp_window && HomeTestsAllowed()));
    }
    if (needed_by && pick > *needed_by) {
      Slip("pickup on " + Ds(pick),
           "The supply runs out on " + Ds(needed_by->AddDays(-1)) + ": " +
               Plural(needed_by->DaysUntil(pick), "day") + " without isotretinoin.",
           "ipledge.test.monthly");
    }
    Step(StepKind::kPickup, "Pickup (RMA)", start, end, pick, fp,
         "Dispense by " + Ds(std::max(end, pick)) + ".", "ipledge.dispense-by", false);
    return pick;
  }

  // V2026, cannot get pregnant: no window; prescribe and pick up before running out.
  std::optional<Date> IpledgeNoWindowFill(Date from, std::optional<Date> needed_by) {
    bool fp = false;
    Date latest = needed_by.value_or(from);
    Date rx = Choose(StepKind::kPrescription, from, &fp);
    Step(StepKind::kPrescription, "Prescription", std::nullopt, needed_by, rx, fp,
         "No window applies under the 2026 REMS.", "ipledge.window.ncgp-none", false);
    Date pick = Choose(StepKind::kPickup, std::max(rx, from), &fp);
    if (needed_by && pick > latest) {
      Slip("pickup on " + Ds(pick),
           "The supply runs out on " + Ds(latest.AddDays(-1)) + ": " +
               Plural(latest.DaysUntil(pick), "day") + " without isotretinoin.",
           "ipledge.window.ncgp-none");
    }
    Step(StepKind::kPickup, "Pickup", rx, needed_by, pick, fp, "", "ipledge.window.ncgp-none",
         false);
    return pick;
  }

  void IpledgeMonthly(std::optional<Date> needed) {
    const int supply = SupplyDays();
    for (int month = 1; needed && *needed <= horizon_ && month <= 24; ++month) {
      UseRulesOn(needed->AddDays(-6));
      if (cgp()) {
        const int win = R.Int("ipledge.window.cgp");
        const Date earliest = needed->AddDays(-(win - 1));
        bool fp = false;
        Date proposed = std::max(earliest, as_of_);
        Date test = Choose(StepKind::kPregnancyTest, proposed, &fp);
        if (fp && test > *needed) {
          Slip("monthly test planned on " + Ds(test),
               "The supply runs out on " + Ds(needed->AddDays(-1)) + "; with the test on " +
                   Ds(test) + " the earliest pickup leaves " +
                   Plural(needed->DaysUntil(test), "day") + " without isotretinoin. Test by " +
                   Ds(*needed) + " (from " + Ds(earliest) + ").",
               "ipledge.test.monthly");
        }
        const bool home = HomeTestsAllowed();
        Step(StepKind::kPregnancyTest,
             "Monthly pregnancy test (month " + std::to_string(month + 1) + ")", earliest, *needed,
             test, fp,
             std::string(home ? "May be a home test (prescriber opted in). " : "") +
                 "Counseling and the patient's questions on the same day; the window runs 7 "
                 "days from the specimen date.",
             "ipledge.test.monthly", !home);
        auto pick = IpledgeFinishWindow(test, test.AddDays(win - 1), false, needed);
        if (!pick) return;
        needed = Next(*pick, *needed, supply);
      } else if (R.InForce("ipledge.window.ncgp")) {
        const int win = R.Int("ipledge.window.ncgp");
        const Date earliest = needed->AddDays(-(win - 1));
        bool fp = false;
        Date visit = Choose(StepKind::kVisit, std::max(needed->AddDays(-6), as_of_), &fp);
        if (fp && visit > *needed) {
          Slip("visit planned on " + Ds(visit),
               "The supply runs out on " + Ds(needed->AddDays(-1)) + ": " +
                   Plural(needed->DaysUntil(visit), "day") + " without isotretinoin.",
               "ipledge.counseling.monthly");
        }
        Step(StepKind::kVisit,
             "Monthly visit with counseling (month " + std::to_string(month + 1) + ")", earliest,
             *needed, visit, fp, "Opens a 30-day window.", "ipledge.counseling.monthly", true);
        auto pick = IpledgeFinishWindow(visit, visit.AddDays(win - 1), false, needed);
        if (!pick) return;
        needed = Next(*pick, *needed, supply);
      } else {
        auto pick = IpledgeNoWindowFill(std::max(needed->AddDays(-6), as_of_), needed);
        if (!pick) return;
        needed = Next(*pick, *needed, supply);
      }
    }
  }

  // --- EU / UK -------------------------------------------------------------------------

  void RunPpp() {
    if (ended()) return;
    const bool uk = R.jurisdiction() == Jurisdiction::kUK;
    bool fp = false;
    if (!started() && uk) {
      // MHRA items that must precede the first prescription share one visit.
      std::string what;
      if (rec_.mental_health_assessments.empty() || rec_.sexual_function_assessments.empty()) {
        what += "mental-health and sexual-function assessment (in person), ";
      }
      if (rec_.acknowledgement_forms.empty()) what += "acknowledgement-of-risk form, ";
      for (const course::Reason& r : now_.may_prescribe.reasons) {
        if (r.code == "second-prescriber-missing") what += "second prescriber's agreement, ";
      }
      if (!what.empty() && R.InForce("mhra.assessment.before-start")) {
        what.resize(what.size() - 2);
        Date visit = Choose(StepKind::kVisit, as_of_, &fp);
        Step(StepKind::kVisit, "Initiation visit", as_of_, std::nullopt, visit, fp,
             "Before the first prescription: " + what + ".", "mhra.assessment.before-start", true);
      }
    }
    if (!cgp()) return;  // the PPP's tests and windows apply to childbearing potential only
    const int within = R.Int("ppp.dispense.within");
    const int supply = SupplyDays();

    std::optional<Date> needed = NeededBy();
    if (!started()) {
      Date first = as_of_;
      std::string why = "today";
      if (rec_.clinic_entry || rec_.patient_entry) {
        const auto& entry = rec_.clinic_entry ? rec_.clinic_entry : rec_.patient_entry;
        auto cc = internal::CheckContraception(R.kb(), *entry->data, as_of_,
                                               internal::ContraceptionRules::kPpp);
        if (cc.adequate) {
          Date ready = cc.effective_from->AddMonths(R.Int("ppp.contraception.lead-in"));
          if (ready > first) {
            first = ready;
            why = "1 month after contraception started (" + Ds(*cc.effective_from) + ")";
          }
        } else {
          Warn("contraception",
               "Contraception does not yet qualify (" + cc.problem +
                   "); the first prescription is 1 month after it does.",
               "ppp.contraception.methods");
          first = as_of_.AddMonths(R.Int("ppp.contraception.lead-in"));
          why = "1 month after qualifying contraception starts (assumed today)";
        }
      } else {
        Warn("contraception",
             "No contraception is recorded; the first prescription is 1 month "
             "after qualifying contraception starts (assumed today).",
             "ppp.contraception.methods");
        first = as_of_.AddMonths(R.Int("ppp.contraception.lead-in"));
        why = "1 month after qualifying contraception starts (assumed today)";
      }
      if (first > horizon_) return;
      auto pick = PppCycle(first, std::nullopt, "First", why);
      if (!pick) return;
      needed = pick->AddDays(supply);
    } else if (now_.may_dispense.by && *now_.may_dispense.by >= as_of_ &&
               std::none_of(now_.may_dispense.reasons.begin(), now_.may_dispense.reasons.end(),
                            [](const course::Reason& r) { return r.code == "no-prescription"; })) {
      // A prescription waits to be dispensed.
      Date pick = Choose(StepKind::kPickup, as_of_, &fp);
      if (fp && pick > *now_.may_dispense.by) {
        Slip("pickup planned on " + Ds(pick),
             "More than " + Plural(within, "day") + " after the prescription (dispense by " +
                 Ds(*now_.may_dispense.by) + "); a new test and prescription would be needed.",
             "ppp.dispense.within");
      }
      Step(StepKind::kPickup, "Dispensing", as_of_, *now_.may_dispense.by, pick, fp, "",
           "ppp.dispense.within", false);
      needed = needed ? Next(pick, *needed, supply) : pick.AddDays(supply);
    }
    for (int month = 1; needed && *needed <= horizon_ && month <= 24; ++month) {
      Date visit = std::max(needed->AddDays(-within), as_of_);
      UseRulesOn(visit);
      auto pick = PppCycle(visit, needed, "Monthly", "");
      if (!pick) return;
      needed = Next(*pick, *needed, supply);
    }
  }

  // One PPP cycle: supervised test, prescription within 3 days, dispensing within 7.
  std::optional<Date> PppCycle(Date proposed, std::optional<Date> needed_by, std::string label,
                               std::string why) {
    const int before = R.Int("ppp.test.before-rx");
    const int within = R.Int("ppp.dispense.within");
    bool fp = false;
    Date test = Choose(StepKind::kPregnancyTest, proposed, &fp);
    std::optional<Date> earliest =
        needed_by ? std::optional(needed_by->AddDays(-within)) : std::optional(proposed);
    Step(StepKind::kPregnancyTest, label + " supervised pregnancy test", earliest, needed_by, test,
         fp, why.empty() ? "" : "Earliest: " + why + ".",
         needed_by ? "ppp.test.monthly" : "ppp.test.before-rx", true);
    if (fp && !needed_by && test < proposed) {
      Slip("test planned on " + Ds(test),
           "Before the contraception lead-in ends (" + Ds(proposed) +
               "); the first prescription cannot follow within 3 days.",
           "ppp.contraception.lead-in");
    }
    bool rx_fp = false;
    Date rx = Choose(StepKind::kPrescription, std::max(test, proposed), &rx_fp);
    if (rx < test || test.DaysUntil(rx) > before) {
      Slip("prescription on " + Ds(rx),
           "The test on " + Ds(test) + " is " + Plural(test.DaysUntil(rx), "day") +
               " before it; the test must be no more than " + Plural(before, "day") +
               " before prescribing. Repeat the test on the prescription day.",
           "ppp.test.before-rx");
      Step(StepKind::kPregnancyTest, "Repeat supervised pregnancy test", rx, rx, rx, false, "",
           "ppp.test.before-rx", true);
    }
    Step(StepKind::kPrescription, label + " prescription", test, test.AddDays(before), rx, rx_fp,
         "At most 30 days of treatment.", "ppp.rx.max-supply", false);
    bool pick_fp = false;
    Date pick = Choose(StepKind::kPickup, rx, &pick_fp);
    const Date by = rx.AddDays(within);
    if (pick > by) {
      Slip("dispensing planned on " + Ds(pick),
           "More than " + Plural(within, "day") + " after the prescription of " + Ds(rx) +
               " (dispense by " + Ds(by) + "); a new test and prescription would be needed.",
           "ppp.dispense.within");
      return std::nullopt;
    }
    if (needed_by && pick > *needed_by) {
      Slip("dispensing on " + Ds(pick),
           "The supply runs out on " + Ds(needed_by->AddDays(-1)) + ": " +
               Plural(needed_by->DaysUntil(pick), "day") + " without isotretinoin.",
           "ppp.test.monthly");
    }
    Step(StepKind::kPickup, "Dispensing", rx, by, pick, pick_fp, "Dispense by " + Ds(by) + ".",
         "ppp.dispense.within", false);
    return pick;
  }

  // --- after the last dose -------------------------------------------------------------

  void PostTreatment() {
    if (!cgp() || !ended() || !facts_.last_dose) return;
    const bool us = R.jurisdiction() == Jurisdiction::kUS;
    std::string_view rule = us ? "ipledge.post.test" : "ppp.test.post";
    const int n = R.Int(rule);
    const Date due = us ? facts_.last_dose->AddMonths(n) : facts_.last_dose->AddDays(7 * n);
    for (const TestView& t : rec_.tests) {
      if (t.negative() && t.specimen() > *facts_.last_dose &&
          (t.data->purpose == course::PregnancyTestPurpose::kPostTreatment ||
           t.specimen() >= due)) {
        return;  // done
      }
    }
    bool fp = false;
    Date test = Choose(StepKind::kPregnancyTest, std::max(due, as_of_), &fp);
    if (fp && test < due) {
      Slip("post-treatment test planned on " + Ds(test),
           "Earlier than " + std::string(us ? "1 month" : "5 weeks") + " after the last dose (" +
               Ds(due) + "); it would not count as the post-treatment test.",
           rule);
    }
    const bool home = us && R.InForce("ipledge.test.home.opt-in") && facts_.home_tests_opt_in;
    Step(StepKind::kPregnancyTest, "Post-treatment pregnancy test", due, std::nullopt, test, fp,
         "Continue contraception until " +
             Ds(facts_.last_dose->AddMonths(
                 R.Int(us ? "ipledge.post.contraception" : "ppp.post.contraception"))) +
             ".",
         rule, !home);
  }

  // Switches to the pack in force on `d` (a cycle may fall after the V2026 cutover or
  // the UK changes) and says so once per change.
  void UseRulesOn(Date d) {
    const ProgramPack* p = PackInForce(R.kb(), R.jurisdiction(), d, us_cutover_);
    if (!p || p == &R.pack()) return;
    R = Rules(R.kb(), R.jurisdiction(), *p, category_);
    Warn("rule pack",
         "Steps from " + Ds(d) + " follow " + p->meta.id + " (" + p->version +
             "); its rules differ from today's.",
         "");
  }

  Rules R;
  std::optional<ProgramCategory> category_;
  std::optional<Date> us_cutover_;
  Record rec_;
  const ProgramState& now_;
  const course::CourseFacts& facts_;
  Date as_of_;
  Date horizon_;
  std::map<StepKind, std::deque<PlannedStep>> plan_;
  std::optional<Date> missed_pickup_;
  ForecastResult out_;
  std::set<int> visit_days_;
};

}  // namespace

Result<ForecastResult> Forecast(const course::ResolvedTimeline& timeline,
                                const course::CourseFacts& facts, const KnowledgeBase& kb,
                                Date as_of, const course::Settings& settings,
                                const ForecastRequest& request) {
  if (request.horizon_days < 1 || request.horizon_days > 730) {
    return InvalidArgument("horizon_days", "must be between 1 and 730 days, got " +
                                               std::to_string(request.horizon_days));
  }
  ISO_ASSIGN_OR_RETURN(ProgramState now, EvaluateProgram(timeline, facts, kb, as_of, settings));
  const Jurisdiction j = facts.jurisdiction;
  const ProgramPack* pack = PackInForce(
      kb, j, as_of,
      j == Jurisdiction::kUS ? std::optional(settings.ipledge_2026_cutover) : std::nullopt);
  std::optional<ProgramCategory> category;
  if (facts.category) {
    category = *facts.category == course::PregnancyPotential::kCanGetPregnant
                   ? ProgramCategory::kCanGetPregnant
                   : ProgramCategory::kCannotGetPregnant;
  }
  Rules rules(kb, j, *pack, category);
  Planner planner(
      rules, category,
      j == Jurisdiction::kUS ? std::optional(settings.ipledge_2026_cutover) : std::nullopt,
      internal::Collect(timeline, as_of), now, facts, as_of, request);
  for (const course::Reason& r : now.may_prescribe.reasons) {
    if (r.code == "pregnancy-test-positive") {
      planner.Warn("all steps", r.message, r.explanation.rule_id);
      return planner.Finish();
    }
  }
  planner.Run();
  return planner.Finish();
}

}  // namespace isocourse::program
