// Parsers, validator and lookups for the pregnancy-prevention knowledge kinds.
#include "core/program/program_knowledge.h"

#include <algorithm>
#include <string>

#include "core/course/timeline.h"
#include "core/knowledge/kinds.h"

namespace isocourse {
namespace program {

// Every rule the engine reads, with the unit its value must have. The US rules are
// read for the US only; the PPP rules for the EU and the UK; the MHRA rules for the UK.
const RequiredRule kRequiredRules[] = {
    {"ipledge.enrollment.required", Jurisdiction::kUS, ""},
    {"ipledge.consent.required", Jurisdiction::kUS, ""},
    {"ipledge.counseling.monthly", Jurisdiction::kUS, "per prescription"},
    {"ipledge.counseling.monthly-cgp", Jurisdiction::kUS, "per prescription"},
    {"ipledge.counseling.ncgp-at-enrollment", Jurisdiction::kUS, ""},
    {"ipledge.test.screening", Jurisdiction::kUS, ""},
    {"ipledge.test.confirmation.min-gap", Jurisdiction::kUS, "days"},
    {"ipledge.test.confirmation.menses", Jurisdiction::kUS, "days"},
    {"ipledge.test.confirmation.after-lead-in", Jurisdiction::kUS, "months"},
    {"ipledge.test.pre-treatment.clia", Jurisdiction::kUS, ""},
    {"ipledge.test.pre-treatment.medical-setting", Jurisdiction::kUS, ""},
    {"ipledge.test.monthly", Jurisdiction::kUS, ""},
    {"ipledge.test.monthly.clia-or-discretion", Jurisdiction::kUS, ""},
    {"ipledge.test.home.opt-in", Jurisdiction::kUS, ""},
    {"ipledge.contraception.two-methods", Jurisdiction::kUS, "methods"},
    {"ipledge.contraception.lead-in", Jurisdiction::kUS, "months"},
    {"ipledge.contraception.entries-match", Jurisdiction::kUS, ""},
    {"ipledge.contraception.patient-entry", Jurisdiction::kUS, "per prescription"},
    {"ipledge.comprehension.every-rx", Jurisdiction::kUS, "per prescription"},
    {"ipledge.window.cgp", Jurisdiction::kUS, "days"},
    {"ipledge.window.ncgp", Jurisdiction::kUS, "days"},
    {"ipledge.window.ncgp-none", Jurisdiction::kUS, ""},
    {"ipledge.dispense-by", Jurisdiction::kUS, ""},
    {"ipledge.rx.max-supply", Jurisdiction::kUS, "days"},
    {"ipledge.rx.no-refills", Jurisdiction::kUS, "refills"},
    {"ipledge.missed-first-window.lockout", Jurisdiction::kUS, "days"},
    {"ipledge.missed-first-window.retest", Jurisdiction::kUS, ""},
    {"ipledge.missed-later-window.retest", Jurisdiction::kUS, ""},
    {"ipledge.post.test", Jurisdiction::kUS, "months"},
    {"ipledge.post.contraception", Jurisdiction::kUS, "months"},
    {"ipledge.pregnancy.stop", Jurisdiction::kUS, ""},
    {"ipledge.plan.cycle-length", Jurisdiction::kUS, "days"},
#define ISO_PPP_RULES(J)                                                             \
  {"ppp.scope.all-cbp", J, ""}, {"ppp.contraception.methods", J, ""},                \
      {"ppp.contraception.lead-in", J, "months"}, {"ppp.test.before-rx", J, "days"}, \
      {"ppp.test.supervised", J, ""}, {"ppp.test.monthly", J, "months"},             \
      {"ppp.test.post", J, "weeks"}, {"ppp.post.contraception", J, "months"},        \
      {"ppp.rx.max-supply", J, "days"}, {"ppp.dispense.within", J, "days"}, {        \
    "ppp.pregnancy.stop", J, ""                                                      \
  }
    ISO_PPP_RULES(Jurisdiction::kEU),
    ISO_PPP_RULES(Jurisdiction::kUK),
#undef ISO_PPP_RULES
    {"mhra.under18.two-prescribers", Jurisdiction::kUK, "years"},
    {"mhra.assessment.before-start", Jurisdiction::kUK, ""},
    {"mhra.assessment.during", Jurisdiction::kUK, "per prescription"},
    {"mhra.acknowledgement-form", Jurisdiction::kUK, ""},
};
const size_t kRequiredRuleCount = std::size(kRequiredRules);

const ProgramRule* FindProgramRule(const KnowledgeBase& kb, std::string_view id, Jurisdiction j) {
  // Builds "id@US" on the stack: this runs many times per evaluation.
  char buf[128];
  const char* jur = JurisdictionName(j);
  const size_t jlen = std::char_traits<char>::length(jur);
  if (id.size() + 1 + jlen > sizeof buf) return nullptr;
  std::copy(id.begin(), id.end(), buf);
  buf[id.size()] = '@';
  std::copy(jur, jur + jlen, buf + id.size() + 1);
  auto it = kb.program_rules.find(std::string_view(buf, id.size() + 1 + jlen));
  return it == kb.program_rules.end() ? nullptr : &it->second;
}

const ProgramPack* PackInForce(const KnowledgeBase& kb, Jurisdiction j, Date date,
                               std::optional<Date> us_v2026_cutover, bool* before_first) {
  const ProgramPack* best = nullptr;
  Date best_from;
  const ProgramPack* earliest = nullptr;
  Date earliest_from;
  for (const ProgramPack& p : kb.program_packs) {
    if (!p.meta.AppliesTo(j) || p.meta.jurisdictions.empty()) continue;
    Date from = p.effective_from;
    if (us_v2026_cutover && p.meta.id == kUsV2026Pack) from = *us_v2026_cutover;
    if (!earliest || from < earliest_from) {
      earliest = &p;
      earliest_from = from;
    }
    if (from <= date && (!best || from > best_from)) {
      best = &p;
      best_from = from;
    }
  }
  if (before_first) *before_first = best == nullptr && earliest != nullptr;
  return best ? best : earliest;
}

bool RuleInPack(const ProgramRule& rule, const ProgramPack& pack) {
  return std::find(rule.packs.begin(), rule.packs.end(), pack.meta.id) != rule.packs.end();
}

const ContraceptionMethodInfo* FindContraceptionMethod(const KnowledgeBase& kb,
                                                       std::string_view method) {
  auto it = kb.contraception_methods.find(method);
  return it == kb.contraception_methods.end() ? nullptr : &it->second;
}

}  // namespace program

namespace kb {
namespace {

std::optional<Date> ReadDate(ItemReader& r, std::string_view field, bool required) {
  std::optional<std::string> text = required ? std::optional(r.String(field)) : r.OptString(field);
  if (!text || text->empty()) return std::nullopt;
  auto d = Date::Parse(*text, field);
  if (!d) {
    r.Problem(field, d.error().message);
    return std::nullopt;
  }
  return *d;
}

}  // namespace

void ParseProgramPacks(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "version", "name", "effective_from", "verified", "citation",
                     "jurisdiction", "note"});
    ProgramPack p;
    p.meta = r.Meta();
    p.version = r.String("version");
    p.name = r.String("name");
    if (auto d = ReadDate(r, "effective_from", true)) p.effective_from = *d;
    p.verified = r.Bool("verified", true);
    if (p.meta.jurisdictions.size() != 1) {
      r.Problem("jurisdiction", "a rule pack belongs to exactly one jurisdiction");
    }
    if (!p.meta.id.empty()) kb.program_packs.push_back(std::move(p));
  }
}

