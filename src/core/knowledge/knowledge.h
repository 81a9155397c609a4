// File: knowledge.h
//
// The clinical knowledge base as typed data. It is loaded from `knowledge/*.yaml`
// (see loader.h) and is immutable afterwards; every engine takes it by const
// reference. Every item has a stable id (find it with one search: `grep -r <id>
// knowledge src tests`), a citation into `sources.yaml`, and, where sources disagree,
// the jurisdictions it applies to.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/units.h"

namespace isocourse {

enum class Jurisdiction { kUS, kEU, kUK };
const char* JurisdictionName(Jurisdiction j);  // "US", "EU", "UK"
std::optional<Jurisdiction> ParseJurisdiction(std::string_view s);

// A pointer into the literature: `source` is a key of sources.yaml (e.g. "L-ABS"),
// `locator` says where in it (e.g. "§2.1", "Table 3").
struct Citation {
  std::string source;
  std::string locator;
  std::string ToString() const { return locator.empty() ? source : source + " " + locator; }
};

// What every knowledge item carries.
struct ItemMeta {
  std::string id;
  Citation citation;
  // Empty means "applies everywhere".
  std::vector<Jurisdiction> jurisdictions;
  std::string note;
  // Where it was defined, for messages.
  std::string file;
  int line = 0;

