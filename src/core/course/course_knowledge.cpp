// Parsers for the course engine's knowledge kinds (see course_knowledge.h) and the
// validator that resolves them for fast evaluation.
#include "core/course/course_knowledge.h"

#include <algorithm>
#include <memory>
#include <set>

#include "core/knowledge/kinds.h"
#include "core/knowledge/yaml_reader.h"

namespace isocourse {

namespace course {

std::optional<double> LabAnalyte::ToCanonical(double value, LabUnit unit) const {
  if (unit == canonical_unit) return value;
  for (const LabUnitFactor& f : units) {
    if (f.unit == unit) return value / f.per_canonical;
  }
  return std::nullopt;
}

std::optional<double> LabAnalyte::FromCanonical(double canonical, LabUnit unit) const {
  if (unit == canonical_unit) return canonical;
  for (const LabUnitFactor& f : units) {
    if (f.unit == unit) return canonical * f.per_canonical;
  }
  return std::nullopt;
}

const CourseRule* CourseKnowledge::Rule(std::string_view id, Jurisdiction j) const {
  const CourseRule* untagged = nullptr;
  auto [lo, hi] = rules.equal_range(id);
  for (auto it = lo; it != hi; ++it) {
    const CourseRule& r = it->second;
    if (r.meta.jurisdictions.empty()) {
      untagged = &r;
    } else if (r.meta.AppliesTo(j)) {
      return &r;
    }
  }
  return untagged;
}

const LabAnalyte* CourseKnowledge::AnalyteByLoinc(std::string_view loinc) const {
  for (const LabAnalyte& a : analytes) {
    for (const std::string& l : a.loinc) {
      if (l == loinc) return &a;
    }
  }
  return nullptr;
}

const LabAnalyte* CourseKnowledge::Analyte(std::string_view key) const {
  for (const LabAnalyte& a : analytes) {
    if (a.analyte == key) return &a;
  }
  return nullptr;
}

const LabProfileRule* CourseKnowledge::Profile(LabProfile p) const {
  for (const LabProfileRule& r : lab_profiles) {
    if (r.profile == p) return &r;
  }
  return nullptr;
}

}  // namespace course

namespace kb {

using namespace course;

namespace {

CourseKnowledge& Course(KnowledgeBase& kb) {
  if (!kb.course) kb.course = std::make_shared<CourseKnowledge>();
  return *kb.course;
}

template <class E>
std::optional<E> ReadEnum(ItemReader& r, std::string_view field, bool required) {
  if (!required && !r.Has(field)) return std::nullopt;
  std::string s = r.String(field);
  if (s.empty()) return std::nullopt;
  if (auto e = ParseName<E>(s)) return e;
  r.Problem(field, "'" + s + "' is not allowed; expected one of: " + NameList<E>());
  return std::nullopt;
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "moderate") return Severity::kModerate;
  if (s == "major") return Severity::kMajor;
  if (s == "hard_stop") return Severity::kHardStop;
  return std::nullopt;
}

Severity ReadSeverity(ItemReader& r, std::string_view field, Severity def) {
  if (!r.Has(field)) return def;
  std::string s = r.Enum(field, {"info", "moderate", "major", "hard_stop"});
  return ParseSeverity(s).value_or(def);
}

std::vector<std::string> Strings(ItemReader& r, std::string_view field, bool required) {
  return r.StringList(field, required);
}

}  // namespace

void ParseCourseRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    CourseRule rule;
    rule.meta = r.Meta();
    rule.title = r.OptString("title").value_or("");
    rule.message = r.OptString("message").value_or("");
    rule.action = r.OptString("action").value_or("");
    rule.severity = ReadSeverity(r, "severity", Severity::kInfo);
    rule.urgency = ReadEnum<Urgency>(r, "urgency", false).value_or(Urgency::kRoutine);
    rule.stop_drug = r.Bool("stop_drug", false);
    rule.value = r.OptNumber("value", -1e9, 1e9);
    rule.values = r.NumberList("values", -1e9, 1e9, false);
    rule.unit = r.OptString("unit").value_or("");
    rule.version = r.OptString("version").value_or("");
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "title", "message", "action",
                     "severity", "urgency", "stop_drug", "value", "values", "unit", "version"});
    if (rule.title.empty()) r.Problem("title", "is missing");
    if (!rule.meta.id.empty()) ck.rules.emplace(rule.meta.id, std::move(rule));
  }
}

