// `isocourse evaluate TIMELINE.json --as-of DATE [--json] [--settings FILE]`: the course
// engine's assessment of one patient's timeline on a date (docs/course-engine.md).
#include <fmt/core.h>

#include <boost/json/serialize.hpp>

#include <memory>

#include "cli/app.h"
#include "cli/course_inputs.h"
#include "codec/assessment_json.h"
#include "core/course/evaluate.h"

namespace isocourse::cli {

namespace {

struct EvaluateOptions {
  std::string timeline;
  std::string as_of;
  std::string settings;
  bool json = false;
};

std::string Cite(const course::Explanation& e) {
  std::string out(e.rule_id);
  if (!e.citation.source.empty()) out += "; " + e.citation.ToString();
  return "[" + out + "]";
}

std::string Opt(const std::optional<Date>& d) { return d ? d->ToString() : "-"; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == '_') c = ' ';
  }
  return out;
}

void PrintDecision(const char* what, const course::Decision& d, bool dispense) {
  fmt::print("{}: {}", what, d.allowed ? "YES" : "NO");
  if (dispense && d.by) fmt::print(" (dispense by {})", d.by->ToString());
  fmt::print("\n");
  for (const course::Reason& r : d.reasons) {
    fmt::print("  {} {}  {}\n", r.blocking ? "x" : "-", r.message, Cite(r.explanation));
  }
}

void PrintReport(const course::Assessment& a) {
  fmt::print("Patient {}, as of {} ({}; knowledge {}; rule packs:", a.patient.value(),
             a.as_of.ToString(), JurisdictionName(a.jurisdiction),
             a.knowledge_version.substr(0, 12));
  for (const std::string& p : a.rule_packs) fmt::print(" {};", p);
  fmt::print(")\nPhase: {}\n\n", course::Name(a.phase));

  PrintDecision("May prescribe today", a.may_prescribe, false);
  PrintDecision("May dispense today", a.may_dispense, true);

  fmt::print("\nCandidacy: {}", course::Name(a.candidacy.verdict));
  if (a.candidacy.age_years) fmt::print(" (age {})", *a.candidacy.age_years);
  fmt::print("\n");
  for (const course::Reason& r : a.candidacy.reasons) {
    fmt::print("  {:<8} {}  {}\n", r.code, r.message, Cite(r.explanation));
  }
  for (const course::Finding& f : a.candidacy.findings) {
    fmt::print("  {:<8} {}{}  {}\n", Upper(SeverityName(f.severity)), f.message,
               f.action.empty() ? "" : " Action: " + std::string(f.action), Cite(f.explanation));
  }

  const course::DoseSection& d = a.dose;
  fmt::print("\nDose: ");
  if (d.has_doses) {
    fmt::print("{:.0f} mg taken ({:.1f} mg/kg of a {:.0f} mg/kg target), {} days on drug",
               d.cumulative_mg.value(), d.cumulative_per_kg.value(), d.target.value(),
               d.days_on_drug);
    if (d.current_daily.value() > 0) {
      fmt::print(", now {:.0f} mg/day ({:.2f} mg/kg/day)", d.current_daily.value(),
                 d.current_per_kg_day.value());
    }
    if (d.projected_target_date)
      fmt::print(", target reached about {}", Opt(d.projected_target_date));
    fmt::print("\n");
  } else {
    fmt::print("none taken yet (target {:.0f} mg/kg, from {})\n", d.target.value(),
               d.target_source);
  }
  if (d.second_course_earliest) {
    fmt::print("  second course from {} ({})  {}\n", d.second_course_earliest->ToString(),
               d.second_course_eligible.value_or(false) ? "eligible now" : "not yet",
               Cite(d.retreatment_rule));
  }
  for (const course::Reason& r : d.notes) {
    fmt::print("  - {}  {}\n", r.message, Cite(r.explanation));
  }

  if (a.program.applies) {
    fmt::print("\nProgram: {} ({} {}), state {}", a.program.program, a.program.rule_pack,
               a.program.pack_version, a.program.state);
    if (a.program.window_end) {
      fmt::print(", window {} to {}", Opt(a.program.window_start), Opt(a.program.window_end));
    }
    if (a.program.lockout_until) fmt::print(", locked out until {}", Opt(a.program.lockout_until));
    fmt::print("\n");
    for (const course::Reason& r : a.program.notes) {
      fmt::print("  - {}  {}\n", r.message, Cite(r.explanation));
    }
  }

  fmt::print("\nLabs (profile {}):\n", course::Name(a.labs.profile));
  if (a.labs.results.empty()) fmt::print("  none recorded\n");
  for (const course::LabResultView& v : a.labs.results) {
    fmt::print("  {}  {:<12} {} {}  {}{}\n", v.date.ToString(), v.analyte, v.value,
               course::Name(v.unit), Upper(course::Name(v.flag)),
               v.unreliable && v.flag != course::LabFlag::kUnreliable ? " (unreliable)" : "");
    for (const course::Reason& r : v.reasons) {
      fmt::print("      {}  {}\n", r.message, Cite(r.explanation));
    }
  }

  fmt::print("\nAlerts:\n");
  if (a.alerts.empty()) fmt::print("  none\n");
  for (const course::Alert& al : a.alerts) {
    fmt::print("  [{}] {} {}: {}\n", Upper(course::Name(al.urgency)),
               Upper(SeverityName(al.severity)), al.title, al.message);
    if (!al.action.empty()) fmt::print("      Action: {}\n", al.action);
    fmt::print("      {}\n", Cite(al.explanation));
  }

  fmt::print("\nTasks:\n");
  bool any = false;
  for (const course::Task& t : a.tasks) {
    if (t.status == course::TaskStatus::kDone) continue;
    any = true;
    std::string when = t.due ? "due " + t.due->ToString() : "due now";
    if (t.earliest || t.latest) when += " (" + Opt(t.earliest) + " to " + Opt(t.latest) + ")";
    fmt::print("  {:<38} {:<10} {}\n", when, Upper(course::Name(t.status)), t.title);
    if (!t.detail.empty()) fmt::print("      {}\n", t.detail);
    if (!t.unblocks.empty()) {
      std::string u;
      for (std::string_view s : t.unblocks) u += (u.empty() ? "" : ", ") + std::string(s);
      fmt::print("      unblocks: {}\n", u);
    }
    if (!t.blocked_by.empty()) fmt::print("      blocked by: {}\n", t.blocked_by);
    fmt::print("      {}\n", Cite(t.explanation));
  }
  if (!any) fmt::print("  none pending\n");
}

}  // namespace

void RegisterEvaluateCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<EvaluateOptions>();
  CLI::App* cmd =
      app.add_subcommand("evaluate",
                         "Assess a patient's timeline on a date: phase, candidacy, dose, program, "
                         "may prescribe/dispense, labs, alerts and due tasks");
  cmd->add_option("timeline", opts->timeline, "Timeline JSON file (docs/timeline.md)")->required();
  cmd->add_option("--as-of", opts->as_of, "The evaluation date, YYYY-MM-DD")->required();
  cmd->add_option("--settings", opts->settings,
                  "Settings JSON file (lab_profile, retreatment, ipledge_2026_cutover...)");
  cmd->add_flag("--json", opts->json, "Print the assessment as JSON");
  cmd->footer(
      "Examples:\n"
      "  isocourse evaluate docs/examples/timeline-us-active.json --as-of 2026-03-01\n"
      "  isocourse evaluate patient.json --as-of 2026-03-01 --json --settings clinic.json\n"
      "Exit codes: 0 assessed (even if the answer is 'may not prescribe'), 2 bad timeline or "
      "settings (the message names the event and field), 3 knowledge invalid, 4 unreadable "
      "file.");
  cmd->callback([opts, &ctx] {
    auto as_of = Date::Parse(opts->as_of, "--as-of");
    if (!as_of) return ctx.Fail(as_of.error());
    auto in = ReadCourseInputs(opts->timeline, opts->settings);
    if (!in) return ctx.Fail(in.error());
    const KnowledgeBase* kb = ctx.Knowledge();
    if (!kb) return;
    auto a = course::Evaluate(in->timeline, *kb, *as_of, in->settings);
    if (!a) {
      Error e = a.error();
      if (e.code == ErrorCode::kInvalidArgument) e.where = opts->timeline + ": " + e.where;
      return ctx.Fail(e);
    }
    if (opts->json) {
      fmt::print("{}", codec::PrettyJson(codec::AssessmentToJson(*a)));
    } else {
      PrintReport(*a);
    }
  });
}

}  // namespace isocourse::cli