  bool AppliesTo(Jurisdiction j) const;
};

struct SourceRef {
  std::string key;
  std::string title;
  std::string url;
  std::string file;
  int line = 0;
};

// A named number with a unit and a source, e.g. `dose.max.standard` = 2.0 mg/kg/day.
// Later rule packs read thresholds from here rather than from C++ literals.
struct Parameter {
  ItemMeta meta;
  double value = 0;
  std::string unit;
};

enum class FoodRequirement { kWithFood, kWithOrWithoutFood };

struct Product {
  ItemMeta meta;
  std::string name;
  std::vector<std::string> aliases;  // brand names and short names accepted on input
  std::vector<Milligrams> strengths;
  std::vector<Milligrams> tartrazine_strengths;  // strengths containing FD&C Yellow 5
  FoodRequirement food = FoodRequirement::kWithFood;
  // Id of the parameter holding the labelled maximum mg/kg/day for this product.
  std::string max_daily_rule;
  MgPerKgPerDay max_daily{0};  // resolved from max_daily_rule at load
  // Usual labelled range, in this product's own mg.
  MgPerKgPerDay usual_low{0};
  MgPerKgPerDay usual_high{0};
  // mg of this product equivalent to 1 mg of conventional isotretinoin (LD: 0.8).
  double equivalence_factor = 1.0;
  // Products in different groups are not substitutable mg for mg.
  std::string substitution_group;
  // Doses per day the label states; 2 = "in two divided doses".
  int label_doses_per_day = 2;
  bool once_daily_allowed = false;
};

struct RegimenPhase {
  // Exactly one of per_kg and fixed is set.
  std::optional<MgPerKgPerDay> per_kg;
  std::optional<Milligrams> fixed;
  // Length in days; unset means "until the cumulative target is reached".
  std::optional<int> days;
};

struct Regimen {
  ItemMeta meta;
  std::string name;
  std::string description;
  std::vector<RegimenPhase> phases;
  int doses_per_day = 2;
};

struct CumulativeTarget {
  ItemMeta meta;
  std::string name;
  MgPerKg low{0};
  MgPerKg high{0};
  MgPerKg default_goal{0};
  std::string evidence;
};

enum class Severity { kInfo, kModerate, kMajor, kHardStop };
const char* SeverityName(Severity s);  // "info", "moderate", "major", "hard_stop"

// A statement a rule emits, worded for clinicians and reviewed as data: e.g.
// `dose.frequency.once-daily` "Once-daily dosing is not established for this product".
struct Advisory {
  ItemMeta meta;
  Severity severity = Severity::kInfo;
  std::string message;
};

// --- Pregnancy-prevention programs (knowledge/program-*.yaml; parsers and rules in
// src/core/program/, see docs/programs.md). ---

// A dated rule pack, e.g. `us.ipledge.v2021`: the rules of one program version.
struct ProgramPack {
  ItemMeta meta;        // meta.jurisdictions holds exactly one jurisdiction
  std::string version;  // label shown with every reason, e.g. "V2021"
  std::string name;
  Date effective_from;   // US V2026: the default of Settings::ipledge_2026_cutover
  bool verified = true;  // false: the date or content is not confirmed by a primary source
};

enum class ProgramCategory { kCanGetPregnant, kCannotGetPregnant };

// One program rule: the text a reason shows, the packs and categories it belongs to,
// and its number (e.g. `ipledge.window.cgp` = 7 days). Keyed "id@JURISDICTION".
struct ProgramRule {
  ItemMeta meta;
  std::vector<std::string> packs;           // pack ids
  std::vector<ProgramCategory> categories;  // empty = every category
  std::optional<double> value;
  std::string unit;
  std::optional<Date> starts_from;  // applies only to courses starting in [from, to]
  std::optional<Date> starts_to;
  std::string message;
  bool verified = true;
};

enum class ContraceptionClass { kUserIndependent, kUserDependent, kInadequate, kAbstinence };

// How the program rules count one method of the timeline vocabulary.
struct ContraceptionMethodInfo {
  ItemMeta meta;
  std::string method;  // timeline spelling, e.g. "copper_iud"
  ContraceptionClass method_class = ContraceptionClass::kInadequate;
  bool hormonal = false;
  bool barrier = false;
};

namespace course {
struct CourseKnowledge;  // src/core/course/course_knowledge.h
}  // namespace course

namespace symptom {
struct SymptomKnowledge;  // src/core/symptom/symptom_kb.h
}  // namespace symptom

struct KnowledgeBase {
  // Content hash of every file loaded; reported with every result.
  std::string version;
  std::map<std::string, SourceRef, std::less<>> sources;
  std::map<std::string, Parameter, std::less<>> parameters;
  std::vector<Product> products;
  std::vector<Regimen> regimens;
  std::vector<CumulativeTarget> targets;
  std::map<std::string, Advisory, std::less<>> advisories;
  // Acne symptom checker (knowledge/symptom/*.yaml; src/core/symptom/symptom_kb.h).
  // Null when no symptom knowledge was loaded; never modified after load.
  std::shared_ptr<symptom::SymptomKnowledge> symptom;
  // Pregnancy-prevention programs (src/core/program/program_knowledge.h has lookups).
  std::vector<ProgramPack> program_packs;
  // Keyed "id@US" (a rule may be defined once per jurisdiction).
  std::map<std::string, ProgramRule, std::less<>> program_rules;
  // Keyed by the timeline's method spelling ("copper_iud").
  std::map<std::string, ContraceptionMethodInfo, std::less<>> contraception_methods;
  // Course engine rules (knowledge/course-rules.yaml, red-flags.yaml, interactions.yaml,
  // labs.yaml, lab-profiles.yaml, course-tasks.yaml); never modified after load.
  std::shared_ptr<course::CourseKnowledge> course;


  // Finds a product by id ("product.generic"), short id ("generic") or alias
  // ("Claravis"), case-insensitively. nullptr if none.
  const Product* FindProduct(std::string_view name) const;
  const Regimen* FindRegimen(std::string_view id) const;
  const CumulativeTarget* FindTarget(std::string_view id) const;
  // The parameter with this id that applies to `j` (a jurisdiction-tagged entry wins
  // over an untagged one). nullptr if none.
  const Parameter* FindParameter(std::string_view id,
                                 std::optional<Jurisdiction> j = std::nullopt) const;
  const Advisory* FindAdvisory(std::string_view id) const;
  // The citation for a parameter, or an empty one.
  Citation CiteParameter(std::string_view id) const;
};

}  // namespace isocourse
