// Assess(): one interview step, assembled from the pieces in engine.cpp and report.cpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/symptom/engine.h"
#include "core/symptom/engine_internal.h"

namespace isocourse::symptom {

namespace {

using internal::Answer;
using internal::State;
using internal::TriageContribution;

struct Next {
  int finding = -1;
  int group = -1;
  bool found() const { return finding >= 0 || group >= 0; }
};

// The first askable question of a phase, in knowledge order. `severity` also takes
// findings marked severity_item.
Next FirstAskable(const State& s, Phase phase, bool severity) {
  const SymptomKnowledge& sym = s.sym;
  std::vector<char> group_seen(sym.groups.size(), 0);
  for (int f = 0; f < sym.model.n_findings; ++f) {
    const Finding& fd = sym.findings[f];
    bool in_phase = fd.phase == phase || (severity && fd.severity_item);
    if (!in_phase) continue;
    if (fd.group_index >= 0) {
      if (group_seen[fd.group_index]) continue;
      group_seen[fd.group_index] = 1;
      if (internal::GroupAskable(s, fd.group_index)) return Next{-1, fd.group_index};
      continue;
    }
    if (internal::FindingAskable(s, f)) return Next{f, -1};
  }
  return Next{};
}

Question MakeQuestion(const State& s, Next n, Phase phase, std::string rationale) {
  const SymptomKnowledge& sym = s.sym;
  Question q;
  q.phase = phase;
  q.rationale = std::move(rationale);
  if (n.finding >= 0) {
    const Finding& fd = sym.findings[n.finding];
    q.type = Question::Type::kSingle;
    q.id = fd.meta.id;
    q.text = fd.question;
    q.items.push_back(QuestionItem{fd.meta.id, fd.name});
  } else {
    const QuestionGroup& g = sym.groups[n.group];
    q.type = Question::Type::kGroupSingle;
    q.id = g.meta.id;
    q.text = g.question;
    for (int f : internal::PossibleGroupItems(s, n.group)) {
      q.items.push_back(QuestionItem{sym.findings[f].meta.id, sym.findings[f].name});
    }
  }
  return q;
}

std::string Percent(double p) {
  long v = std::lround(p * 100);
  return std::to_string(v) + "%";
}

bool OnIsotretinoin(const State& s) {
  int f = s.sym.model.isotretinoin_finding;
  return f >= 0 && s.answers[f] == Answer::kPresent;
}

void FillTriage(const State& s, Assessment& a) {
  const SymptomKnowledge& sym = s.sym;
  std::vector<TriageContribution> why;
  a.triage.level = internal::TriageLevelOf(s, s.post, &why);
  const TriageLevelDef& def = sym.Level(a.triage.level);
  a.triage.label = def.label;
  a.triage.words = def.words;
  a.triage.infermedica = def.infermedica;
  std::stable_sort(why.begin(), why.end(),
                   [](const TriageContribution& x, const TriageContribution& y) {
                     return static_cast<int>(x.level) > static_cast<int>(y.level);
                   });
  for (const TriageContribution& w : why) {
    switch (w.kind) {
      case TriageContribution::Kind::kRedFlag:
      case TriageContribution::Kind::kModifier: {
        bool red = w.kind == TriageContribution::Kind::kRedFlag;
        const TriageRule& r = red ? sym.red_flags[w.index] : sym.modifiers[w.index];
        a.triage.rules.push_back(
            FiredRule{r.meta.id, r.level, r.reason, r.red_flag, r.stop_isotretinoin});
        a.triage.reasons.push_back(r.reason);
        if (r.stop_isotretinoin && OnIsotretinoin(s)) a.triage.stop_isotretinoin = true;
        if (red && static_cast<int>(r.level) >= static_cast<int>(TriageLevel::kUrgent24h)) {
          a.has_emergency_evidence = true;
        }
        break;
      }
      case TriageContribution::Kind::kCondition: {
        const Condition& c = sym.conditions[w.index];
        a.triage.reasons.push_back("Possible " + c.common_name + " (" + Percent(w.probability) +
                                   "): " + sym.Level(c.triage).label);
        break;
      }
    }
  }
}

std::string InterviewRationale(const std::vector<ConditionScore>& ranking) {
  if (ranking.size() >= 2) {
    return "Your answer helps tell " + ranking[0].common_name + " apart from " +
           ranking[1].common_name + ".";
  }
  return "Your answer helps narrow down the cause.";
}

}  // namespace

Result<Assessment> Assess(const Request& req, const KnowledgeBase& kb) {
  ISO_ASSIGN_OR_RETURN(State s, internal::BuildState(req, kb));
  const SymptomKnowledge& sym = s.sym;
  const InterviewSettings& set = sym.model.settings;
  const int max_questions = req.options.max_questions.value_or(set.max_questions);

  Assessment a;
  a.knowledge_version = kb.version;
  a.questions_asked = s.questions_asked;

  // Ranking: every condition still considered, most probable first (ties: knowledge
  // order, so results are deterministic).
  std::vector<int> idx;
  for (int c = 0; c < sym.model.n_conditions; ++c) {
    if (s.log_prior[c] != -std::numeric_limits<double>::infinity()) idx.push_back(c);
  }
  std::stable_sort(idx.begin(), idx.end(), [&s](int x, int y) { return s.post[x] > s.post[y]; });
  for (int c : idx) {
    const Condition& cond = sym.conditions[c];
    a.ranking.push_back(
        ConditionScore{c, cond.meta.id, cond.name, cond.common_name, s.post[c], cond.advice});
  }
  for (const ConditionScore& cs : a.ranking) {
    if (static_cast<int>(a.conditions.size()) >= req.options.max_conditions) break;
    if (cs.probability < 0.01 && !a.conditions.empty()) break;
    a.conditions.push_back(cs);
  }

  FillTriage(s, a);

  // Next question, phase by phase.
  std::optional<Question> question;
  Next context = FirstAskable(s, Phase::kContext, false);
  Next screen = FirstAskable(s, Phase::kRedFlagScreen, false);
  a.screen_complete = !context.found() && !screen.found();
  if (context.found()) {
    question =
        MakeQuestion(s, context, Phase::kContext, "This tells us which problems to consider.");
  } else if (screen.found()) {
    question = MakeQuestion(s, screen, Phase::kRedFlagScreen,
                            OnIsotretinoin(s)
                                ? "Everyone taking isotretinoin is asked about rare but serious "
                                  "side effects before anything else."
                                : "We ask everyone this safety question before anything else.");
  } else {
    // The diagnostic interview.
    std::string reason;
    double top = a.ranking.empty() ? 0 : a.ranking[0].probability;
    double second = a.ranking.size() > 1 ? a.ranking[1].probability : 0;
    if (top >= set.stop_confidence && top - second >= set.stop_margin &&
        s.interview_questions >= set.min_interview_questions) {
      reason = "confident";
    } else if (s.questions_asked >= max_questions) {
      reason = "question_limit";
    } else {
      internal::Selection best = internal::SelectInterviewQuestion(s);
      if (best.score < set.min_gain_bits || (best.finding < 0 && best.group < 0)) {
        reason = "no_useful_question";
      } else {
        question = MakeQuestion(s, Next{best.finding, best.group}, Phase::kInterview,
                                InterviewRationale(a.ranking));
      }
    }
    if (!question) {
      // The severity module, when an acne-like condition is likely.
      double acne_like = 0;
      for (int c = 0; c < sym.model.n_conditions; ++c) {
        if (sym.conditions[c].severity_module) acne_like += s.post[c];
      }
      Next sev;
      if (acne_like >= set.severity_threshold) sev = FirstAskable(s, Phase::kSeverity, true);
      if (sev.found()) {
        question = MakeQuestion(s, sev, Phase::kSeverity,
                                "This helps estimate how severe the acne is and where to get "
                                "care.");
      } else {
        a.should_stop = true;
        a.stop_reason = reason;
      }
    }
  }
  a.question = std::move(question);
  a.severity = internal::EstimateSeverity(s);

  if (req.options.explain || !req.options.explain_target.empty()) {
    std::vector<int> targets;
    if (!req.options.explain_target.empty()) {
      targets.push_back(sym.ConditionIndex(req.options.explain_target));
    } else {
      for (const ConditionScore& cs : a.conditions) targets.push_back(cs.index);
    }
    a.explanations = internal::Explain(s, targets);
  }
  if (req.options.doctor_summary) a.summary = internal::Summarise(s, a, kb);
  return a;
}

}  // namespace isocourse::symptom