void ParseRedFlags(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    RedFlag f;
    f.meta = r.Meta();
    f.condition = r.String("condition");
    if (r.Has("requires")) {
      const YAML::Node& n = r.node()["requires"];
      if (!n.IsSequence() || n.size() == 0) {
        r.Problem("requires",
                  "expected a list of symptom groups, e.g. [[headache_severe], [visual_change]]");
      } else {
        for (const YAML::Node& g : n) {
          std::vector<Symptom> group;
          if (!g.IsSequence() || g.size() == 0) {
            r.Problem("requires", "each group must be a non-empty list of symptoms");
            continue;
          }
          for (const YAML::Node& s : g) {
            std::string word = s.IsScalar() ? s.Scalar() : "";
            if (auto sym = ParseName<Symptom>(word)) {
              group.push_back(*sym);
            } else {
              r.Problem("requires",
                        "'" + word + "' is not a symptom; expected one of: " + NameList<Symptom>());
            }
          }
          f.groups.push_back(std::move(group));
        }
      }
    } else {
      r.Problem("requires", "is missing");
    }
    f.min_severity = ReadEnum<SymptomSeverity>(r, "min_severity", false);
    f.can_get_pregnant_only = r.Bool("can_get_pregnant_only", false);
    f.severity = ReadSeverity(r, "severity", Severity::kMajor);
    f.urgency = ReadEnum<Urgency>(r, "urgency", true).value_or(Urgency::kSameDay);
    f.stop_drug = r.Bool("stop_drug", false);
    f.message = r.String("message");
    f.action = r.String("action");
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "condition", "requires",
                     "min_severity", "can_get_pregnant_only", "severity", "urgency", "stop_drug",
                     "message", "action"});
    ck.red_flags.push_back(std::move(f));
  }
}

void ParseInteractions(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    Interaction x;
    x.meta = r.Meta();
    x.condition = ReadEnum<Condition>(r, "condition", false);
    x.medication = ReadEnum<MedicationClass>(r, "medication", false);
    x.contraception_method = ReadEnum<ContraceptionMethod>(r, "contraception_method", false);
    if (!x.condition && !x.medication && !x.contraception_method) {
      r.Problem("condition", "needs a trigger: condition, medication or contraception_method");
    }
    x.with_hormonal_contraception = r.Bool("with_hormonal_contraception", false);
    x.can_get_pregnant_only = r.Bool("can_get_pregnant_only", false);
    if (auto m = r.Map("severity", true)) {
      bool any = false;
      for (Jurisdiction j : {Jurisdiction::kUS, Jurisdiction::kEU, Jurisdiction::kUK}) {
        const char* key = JurisdictionName(j);
        if (!m->Has(key)) continue;
        std::string s = m->Enum(key, {"info", "moderate", "major", "hard_stop"});
        if (auto sev = ParseSeverity(s)) {
          x.severity[static_cast<size_t>(j)] = *sev;
          any = true;
        }
      }
      m->RejectUnknown({"US", "EU", "UK"});
      if (!any) r.Problem("severity", "give a severity for at least one of US, EU, UK");
    }
    x.title = r.String("title");
    x.message = r.String("message");
    x.action = r.OptString("action").value_or("");
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "condition", "medication",
                     "contraception_method", "with_hormonal_contraception", "can_get_pregnant_only",
                     "severity", "title", "message", "action"});
    ck.interactions.push_back(std::move(x));
  }
}

void ParseLabAnalytes(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    LabAnalyte a;
    a.meta = r.Meta();
    a.analyte = r.String("analyte");
    a.name = r.String("name");
    a.loinc = Strings(r, "loinc", true);
    a.canonical_unit = ReadEnum<LabUnit>(r, "canonical_unit", true).value_or(LabUnit::kMgPerDl);
    for (ItemReader& u : r.List("units", false)) {
      LabUnitFactor f;
      f.unit = ReadEnum<LabUnit>(u, "unit", true).value_or(LabUnit::kNone);
      f.per_canonical = u.Number("per_canonical", 1e-9, 1e9);
      f.citation = u.Cite();
      u.RejectUnknown({"unit", "per_canonical", "citation"});
      a.units.push_back(f);
    }
    a.lipid = r.Bool("lipid", false);
    a.rising_check = r.Bool("rising_check", false);
    a.review_above = r.OptNumber("review_above", 0, 1e9);
    if (a.review_above) a.review_citation = r.Cite("review_citation");
    for (ItemReader& t : r.List("thresholds", false)) {
      LabThreshold th;
      th.meta = t.Meta();
      th.above = t.Number("above", -1e9, 1e9);
      th.unit = ReadEnum<LabUnit>(t, "unit", true).value_or(LabUnit::kMgPerDl);
      th.flag = ReadEnum<LabFlag>(t, "flag", true).value_or(LabFlag::kReview);
      if (th.flag != LabFlag::kAlert && th.flag != LabFlag::kReview) {
        t.Problem("flag", "a threshold flag is alert or review");
      }
      th.severity = ReadSeverity(t, "severity", Severity::kModerate);
      th.urgency = ReadEnum<Urgency>(t, "urgency", false).value_or(Urgency::kSoon);
      th.stop_drug = t.Bool("stop_drug", false);
      th.title = t.String("title");
      th.message = t.String("message");
      th.action = t.OptString("action").value_or("");
      t.RejectUnknown({"id", "citation", "jurisdiction", "note", "above", "unit", "flag",
                       "severity", "urgency", "stop_drug", "title", "message", "action"});
      a.thresholds.push_back(std::move(th));
    }
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "analyte", "name", "loinc",
                     "canonical_unit", "units", "lipid", "rising_check", "review_above",
                     "review_citation", "thresholds"});
    ck.analytes.push_back(std::move(a));
  }
}

