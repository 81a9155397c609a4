#include "core/symptom/vignette.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>

#include "core/knowledge/yaml_reader.h"

namespace isocourse::symptom {

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

Result<Vignette> ParseVignette(std::string_view yaml_text, const std::string& path,
                               const KnowledgeBase& kb) {
  if (!kb.symptom || kb.symptom->empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no symptom checker knowledge");
  }
  const SymptomKnowledge& sym = *kb.symptom;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(path + ":" + std::to_string(e.mark.line + 1),
                           "not valid YAML: " + e.msg);
  }
  kb::Diagnostics diag;
  Vignette v;
  v.file = path;
  kb::ItemReader r(root, path, diag);
  r.RejectUnknown({"id", "title", "complaint", "patient", "context", "initial", "present", "absent",
                   "unknown", "denies_unlisted_red_flags", "expected", "rationale", "source"});
  v.id = r.Id();
  v.title = r.String("title");
  v.complaint = r.String("complaint");
  if (std::optional<kb::ItemReader> p = r.Map("patient", true)) {
    p->RejectUnknown({"age", "sex"});
    v.age = p->Integer("age", 0, 120);
    std::string sex = p->Enum("sex", {"female", "male"});
    v.sex = ParseSex(sex).value_or(Sex::kFemale);
  }
  if (std::optional<kb::ItemReader> c = r.Map("context", false)) {
    c->RejectUnknown({"on_isotretinoin", "isotretinoin_weeks", "pregnancy_possible",
                      "problem_weeks", "medications", "treatments"});
    if (c->Has("on_isotretinoin")) v.context.on_isotretinoin = c->Bool("on_isotretinoin", false);
    v.context.isotretinoin_weeks = c->OptInteger("isotretinoin_weeks", 0, 520);
    if (c->Has("pregnancy_possible")) {
      v.context.pregnancy_possible = c->Bool("pregnancy_possible", true);
    }
    v.context.problem_weeks = c->OptNumber("problem_weeks", 0, 6000);
    for (kb::ItemReader& m : c->List("medications", false)) {
      m.RejectUnknown({"name", "weeks", "current"});
      Medication med;
      med.name = m.String("name");
      med.weeks = m.OptNumber("weeks", 0, 6000);
      med.current = m.Bool("current", true);
      v.context.medications.push_back(std::move(med));
    }
    for (kb::ItemReader& t : c->List("treatments", false)) {
      t.RejectUnknown({"name", "weeks", "response", "ongoing"});
      PriorTreatment pt;
      pt.name = t.String("name");
      pt.weeks = t.OptNumber("weeks", 0, 6000);
      if (t.Has("response")) pt.response = t.Enum("response", {"better", "no_change", "worse"});
      pt.ongoing = t.Bool("ongoing", false);
      v.context.treatments.push_back(std::move(pt));
    }
  }
  v.context.complaint = v.complaint;
  v.initial = r.StringList("initial", false);
  v.present = r.StringList("present", false);
  v.absent = r.StringList("absent", false);
  v.unknown = r.StringList("unknown", false);
  v.denies_unlisted_red_flags = r.Bool("denies_unlisted_red_flags", false);
  if (std::optional<kb::ItemReader> e = r.Map("expected", true)) {
    e->RejectUnknown(
        {"diagnosis", "acceptable", "triage", "acceptable_triage", "iga", "nice_band"});
    v.expected_diagnosis = e->String("diagnosis");
    v.acceptable_diagnoses = e->StringList("acceptable", false);
    auto level = [&](const std::string& code, std::string_view field) {
      auto l = ParseTriageCode(code);
      if (!l) e->Problem(field, "'" + code + "' is not a triage level");
      return l.value_or(TriageLevel::kEmergency);
    };
    v.expected_triage = level(e->String("triage"), "triage");
    for (const std::string& code : e->StringList("acceptable_triage", false)) {
      v.acceptable_triage.push_back(level(code, "acceptable_triage"));
    }
    v.expected_iga = e->OptInteger("iga", 0, 4);
    if (e->Has("nice_band")) {
      v.expected_nice_band = e->Enum("nice_band", {"mild_to_moderate", "moderate_to_severe"});
    }
    for (const std::string& id : [&] {
           std::vector<std::string> all{v.expected_diagnosis};
           all.insert(all.end(), v.acceptable_diagnoses.begin(), v.acceptable_diagnoses.end());
           return all;
         }()) {
      if (!id.empty() && sym.ConditionIndex(id) < 0) {
        e->Problem("diagnosis", "'" + id + "' is not a condition of the symptom checker");
      }
    }
  }
  v.rationale = r.String("rationale");
  if (std::optional<kb::ItemReader> s = r.Map("source", true)) {
    s->RejectUnknown({"source", "locator"});
    v.source.source = s->String("source");
    v.source.locator = s->OptString("locator").value_or("");
    if (!v.source.source.empty() && !kb.sources.contains(v.source.source)) {
      s->Problem("source", "'" + v.source.source + "' is not a key of knowledge/sources.yaml");
    }
  }
  std::set<std::string> stated;
  for (const auto* list : {&v.present, &v.absent, &v.unknown}) {
    const char* field = list == &v.present ? "present" : list == &v.absent ? "absent" : "unknown";
    for (const std::string& id : *list) {
      if (sym.FindingIndex(id) < 0) {
        r.Problem(field, "'" + id + "' is not a finding of the symptom checker");
      }
      if (!stated.insert(id).second) r.Problem(field, "'" + id + "' is stated more than once");
    }
  }
  for (const std::string& id : v.initial) {
    if (!Contains(v.present, id)) {
      r.Problem("initial", "'" + id + "' must also be listed under present");
    }
  }
  if (!diag.empty()) {
    Error err{ErrorCode::kInvalidArgument,
              std::to_string(diag.errors().size()) + " problem(s) in vignette " + path, path,
              std::move(diag.errors())};
    return std::unexpected(std::move(err));
  }
  return v;
}

