// `isocourse forecast TIMELINE.json --as-of DATE [--plan planned.json] [--json]`: the
// schedule of pregnancy tests, visits, prescriptions and pickups that keeps every
// program window open with the fewest visits, and a warning for each planned date
// that would make a step slip (docs/programs.md, "Forecaster").
#include <fmt/core.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <memory>
#include <set>

#include "cli/app.h"
#include "cli/course_inputs.h"
#include "codec/assessment_json.h"
#include "codec/forecast_json.h"
#include "core/course/evaluate.h"
#include "core/program/program.h"

namespace isocourse::cli {

namespace {

namespace json = boost::json;

struct ForecastOptions {
  std::string timeline;
  std::string as_of;
  std::string plan;
  std::string settings;
  int horizon_days = 0;  // 0 = the plan file's, else 120
  bool json = false;
};

// The plan file: {"horizon_days": 120, "planned": [{"kind": "pregnancy_test",
// "date": "2026-03-02", "note": "..."}]}. Errors name the field, e.g.
// "planned[1].kind".
Result<program::ForecastRequest> ParsePlan(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return InvalidArgument("", "not valid JSON: " + ec.message());
  if (!v.is_object()) {
    return InvalidArgument("",
                           "expected an object with \"planned\" (and optional \"horizon_days\")");
  }
  program::ForecastRequest req;
  const json::object& top = v.as_object();
  for (const auto& [key, value] : top) {
    if (key == "horizon_days") {
      if (!value.is_int64())
        return InvalidArgument("horizon_days", "expected a whole number of days");
      req.horizon_days = static_cast<int>(value.as_int64());
    } else if (key == "planned") {
      if (!value.is_array()) return InvalidArgument("planned", "expected a list of planned steps");
      const json::array& list = value.as_array();
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string where = "planned[" + std::to_string(i) + "]";
        if (!list[i].is_object()) {
          return InvalidArgument(where, "expected {\"kind\", \"date\", \"note\"}");
        }
        program::PlannedStep step;
        bool has_kind = false, has_date = false;
        for (const auto& [k, f] : list[i].as_object()) {
          if (k == "kind") {
            auto kind =
                f.is_string() ? course::ParseName<program::StepKind>(f.as_string()) : std::nullopt;
            if (!kind) {
              return InvalidArgument(where + ".kind",
                                     "expected one of: " + course::NameList<program::StepKind>());
            }
            step.kind = *kind;
            has_kind = true;
          } else if (k == "date") {
            if (!f.is_string()) return InvalidArgument(where + ".date", "expected \"YYYY-MM-DD\"");
            ISO_ASSIGN_OR_RETURN(step.date, Date::Parse(f.as_string(), where + ".date"));
            has_date = true;
          } else if (k == "note") {
            if (!f.is_string()) return InvalidArgument(where + ".note", "expected text");
            step.note = std::string(f.as_string());
          } else {
            return InvalidArgument(where + "." + std::string(k),
                                   "unknown field; expected kind, date, note");
          }
        }
        if (!has_kind) return InvalidArgument(where + ".kind", "is missing");
        if (!has_date) return InvalidArgument(where + ".date", "is missing");
        req.planned.push_back(std::move(step));
      }
    } else {
      return InvalidArgument(std::string(key), "unknown field; expected planned, horizon_days");
    }
  }
  return req;
}

std::string Opt(const std::optional<Date>& d) { return d ? d->ToString() : "-"; }

void PrintForecast(const program::ForecastResult& f, const program::ProgramState& now, Date as_of,
                   int horizon_days) {
  fmt::print("Forecast from {} for {} days ({} {} {}, state {})\n\n", as_of.ToString(),
             horizon_days, now.section.program, now.section.rule_pack, now.section.pack_version,
             now.section.state);
  if (f.steps.empty()) fmt::print("  No program steps to schedule.\n");
  for (const program::ForecastStep& s : f.steps) {
    fmt::print("  {}  {:<15} {}{}\n", Opt(s.proposed), course::Name(s.kind), s.title,
               s.from_plan ? " (planned)" : "");
    if (s.earliest && s.latest) {
      fmt::print("              allowed {} to {}\n", s.earliest->ToString(), s.latest->ToString());
    } else if (s.earliest) {
      fmt::print("              allowed from {}\n", s.earliest->ToString());
    } else if (s.latest) {
      fmt::print("              allowed until {}\n", s.latest->ToString());
    }
    if (!s.detail.empty()) fmt::print("              {}\n", s.detail);
    if (!s.explanation.rule_id.empty()) {
      fmt::print("              [{}; {}]\n", s.explanation.rule_id,
                 s.explanation.citation.ToString());
    }
  }
  fmt::print("\nVisits: {}\n", f.visits);
  if (!f.warnings.empty()) {
    fmt::print("\nWarnings:\n");
    for (const program::ForecastWarning& w : f.warnings) {
      fmt::print("  {} {}: {}\n", w.slips ? "!" : "-", w.step, w.message);
      if (!w.explanation.rule_id.empty()) {
        fmt::print("    [{}; {}]\n", w.explanation.rule_id, w.explanation.citation.ToString());
      }
    }
  }
}

}  // namespace

void RegisterForecastCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ForecastOptions>();
  CLI::App* cmd = app.add_subcommand(
      "forecast",
      "Propose the schedule of pregnancy tests, visits, prescriptions and pickups that keeps "
      "every program window open with the fewest visits; warn about planned dates that slip");
  cmd->add_option("timeline", opts->timeline, "Timeline JSON file (docs/timeline.md)")->required();
  cmd->add_option("--as-of", opts->as_of, "Today, YYYY-MM-DD")->required();
  cmd->add_option("--plan", opts->plan,
                  "Planned dates, JSON: {\"planned\": [{\"kind\": \"pregnancy_test\", \"date\": "
                  "\"2026-03-02\"}], \"horizon_days\": 120}");
  cmd->add_option("--settings", opts->settings, "Settings JSON file (e.g. ipledge_2026_cutover)");
  cmd->add_option("--horizon", opts->horizon_days, "Days to forecast (1-730; default 120)")
      ->check(CLI::Range(1, 730));
  cmd->add_flag("--json", opts->json, "Print the forecast as JSON");
  cmd->footer(
      "Step kinds in a plan: pregnancy_test, visit, counseling, comprehension, prescription, "
      "pickup, lab.\n"
      "Examples:\n"
      "  isocourse forecast docs/examples/forecast-us-new.json --as-of 2026-01-05\n"
      "  isocourse forecast patient.json --as-of 2026-01-05 --plan planned.json --json\n"
      "Exit codes: 0 the schedule keeps every window open, 1 a planned date makes a step slip "
      "(see the warnings), 2 bad timeline, plan or settings (the message names the field), 3 "
      "knowledge invalid, 4 unreadable file.");
  cmd->callback([opts, &ctx] {
    auto as_of = Date::Parse(opts->as_of, "--as-of");
    if (!as_of) return ctx.Fail(as_of.error());
    auto in = ReadCourseInputs(opts->timeline, opts->settings);
    if (!in) return ctx.Fail(in.error());
    const course::Timeline& timeline = in->timeline;
    const course::Settings& settings = in->settings;
    program::ForecastRequest req;
    if (!opts->plan.empty()) {
      auto ptext = ReadInputFile(opts->plan, "plan");
      if (!ptext) return ctx.Fail(ptext.error());
      auto parsed = ParsePlan(*ptext);
      if (!parsed) {
        Error e = parsed.error();
        e.where = opts->plan + (e.where.empty() ? "" : ": " + e.where);
        return ctx.Fail(e);
      }
      req = std::move(*parsed);
    }
    if (opts->horizon_days > 0) req.horizon_days = opts->horizon_days;
    const KnowledgeBase* kb = ctx.Knowledge();
    if (!kb) return;
    auto resolved = course::ResolveCorrections(timeline);
    if (!resolved) {
      Error e = resolved.error();
      e.where = opts->timeline + ": " + e.where;
      return ctx.Fail(e);
    }
    auto facts = course::DeriveCourseFacts(*resolved, *kb, *as_of, settings);
    if (!facts) {
      Error e = facts.error();
      if (e.code == ErrorCode::kInvalidArgument) e.where = opts->timeline + ": " + e.where;
      return ctx.Fail(e);
    }
    auto now = program::EvaluateProgram(*resolved, *facts, *kb, *as_of, settings);
    if (!now) return ctx.Fail(now.error());
    auto f = program::Forecast(*resolved, *facts, *kb, *as_of, settings, req);
    if (!f) {
      Error e = f.error();
      if (e.where == "horizon_days")
        e.where = opts->plan.empty() ? "--horizon" : opts->plan + ": horizon_days";
      return ctx.Fail(e);
    }
    if (opts->json) {
      fmt::print("{}", codec::PrettyJson(codec::ForecastToJson(*f, *now, timeline, *as_of)));
    } else {
      PrintForecast(*f, *now, *as_of, req.horizon_days);
    }
    // A planned date that makes a step slip is a "no" for the plan.
    for (const program::ForecastWarning& w : f->warnings) {
      if (w.slips) ctx.exit_code = kExitRefused;
    }
  });
}

}  // namespace isocourse::cli
