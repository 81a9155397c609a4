// The symptom checker's interview step. See engine.h for the contract and
// docs/symptom-checker.md for the method and its sources.
#include "core/symptom/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include "core/symptom/engine_internal.h"

namespace isocourse::symptom {

const char* ChoiceName(Choice c) {
  switch (c) {
    case Choice::kPresent:
      return "present";
    case Choice::kAbsent:
      return "absent";
    case Choice::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<Choice> ParseChoice(std::string_view s) {
  if (s == "present") return Choice::kPresent;
  if (s == "absent") return Choice::kAbsent;
  if (s == "unknown") return Choice::kUnknown;
  return std::nullopt;
}

namespace internal {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

std::string Field(size_t i, const char* sub = nullptr) {
  std::string out = "evidence[" + std::to_string(i) + "]";
  if (sub) out += std::string(".") + sub;
  return out;
}

bool Open(Answer a) { return a == Answer::kPresent || a == Answer::kUnknown; }

// Entropy in bits of weights w (not necessarily normalised), given their sum.
double EntropyBits(const std::vector<double>& w, double total) {
  if (total <= 0) return 0;
  double h = 0;
  for (double x : w) {
    if (x > 0) {
      double q = x / total;
      h -= q * std::log2(q);
    }
  }
  return h;
}

}  // namespace

Result<State> BuildState(const Request& req, const KnowledgeBase& kb) {
  if (!kb.symptom || kb.symptom->empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "knowledge",
                     "the knowledge base has no symptom checker knowledge (knowledge/symptom/)");
  }
  const SymptomKnowledge& sym = *kb.symptom;
  const SymptomModel& m = sym.model;
  if (!req.age) return InvalidArgument("age", "is required (years, 0-120)");
  if (*req.age < 0 || *req.age > 120) {
    return InvalidArgument("age", std::to_string(*req.age) + " is out of range; expected 0-120");
  }
  if (!req.sex) return InvalidArgument("sex", "is required (female or male)");
  const Context& ctx = req.context;
  if (ctx.isotretinoin_weeks && (*ctx.isotretinoin_weeks < 0 || *ctx.isotretinoin_weeks > 520)) {
    return InvalidArgument("context.isotretinoin_weeks", "is out of range; expected 0-520");
  }
  if (ctx.problem_weeks && (!(*ctx.problem_weeks >= 0) || *ctx.problem_weeks > 6000)) {
    return InvalidArgument("context.problem_weeks", "is out of range; expected 0-6000");
  }
  for (size_t i = 0; i < ctx.medications.size(); ++i) {
    const Medication& med = ctx.medications[i];
    std::string where = "context.medications[" + std::to_string(i) + "]";
    if (med.name.empty()) return InvalidArgument(where + ".name", "is required");
    if (med.weeks && (!(*med.weeks >= 0) || *med.weeks > 6000)) {
      return InvalidArgument(where + ".weeks", "is out of range; expected 0-6000");
    }
  }
  for (size_t i = 0; i < ctx.treatments.size(); ++i) {
    const PriorTreatment& t = ctx.treatments[i];
    std::string where = "context.treatments[" + std::to_string(i) + "]";
    if (t.name.empty()) return InvalidArgument(where + ".name", "is required");
    if (t.weeks && (!(*t.weeks >= 0) || *t.weeks > 6000)) {
      return InvalidArgument(where + ".weeks", "is out of range; expected 0-6000");
    }
    if (!t.response.empty() && t.response != "better" && t.response != "no_change" &&
        t.response != "worse") {
      return InvalidArgument(where + ".response",
                             "'" + t.response +
                                 "' is not allowed; expected better, no_change "
                                 "or worse");
    }
  }
  const Options& opt = req.options;
  if (opt.max_questions && (*opt.max_questions < 5 || *opt.max_questions > 60)) {
    return InvalidArgument("options.max_questions", "is out of range; expected 5-60");
  }
  if (opt.max_conditions < 1 || opt.max_conditions > 100) {
    return InvalidArgument("options.max_conditions", "is out of range; expected 1-100");
  }
  if (!opt.explain_target.empty() && sym.ConditionIndex(opt.explain_target) < 0) {
    return InvalidArgument("options.explain_target",
                           "'" + opt.explain_target + "' is not a condition");
  }

  State s{sym, *req.age, *req.sex, req, {}, {}, {}, 0, 0, {}, {}, {}};
  const int F = m.n_findings;
  s.answers.assign(F, Answer::kNotAsked);
  s.evidence_pos.assign(F, -1);
  std::vector<int> group_counted(sym.groups.size(), 0);
  for (size_t i = 0; i < req.evidence.size(); ++i) {
    const EvidenceItem& e = req.evidence[i];
    if (e.id.empty()) return InvalidArgument(Field(i, "id"), "is required");
    int f = sym.FindingIndex(e.id);
    if (f < 0) {
      return InvalidArgument(Field(i, "id"), "'" + e.id +
                                                 "' is not a finding of the symptom checker; "
                                                 "see the finding catalogue");
    }
    Answer a = e.choice == Choice::kPresent  ? Answer::kPresent
               : e.choice == Choice::kAbsent ? Answer::kAbsent
                                             : Answer::kUnknown;
    if (s.answers[f] != Answer::kNotAsked) {
      if (s.answers[f] == a) continue;  // a repeated identical answer changes nothing
      const EvidenceItem& before = req.evidence[s.evidence_pos[f]];
      return InvalidArgument(Field(i), "contradictory answers: '" + e.id + "' is " +
                                           ChoiceName(e.choice) + " here but " +
                                           ChoiceName(before.choice) + " at " +
                                           Field(s.evidence_pos[f]));
    }
    const Finding& fd = sym.findings[f];
    if (a == Answer::kPresent && fd.sex && *fd.sex != *req.sex) {
      return InvalidArgument(Field(i), "'" + e.id + "' applies only to " + SexName(*fd.sex) +
                                           " patients, but sex is " + SexName(*req.sex));
    }
    s.answers[f] = a;
    s.evidence_pos[f] = static_cast<int>(i);
    s.order.push_back(f);
    if (e.source != "initial" && e.source != "predefined") {
      bool counts = fd.group_index < 0 || group_counted[fd.group_index]++ == 0;
      if (counts) {
        ++s.questions_asked;
        if (fd.phase == Phase::kInterview) ++s.interview_questions;
      }
    }
  }
  // Cross-answer consistency.
  for (int f : s.order) {
    if (s.answers[f] != Answer::kPresent) continue;
    const Finding& fd = sym.findings[f];
    size_t i = static_cast<size_t>(s.evidence_pos[f]);
    if (fd.group_index >= 0) {
      for (int other : sym.groups[fd.group_index].item_idx) {
        if (other != f && s.answers[other] == Answer::kPresent) {
          return InvalidArgument(Field(i), "contradictory answers: '" + fd.meta.id + "' and '" +
                                               sym.findings[other].meta.id +
                                               "' answer the same single-choice question ('" +
                                               sym.groups[fd.group_index].meta.id + "')");
        }
      }
    }
    for (int other : fd.implies_idx) {
      if (s.answers[other] == Answer::kAbsent) {
        return InvalidArgument(Field(i), "contradictory answers: '" + fd.meta.id +
                                             "' is present but '" + sym.findings[other].meta.id +
                                             "' is absent");
      }
    }
    for (int other : fd.excludes_idx) {
      if (s.answers[other] == Answer::kPresent) {
        return InvalidArgument(Field(i), "contradictory answers: '" + fd.meta.id + "' and '" +
                                             sym.findings[other].meta.id +
                                             "' cannot both be present");
      }
    }
  }
  // Context conveniences.
  if (ctx.on_isotretinoin && m.isotretinoin_finding >= 0) {
    Answer& a = s.answers[m.isotretinoin_finding];
    Answer want = *ctx.on_isotretinoin ? Answer::kPresent : Answer::kAbsent;
    if (a == Answer::kNotAsked) {
      a = want;
      s.order.push_back(m.isotretinoin_finding);
    } else if (a != Answer::kUnknown && a != want) {
      return InvalidArgument("context.on_isotretinoin",
                             "contradicts the answer to 'sx.ctx.isotretinoin' at " +
                                 Field(s.evidence_pos[m.isotretinoin_finding]));
    }
  }
  if (ctx.pregnancy_possible && !*ctx.pregnancy_possible && m.pregnancy_finding >= 0 &&
      s.answers[m.pregnancy_finding] == Answer::kPresent) {
    return InvalidArgument("context.pregnancy_possible",
                           "is false, but 'sx.rf.pregnancy' is present at " +
                               Field(s.evidence_pos[m.pregnancy_finding]));
  }
  ComputePriors(s);
  ComputePosterior(s);
  return s;
}

void ComputePriors(State& s) {
  const SymptomKnowledge& sym = s.sym;
  const int C = sym.model.n_conditions;
  s.log_prior.assign(C, kNegInf);
  for (int c = 0; c < C; ++c) {
    const Condition& cond = sym.conditions[c];
    bool gated_in = true;
    double w = cond.prior;
    for (int f : cond.requires_idx) {
      gated_in = gated_in && Open(s.answers[f]);
      // "Don't know" keeps the condition possible, weighted by how often the gate is
      // present at all: P(c) = P(c | gate) P(gate).
      if (s.answers[f] == Answer::kUnknown) w *= sym.findings[f].default_p;
    }
    if (!gated_in) continue;
    for (const AgeFactor& band : cond.age_factors) {
      if (s.age >= band.from && s.age <= band.to) {
        w *= band.factor;
        break;
      }
    }
    w *= s.sex == Sex::kFemale ? cond.female_factor : cond.male_factor;
    if (w > 0) s.log_prior[c] = std::log(w);
  }
}

double AnswerLogLikelihood(const State& s, int f, int c) {
  const SymptomModel& m = s.sym.model;
  const int C = m.n_conditions;
  switch (s.answers[f]) {
    case Answer::kPresent:
      return s.sym.findings[f].group_index >= 0 ? m.log_group_q[f * C + c] : m.log_p[f * C + c];
    case Answer::kAbsent:
      // Absent group items are accounted for by the group (see GroupLogLikelihood).
      return s.sym.findings[f].group_index >= 0 ? 0 : m.log_not_p[f * C + c];
    default:
      return 0;
  }
}

namespace {
// A group with no present item but some absent ones: P(none of those) under c.
double GroupAbsentLogLikelihood(const State& s, const QuestionGroup& g, int c) {
  const SymptomModel& m = s.sym.model;
  double q_absent = 0;
  bool any_present = false;
  bool any_absent = false;
  for (int f : g.item_idx) {
    if (s.answers[f] == Answer::kPresent) any_present = true;
    if (s.answers[f] == Answer::kAbsent) {
      any_absent = true;
      q_absent += m.group_q[f * m.n_conditions + c];
    }
  }
  if (any_present || !any_absent) return 0;
  return std::log(std::max(1e-9, 1 - q_absent));
}
}  // namespace

void ComputePosterior(State& s) {
  const SymptomKnowledge& sym = s.sym;
  const int C = sym.model.n_conditions;
  s.log_post = s.log_prior;
  for (int f : s.order) {
    if (s.answers[f] == Answer::kUnknown || s.answers[f] == Answer::kNotAsked) continue;
    for (int c = 0; c < C; ++c) {
      if (s.log_post[c] == kNegInf) continue;
      s.log_post[c] += AnswerLogLikelihood(s, f, c);
    }
  }
  for (const QuestionGroup& g : sym.groups) {
    for (int c = 0; c < C; ++c) {
      if (s.log_post[c] == kNegInf) continue;
      s.log_post[c] += GroupAbsentLogLikelihood(s, g, c);
    }
  }
  Normalise(s.log_post, s.post);
}

void Normalise(const std::vector<double>& log_w, std::vector<double>& out) {
  double mx = kNegInf;
  for (double x : log_w) mx = std::max(mx, x);
  out.assign(log_w.size(), 0);
  if (mx == kNegInf) return;
  double total = 0;
  for (size_t i = 0; i < log_w.size(); ++i) {
    out[i] = log_w[i] == kNegInf ? 0 : std::exp(log_w[i] - mx);
    total += out[i];
  }
  for (double& x : out) x /= total;
}

bool FindingAskable(const State& s, int f) {
  const Finding& fd = s.sym.findings[f];
  if (s.answers[f] != Answer::kNotAsked) return false;
  if (fd.sex && *fd.sex != s.sex) return false;
  if (s.age < fd.min_age || s.age > fd.max_age) return false;
  if (!fd.ask_if_any_idx.empty()) {
    bool open = false;
    for (int g : fd.ask_if_any_idx) open = open || Open(s.answers[g]);
    if (!open) return false;
  }
  if (f == s.sym.model.pregnancy_finding && s.req.context.pregnancy_possible &&
      !*s.req.context.pregnancy_possible) {
    return false;
  }
  // An answer already forced by others is not worth asking.
  for (int g : fd.implies_idx) {
    if (s.answers[g] == Answer::kAbsent) return false;
  }
  for (int g : fd.excludes_idx) {
    if (s.answers[g] == Answer::kPresent) return false;
  }
  return true;
}

bool GroupAskable(const State& s, int gi) {
  const QuestionGroup& g = s.sym.groups[gi];
  int possible = 0;
  for (int f : g.item_idx) {
    if (s.answers[f] != Answer::kNotAsked) return false;  // the group was answered
    if (FindingAskable(s, f)) ++possible;
  }
  return possible >= 2;
}

std::vector<int> PossibleGroupItems(const State& s, int gi) {
  std::vector<int> out;
  for (int f : s.sym.groups[gi].item_idx) {
    if (FindingAskable(s, f)) out.push_back(f);
  }
  return out;
}

bool RuleFires(const State& s, const TriageRule& r) {
  for (int f : r.all_idx) {
    if (s.answers[f] != Answer::kPresent) return false;
  }
  if (!r.any_idx.empty()) {
    bool any = false;
    for (int f : r.any_idx) any = any || s.answers[f] == Answer::kPresent;
    if (!any) return false;
  }
  if (r.age_below && !(s.age < *r.age_below)) return false;
  return true;
}

double LikelyMass(const std::vector<double>& post, const TriageRule& r) {
  double mass = 0;
  for (int c : r.likely_idx) mass += post[c];
  return mass;
}

TriageLevel TriageLevelOf(const State& s, const std::vector<double>& post,
                          std::vector<TriageContribution>* why) {
  const SymptomKnowledge& sym = s.sym;
  const InterviewSettings& set = sym.model.settings;
  TriageLevel level = TriageLevel::kSelfCare;
  for (size_t i = 0; i < sym.red_flags.size(); ++i) {
    const TriageRule& r = sym.red_flags[i];
    if (!RuleFires(s, r)) continue;
    level = std::max(level, r.level);
    if (why) why->push_back({TriageContribution::Kind::kRedFlag, static_cast<int>(i), r.level, 0});
  }
  for (int c = 0; c < sym.model.n_conditions; ++c) {
    if (post[c] < set.likely_threshold) continue;
    level = std::max(level, sym.conditions[c].triage);
    if (why) {
      why->push_back({TriageContribution::Kind::kCondition, c, sym.conditions[c].triage, post[c]});
    }
  }
  for (size_t i = 0; i < sym.modifiers.size(); ++i) {
    const TriageRule& r = sym.modifiers[i];
    if (!RuleFires(s, r)) continue;
    if (!r.likely_idx.empty() && LikelyMass(post, r) < set.likely_threshold) continue;
    level = std::max(level, r.level);
    if (why) why->push_back({TriageContribution::Kind::kModifier, static_cast<int>(i), r.level, 0});
  }
  return level;
}

namespace {

struct Scratch {
  std::vector<double> w;
  std::vector<double> ln_post;  // ln of the normalised posterior; -inf when 0
};

// Posterior weights after one answer, w_c = post_c * lik_c, and their entropy in bits.
// ln w_c = ln post_c + ln lik_c comes from the precomputed log tables, so scoring a
// question costs no logarithm per condition (the step's hot loop; docs/performance.md).
template <class Lik>
double OutcomeEntropy(const State& s, const Scratch& sc, Lik lik, const double* log_lik,
                      std::vector<double>& w, double& total) {
  const int C = static_cast<int>(s.post.size());
  total = 0;
  double sum_w_ln_w = 0;
  for (int c = 0; c < C; ++c) {
    if (s.post[c] <= 0) {
      w[c] = 0;
      continue;
    }
    w[c] = s.post[c] * lik(c);
    total += w[c];
    sum_w_ln_w += w[c] * (sc.ln_post[c] + log_lik[c]);
  }
  if (total <= 0) return 0;
  return (std::log(total) - sum_w_ln_w / total) / std::numbers::ln2;
}

// Expected information gain (bits) of asking finding f, plus the triage bonus.
double ScoreFinding(State& s, int f, TriageLevel now, double h_now, Scratch& sc) {
  const SymptomModel& m = s.sym.model;
  const int C = m.n_conditions;
  const InterviewSettings& set = m.settings;
  const double* p = &m.p[static_cast<size_t>(f) * C];
  double p_present = 0;
  for (int c = 0; c < C; ++c) p_present += s.post[c] * p[c];
  double expected_h = 0;
  double bonus = 0;
  for (int outcome = 0; outcome < 2; ++outcome) {
    const bool present = outcome == 0;
    double pa = present ? p_present : 1 - p_present;
    if (pa <= 1e-12) continue;
    double total = 0;
    double h = present ? OutcomeEntropy(
                             s, sc, [p](int c) { return p[c]; },
                             &m.log_p[static_cast<size_t>(f) * C], sc.w, total)
                       : OutcomeEntropy(
                             s, sc, [p](int c) { return 1 - p[c]; },
                             &m.log_not_p[static_cast<size_t>(f) * C], sc.w, total);
    expected_h += pa * h;
    if (set.triage_bonus_bits > 0 && total > 0) {
      for (double& x : sc.w) x /= total;
      Answer saved = s.answers[f];
      s.answers[f] = present ? Answer::kPresent : Answer::kAbsent;
      TriageLevel then = TriageLevelOf(s, sc.w, nullptr);
      s.answers[f] = saved;
      bonus += pa * std::abs(static_cast<int>(then) - static_cast<int>(now));
    }
  }
  return h_now - expected_h + set.triage_bonus_bits * bonus;
}

double ScoreGroup(State& s, int gi, TriageLevel now, double h_now, Scratch& sc) {
  const SymptomModel& m = s.sym.model;
  const int C = m.n_conditions;
  const InterviewSettings& set = m.settings;
  const QuestionGroup& g = s.sym.groups[gi];
  double expected_h = 0;
  double bonus = 0;
  for (int f : g.item_idx) {
    const double* q = &m.group_q[static_cast<size_t>(f) * C];
    double pa = 0;
    for (int c = 0; c < C; ++c) pa += s.post[c] * q[c];
    if (pa <= 1e-12) continue;
    double total = 0;
    double h = OutcomeEntropy(
        s, sc, [q](int c) { return q[c]; }, &m.log_group_q[static_cast<size_t>(f) * C], sc.w,
        total);
    expected_h += pa * h;
    if (set.triage_bonus_bits > 0 && total > 0) {
      for (double& x : sc.w) x /= total;
      Answer saved = s.answers[f];
      s.answers[f] = Answer::kPresent;
      TriageLevel then = TriageLevelOf(s, sc.w, nullptr);
      s.answers[f] = saved;
      bonus += pa * std::abs(static_cast<int>(then) - static_cast<int>(now));
    }
  }
  return h_now - expected_h + set.triage_bonus_bits * bonus;
}

}  // namespace

Selection SelectInterviewQuestion(State& s) {
  const SymptomKnowledge& sym = s.sym;
  Selection best;
  Scratch sc;
  sc.w.resize(s.post.size());
  sc.ln_post.resize(s.post.size());
  for (size_t c = 0; c < s.post.size(); ++c) {
    sc.ln_post[c] = s.post[c] > 0 ? std::log(s.post[c]) : 0;
  }
  double h_now = EntropyBits(s.post, 1.0);
  TriageLevel now = TriageLevelOf(s, s.post, nullptr);
  for (int f = 0; f < sym.model.n_findings; ++f) {
    const Finding& fd = sym.findings[f];
    if (fd.phase != Phase::kInterview || fd.group_index >= 0) continue;
    if (!FindingAskable(s, f)) continue;
    double score = ScoreFinding(s, f, now, h_now, sc);
    // Ties go to the earlier finding, so the order is deterministic.
    if (score > best.score + 1e-12) best = Selection{f, -1, score};
  }
  for (int gi = 0; gi < static_cast<int>(sym.groups.size()); ++gi) {
    if (sym.groups[gi].phase != Phase::kInterview) continue;
    if (!GroupAskable(s, gi)) continue;
    double score = ScoreGroup(s, gi, now, h_now, sc);
    if (score > best.score + 1e-12) best = Selection{-1, gi, score};
  }
  return best;
}

}  // namespace internal

}  // namespace isocourse::symptom