namespace {
// FNV-1a: a seed from the vignette id that is the same on every platform.
unsigned Fnv1a(const std::string& s, unsigned seed) {
  std::uint32_t h = 2166136261u ^ seed;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 16777619u;
  }
  return h;
}
}  // namespace

Result<VignetteRun> RunVignette(const Vignette& v, const KnowledgeBase& kb,
                                const AnswerNoise& noise) {
  const SymptomKnowledge& sym = *kb.symptom;
  std::mt19937 rng(Fnv1a(v.id, noise.seed));
  std::uniform_real_distribution<double> unit(0, 1);
  auto perturb = [&](Choice c, Phase phase) {
    if (phase == Phase::kContext || phase == Phase::kRedFlagScreen) return c;
    if (noise.unknown_rate <= 0 && noise.flip_rate <= 0) return c;
    double x = unit(rng);
    if (x < noise.unknown_rate) return Choice::kUnknown;
    if (x < noise.unknown_rate + noise.flip_rate && c != Choice::kUnknown) {
      return c == Choice::kPresent ? Choice::kAbsent : Choice::kPresent;
    }
    return c;
  };
  Request req;
  req.age = v.age;
  req.sex = v.sex;
  req.context = v.context;
  req.options.max_conditions = 100;
  req.options.doctor_summary = false;
  for (const std::string& id : v.initial) {
    req.evidence.push_back(EvidenceItem{id, Choice::kPresent, "initial"});
  }
  auto truth = [&](const std::string& id) {
    if (Contains(v.present, id)) return Choice::kPresent;
    if (Contains(v.absent, id)) return Choice::kAbsent;
    if (Contains(v.unknown, id)) return Choice::kUnknown;
    const Finding* f = sym.FindFinding(id);
    if (v.denies_unlisted_red_flags && f && f->phase == Phase::kRedFlagScreen) {
      return Choice::kAbsent;
    }
    // An answer that only says "none of X" ("no deep lumps") is true when every X it
    // excludes is stated absent.
    if (f && !f->excludes.empty() &&
        std::all_of(f->excludes.begin(), f->excludes.end(),
                    [&](const std::string& x) { return Contains(v.absent, x); })) {
      return Choice::kPresent;
    }
    return Choice::kUnknown;
  };
  // Each step adds at least one answer and there are finitely many findings, so the
  // loop ends; the bound guards against an engine bug.
  for (int step = 0; step < 200; ++step) {
    auto a = Assess(req, kb);
    if (!a) {
      Error e = a.error();
      e.message = v.file + ": " + e.message;
      return std::unexpected(std::move(e));
    }
    if (a->should_stop || !a->question) {
      req.options.doctor_summary = true;
      ISO_ASSIGN_OR_RETURN(Assessment final, Assess(req, kb));
      return VignetteRun{std::move(final), req.evidence};
    }
    const Question& q = *a->question;
    std::string source = PhaseName(q.phase);
    if (q.type == Question::Type::kSingle) {
      req.evidence.push_back(EvidenceItem{q.id, perturb(truth(q.id), q.phase), source});
      continue;
    }
    const QuestionItem* chosen = nullptr;
    for (const QuestionItem& it : q.items) {
      if (truth(it.id) == Choice::kPresent) chosen = &it;
    }
    // A noisy patient may not know, or pick a neighbouring answer.
    if (chosen && perturb(Choice::kPresent, q.phase) != Choice::kPresent) {
      size_t i = static_cast<size_t>(chosen - q.items.data());
      if (unit(rng) < noise.unknown_rate / (noise.unknown_rate + noise.flip_rate)) {
        chosen = nullptr;
      } else {
        chosen = &q.items[i + 1 < q.items.size() ? i + 1 : i - 1];
      }
    }
    for (const QuestionItem& it : q.items) {
      Choice c = !chosen ? Choice::kUnknown : &it == chosen ? Choice::kPresent : Choice::kAbsent;
      req.evidence.push_back(EvidenceItem{it.id, c, source});
    }
  }
  return MakeError(ErrorCode::kInternal, v.file, "the interview did not stop");
}