void ParseLabProfiles(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    LabProfileRule p;
    p.meta = r.Meta();
    p.profile = ReadEnum<LabProfile>(r, "profile", true).value_or(LabProfile::kUsLabel);
    p.name = r.String("name");
    for (ItemReader& c : r.List("checks", true)) {
      LabCheck k;
      k.meta = c.Meta();
      k.name = c.String("name");
      k.analytes = Strings(c, "analytes", true);
      k.anchor = ReadEnum<LabAnchor>(c, "anchor", true).value_or(LabAnchor::kStart);
      k.before_start = c.Bool("before_start", false);
      k.due_offset = c.Integer("due", -3650, 3650);
      k.earliest_offset = c.OptInteger("earliest", -3650, 3650).value_or(k.due_offset);
      k.latest_offset = c.OptInteger("latest", -3650, 3650).value_or(k.due_offset);
      k.repeat_every = c.OptInteger("repeat_every", 7, 3650);
      if (k.earliest_offset > k.due_offset || k.latest_offset < k.due_offset) {
        c.Problem("due", "the window must hold the due day: earliest <= due <= latest");
      }
      c.RejectUnknown({"id", "citation", "jurisdiction", "note", "name", "analytes", "anchor",
                       "before_start", "due", "earliest", "latest", "repeat_every"});
      p.checks.push_back(std::move(k));
    }
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "profile", "name", "checks"});
    ck.lab_profiles.push_back(std::move(p));
  }
}

void ParseCourseTasks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  (void)diag;
  CourseKnowledge& ck = Course(kb);
  for (ItemReader& r : items) {
    TaskRule t;
    t.meta = r.Meta();
    t.kind = ReadEnum<TaskKind>(r, "kind", true).value_or(TaskKind::kOther);
    t.title = r.String("title");
    t.detail = r.OptString("detail").value_or("");
    t.anchor = ReadEnum<TaskAnchor>(r, "anchor", true).value_or(TaskAnchor::kLastDose);
    t.offset_months = r.OptInteger("offset_months", 0, 120).value_or(0);
    t.offset_days = r.OptInteger("offset_days", -3650, 3650).value_or(0);
    t.window_before = r.OptInteger("window_before", 0, 3650).value_or(0);
    t.window_after = r.OptInteger("window_after", 0, 3650).value_or(0);
    t.repeat_every = r.OptInteger("repeat_every", 7, 3650);
    t.until = r.Bool("until", false);
    t.can_get_pregnant_only = r.Bool("can_get_pregnant_only", false);
    t.female_only = r.Bool("female_only", false);
    t.unblocks = r.StringList("unblocks", false);
    r.RejectUnknown({"id", "citation", "jurisdiction", "note", "kind", "title", "detail", "anchor",
                     "offset_months", "offset_days", "window_before", "window_after",
                     "repeat_every", "until", "can_get_pregnant_only", "female_only", "unblocks"});
    ck.tasks.push_back(std::move(t));
  }
}

