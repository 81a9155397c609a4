// `isocourse check`: the acne symptom checker in the terminal. Interactive interview on
// stdin, a non-interactive run over a saved request (--answers), the finding catalogue
// (--catalogue) and the vignette evaluation (--evaluate). The engine is
// core/symptom/engine.h; the JSON is codec/symptom_json.h, the same as the future API.
#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/app.h"
#include "codec/symptom_json.h"
#include "core/symptom/engine.h"
#include "core/symptom/vignette.h"

namespace isocourse::cli {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using symptom::Assessment;
using symptom::Choice;
using symptom::EvidenceItem;
using symptom::Question;
using symptom::Request;

struct CheckOptions {
  std::string answers_file;
  std::string evaluate_dir;
  std::string save_file;
  std::optional<int> age;
  std::string sex;
  std::string on_isotretinoin;  // "yes" / "no" / ""
  bool json = false;
  bool explain = false;
  bool catalogue = false;
  bool verbose = false;
};

Result<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return MakeError(fs::exists(p) ? ErrorCode::kUnavailable : ErrorCode::kNotFound, p.string(),
                     "cannot read the file");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Pct(double p) { return fmt::format("{:.1f}%", p * 100); }

std::string Wrap(const std::string& text, size_t width, const std::string& indent) {
  std::istringstream words(text);
  std::string word, line, out;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

void PrintResult(const Assessment& a, bool explain) {
  fmt::print("\n=== Result ===\n");
  if (a.triage.stop_isotretinoin) {
    fmt::print("!! Stop taking isotretinoin now, until a doctor has seen you.\n");
  }
  fmt::print("Advice: {}\n", a.triage.label);
  fmt::print("{}", Wrap(a.triage.words, 78, "  "));
  if (!a.triage.reasons.empty()) {
    fmt::print("Why:\n");
    for (const std::string& r : a.triage.reasons) fmt::print("{}", Wrap("- " + r, 78, "  "));
  }
  fmt::print("\nPossible causes (most likely first):\n");
  for (const symptom::ConditionScore& c : a.conditions) {
    if (c.probability < 0.02) break;
    fmt::print("  {:>5.1f}%  {} ({})\n", c.probability * 100, c.common_name, c.name);
  }
  if (!a.conditions.empty() && !a.conditions.front().advice.empty()) {
    fmt::print("\nAbout {}:\n{}", a.conditions.front().common_name,
               Wrap(a.conditions.front().advice, 78, "  "));
  }
  if (a.severity.iga) {
    fmt::print("\nAcne severity estimate: IGA {} ({})", *a.severity.iga, a.severity.iga_label);
    if (!a.severity.nice_band.empty()) {
      fmt::print(", NICE {}", a.severity.nice_band == "moderate_to_severe" ? "moderate to severe"
                                                                           : "mild to moderate");
    }
    fmt::print("\n");
  }
  if (explain) {
    for (const symptom::Explanation& e : a.explanations) {
      fmt::print("\nWhy {}:\n", e.condition_name);
      for (const auto& w : e.supporting) {
        fmt::print("  + {} {} (x{:.1f})\n", symptom::ChoiceName(w.choice), w.name,
                   w.likelihood_ratio);
      }
      for (const auto& w : e.conflicting) {
        fmt::print("  - {} {} (x{:.2f})\n", symptom::ChoiceName(w.choice), w.name,
                   w.likelihood_ratio);
      }
      for (const auto& w : e.unconfirmed) fmt::print("  ? not confirmed: {}\n", w.name);
    }
  }
  if (a.summary) fmt::print("\n--- For your doctor ---\n{}", a.summary->text);
  fmt::print(
      "\nThis is not a diagnosis. If you feel very unwell or are worried, contact a doctor or "
      "emergency services.\n");
}

Status SaveRequest(const Request& req, const std::string& path) {
  std::ofstream out(path);
  if (!out) return MakeError(ErrorCode::kUnavailable, path, "cannot write the file");
  out << json::serialize(codec::SymptomRequestToJson(req)) << "\n";
  if (!out) return MakeError(ErrorCode::kUnavailable, path, "cannot write the file");
  return {};
}

bool ReadLine(const std::string& prompt, std::string& line) {
  fmt::print("{}", prompt);
  std::fflush(stdout);
  if (!std::getline(std::cin, line)) return false;
  // Trim.
  line.erase(0, line.find_first_not_of(" \t\r"));
  line.erase(line.find_last_not_of(" \t\r") + 1);
  return true;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int NoInput(Context& ctx) {
  ctx.Fail(Error{ErrorCode::kInvalidArgument,
                 "standard input ended before age and sex were given (use --age and --sex)",
                 "check",
                 {}});
  return ctx.exit_code;
}

// The interactive interview. Returns the exit code.
int Interview(Context& ctx, const KnowledgeBase& kb, const CheckOptions& o) {
  Request req;
  req.options.explain = o.explain;
  std::string line;
  fmt::print(
      "Acne symptom checker. Answer y (yes), n (no) or ? (don't know); 'back' undoes the last "
      "answer, 'quit' stops and shows the result so far.\n\n");
  if (o.age) {
    req.age = o.age;
  } else {
    while (!req.age) {
      if (!ReadLine("Your age in years: ", line)) return NoInput(ctx);
      try {
        size_t used = 0;
        int age = std::stoi(line, &used);
        if (used == line.size() && age >= 0 && age <= 120) req.age = age;
      } catch (...) {
      }
      if (!req.age) fmt::print("Please type a whole number from 0 to 120.\n");
    }
  }
  if (!o.sex.empty()) {
    req.sex = symptom::ParseSex(o.sex);
  } else {
    while (!req.sex) {
      if (!ReadLine("Sex (female/male): ", line)) return NoInput(ctx);
      std::string s = Lower(line);
      if (s == "f") s = "female";
      if (s == "m") s = "male";
      req.sex = symptom::ParseSex(s);
      if (!req.sex) fmt::print("Please type female or male.\n");
    }
  }
  if (o.on_isotretinoin == "yes") req.context.on_isotretinoin = true;
  if (o.on_isotretinoin == "no") req.context.on_isotretinoin = false;
  if (ReadLine("In a few words, what is the problem? ", line)) req.context.complaint = line;

  std::vector<size_t> batches;  // evidence size before each answer, for 'back'
  bool stopped_early = false;
  for (;;) {
    auto a = symptom::Assess(req, kb);
    if (!a) {
      ctx.Fail(a.error());
      return ctx.exit_code;
    }
    if (a->should_stop || !a->question) break;
    const Question& q = *a->question;
    fmt::print("\n[{}] Question {}\n", symptom::PhaseName(q.phase), a->questions_asked + 1);
    fmt::print("{}", Wrap(q.text, 78, ""));
    fmt::print("{}", Wrap("(" + q.rationale + ")", 78, "  "));
    bool group = q.type == Question::Type::kGroupSingle;
    if (group) {
      for (size_t i = 0; i < q.items.size(); ++i) {
        fmt::print("  {}) {}\n", i + 1, kb.symptom->FindFinding(q.items[i].id)->question);
      }
    }
    std::string prompt = group ? fmt::format("Answer 1-{}, ? , back or quit: ", q.items.size())
                               : "Answer y / n / ? / back / quit: ";
    std::string source = symptom::PhaseName(q.phase);
    bool answered = false;
    while (!answered) {
      if (!ReadLine(prompt, line)) {
        stopped_early = true;
        break;
      }
      std::string s = Lower(line);
      if (s == "quit" || s == "q") {
        stopped_early = true;
        break;
      }
      if (s == "back" || s == "b") {
        if (batches.empty()) {
          fmt::print("Nothing to undo.\n");
          continue;
        }
        req.evidence.resize(batches.back());
        batches.pop_back();
        answered = true;
        continue;
      }
      if (!group) {
        std::optional<Choice> c;
        if (s == "y" || s == "yes") c = Choice::kPresent;
        if (s == "n" || s == "no") c = Choice::kAbsent;
        if (s == "?" || s == "dk" || s == "don't know") c = Choice::kUnknown;
        if (!c) {
          fmt::print("Please answer y, n, ?, back or quit.\n");
          continue;
        }
        batches.push_back(req.evidence.size());
        req.evidence.push_back(EvidenceItem{q.id, *c, source});
        answered = true;
        continue;
      }
      int pick = 0;
      if (s != "?") {
        try {
          size_t used = 0;
          pick = std::stoi(s, &used);
          if (used != s.size()) pick = 0;
        } catch (...) {
          pick = 0;
        }
        if (pick < 1 || pick > static_cast<int>(q.items.size())) {
          fmt::print("Please answer with a number from 1 to {}, ?, back or quit.\n",
                     q.items.size());
          continue;
        }
      }
      batches.push_back(req.evidence.size());
      for (size_t i = 0; i < q.items.size(); ++i) {
        Choice c = pick == 0                         ? Choice::kUnknown
                   : static_cast<int>(i) + 1 == pick ? Choice::kPresent
                                                     : Choice::kAbsent;
        req.evidence.push_back(EvidenceItem{q.items[i].id, c, source});
      }
      answered = true;
    }
    if (stopped_early) break;
  }
  req.options.explain = o.explain;
  auto final = symptom::Assess(req, kb);
  if (!final) {
    ctx.Fail(final.error());
    return ctx.exit_code;
  }
  if (stopped_early) {
    fmt::print("\n(The interview was stopped before the end; the result is provisional.)\n");
    if (!final->screen_complete) {
      fmt::print("(The safety questions were not all answered.)\n");
    }
  }
  if (o.json) {
    fmt::print("{}\n", json::serialize(codec::SymptomAssessmentToJson(*final)));
  } else {
    PrintResult(*final, o.explain);
  }
  if (!o.save_file.empty()) {
    if (auto st = SaveRequest(req, o.save_file); !st) {
      ctx.Fail(st.error());
      return ctx.exit_code;
    }
    fmt::print("\nAnswers saved to {} (replay with: isocourse check --answers {})\n", o.save_file,
               o.save_file);
  }
  return kExitOk;
}

int RunAnswers(Context& ctx, const KnowledgeBase& kb, const CheckOptions& o) {
  auto text = ReadFile(o.answers_file);
  if (!text) {
    ctx.Fail(text.error());
    return ctx.exit_code;
  }
  auto req = codec::SymptomRequestFromText(*text);
  if (!req) {
    Error e = req.error();
    e.where = o.answers_file + ": " + e.where;
    ctx.Fail(e);
    return ctx.exit_code;
  }
  if (o.explain) req->options.explain = true;
  auto a = symptom::Assess(*req, kb);
  if (!a) {
    Error e = a.error();
    e.where = o.answers_file + ": " + e.where;
    ctx.Fail(e);
    return ctx.exit_code;
  }
  if (o.json) {
    fmt::print("{}\n", json::serialize(codec::SymptomAssessmentToJson(*a)));
    return kExitOk;
  }
  if (a->question) {
    fmt::print("Next question ({}): {}\n", symptom::PhaseName(a->question->phase),
               a->question->text);
    for (const auto& it : a->question->items) fmt::print("  - {} [{}]\n", it.name, it.id);
  } else {
    fmt::print("The interview is complete ({}).\n",
               a->stop_reason.empty() ? "no more questions" : a->stop_reason);
  }
  PrintResult(*a, req->options.explain);
  return kExitOk;
}

// Published figures for one metric, one per line (acne-symptom-checker.md §2).
std::vector<std::string> Published(const KnowledgeBase& kb, const std::string& metric) {
  std::vector<std::string> out;
  for (const symptom::Benchmark& b : kb.symptom->benchmarks) {
    if (b.metric == metric) out.push_back(fmt::format("{:5.1f}%  {}", b.percent, b.study));
  }
  return out;
}

int RunEvaluate(Context& ctx, const KnowledgeBase& kb, const CheckOptions& o) {
  fs::path dir(o.evaluate_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    ctx.Fail(Error{ErrorCode::kNotFound, "not a directory", "--evaluate " + dir.string(), {}});
    return ctx.exit_code;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() &&
        (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    ctx.Fail(Error{ErrorCode::kNotFound, "no *.yaml vignettes found", dir.string(), {}});
    return ctx.exit_code;
  }
  std::vector<symptom::Vignette> vignettes;
  std::vector<Error> problems;
  for (const fs::path& f : files) {
    auto text = ReadFile(f);
    if (!text) {
      ctx.Fail(text.error());
      return ctx.exit_code;
    }
    auto v = symptom::ParseVignette(*text, f.string(), kb);
    if (!v) {
      problems.push_back(v.error());
      continue;
    }
    vignettes.push_back(std::move(*v));
  }
  if (!problems.empty()) {
    for (const Error& e : problems) fmt::print(stderr, "isocourse: {}\n", e.ToString());
    return kExitBadInput;
  }
  auto rep = symptom::Evaluate(vignettes, kb);
  if (!rep) {
    ctx.Fail(rep.error());
    return ctx.exit_code;
  }
  const symptom::EvaluationReport& r = *rep;
  if (o.json) {
    json::object out;
    out["vignettes"] = r.count;
    out["top1"] = r.top1;
    out["top3"] = r.top3;
    out["triage_exact"] = r.triage_exact;
    out["triage_acceptable"] = r.triage_acceptable;
    out["triage_safe"] = r.triage_safe;
    out["over_triage"] = r.over_triage;
    out["urgent_cases"] = r.urgent_cases;
    out["under_triage_urgent"] = r.under_triage_urgent;
    out["severity_iga"] = r.severity_iga;
    out["mean_questions"] = r.mean_questions;
    out["meets_targets"] = r.meets_targets;
    json::array rows;
    for (const auto& x : r.outcomes) {
      json::array top3;
      for (const auto& id : x.top3) top3.push_back(json::value(id));
      rows.push_back(json::object{{"id", x.id},
                                  {"expected", x.expected},
                                  {"top3", std::move(top3)},
                                  {"top1_ok", x.top1},
                                  {"top3_ok", x.top3_hit},
                                  {"expected_triage", symptom::TriageCode(x.expected_triage)},
                                  {"triage", symptom::TriageCode(x.triage)},
                                  {"triage_safe", x.triage_safe},
                                  {"questions", x.questions}});
    }
    out["outcomes"] = std::move(rows);
    fmt::print("{}\n", json::serialize(out));
    return r.meets_targets ? kExitOk : kExitRefused;
  }
  fmt::print("Acne symptom checker evaluation: {} vignettes in {} (knowledge {})\n\n", r.count,
             dir.string(), kb.version);
  if (o.verbose) {
    fmt::print("{:<44} {:<5} {:<5} {:<22} {:<22} {:>3}\n", "vignette", "top1", "top3",
               "expected triage", "got", "q");
    for (const auto& x : r.outcomes) {
      fmt::print("{:<44} {:<5} {:<5} {:<22} {:<22} {:>3}{}\n", x.id, x.top1 ? "yes" : "NO",
                 x.top3_hit ? "yes" : "NO", symptom::TriageCode(x.expected_triage),
                 symptom::TriageCode(x.triage), x.questions,
                 x.top1 ? "" : "   got " + (x.top3.empty() ? std::string("-") : x.top3[0]));
    }
    fmt::print("\n");
  }
  const auto& t = r.targets;
  fmt::print("{:<34} {:>12} {:>8}   {}\n", "Metric", "isocourse", "target",
             "published, on other vignette sets");
  auto row = [](const std::string& name, const std::string& ours, const std::string& target,
                const std::vector<std::string>& pub) {
    fmt::print("{:<34} {:>12} {:>8}   {}\n", name, ours, target, pub.empty() ? "" : pub[0]);
    for (size_t i = 1; i < pub.size(); ++i) fmt::print("{:<56}   {}\n", "", pub[i]);
  };
  row("Top-1 diagnosis", Pct(r.top1), "", Published(kb, "top1"));
  row("Top-3 diagnosis", Pct(r.top3), fmt::format(">={:.0f}%", t.top3 * 100),
      Published(kb, "top3"));
  row("Exact triage", Pct(r.triage_exact), "", Published(kb, "triage_exact"));
  row("Acceptable triage (vignette list)", Pct(r.triage_acceptable), "", {});
  row("Safe triage (Gilbert)", Pct(r.triage_safe), fmt::format(">={:.0f}%", t.triage_safe * 100),
      Published(kb, "triage_safe"));
  row("Emergencies triaged exactly",
      fmt::format("{}/{}", static_cast<int>(std::lround(r.emergency_exact * r.emergency_cases)),
                  r.emergency_cases),
      "", Published(kb, "emergency_triage"));
  row("Over-triage rate", Pct(r.over_triage), "", {});
  row("Under-triage of urgent/emergency",
      fmt::format("{} of {}", r.under_triage_urgent, r.urgent_cases),
      fmt::format("{}", t.under_triage_urgent), {});
  row("Severity: IGA exact", fmt::format("{} (n={})", Pct(r.severity_iga), r.severity_cases), "",
      {});
  row("Severity: NICE band exact", Pct(r.severity_nice), "", {});
  row("Questions per interview", fmt::format("{:.1f} avg", r.mean_questions),
      fmt::format("max {}", r.max_questions), {});
  fmt::print(
      "\nRobustness (not a target): the same vignettes, {} runs each, {:.0f}% of interview "
      "answers \"don't know\" and {:.0f}% wrong:\n",
      symptom::kRobustnessRuns, symptom::kRobustnessNoise.unknown_rate * 100,
      symptom::kRobustnessNoise.flip_rate * 100);
  row("  Top-1 diagnosis", Pct(r.noisy_top1), "", {});
  row("  Top-3 diagnosis", Pct(r.noisy_top3), "", {});
  row("  Safe triage (Gilbert)", Pct(r.noisy_triage_safe), "", {});
  row("  Under-triage of urgent/emergency", fmt::format("{}", r.noisy_under_triage_urgent), "", {});
  fmt::print("\nCoverage: conditions without a vignette: {}; red flags never fired: {}\n",
             r.conditions_without_vignette.empty()
                 ? std::string("none")
                 : fmt::format("{}", fmt::join(r.conditions_without_vignette, ", ")),
             r.red_flags_never_fired.empty()
                 ? std::string("none")
                 : fmt::format("{}", fmt::join(r.red_flags_never_fired, ", ")));
  bool any_miss = false;
  for (const auto& x : r.outcomes) {
    if (x.top3_hit && x.triage_safe && !x.under_triage_urgent) continue;
    if (!any_miss) fmt::print("\nMisses:\n");
    any_miss = true;
    fmt::print("  {} ({}): expected {} / {}, got [{}] / {}\n", x.id, x.file, x.expected,
               symptom::TriageCode(x.expected_triage), fmt::join(x.top3, ", "),
               symptom::TriageCode(x.triage));
  }
  fmt::print("\nRESULT: {}\n", r.meets_targets ? "meets the targets" : "BELOW THE TARGETS");
  return r.meets_targets ? kExitOk : kExitRefused;
}

int RunCatalogue(const KnowledgeBase& kb, const CheckOptions& o) {
  if (o.json) {
    fmt::print("{}\n", json::serialize(codec::SymptomCatalogueToJson(kb)));
    return kExitOk;
  }
  const symptom::SymptomKnowledge& sym = *kb.symptom;
  fmt::print("Findings ({}):\n", sym.findings.size());
  for (const symptom::Finding& f : sym.findings) {
    fmt::print("  {:<30} {:<16} {}\n", f.meta.id, symptom::PhaseName(f.phase), f.name);
  }
  fmt::print("\nConditions ({}):\n", sym.conditions.size());
  for (const symptom::Condition& c : sym.conditions) {
    fmt::print("  {:<38} {:<22} {}\n", c.meta.id, symptom::TriageCode(c.triage), c.name);
  }
  fmt::print("\nTriage levels:\n");
  for (const symptom::TriageLevelDef& l : sym.levels) {
    fmt::print("  {:<22} {}\n", symptom::TriageCode(l.level), l.label);
  }
  return kExitOk;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Acne symptom checker: is this acne, how bad is it, how soon to see someone, and a "
      "summary for the doctor");
  cmd->add_option("--age", o->age, "Age in years (0-120); asked if not given");
  cmd->add_option("--sex", o->sex, "female or male; asked if not given")
      ->check(CLI::IsMember({"female", "male"}));
  cmd->add_option("--on-isotretinoin", o->on_isotretinoin,
                  "yes or no; otherwise the first question asks")
      ->check(CLI::IsMember({"yes", "no"}));
  cmd->add_option("--answers", o->answers_file,
                  "Non-interactive: assess a saved request (JSON, the API request shape)");
  cmd->add_option("--save", o->save_file, "Interactive: save the answers as JSON for --answers");
  cmd->add_option("--evaluate", o->evaluate_dir,
                  "Run every vignette (*.yaml) in DIR and report accuracy and triage safety; "
                  "exit 1 below the targets");
  cmd->add_flag("--catalogue", o->catalogue, "List the findings, conditions and triage levels");
  cmd->add_flag("--json", o->json, "Print JSON (the API response shape)");
  cmd->add_flag("--explain", o->explain, "Show the answers for and against each condition");
  cmd->add_flag("--verbose", o->verbose, "With --evaluate: one line per vignette");
  cmd->footer(
      "Examples:\n"
      "  isocourse check                          interactive interview (y / n / ? / back / "
      "quit)\n"
      "  isocourse check --age 17 --sex male --save me.json\n"
      "  isocourse check --answers me.json        assess saved answers, show the next question\n"
      "  isocourse check --answers me.json --json --explain\n"
      "  isocourse check --catalogue --json       the finding catalogue\n"
      "  isocourse check --evaluate tests/vignettes --verbose\n"
      "Answers files use the API request shape: {\"age\": 17, \"sex\": \"male\", \"context\": "
      "{...},\n"
      "\"evidence\": [{\"id\": \"sx.les.comedones\", \"choice\": \"present\"}]}. See "
      "docs/symptom-checker.md.\n"
      "This is decision support, not a diagnosis.");
  cmd->callback([&ctx, o, cmd] {
    int modes = !o->answers_file.empty() + !o->evaluate_dir.empty() + o->catalogue;
    if (modes > 1) {
      ctx.Fail(Error{ErrorCode::kInvalidArgument,
                     "use only one of --answers, --evaluate and --catalogue",
                     "check",
                     {}});
      return;
    }
    (void)cmd;
    const KnowledgeBase* kb = ctx.Knowledge();
    if (!kb) return;
    if (!kb->symptom || kb->symptom->empty()) {
      ctx.Fail(Error{ErrorCode::kFailedPrecondition,
                     "the knowledge base has no symptom checker knowledge (knowledge/symptom/)",
                     "knowledge",
                     {}});
      return;
    }
    int code = kExitOk;
    if (!o->evaluate_dir.empty()) {
      code = RunEvaluate(ctx, *kb, *o);
    } else if (!o->answers_file.empty()) {
      code = RunAnswers(ctx, *kb, *o);
    } else if (o->catalogue) {
      code = RunCatalogue(*kb, *o);
    } else {
      code = Interview(ctx, *kb, *o);
    }
    ctx.exit_code = code;
  });
}

}  // namespace isocourse::cli
