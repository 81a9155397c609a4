// File: program_knowledge.h
//
// Lookups into the pregnancy-prevention part of the knowledge base
// (knowledge/program-packs.yaml, program-us-ipledge.yaml, program-eu-ppp.yaml,
// program-uk-mhra.yaml, program-contraception.yaml). The parsers for the three kinds
// (program_packs, program_rules, contraception_methods) are declared in
// core/knowledge/kinds.h and defined in program_knowledge.cpp.
//
// Every rule the engine reads is listed in kRequiredRules; the loader refuses a
// knowledge base that lacks one (or gives it the wrong unit), so the engine never
// runs with a rule it cannot explain.
#pragma once

#include <optional>
#include <string_view>

#include "core/date.h"
#include "core/knowledge/knowledge.h"

namespace isocourse::program {

// Pack ids the code names (their dates and texts are knowledge).
inline constexpr std::string_view kUsV2021Pack = "us.ipledge.v2021";
inline constexpr std::string_view kUsV2026Pack = "us.ipledge.v2026";

struct RequiredRule {
  std::string_view id;
  Jurisdiction jurisdiction;
  std::string_view unit;  // empty: the rule carries no value
};

// Every (rule, jurisdiction) the program engine reads.
extern const RequiredRule kRequiredRules[];
extern const size_t kRequiredRuleCount;

// The rule `id` for jurisdiction `j`, or nullptr.
const ProgramRule* FindProgramRule(const KnowledgeBase& kb, std::string_view id, Jurisdiction j);

// The pack in force for `j` on `date`: the one with the latest effective date on or
// before `date`. `us_v2026_cutover`, when set, replaces the effective date of the US
// V2026 pack (the go-live is a setting). A date before every pack gets the earliest
// pack and `*before_first = true`. nullptr when the jurisdiction has no pack.
const ProgramPack* PackInForce(const KnowledgeBase& kb, Jurisdiction j, Date date,
                               std::optional<Date> us_v2026_cutover, bool* before_first = nullptr);

// Whether `rule` belongs to `pack`.
bool RuleInPack(const ProgramRule& rule, const ProgramPack& pack);

// The classification of a timeline method spelling ("copper_iud"), or nullptr.
const ContraceptionMethodInfo* FindContraceptionMethod(const KnowledgeBase& kb,
                                                       std::string_view method);

}  // namespace isocourse::program