void ValidateCourse(KnowledgeBase& kb, Diagnostics& diag) {
  // No course knowledge at all (e.g. a partial knowledge base in a test): the engine
  // refuses to evaluate instead (Evaluate -> kFailedPrecondition).
  if (!kb.course) return;
  CourseKnowledge& ck = *kb.course;
  const std::string where = "knowledge/course-rules.yaml";
  // Rules that must carry a number, and how many for list values.
  const std::set<R> needs_value = {R::kCoursePhasePostTreatmentDays,
                                   R::kCoursePhaseFollowUpMonths,
                                   R::kCandidacyAgeMinimum,
                                   R::kCandidacySeverityIga,
                                   R::kCandidacySeverityNodules,
                                   R::kCandidacySeverityInflammatory,
                                   R::kCandidacyIndicationTreatmentFailure,
                                   R::kDoseRetreatmentLabel,
                                   R::kDoseRetreatmentMsd,
                                   R::kMoodPhq9Moderate,
                                   R::kMoodPhq9Severe,
                                   R::kMoodPhq2Positive,
                                   R::kMoodTrendWorsening,
                                   R::kFlareWindow,
                                   R::kFlareGags,
                                   R::kFlareFacialNodules,
                                   R::kFlareFacialComedones,
                                   R::kFlareTruncalNodules,
                                   R::kLabsAlcohol,
                                   R::kAlertsLookback,
                                   R::kLabsRepeatUnreliable};
  for (Jurisdiction j : {Jurisdiction::kUS, Jurisdiction::kEU, Jurisdiction::kUK}) {
    auto& row = ck.resolved[static_cast<size_t>(j)];
    for (size_t i = 0; i < kRuleIds.size(); ++i) {
      const CourseRule* r = ck.Rule(kRuleIds[i], j);
      row[i] = r;
      if (!r) {
        diag.Add(where, 0,
                 "course rule '" + std::string(kRuleIds[i]) + "' is missing for " +
                     JurisdictionName(j) + " (the course engine reads it)");
        continue;
      }
      if (needs_value.contains(static_cast<R>(i)) && !r->value) {
        diag.Add(r->meta.file, r->meta.line,
                 "course rule '" + r->meta.id + "' needs a value (the engine uses the number)");
      }
    }
    const CourseRule* g = row[static_cast<size_t>(R::kGagsFactors)];
    if (g && g->values.size() != kGagsRegionCount) {
      diag.Add(g->meta.file, g->meta.line, "gags.factors needs 6 values (one per GAGS region)");
    }
    // Tagged items replace untagged ones of the same id.
    auto pick = [j](const auto& items, auto& out) {
      for (const auto& item : items) {
        if (!item.meta.AppliesTo(j)) continue;
        if (item.meta.jurisdictions.empty()) {
          bool replaced = std::any_of(items.begin(), items.end(), [&](const auto& other) {
            return &other != &item && other.meta.id == item.meta.id &&
                   !other.meta.jurisdictions.empty() && other.meta.AppliesTo(j);
          });
          if (replaced) continue;
        }
        out.push_back(&item);
      }
    };
    ck.interactions_in[static_cast<size_t>(j)].clear();
    ck.tasks_in[static_cast<size_t>(j)].clear();
    pick(ck.interactions, ck.interactions_in[static_cast<size_t>(j)]);
    pick(ck.tasks, ck.tasks_in[static_cast<size_t>(j)]);
  }
  if (const CumulativeTarget* t = kb.FindTarget("dose.cumulative.standard")) {
    ck.default_target = *t;
  }
  if (const CourseRule* p = ck.Rule("course.pack", Jurisdiction::kUS); p) {
    ck.pack_version = p->version;
    if (p->version.empty()) diag.Add(p->meta.file, p->meta.line, "course.pack needs a version");
  }
  // Lab profiles must name analytes that exist, and every profile must be present.
  for (const LabProfileRule& p : ck.lab_profiles) {
    for (const LabCheck& c : p.checks) {
      for (const std::string& a : c.analytes) {
        if (!ck.Analyte(a)) {
          diag.Add(c.meta.file, c.meta.line,
                   "lab check '" + c.meta.id + "' names analyte '" + a +
                       "', which is not in lab_analytes");
        }
      }
    }
  }
  for (size_t i = 0; i < Vocab<LabProfile>::kNames.size(); ++i) {
    if (!ck.Profile(static_cast<LabProfile>(i))) {
      diag.Add("knowledge/lab-profiles.yaml", 0,
               "no lab profile '" + std::string(Vocab<LabProfile>::kNames[i]) + "'");
    }
  }
  std::set<std::string> loincs;
  for (const LabAnalyte& a : ck.analytes) {
    for (const std::string& l : a.loinc) {
      if (!loincs.insert(l).second) {
        diag.Add(a.meta.file, a.meta.line, "LOINC " + l + " belongs to two analytes");
      }
    }
  }
}

}  // namespace kb
}  // namespace isocourse
