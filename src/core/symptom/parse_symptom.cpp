// Parsers for the symptom checker's knowledge kinds, and the validator that resolves
// cross-references and compiles the dense likelihood tables (SymptomModel).
// File format: docs/symptom-checker.md.
#include <algorithm>
#include <cmath>
#include <set>

#include "core/knowledge/kinds.h"
#include "core/symptom/symptom_kb.h"

namespace isocourse::kb {

using symptom::AgeFactor;
using symptom::Benchmark;
using symptom::Condition;
using symptom::Finding;
using symptom::Likelihood;
using symptom::Phase;
using symptom::QuestionGroup;
using symptom::SymptomKnowledge;
using symptom::TriageLevel;
using symptom::TriageLevelDef;
using symptom::TriageRule;

namespace {

// Likelihoods are kept away from 0 and 1: a single answer must never make a condition
// impossible (patients misreport), and log tables stay finite.
constexpr double kMinP = 0.001;
constexpr double kMaxP = 0.999;

SymptomKnowledge& Sym(KnowledgeBase& kb) {
  if (!kb.symptom) kb.symptom = std::make_shared<SymptomKnowledge>();
  return *kb.symptom;
}

Phase ReadPhase(ItemReader& r, Phase fallback) {
  if (!r.Has("phase")) return fallback;
  std::string p = r.Enum("phase", {"context", "red_flag_screen", "interview", "severity"});
  if (p == "context") return Phase::kContext;
  if (p == "red_flag_screen") return Phase::kRedFlagScreen;
  if (p == "severity") return Phase::kSeverity;
  return Phase::kInterview;
}

TriageLevel ReadLevel(ItemReader& r, std::string_view field) {
  std::string code = r.Enum(field, {"self_care", "primary_care_routine", "dermatologist_routine",
                                    "urgent_24h", "emergency"});
  return symptom::ParseTriageCode(code).value_or(TriageLevel::kEmergency);
}

// A number with its own source: {p: 0.4, source: KEY, locator: "...", basis: KEY}.
// `basis` names the literature an EXPERT estimate leans on.
struct SourcedNumber {
  double value = 0;
  Citation cite;
  std::string basis;
};

void ReadNumberSource(ItemReader& m, Diagnostics& diag, SourcedNumber& out) {
  out.cite.source = m.String("source");
  out.cite.locator = m.OptString("locator").value_or("");
  out.basis = m.OptString("basis").value_or("");
  diag.NoteCitation(out.cite.source, m.file(), m.line());
  if (!out.basis.empty()) diag.NoteCitation(out.basis, m.file(), m.line());
}

std::optional<SourcedNumber> ReadSourcedNumber(ItemReader& r, std::string_view field,
                                               std::string_view number_field, double min,
                                               double max, Diagnostics& diag) {
  std::optional<ItemReader> m = r.Map(field, true);
  if (!m) return std::nullopt;
  m->RejectUnknown({number_field, "source", "locator", "basis"});
  SourcedNumber out;
  out.value = m->Number(number_field, min, max);
  ReadNumberSource(*m, diag, out);
  return out;
}

std::optional<symptom::Sex> ReadSex(ItemReader& r, std::string_view field) {
  if (!r.Has(field)) return std::nullopt;
  std::string s = r.Enum(field, {"female", "male"});
  return symptom::ParseSex(s);
}

}  // namespace

void ParseTriageLevels(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "code", "label", "words", "infermedica", "citation", "note"});
    TriageLevelDef d;
    d.meta = r.Meta();
    d.level = ReadLevel(r, "code");
    d.label = r.String("label");
    d.words = r.String("words");
    d.infermedica = r.String("infermedica");
    sym.levels.push_back(std::move(d));
  }
}

