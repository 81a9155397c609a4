// `isocourse plan`: a weight-based dose plan to a cumulative target.
#include <fmt/core.h>
#include <boost/json/serialize.hpp>

#include <optional>

#include "cli/app.h"
#include "codec/plan_json.h"
#include "core/dose/planner.h"

namespace isocourse::cli {

namespace {

struct PlanOptions {
  double weight = 0;
  std::string product;
  std::optional<double> target;
  std::string start;
  std::string regimen;
  std::string phases;
  std::optional<int> doses_per_day;
  double already_taken = 0;
  bool json = false;
  bool daily = false;
};

std::string Fmt2(double v) { return fmt::format("{:.2f}", v); }

void PrintPlan(const dose::Plan& p, bool daily) {
  fmt::print("Dose plan: {} ({})\n", p.product->name, p.product->meta.id);
  fmt::print("  weight {} kg, cumulative target {} mg/kg = {:.0f} mg{}, start {}\n",
             p.weight.value(), p.target.value(), p.target_mg.value(),
             p.product->equivalence_factor != 1.0 ? " (conventional-equivalent)" : "",
             p.start.ToString());
  fmt::print("  regimen {}, {} dose(s) a day, knowledge base {}\n", p.regimen, p.doses_per_day,
             p.knowledge_version);
  if (p.already_taken.value() > 0) {
    fmt::print("  already taken before start: {:.0f} mg\n", p.already_taken.value());
  }
  fmt::print("\n{:<6}{:<10}{:<26}{:<11}{:<40}{:<11}{}\n", "Phase", "Days", "Dates", "Requested",
             "Daily dose", "mg/kg/day", "Cumulative at end");
  for (const dose::PlannedPhase& ph : p.phases) {
    fmt::print("{:<6}{:<10}{:<26}{:<11}{:<40}{:<11}{:.0f} mg ({:.1f} mg/kg)\n", ph.index,
               fmt::format("{}-{}", ph.first_day, ph.last_day),
               ph.first_date.ToString() + " to " + ph.last_date.ToString(),
               fmt::format("{:.1f} mg", ph.requested_daily.value()),
               fmt::format("{} = {:.0f} mg", ph.dose.ToString(), ph.dose.Total().value()),
               Fmt2(ph.per_kg.value()), ph.cumulative_at_end.value(),
               ph.cumulative_per_kg_at_end.value());
    fmt::print("      why: {}\n", ph.explanation);
    for (const dose::DoseAlternative& a : ph.alternatives) {
      fmt::print("      or:  {:.0f} mg/day ({}), {} mg/kg/day: {}\n", a.dose.Total().value(),
                 a.dose.ToString(), Fmt2(a.per_kg.value()), a.why);
    }
  }
  fmt::print("\n{:<6}{:<13}{:<10}{:<16}{}\n", daily ? "Day" : "Week", "Date", "Daily mg",
             "Cumulative mg", "Cumulative mg/kg");
  for (const dose::PlanDay& d : p.days) {
    bool last = &d == &p.days.back();
    if (!daily && d.day % 7 != 0 && !last) continue;
    fmt::print("{:<6}{:<13}{:<10}{:<16}{:.1f}\n",
               daily ? std::to_string(d.day) : (d.day % 7 == 0 ? std::to_string(d.day / 7) : "end"),
               d.date.ToString(), fmt::format("{:.0f}", d.daily.value()),
               fmt::format("{:.0f}", d.cumulative.value()), d.cumulative_per_kg.value());
  }
  if (p.target_date) {
    fmt::print("\nTarget {} mg/kg reached on {} (day {}).\n", p.target.value(),
               p.target_date->ToString(), *p.days_to_target);
  } else {
    fmt::print("\nTarget {} mg/kg is not reached by this regimen.\n", p.target.value());
  }
  if (!p.notes.empty()) {
    fmt::print("\nWarnings and notes:\n");
    for (const dose::PlanNote& n : p.notes) {
      fmt::print("  [{}] {}: {}\n", SeverityName(n.severity), n.id, n.message);
      if (!n.detail.empty()) fmt::print("      ({})\n", n.detail);
      fmt::print("      source: {}\n", n.citation.ToString());
    }
  }
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Plan weight-based daily doses, capsules and the date a cumulative target is reached");
  cmd->add_option("--weight", opts->weight, "Body weight in kg (more than 0, at most 400)")
      ->required();
  cmd->add_option("--product", opts->product,
                  "Product: generic (Claravis, Amnesteem, Myorisan, Zenatane), absorica, "
                  "absorica-ld, roaccutane")
      ->required();
  cmd->add_option("--target", opts->target,
                  "Cumulative target in mg/kg, above 0 and at most 300 (default: the knowledge "
                  "base's standard goal, 135)");
  cmd->add_option("--start", opts->start, "First day of treatment, YYYY-MM-DD")->required();
  cmd->add_option("--regimen", opts->regimen,
                  "A regimen id from knowledge/regimens.yaml (default regimen.us.standard)");
  cmd->add_option("--phases", opts->phases,
                  "Custom phases DOSE:FIRST-LAST,... where DOSE is mg/kg/day (0.5) or mg/day "
                  "(40mg) and the last phase may be open (29-)");
  cmd->add_option("--doses-per-day", opts->doses_per_day, "1 or 2 (default: the regimen's)");
  cmd->add_option("--already-taken", opts->already_taken,
                  "mg already taken before --start (conventional-equivalent)");
  cmd->add_flag("--json", opts->json, "Print JSON instead of tables");
  cmd->add_flag("--daily", opts->daily, "Print every day instead of weekly totals");
  cmd->footer(
      "Examples:\n"
      "  isocourse plan --weight 70 --product generic --target 135 --start 2026-12-01\n"
      "  isocourse plan --weight 70 --product generic --start 2026-12-01 --phases "
      "0.5:1-28,1.0:29-\n"
      "  isocourse plan --weight 55 --product absorica-ld --start 2026-12-01 --regimen "
      "regimen.us.step-up --json\n"
      "Exit codes: 0 plan printed (warnings included), 2 bad input, 3 knowledge base invalid.");
  cmd->callback([opts, &ctx] {
    const KnowledgeBase* kb = ctx.Knowledge();
    if (!kb) return;
    dose::PlanRequest req;
    req.weight = Kilograms(opts->weight);
    req.product = opts->product;
    if (opts->target) {
      req.target = MgPerKg(*opts->target);
    } else if (const CumulativeTarget* t = kb->FindTarget("dose.cumulative.standard")) {
      req.target = t->default_goal;
    }
    auto start = Date::Parse(opts->start, "--start");
    if (!start) return ctx.Fail(start.error());
    req.start = *start;
    req.regimen = opts->regimen;
    if (!opts->phases.empty()) {
      if (!opts->regimen.empty()) {
        return ctx.Fail(Error{ErrorCode::kInvalidArgument,
                              "give either --regimen or --phases, not both",
                              "--phases",
                              {}});
      }
      auto phases = dose::ParsePhases(opts->phases, "--phases");
      if (!phases) return ctx.Fail(phases.error());
      req.phases = std::move(*phases);
    }
    req.doses_per_day = opts->doses_per_day;
    req.already_taken = Milligrams(opts->already_taken);
    auto plan = dose::PlanCourse(req, *kb);
    if (!plan) {
      Error e = plan.error();
      // Map request field names to the flags the user typed.
      static const std::pair<const char*, const char*> kFlags[] = {
          {"weight_kg", "--weight"},
          {"product", "--product"},
          {"target_mg_per_kg", "--target"},
          {"regimen", "--regimen"},
          {"doses_per_day", "--doses-per-day"},
          {"already_taken_mg", "--already-taken"}};
      for (const auto& [field, flag] : kFlags) {
        if (e.where == field) e.where = flag;
      }
      return ctx.Fail(e);
    }
    if (opts->json) {
      fmt::print("{}\n", boost::json::serialize(codec::PlanToJson(*plan)));
    } else {
      PrintPlan(*plan, opts->daily);
    }
  });
}

}  // namespace isocourse::cli