Result<EvaluationReport> Evaluate(const std::vector<Vignette>& vignettes, const KnowledgeBase& kb) {
  if (!kb.symptom || kb.symptom->empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no symptom checker knowledge");
  }
  const SymptomKnowledge& sym = *kb.symptom;
  EvaluationReport rep;
  std::set<std::string> covered_conditions;
  std::set<std::string> fired_rules;
  int n_top1 = 0, n_top3 = 0, n_exact = 0, n_acc = 0, n_safe = 0, n_over = 0;
  int n_em_exact = 0, n_iga = 0, n_nice = 0, nice_cases = 0;
  long total_questions = 0;
  for (const Vignette& v : vignettes) {
    ISO_ASSIGN_OR_RETURN(VignetteRun run, RunVignette(v, kb));
    const Assessment& a = run.final;
    VignetteOutcome o;
    o.id = v.id;
    o.file = v.file;
    o.expected = v.expected_diagnosis;
    covered_conditions.insert(v.expected_diagnosis);
    auto ok = [&](const std::string& id) {
      return id == v.expected_diagnosis || Contains(v.acceptable_diagnoses, id);
    };
    for (size_t i = 0; i < a.ranking.size() && i < 3; ++i) {
      o.top3.push_back(a.ranking[i].id);
      if (ok(a.ranking[i].id)) {
        o.top3_hit = true;
        if (i == 0) o.top1 = true;
      }
    }
    o.expected_triage = v.expected_triage;
    o.triage = a.triage.level;
    const int want = TriageRank(v.expected_triage);
    const int got = TriageRank(a.triage.level);
    o.triage_exact = a.triage.level == v.expected_triage;
    o.triage_acceptable =
        o.triage_exact || std::find(v.acceptable_triage.begin(), v.acceptable_triage.end(),
                                    a.triage.level) != v.acceptable_triage.end();
    o.triage_safe = o.triage_acceptable || got >= want - 1;
    o.over_triage = !o.triage_acceptable && got > want;
    o.under_triage_urgent = want >= 3 && got < want;
    o.expected_iga = v.expected_iga;
    o.iga = a.severity.iga;
    o.expected_nice_band = v.expected_nice_band;
    o.nice_band = a.severity.nice_band;
    o.questions = a.questions_asked;
    for (const FiredRule& r : a.triage.rules) {
      if (r.red_flag) {
        o.red_flags.push_back(r.id);
        fired_rules.insert(r.id);
      }
    }
    n_top1 += o.top1;
    n_top3 += o.top3_hit;
    n_exact += o.triage_exact;
    n_acc += o.triage_acceptable;
    n_safe += o.triage_safe;
    n_over += o.over_triage;
    if (want >= 3) ++rep.urgent_cases;
    rep.under_triage_urgent += o.under_triage_urgent;
    if (v.expected_triage == TriageLevel::kEmergency) {
      ++rep.emergency_cases;
      n_em_exact += o.triage_exact;
    }
    if (v.expected_iga) {
      ++rep.severity_cases;
      n_iga += o.iga == v.expected_iga;
    }
    if (!v.expected_nice_band.empty()) {
      ++nice_cases;
      n_nice += o.nice_band == v.expected_nice_band;
    }
    total_questions += o.questions;
    rep.max_questions = std::max(rep.max_questions, o.questions);
    rep.outcomes.push_back(std::move(o));
  }
  rep.count = static_cast<int>(vignettes.size());
  const double n = rep.count > 0 ? rep.count : 1;
  rep.top1 = n_top1 / n;
  rep.top3 = n_top3 / n;
  rep.triage_exact = n_exact / n;
  rep.triage_acceptable = n_acc / n;
  rep.triage_safe = n_safe / n;
  rep.over_triage = n_over / n;
  rep.emergency_exact = rep.emergency_cases ? double(n_em_exact) / rep.emergency_cases : 0;
  rep.severity_iga = rep.severity_cases ? double(n_iga) / rep.severity_cases : 0;
  rep.severity_nice = nice_cases ? double(n_nice) / nice_cases : 0;
  rep.mean_questions = static_cast<double>(total_questions) / n;

  // Robustness: the same vignettes with a less reliable patient.
  int noisy_runs = 0, noisy_top1 = 0, noisy_top3 = 0, noisy_safe = 0;
  for (const Vignette& v : vignettes) {
    for (int run_i = 0; run_i < kRobustnessRuns; ++run_i) {
      AnswerNoise noise = kRobustnessNoise;
      noise.seed = static_cast<unsigned>(run_i + 1);
      ISO_ASSIGN_OR_RETURN(VignetteRun run, RunVignette(v, kb, noise));
      const Assessment& a = run.final;
      auto ok = [&](const std::string& id) {
        return id == v.expected_diagnosis || Contains(v.acceptable_diagnoses, id);
      };
      bool top3 = false;
      for (size_t i = 0; i < a.ranking.size() && i < 3; ++i) {
        if (ok(a.ranking[i].id)) {
          top3 = true;
          if (i == 0) ++noisy_top1;
        }
      }
      noisy_top3 += top3;
      const int want = TriageRank(v.expected_triage);
      const int got = TriageRank(a.triage.level);
      bool acceptable = a.triage.level == v.expected_triage ||
                        std::find(v.acceptable_triage.begin(), v.acceptable_triage.end(),
                                  a.triage.level) != v.acceptable_triage.end();
      noisy_safe += acceptable || got >= want - 1;
      rep.noisy_under_triage_urgent += want >= 3 && got < want;
      ++noisy_runs;
    }
  }
  const double nn = noisy_runs > 0 ? noisy_runs : 1;
  rep.noisy_top1 = noisy_top1 / nn;
  rep.noisy_top3 = noisy_top3 / nn;
  rep.noisy_triage_safe = noisy_safe / nn;
  for (const Condition& c : sym.conditions) {
    if (!covered_conditions.contains(c.meta.id)) {
      rep.conditions_without_vignette.push_back(c.meta.id);
    }
  }
  for (const TriageRule& r : sym.red_flags) {
    if (!fired_rules.contains(r.meta.id)) rep.red_flags_never_fired.push_back(r.meta.id);
  }
  rep.meets_targets = rep.count > 0 && rep.top3 >= rep.targets.top3 &&
                      rep.triage_safe >= rep.targets.triage_safe &&
                      rep.under_triage_urgent <= rep.targets.under_triage_urgent &&
                      rep.conditions_without_vignette.empty() && rep.red_flags_never_fired.empty();
  return rep;
}

}  // namespace isocourse::symptom