void ParseProgramRules(std::vector<ItemReader>& items, KnowledgeBase& kb, Diagnostics&) {
  for (ItemReader& r : items) {
    r.RejectUnknown({"id", "packs", "categories", "value", "unit", "starts_from", "starts_to",
                     "message", "verified", "citation", "jurisdiction", "note"});
    ProgramRule rule;
    rule.meta = r.Meta();
    rule.packs = r.StringList("packs", true);
    if (rule.packs.empty() && r.Has("packs")) r.Problem("packs", "lists no rule pack");
    for (const std::string& c : r.StringList("categories", false)) {
      if (c == "cgp") {
        rule.categories.push_back(ProgramCategory::kCanGetPregnant);
      } else if (c == "ncgp") {
        rule.categories.push_back(ProgramCategory::kCannotGetPregnant);
      } else {
        r.Problem("categories", "'" + c + "' is not a category; expected cgp or ncgp");
      }
    }
    rule.value = r.OptNumber("value", 0, 10000);
    rule.unit = r.OptString("unit").value_or("");
    if (rule.value.has_value() != !rule.unit.empty()) {
      r.Problem("unit", "a rule with a value needs a unit, and a unit needs a value");
    }
    rule.starts_from = ReadDate(r, "starts_from", false);
    rule.starts_to = ReadDate(r, "starts_to", false);
    if (rule.starts_from && rule.starts_to && *rule.starts_to < *rule.starts_from) {
      r.Problem("starts_to", "is before starts_from");
    }
    rule.message = r.String("message");
    rule.verified = r.Bool("verified", true);
    if (rule.meta.jurisdictions.empty()) {
      r.Problem("jurisdiction", "a program rule names its jurisdiction (US, EU or UK)");
      continue;
    }
    if (rule.meta.id.empty()) continue;
    for (Jurisdiction j : rule.meta.jurisdictions) {
      kb.program_rules.emplace(rule.meta.id + "@" + JurisdictionName(j), rule);
    }
  }
}