void ParseSymptomFindings(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "name", "question", "category", "phase", "group", "ask_if_any", "sex",
                     "min_age", "max_age", "background", "implies", "excludes", "severity_item",
                     "counts", "count_range", "citation", "note"});
    Finding f;
    f.meta = r.Meta();
    f.name = r.String("name");
    f.question = r.String("question");
    f.category = r.Enum("category", {"context", "red_flag", "lesion", "symptom", "site", "onset",
                                     "exposure", "medication", "treatment", "history", "endocrine",
                                     "isotretinoin", "severity", "psychosocial"});
    f.phase = ReadPhase(r, Phase::kInterview);
    f.group = r.OptString("group").value_or("");
    f.ask_if_any = r.StringList("ask_if_any", false);
    f.sex = ReadSex(r, "sex");
    f.min_age = r.OptInteger("min_age", 0, 130).value_or(0);
    f.max_age = r.OptInteger("max_age", 0, 130).value_or(130);
    if (f.min_age > f.max_age) r.Problem("min_age", "must not be above max_age");
    if (auto bg = ReadSourcedNumber(r, "background", "p", kMinP, kMaxP, diag)) {
      f.default_p = bg->value;
      f.default_cite = bg->cite;
    }
    f.implies = r.StringList("implies", false);
    f.excludes = r.StringList("excludes", false);
    f.severity_item = r.Bool("severity_item", false);
    if (r.Has("counts")) {
      f.counts = r.Enum("counts", {"inflammatory", "nodules"});
      std::vector<double> range = r.NumberList("count_range", 0, 999, true);
      if (range.size() == 2 && range[0] <= range[1]) {
        f.count_min = static_cast<int>(range[0]);
        f.count_max = static_cast<int>(range[1]);
      } else {
        r.Problem("count_range", "expected [min, max] with min <= max (999 = or more)");
      }
    }
    sym.findings.push_back(std::move(f));
  }
}

void ParseQuestionGroups(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "question", "phase", "items", "citation", "note"});
    QuestionGroup g;
    g.meta = r.Meta();
    g.question = r.String("question");
    g.phase = ReadPhase(r, Phase::kInterview);
    g.items = r.StringList("items", true);
    if (g.items.size() < 2) r.Problem("items", "a group question needs at least two items");
    sym.groups.push_back(std::move(g));
  }
}

void ParseSymptomConditions(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "name", "common_name", "group", "triage", "severity_module",
                     "requires_present", "prior", "age_factors", "sex_factors", "likelihoods",
                     "advice", "citation", "note"});
    Condition c;
    c.meta = r.Meta();
    c.name = r.String("name");
    c.common_name = r.String("common_name");
    c.group = r.Enum("group", {"skin", "isotretinoin"});
    c.triage = ReadLevel(r, "triage");
    c.severity_module = r.Bool("severity_module", false);
    c.requires_present = r.StringList("requires_present", false);
    if (auto prior = ReadSourcedNumber(r, "prior", "p", 0.0001, 1, diag)) {
      c.prior = prior->value;
      c.prior_cite = prior->cite;
    }
    if (std::optional<ItemReader> age = r.Map("age_factors", false)) {
      age->RejectUnknown({"bands", "source", "locator", "basis"});
      SourcedNumber src;
      ReadNumberSource(*age, diag, src);
      c.age_cite = src.cite;
      // Each band is a flow list [from, to, factor]; read directly, as ItemReader
      // expects mappings.
      const YAML::Node bands = age->node()["bands"];
      if (!bands || !bands.IsSequence() || bands.size() == 0) {
        age->Problem("bands", "expected a list of [from_age, to_age, factor]");
      }
      for (size_t bi = 0; bands && bands.IsSequence() && bi < bands.size(); ++bi) {
        const YAML::Node band = bands[bi];
        std::vector<double> v;
        if (band.IsSequence()) {
          for (const auto& e : band) {
            try {
              v.push_back(e.as<double>());
            } catch (...) {
              v.clear();
              break;
            }
          }
        }
        if (v.size() != 3 || v[0] > v[1] || v[0] < 0 || v[1] > 130 || v[2] < 0 || v[2] > 100) {
          age->Problem("bands",
                       "each band is [from_age, to_age, factor] with from <= to, ages "
                       "0-130 and factor 0-100");
          continue;
        }
        c.age_factors.push_back(AgeFactor{static_cast<int>(v[0]), static_cast<int>(v[1]), v[2]});
      }
    }
    if (std::optional<ItemReader> sex = r.Map("sex_factors", false)) {
      sex->RejectUnknown({"female", "male", "source", "locator", "basis"});
      c.female_factor = sex->Number("female", 0, 100);
      c.male_factor = sex->Number("male", 0, 100);
      SourcedNumber src;
      ReadNumberSource(*sex, diag, src);
      c.sex_cite = src.cite;
    }
    for (ItemReader& l : r.List("likelihoods", true)) {
      l.RejectUnknown({"finding", "p", "source", "locator", "basis"});
      Likelihood lk;
      lk.finding = l.String("finding");
      lk.p = l.Number("p", kMinP, kMaxP);
      SourcedNumber src;
      ReadNumberSource(l, diag, src);
      lk.cite = src.cite;
      lk.basis = src.basis;
      c.likelihoods.push_back(std::move(lk));
    }
    c.advice = r.OptString("advice").value_or("");
    sym.conditions.push_back(std::move(c));
  }
}

