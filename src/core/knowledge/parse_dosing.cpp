// Parsers for the kinds the dose planner needs: sources, parameters, products,
// regimens and cumulative targets.
#include <algorithm>

#include "core/knowledge/kinds.h"

namespace isocourse::kb {

void ParseSources(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics& diag) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "title", "url"});
    SourceRef s;
    s.key = r.String("id");
    s.title = r.String("title");
    s.url = r.OptString("url").value_or("");
    s.file = r.file();
    s.line = r.line();
    if (s.key.empty()) continue;
    diag.RegisterId("source:" + s.key, r.file(), r.line());
    kb.sources.emplace(s.key, std::move(s));
  }
}

void ParseParameters(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "value", "unit", "citation", "jurisdiction", "note"});
    Parameter p;
    p.meta = r.Meta();
    p.value = r.Number("value", -1e9, 1e9);
    p.unit = r.String("unit");
    if (p.meta.id.empty()) continue;
    if (p.meta.jurisdictions.empty()) {
      kb.parameters.emplace(p.meta.id, p);
    } else {
      for (Jurisdiction j : p.meta.jurisdictions) {
        kb.parameters.emplace(p.meta.id + "@" + JurisdictionName(j), p);
      }
    }
  }
}

void ParseProducts(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "name", "aliases", "strengths_mg", "tartrazine_strengths_mg", "food",
                     "max_daily_rule", "usual_mg_per_kg_day", "equivalence_factor",
                     "substitution_group", "label_doses_per_day", "once_daily_allowed", "citation",
                     "jurisdiction", "note"});
    Product p;
    p.meta = r.Meta();
    p.name = r.String("name");
    p.aliases = r.StringList("aliases", false);
    for (double s : r.NumberList("strengths_mg", 1, 100, true)) p.strengths.emplace_back(s);
    for (double s : r.NumberList("tartrazine_strengths_mg", 1, 100, false)) {
      p.tartrazine_strengths.emplace_back(s);
    }
    std::sort(p.strengths.begin(), p.strengths.end());
    for (Milligrams t : p.tartrazine_strengths) {
      if (std::find(p.strengths.begin(), p.strengths.end(), t) == p.strengths.end()) {
        r.Problem("tartrazine_strengths_mg", "lists a strength the product does not have");
      }
    }
    std::string food = r.Enum("food", {"with_food", "with_or_without_food"});
    p.food = food == "with_or_without_food" ? FoodRequirement::kWithOrWithoutFood
                                            : FoodRequirement::kWithFood;
    p.max_daily_rule = r.String("max_daily_rule");
    std::vector<double> usual = r.NumberList("usual_mg_per_kg_day", 0.05, 3, true);
    if (usual.size() == 2 && usual[0] <= usual[1]) {
      p.usual_low = MgPerKgPerDay(usual[0]);
      p.usual_high = MgPerKgPerDay(usual[1]);
    } else if (!usual.empty()) {
      r.Problem("usual_mg_per_kg_day", "expected [low, high] with low <= high");
    }
    p.equivalence_factor = r.OptNumber("equivalence_factor", 0.1, 2).value_or(1.0);
    p.substitution_group = r.String("substitution_group");
    p.label_doses_per_day = r.Integer("label_doses_per_day", 1, 2);
    p.once_daily_allowed = r.Bool("once_daily_allowed", false);
    kb.products.push_back(std::move(p));
  }
}

void ParseRegimens(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "name", "description", "phases", "doses_per_day", "citation",
                     "jurisdiction", "note"});
    Regimen g;
    g.meta = r.Meta();
    g.name = r.String("name");
    g.description = r.OptString("description").value_or("");
    g.doses_per_day = r.OptInteger("doses_per_day", 1, 2).value_or(2);
    std::vector<ItemReader> phases = r.List("phases", true);
    for (size_t i = 0; i < phases.size(); ++i) {
      ItemReader& ph = phases[i];
      ph.RejectUnknown({"mg_per_kg_day", "mg_per_day", "days"});
      RegimenPhase p;
      if (auto v = ph.OptNumber("mg_per_kg_day", 0.05, 2.0)) p.per_kg = MgPerKgPerDay(*v);
      if (auto v = ph.OptNumber("mg_per_day", 1, 400)) p.fixed = Milligrams(*v);
      if (p.per_kg.has_value() == p.fixed.has_value()) {
        ph.Problem("", "a phase needs exactly one of mg_per_kg_day or mg_per_day");
      }
      p.days = ph.OptInteger("days", 1, 730);
      if (!p.days && i + 1 != phases.size()) {
        ph.Problem("days", "only the last phase may omit days (it runs to the target)");
      }
      g.phases.push_back(p);
    }
    kb.regimens.push_back(std::move(g));
  }
}

void ParseTargets(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "name", "low_mg_per_kg", "high_mg_per_kg", "default_goal_mg_per_kg",
                     "evidence", "citation", "jurisdiction", "note"});
    CumulativeTarget t;
    t.meta = r.Meta();
    t.name = r.String("name");
    t.low = MgPerKg(r.Number("low_mg_per_kg", 1, 300));
    t.high = MgPerKg(r.Number("high_mg_per_kg", 1, 300));
    t.default_goal = MgPerKg(r.Number("default_goal_mg_per_kg", 1, 300));
    t.evidence = r.String("evidence");
    if (t.low > t.high || t.default_goal < t.low || t.default_goal > t.high) {
      r.Problem("default_goal_mg_per_kg", "expected low <= default goal <= high");
    }
    kb.targets.push_back(std::move(t));
  }
}

void ParseAdvisories(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "severity", "message", "citation", "jurisdiction", "note"});
    Advisory a;
    a.meta = r.Meta();
    std::string sev = r.Enum("severity", {"info", "moderate", "major", "hard_stop"});
    a.severity = sev == "hard_stop"  ? Severity::kHardStop
                 : sev == "major"    ? Severity::kMajor
                 : sev == "moderate" ? Severity::kModerate
                                     : Severity::kInfo;
    a.message = r.String("message");
    if (!a.meta.id.empty()) kb.advisories.emplace(a.meta.id, std::move(a));
  }
}

void ValidateDosing(KnowledgeBase& kb, Diagnostics& diag) {
  for (Product& p : kb.products) {
    if (p.max_daily_rule.empty()) continue;
    const Parameter* max = kb.FindParameter(p.max_daily_rule);
    if (!max) {
      diag.Add(p.meta.file, p.meta.line,
               "item '" + p.meta.id + "': field 'max_daily_rule': parameter '" + p.max_daily_rule +
                   "' is not defined");
      continue;
    }
    if (max->unit != "mg/kg/day") {
      diag.Add(p.meta.file, p.meta.line,
               "item '" + p.meta.id + "': field 'max_daily_rule': parameter '" + p.max_daily_rule +
                   "' has unit '" + max->unit + "', expected mg/kg/day");
      continue;
    }
    p.max_daily = MgPerKgPerDay(max->value);
  }
  if (kb.products.empty()) diag.Add("knowledge", 0, "no products are defined");
  if (kb.FindTarget("dose.cumulative.standard") == nullptr) {
    diag.Add("knowledge", 0, "the cumulative target 'dose.cumulative.standard' is not defined");
  }
}

}  // namespace isocourse::kb