void ParseContraceptionMethods(std::vector<ItemReader>& items, KnowledgeBase& kb,
                               Diagnostics& diag) {
  for (ItemReader& r : items) {
    r.RejectUnknown(
        {"id", "method", "class", "hormonal", "barrier", "citation", "jurisdiction", "note"});
    ContraceptionMethodInfo m;
    m.meta = r.Meta();
    m.method = r.String("method");
    if (!m.method.empty() && !course::ParseName<course::ContraceptionMethod>(m.method)) {
      r.Problem("method", "'" + m.method +
                              "' is not a timeline contraception method; expected one of: " +
                              course::NameList<course::ContraceptionMethod>());
    }
    std::string cls =
        r.Enum("class", {"user_independent", "user_dependent", "inadequate", "abstinence"});
    m.method_class = cls == "user_independent" ? ContraceptionClass::kUserIndependent
                     : cls == "user_dependent" ? ContraceptionClass::kUserDependent
                     : cls == "abstinence"     ? ContraceptionClass::kAbstinence
                                               : ContraceptionClass::kInadequate;
    m.hormonal = r.Bool("hormonal", false);
    m.barrier = r.Bool("barrier", false);
    if (m.method.empty()) continue;
    diag.RegisterId("contraception-method:" + m.method, r.file(), r.line());
    kb.contraception_methods.emplace(m.method, std::move(m));
  }
}

void ValidateProgram(KnowledgeBase& kb, Diagnostics& diag) {
  // Only check when program knowledge was loaded at all: a knowledge folder without
  // program files (e.g. a dosing-only test fixture) is valid; the engine then reports
  // that no program rules are available.
  if (kb.program_packs.empty() && kb.program_rules.empty()) return;
  for (const auto& [key, rule] : kb.program_rules) {
    for (const std::string& pack_id : rule.packs) {
      auto pack = std::find_if(kb.program_packs.begin(), kb.program_packs.end(),
                               [&](const ProgramPack& p) { return p.meta.id == pack_id; });
      if (pack == kb.program_packs.end()) {
        diag.Add(rule.meta.file, rule.meta.line,
                 "item '" + rule.meta.id + "': field 'packs': rule pack '" + pack_id +
                     "' is not defined in a program_packs file");
        continue;
      }
      bool same_jurisdiction = false;
      for (Jurisdiction j : rule.meta.jurisdictions) same_jurisdiction |= pack->meta.AppliesTo(j);
      if (!same_jurisdiction) {
        diag.Add(rule.meta.file, rule.meta.line,
                 "item '" + rule.meta.id + "': field 'packs': rule pack '" + pack_id +
                     "' belongs to another jurisdiction");
      }
    }
  }
  for (std::string_view pack_id : {program::kUsV2021Pack, program::kUsV2026Pack}) {
    bool found = std::any_of(kb.program_packs.begin(), kb.program_packs.end(),
                             [&](const ProgramPack& p) { return p.meta.id == pack_id; });
    if (!found) {
      diag.Add("knowledge", 0,
               "program rule pack '" + std::string(pack_id) + "' is required by src/core/program/");
    }
  }
  for (size_t i = 0; i < program::kRequiredRuleCount; ++i) {
    const program::RequiredRule& need = program::kRequiredRules[i];
    const ProgramRule* rule = program::FindProgramRule(kb, need.id, need.jurisdiction);
    if (!rule) {
      diag.Add("knowledge", 0,
               "program rule '" + std::string(need.id) + "' for " +
                   JurisdictionName(need.jurisdiction) +
                   " is required by src/core/program/ but not defined");
      continue;
    }
    if (rule->unit != need.unit) {
      diag.Add(rule->meta.file, rule->meta.line,
               "item '" + rule->meta.id + "': field 'unit': expected '" + std::string(need.unit) +
                   "', found '" + rule->unit + "'");
    }
  }
  for (std::string_view method : course::Vocab<course::ContraceptionMethod>::kNames) {
    if (!kb.contraception_methods.contains(method)) {
      diag.Add("knowledge", 0,
               "contraception method '" + std::string(method) +
                   "' has no contraception_methods entry (the program rules cannot count it)");
    }
  }
}

}  // namespace kb
}  // namespace isocourse