namespace {
void ParseRules(std::vector<ItemReader>& items, KnowledgeBase& kb, bool red_flag) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    if (red_flag) {
      r.RejectUnknown(
          {"id", "level", "all_of", "any_of", "reason", "stop_isotretinoin", "citation", "note"});
    } else {
      r.RejectUnknown(
          {"id", "level", "all_of", "any_of", "likely", "age_below", "reason", "citation", "note"});
    }
    TriageRule t;
    t.meta = r.Meta();
    t.red_flag = red_flag;
    t.level = ReadLevel(r, "level");
    t.all_of = r.StringList("all_of", false);
    t.any_of = r.StringList("any_of", false);
    if (!red_flag) {
      t.likely = r.StringList("likely", false);
      t.age_below = r.OptInteger("age_below", 1, 130);
    }
    if (t.all_of.empty() && t.any_of.empty() && !t.age_below) {
      r.Problem("all_of", "a rule needs all_of, any_of or age_below");
    }
    t.reason = r.String("reason");
    t.stop_isotretinoin = red_flag && r.Bool("stop_isotretinoin", false);
    (red_flag ? sym.red_flags : sym.modifiers).push_back(std::move(t));
  }
}
}  // namespace

void ParseRedFlagRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  ParseRules(items, kb, true);
}

void ParseTriageModifiers(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  ParseRules(items, kb, false);
}

void ParseSymptomBenchmarks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  SymptomKnowledge& sym = Sym(kb);
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "study", "metric", "percent", "population", "citation", "note"});
    Benchmark b;
    b.meta = r.Meta();
    b.study = r.String("study");
    b.metric =
        r.Enum("metric", {"top1", "top3", "triage_exact", "triage_safe", "emergency_triage"});
    b.percent = r.Number("percent", 0, 100);
    b.population = r.OptString("population").value_or("");
    sym.benchmarks.push_back(std::move(b));
  }
}

namespace {

void ReadSettings(const KnowledgeBase& kb, symptom::InterviewSettings& s, Diagnostics& diag,
                  const std::string& file) {
  struct Param {
    const char* id;
    double* target;
    double min, max;
  };
  double max_questions = s.max_questions;
  double min_interview = s.min_interview_questions;
  Param params[] = {
      {"symptom.stop.confidence", &s.stop_confidence, 0.5, 0.999},
      {"symptom.stop.margin", &s.stop_margin, 0, 0.99},
      {"symptom.stop.min_gain_bits", &s.min_gain_bits, 0, 1},
      {"symptom.stop.max_questions", &max_questions, 5, 60},
      {"symptom.stop.min_interview_questions", &min_interview, 0, 30},
      {"symptom.triage.likely_threshold", &s.likely_threshold, 0.01, 0.9},
      {"symptom.triage.bonus_bits", &s.triage_bonus_bits, 0, 2},
      {"symptom.severity.threshold", &s.severity_threshold, 0.01, 0.99},
      {"symptom.explain.ratio", &s.explain_ratio, 1.01, 10},
  };
  for (const Param& p : params) {
    const Parameter* found = kb.FindParameter(p.id);
    if (!found) {
      diag.Add(file, 0, std::string("the symptom checker needs parameter '") + p.id + "'");
      continue;
    }
    if (found->value < p.min || found->value > p.max) {
      diag.Add(found->meta.file, found->meta.line,
               std::string("item '") + p.id + "': value out of range for the symptom checker");
      continue;
    }
    *p.target = found->value;
  }
  s.max_questions = static_cast<int>(std::lround(max_questions));
  s.min_interview_questions = static_cast<int>(std::lround(min_interview));
}

}  // namespace

