// File: tiny_kb.h (tests only)
//
// A hand-made symptom knowledge base small enough to compute posteriors by hand:
//   conditions cond.x (prior 0.5) and cond.y (prior 0.5), cond.iso (needs
//   sx.ctx.isotretinoin, prior 0.2) and cond.male-only (male factor 0);
//   findings sx.a (x 0.9 / y 0.1), sx.b (x 0.8 / y 0.4), sx.c and sx.d (identical,
//   x 0.7 / y 0.3; sx.d triggers a modifier), sx.useless (0.5 everywhere), a red-flag
//   screen finding sx.rf.bleeding, a context finding sx.ctx.isotretinoin, and a group
//   grp.n with items sx.n.0 / sx.n.1 (severity phase).
#pragma once

#include <string>
#include <vector>

#include "core/knowledge/loader.h"

namespace isocourse::testing {

inline std::vector<KnowledgeFile> TinySymptomFiles(double triage_bonus = 0.15,
                                                   int min_interview = 0) {
  std::vector<KnowledgeFile> files;
  files.push_back({"sources.yaml", R"(kind: sources
items:
  - {id: EXPERT, title: expert estimate}
  - {id: SRC, title: a test source}
)"});
  files.push_back({"parameters.yaml",
                   R"(kind: parameters
items:
  - {id: dose.max.standard, value: 2.0, unit: mg/kg/day, citation: {source: SRC}}
  - {id: symptom.stop.confidence, value: 0.8, unit: p, citation: {source: SRC}}
  - {id: symptom.stop.margin, value: 0.3, unit: p, citation: {source: SRC}}
  - {id: symptom.stop.min_gain_bits, value: 0.02, unit: bits, citation: {source: SRC}}
  - {id: symptom.stop.max_questions, value: 20, unit: questions, citation: {source: SRC}}
  - {id: symptom.stop.min_interview_questions, value: )" +
                       std::to_string(min_interview) + R"(, unit: q, citation: {source: SRC}}
  - {id: symptom.triage.likely_threshold, value: 0.2, unit: p, citation: {source: SRC}}
  - {id: symptom.triage.bonus_bits, value: )" +
                       std::to_string(triage_bonus) + R"(, unit: bits, citation: {source: SRC}}
  - {id: symptom.severity.threshold, value: 0.3, unit: p, citation: {source: SRC}}
  - {id: symptom.explain.ratio, value: 1.25, unit: lr, citation: {source: SRC}}
)"});
  // The dosing validator needs one product and the standard cumulative target.
  files.push_back({"dosing.yaml", R"(kind: products
items:
  - id: product.test
    name: Test isotretinoin
    strengths_mg: [10, 20]
    food: with_food
    max_daily_rule: dose.max.standard
    usual_mg_per_kg_day: [0.5, 1.0]
    substitution_group: conventional
    label_doses_per_day: 2
    citation: {source: SRC}
)"});
  files.push_back({"targets.yaml", R"(kind: cumulative_targets
items:
  - id: dose.cumulative.standard
    name: Standard
    low_mg_per_kg: 120
    high_mg_per_kg: 150
    default_goal_mg_per_kg: 135
    evidence: test
    citation: {source: SRC}
)"});
  files.push_back({"levels.yaml", R"(kind: triage_levels
items:
  - {id: t.e, code: emergency, label: E, words: go now, infermedica: emergency, citation: {source: SRC}}
  - {id: t.u, code: urgent_24h, label: U, words: today, infermedica: consultation_24, citation: {source: SRC}}
  - {id: t.d, code: dermatologist_routine, label: D, words: derm, infermedica: consultation, citation: {source: SRC}}
  - {id: t.p, code: primary_care_routine, label: P, words: gp, infermedica: consultation, citation: {source: SRC}}
  - {id: t.s, code: self_care, label: S, words: home, infermedica: self_care, citation: {source: SRC}}
)"});
  files.push_back({"findings.yaml", R"(kind: symptom_findings
items:
  - id: sx.ctx.isotretinoin
    name: on isotretinoin
    question: On isotretinoin?
    category: context
    phase: context
    background: {p: 0.1, source: EXPERT}
    citation: {source: SRC}
  - id: sx.rf.bleeding
    name: bleeding sores
    question: Bleeding sores?
    category: red_flag
    phase: red_flag_screen
    background: {p: 0.01, source: EXPERT}
    citation: {source: SRC}
  - id: sx.rf.iso-only
    name: isotretinoin-only screen question
    question: Headache?
    category: red_flag
    phase: red_flag_screen
    ask_if_any: [sx.ctx.isotretinoin]
    background: {p: 0.01, source: EXPERT}
    citation: {source: SRC}
  - id: sx.useless
    name: useless
    question: Useless?
    category: symptom
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.b
    name: finding b
    question: B?
    category: symptom
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.a
    name: finding a
    question: A?
    category: symptom
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.c
    name: finding c
    question: C?
    category: symptom
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.d
    name: finding d
    question: D?
    category: symptom
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.female
    name: female-only finding
    question: Female only?
    category: endocrine
    sex: female
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.implied
    name: implies a
    question: Implies a?
    category: symptom
    implies: [sx.a]
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.n.0
    name: none
    question: None
    category: severity
    phase: severity
    group: grp.n
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
  - id: sx.n.1
    name: one
    question: One
    category: severity
    phase: severity
    group: grp.n
    background: {p: 0.5, source: EXPERT}
    citation: {source: SRC}
)"});
  files.push_back({"groups.yaml", R"(kind: symptom_question_groups
items:
  - {id: grp.n, question: "How many?", phase: severity, items: [sx.n.0, sx.n.1], citation: {source: SRC}}
)"});
  files.push_back({"conditions.yaml", R"(kind: symptom_conditions
items:
  - id: cond.x
    name: Condition X
    common_name: x
    group: skin
    triage: self_care
    severity_module: true
    prior: {p: 0.5, source: EXPERT}
    likelihoods:
      - {finding: sx.a, p: 0.9, source: SRC}
      - {finding: sx.b, p: 0.8, source: SRC}
      - {finding: sx.c, p: 0.7, source: SRC}
      - {finding: sx.d, p: 0.7, source: SRC}
    citation: {source: SRC}
  - id: cond.y
    name: Condition Y
    common_name: y
    group: skin
    triage: primary_care_routine
    prior: {p: 0.5, source: EXPERT}
    likelihoods:
      - {finding: sx.a, p: 0.1, source: SRC}
      - {finding: sx.b, p: 0.4, source: SRC}
      - {finding: sx.c, p: 0.3, source: SRC}
      - {finding: sx.d, p: 0.3, source: SRC}
    citation: {source: SRC}
  - id: cond.iso
    name: Isotretinoin event
    common_name: iso event
    group: isotretinoin
    triage: urgent_24h
    requires_present: [sx.ctx.isotretinoin]
    prior: {p: 0.2, source: EXPERT}
    likelihoods:
      - {finding: sx.a, p: 0.5, source: SRC}
    citation: {source: SRC}
  - id: cond.male-only
    name: Male only
    common_name: male only
    group: skin
    triage: self_care
    prior: {p: 0.5, source: EXPERT}
    sex_factors: {female: 0, male: 1, source: EXPERT}
    likelihoods:
      - {finding: sx.a, p: 0.5, source: SRC}
    citation: {source: SRC}
)"});
  files.push_back({"rules.yaml", R"(kind: red_flag_rules
items:
  - id: redflag.bleeding
    level: urgent_24h
    all_of: [sx.rf.bleeding]
    reason: Bleeding sores need a doctor today.
    stop_isotretinoin: true
    citation: {source: SRC}
)"});
  files.push_back({"modifiers.yaml", R"(kind: triage_modifiers
items:
  - id: triage.rule.d
    level: dermatologist_routine
    all_of: [sx.d]
    likely: [cond.x]
    reason: D with X needs a dermatologist.
    citation: {source: SRC}
)"});
  return files;
}

}  // namespace isocourse::testing