void ValidateSymptom(KnowledgeBase& kb, Diagnostics& diag) {
  if (!kb.symptom) return;
  SymptomKnowledge& sym = *kb.symptom;
  symptom::SymptomModel& m = sym.model;
  const std::string first_file =
      !sym.findings.empty() ? sym.findings.front().meta.file : std::string("knowledge/symptom");

  m = symptom::SymptomModel{};
  m.n_findings = static_cast<int>(sym.findings.size());
  m.n_conditions = static_cast<int>(sym.conditions.size());
  for (int i = 0; i < m.n_findings; ++i) m.finding_index.emplace(sym.findings[i].meta.id, i);
  for (int i = 0; i < m.n_conditions; ++i) m.condition_index.emplace(sym.conditions[i].meta.id, i);
  for (int i = 0; i < static_cast<int>(sym.groups.size()); ++i) {
    m.group_index.emplace(sym.groups[i].meta.id, i);
  }

  auto add = [&diag](const ItemMeta& meta, const std::string& msg) {
    diag.Add(meta.file, meta.line, "item '" + meta.id + "': " + msg);
  };
  auto finding = [&](const ItemMeta& meta, const std::string& field, const std::string& id) {
    auto it = m.finding_index.find(id);
    if (it == m.finding_index.end()) {
      add(meta, "field '" + field + "': '" + id + "' is not a symptom finding");
      return -1;
    }
    return it->second;
  };
  auto resolve_all = [&](const ItemMeta& meta, const std::string& field,
                         const std::vector<std::string>& ids) {
    std::vector<int> out;
    for (const std::string& id : ids) {
      int i = finding(meta, field, id);
      if (i >= 0) out.push_back(i);
    }
    return out;
  };

  // Triage levels: all five, once each.
  std::set<TriageLevel> seen_levels;
  for (const TriageLevelDef& d : sym.levels) {
    if (!seen_levels.insert(d.level).second) {
      add(d.meta,
          std::string("triage level '") + symptom::TriageCode(d.level) + "' is defined twice");
    }
  }
  if ((!sym.findings.empty() || !sym.conditions.empty()) &&
      static_cast<int>(seen_levels.size()) != symptom::kTriageLevelCount) {
    diag.Add(first_file, 0,
             "the symptom checker needs all five triage levels (triage_levels): self_care, "
             "primary_care_routine, dermatologist_routine, urgent_24h, emergency");
  }

  // Findings.
  for (Finding& f : sym.findings) {
    f.ask_if_any_idx = resolve_all(f.meta, "ask_if_any", f.ask_if_any);
    f.implies_idx = resolve_all(f.meta, "implies", f.implies);
    f.excludes_idx = resolve_all(f.meta, "excludes", f.excludes);
    if (!f.group.empty()) {
      auto it = m.group_index.find(f.group);
      if (it == m.group_index.end()) {
        add(f.meta, "field 'group': '" + f.group + "' is not a question group");
      } else {
        f.group_index = it->second;
      }
    }
    if (f.phase == Phase::kRedFlagScreen && f.category != "red_flag") {
      add(f.meta, "findings asked in the red-flag screen must have category red_flag");
    }
  }
  for (int gi = 0; gi < static_cast<int>(sym.groups.size()); ++gi) {
    QuestionGroup& g = sym.groups[gi];
    g.item_idx = resolve_all(g.meta, "items", g.items);
    for (int fi : g.item_idx) {
      Finding& f = sym.findings[fi];
      if (f.group_index != gi) {
        add(g.meta, "item '" + f.meta.id + "' must declare group: " + g.meta.id);
      }
      if (f.phase != g.phase) {
        add(f.meta, "field 'phase': must match the phase of its group '" + g.meta.id + "'");
      }
    }
  }
  for (const Finding& f : sym.findings) {
    if (f.group_index >= 0) {
      const QuestionGroup& g = sym.groups[f.group_index];
      if (std::find(g.items.begin(), g.items.end(), f.meta.id) == g.items.end()) {
        add(f.meta, "field 'group': group '" + g.meta.id + "' does not list this finding");
      }
    }
  }
  if (auto it = m.finding_index.find("sx.ctx.isotretinoin"); it != m.finding_index.end()) {
    m.isotretinoin_finding = it->second;
  } else if (!sym.findings.empty()) {
    diag.Add(first_file, 0, "the symptom checker needs the finding 'sx.ctx.isotretinoin'");
  }
  if (auto it = m.finding_index.find("sx.rf.pregnancy"); it != m.finding_index.end()) {
    m.pregnancy_finding = it->second;
  }

  // Conditions and the likelihood table.
  const int F = m.n_findings;
  const int C = m.n_conditions;
  m.p.assign(static_cast<size_t>(F) * C, 0);
  for (int f = 0; f < F; ++f) {
    for (int c = 0; c < C; ++c) m.p[f * C + c] = sym.findings[f].default_p;
  }
  for (int c = 0; c < C; ++c) {
    Condition& cond = sym.conditions[c];
    cond.requires_idx = resolve_all(cond.meta, "requires_present", cond.requires_present);
    std::set<int> listed;
    for (Likelihood& lk : cond.likelihoods) {
      lk.finding_index = finding(cond.meta, "likelihoods", lk.finding);
      if (lk.finding_index < 0) continue;
      if (!listed.insert(lk.finding_index).second) {
        add(cond.meta, "field 'likelihoods': '" + lk.finding + "' is listed twice");
        continue;
      }
      m.p[lk.finding_index * C + c] = lk.p;
    }
    // A gate is a precondition, not evidence: an isotretinoin adverse event is not made
    // less likely by the background rate of isotretinoin use.
    for (int f : cond.requires_idx) {
      if (!listed.contains(f)) m.p[f * C + c] = kMaxP;
    }
    if (cond.female_factor == 0 && cond.male_factor == 0) {
      add(cond.meta, "field 'sex_factors': at least one sex needs a factor above 0");
    }
  }
  m.log_p.resize(m.p.size());
  m.log_not_p.resize(m.p.size());
  for (size_t i = 0; i < m.p.size(); ++i) {
    m.log_p[i] = std::log(m.p[i]);
    m.log_not_p[i] = std::log(1 - m.p[i]);
  }
  // Group items: normalise within the group so an answer is one categorical outcome.
  m.group_q.assign(m.p.size(), 0);
  m.log_group_q.assign(m.p.size(), 0);
  for (const QuestionGroup& g : sym.groups) {
    for (int c = 0; c < C; ++c) {
      double total = 0;
      for (int fi : g.item_idx) total += m.p[fi * C + c];
      for (int fi : g.item_idx) {
        double q = total > 0 ? m.p[fi * C + c] / total : 0;
        m.group_q[fi * C + c] = q;
        m.log_group_q[fi * C + c] = std::log(std::max(q, 1e-9));
      }
    }
  }

  // Rules.
  for (std::vector<TriageRule>* rules : {&sym.red_flags, &sym.modifiers}) {
    for (TriageRule& t : *rules) {
      t.all_idx = resolve_all(t.meta, "all_of", t.all_of);
      t.any_idx = resolve_all(t.meta, "any_of", t.any_of);
      for (const std::string& id : t.likely) {
        auto it = m.condition_index.find(id);
        if (it == m.condition_index.end()) {
          add(t.meta, "field 'likely': '" + id + "' is not a symptom condition");
        } else {
          t.likely_idx.push_back(it->second);
        }
      }
    }
  }
  if (!sym.findings.empty()) ReadSettings(kb, m.settings, diag, first_file);
}

}  // namespace isocourse::kb
