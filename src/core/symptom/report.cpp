// Severity estimate, explanations and the doctor-visit summary.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/symptom/engine_internal.h"

namespace isocourse::symptom::internal {

namespace {

// Findings the severity mapping reads by id (knowledge/symptom/findings.yaml).
constexpr const char* kComedones = "sx.les.comedones";
constexpr const char* kScars = "sx.les.scars";
constexpr const char* kTrunk = "sx.site.chest-back";
constexpr const char* kDistress = "sx.psy.distress";

std::optional<bool> YesNo(const State& s, const char* id) {
  int f = s.sym.FindingIndex(id);
  if (f < 0) return std::nullopt;
  if (s.answers[f] == Answer::kPresent) return true;
  if (s.answers[f] == Answer::kAbsent) return false;
  return std::nullopt;
}

struct Count {
  bool known = false;
  int min = 0;
  int max = 0;
  std::string label;
};

// The answered count range for `what` ("inflammatory" or "nodules"). A zero-count item
// is implied when a finding it excludes was answered absent (no nodules at all).
Count CountOf(const State& s, std::string_view what) {
  Count out;
  for (int f = 0; f < s.sym.model.n_findings; ++f) {
    const Finding& fd = s.sym.findings[f];
    if (fd.counts != what) continue;
    bool present = s.answers[f] == Answer::kPresent;
    if (!present && fd.count_max == 0) {
      for (int x : fd.excludes_idx) present = present || s.answers[x] == Answer::kAbsent;
    }
    if (present) return Count{true, fd.count_min, fd.count_max, fd.name};
  }
  return out;
}

constexpr const char* kIgaLabels[] = {"clear", "almost clear", "mild", "moderate", "severe"};

std::string Percent(double p) {
  long v = std::lround(p * 100);
  return std::to_string(v) + "%";
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string FormatWeeks(double w) {
  char buf[32];
  if (w == std::floor(w)) {
    std::snprintf(buf, sizeof buf, "%.0f week%s", w, w == 1 ? "" : "s");
  } else {
    std::snprintf(buf, sizeof buf, "%.1f weeks", w);
  }
  return buf;
}

}  // namespace

Severity EstimateSeverity(const State& s) {
  const SymptomKnowledge& sym = s.sym;
  Severity sev;
  double acne_like = 0;
  for (int c = 0; c < sym.model.n_conditions; ++c) {
    if (sym.conditions[c].severity_module) acne_like += s.post[c];
  }
  Count inflam = CountOf(s, "inflammatory");
  Count nodules = CountOf(s, "nodules");
  sev.applicable = acne_like >= sym.model.settings.severity_threshold || inflam.known ||
                   (nodules.known && nodules.max > 0);
  sev.inflammatory = inflam.known ? inflam.label : "";
  sev.nodules = nodules.known ? nodules.label : "";
  sev.trunk = YesNo(s, kTrunk);
  sev.scarring = YesNo(s, kScars);
  sev.distress = YesNo(s, kDistress);

  // IGA from counts, following the project mapping of the FDA 5-point scale
  // (acne-symptom-checker.md §4.1; FDA-G18): >= 2 nodules -> 4 (severe); 1 nodule or
  // >= 10 papules/pustules -> 3 (moderate); 2-9 papules/pustules -> 2 (mild);
  // comedones with at most one pimple -> 1 (almost clear). A checker user always has
  // something, so 0 (clear) is not produced.
  bool partial = !(inflam.known && nodules.known);
  if (nodules.known && nodules.min >= 2) {
    sev.iga = 4;
  } else if (nodules.known && nodules.min == 1) {
    sev.iga = 3;
  } else if (inflam.known) {
    if (inflam.min >= 10) {
      sev.iga = 3;
    } else if (inflam.min >= 2) {
      sev.iga = 2;
    } else {
      sev.iga = 1;
    }
  }
  if (sev.iga) sev.iga_label = kIgaLabels[*sev.iga];
  // NICE NG198 bands (isotretinoin.md §0 [V]): moderate to severe = >= 35 inflammatory
  // lesions and/or >= 3 nodules; otherwise mild to moderate.
  if ((inflam.known && inflam.min >= 35) || (nodules.known && nodules.min >= 3)) {
    sev.nice_band = "moderate_to_severe";
  } else if (inflam.known && nodules.known) {
    sev.nice_band = "mild_to_moderate";
  } else if (inflam.known && inflam.max < 35 && !nodules.known) {
    sev.nice_band = "";  // nodules could still make it moderate to severe
  }
  sev.confidence = !sev.iga ? "none" : partial ? "partial" : "estimated";
  return sev;
}

std::vector<Explanation> Explain(const State& s, const std::vector<int>& targets) {
  const SymptomKnowledge& sym = s.sym;
  const SymptomModel& m = sym.model;
  const int C = m.n_conditions;
  const double ratio = m.settings.explain_ratio;
  // "Other conditions" are weighted by their prior for this patient (LIRICAL-style
  // likelihood ratio of one finding against the rest of the differential).
  std::vector<double> prior;
  Normalise(s.log_prior, prior);
  std::vector<Explanation> out;
  for (int c : targets) {
    if (c < 0 || c >= C) continue;
    const Condition& cond = sym.conditions[c];
    Explanation e;
    e.condition_id = cond.meta.id;
    e.condition_name = cond.name;
    double rest = 0;
    for (int o = 0; o < C; ++o) {
      if (o != c) rest += prior[o];
    }
    auto lr_of = [&](auto lik) {
      double p_c = lik(c);
      double p_rest = 0;
      for (int o = 0; o < C; ++o) {
        if (o != c && prior[o] > 0) p_rest += prior[o] * lik(o);
      }
      p_rest = rest > 0 ? p_rest / rest : p_c;
      return p_rest > 0 ? p_c / p_rest : 1.0;
    };
    for (int f : s.order) {
      Answer a = s.answers[f];
      if (a != Answer::kPresent && a != Answer::kAbsent) continue;
      const Finding& fd = sym.findings[f];
      if (fd.group_index >= 0 && a == Answer::kAbsent) continue;
      const size_t row = static_cast<size_t>(f) * C;
      const bool present = a == Answer::kPresent;
      const bool grouped = fd.group_index >= 0;
      double lr = lr_of([&](int k) {
        return grouped ? m.group_q[row + k] : present ? m.p[row + k] : 1 - m.p[row + k];
      });
      EvidenceWeight w{fd.meta.id, fd.name,
                       a == Answer::kPresent ? Choice::kPresent : Choice::kAbsent, lr};
      if (lr >= ratio) e.supporting.push_back(w);
      if (lr <= 1 / ratio) e.conflicting.push_back(w);
    }
    for (int f = 0; f < m.n_findings; ++f) {
      if (s.answers[f] != Answer::kNotAsked && s.answers[f] != Answer::kUnknown) continue;
      const Finding& fd = sym.findings[f];
      if (fd.group_index >= 0 || (fd.sex && *fd.sex != s.sex)) continue;
      if (m.p[f * C + c] < 0.5) continue;
      double lr = lr_of([&](int k) { return m.p[f * C + k]; });
      if (lr >= ratio) {
        e.unconfirmed.push_back(EvidenceWeight{fd.meta.id, fd.name, Choice::kPresent, lr});
      }
    }
    auto by_strength = [](const EvidenceWeight& x, const EvidenceWeight& y) {
      return std::abs(std::log(x.likelihood_ratio)) > std::abs(std::log(y.likelihood_ratio));
    };
    std::stable_sort(e.supporting.begin(), e.supporting.end(), by_strength);
    std::stable_sort(e.conflicting.begin(), e.conflicting.end(), by_strength);
    std::stable_sort(e.unconfirmed.begin(), e.unconfirmed.end(), by_strength);
    if (e.unconfirmed.size() > 5) e.unconfirmed.resize(5);
    out.push_back(std::move(e));
  }
  return out;
}

DoctorSummary Summarise(const State& s, const Assessment& a, const KnowledgeBase& kb) {
  const SymptomKnowledge& sym = s.sym;
  const SymptomModel& m = sym.model;
  const Request& req = s.req;
  const Context& ctx = req.context;
  DoctorSummary d;

  d.complaint = ctx.complaint;
  if (d.complaint.empty()) {
    std::vector<std::string> initial;
    for (size_t i = 0; i < req.evidence.size(); ++i) {
      const EvidenceItem& e = req.evidence[i];
      if (e.source == "initial" && e.choice == Choice::kPresent) {
        initial.push_back(sym.findings[sym.FindingIndex(e.id)].name);
      }
    }
    d.complaint = initial.empty() ? "(not stated)" : "Reports " + Join(initial, ", ");
  }

  // Timeline.
  for (int f : s.order) {
    const Finding& fd = sym.findings[f];
    if (fd.category == "onset" && s.answers[f] == Answer::kPresent) d.timeline.push_back(fd.name);
    if (fd.category == "onset" && s.answers[f] == Answer::kAbsent && fd.group_index < 0) {
      d.timeline.push_back("not " + fd.name);
    }
  }
  if (ctx.problem_weeks) d.timeline.push_back("present for " + FormatWeeks(*ctx.problem_weeks));
  const bool on_iso =
      m.isotretinoin_finding >= 0 && s.answers[m.isotretinoin_finding] == Answer::kPresent;
  if (on_iso) {
    std::string iso = "taking isotretinoin";
    if (ctx.isotretinoin_weeks) iso += " (week " + std::to_string(*ctx.isotretinoin_weeks) + ")";
    d.timeline.push_back(iso);
  }

  // Pertinent positives and negatives.
  std::vector<int> top;
  for (size_t i = 0; i < a.ranking.size() && i < 3; ++i) top.push_back(a.ranking[i].index);
  std::vector<std::string> screen_negative;
  for (int f : s.order) {
    const Finding& fd = sym.findings[f];
    if (fd.category == "onset" || fd.category == "context") continue;
    if (s.answers[f] == Answer::kPresent) {
      d.positives.push_back(fd.name);
      continue;
    }
    if (s.answers[f] != Answer::kAbsent || fd.group_index >= 0) continue;
    if (fd.phase == Phase::kRedFlagScreen) {
      screen_negative.push_back(fd.name);
      continue;
    }
    // Pertinent: its absence moves one of the leading conditions at least two-fold
    // against the average of the others.
    bool pertinent = false;
    for (int c : top) {
      double p_c = 1 - m.p[f * m.n_conditions + c];
      double p_o = 0;
      double w = 0;
      for (int o = 0; o < m.n_conditions; ++o) {
        if (o == c) continue;
        p_o += s.post[o] * (1 - m.p[f * m.n_conditions + o]);
        w += s.post[o];
      }
      if (w > 0) p_o /= w;
      if (p_o > 0 && std::abs(std::log(p_c / p_o)) >= std::log(2.0)) pertinent = true;
    }
    if (pertinent) d.negatives.push_back(fd.name);
  }

  for (const Medication& med : ctx.medications) {
    std::string line = med.name;
    if (med.weeks) line += ", " + FormatWeeks(*med.weeks);
    line += med.current ? " (current)" : " (stopped)";
    d.medications.push_back(line);
  }
  for (int f : s.order) {
    const Finding& fd = sym.findings[f];
    if (fd.category == "medication" && s.answers[f] == Answer::kPresent) {
      d.medications.push_back(fd.name);
    }
  }
  if (on_iso) {
    std::string line = "isotretinoin";
    if (ctx.isotretinoin_weeks) line += ", " + FormatWeeks(*ctx.isotretinoin_weeks);
    d.medications.push_back(line + " (current)");
  }
  for (const PriorTreatment& t : ctx.treatments) {
    std::string line = t.name;
    if (t.weeks) line += ", " + FormatWeeks(*t.weeks);
    if (!t.response.empty()) {
      line += t.response == "no_change" ? ", no change" : ", " + t.response;
    }
    if (t.ongoing) line += " (ongoing)";
    d.treatments.push_back(line);
  }
  for (int f : s.order) {
    const Finding& fd = sym.findings[f];
    if (fd.category == "treatment" && s.answers[f] == Answer::kPresent) {
      d.treatments.push_back(fd.name);
    }
  }

  const Severity& sev = a.severity;
  if (sev.iga) {
    d.severity = "IGA " + std::to_string(*sev.iga) + " (" + sev.iga_label + ")";
    if (!sev.nice_band.empty()) {
      d.severity +=
          "; NICE " + std::string(sev.nice_band == "moderate_to_severe" ? "moderate to severe"
                                                                        : "mild to moderate");
    }
    if (!sev.inflammatory.empty()) d.severity += "; " + sev.inflammatory;
    if (!sev.nodules.empty()) d.severity += "; " + sev.nodules;
    if (sev.trunk) d.severity += *sev.trunk ? "; trunk involved" : "; face only";
    if (sev.scarring && *sev.scarring) d.severity += "; scarring";
    if (sev.distress && *sev.distress) d.severity += "; marked distress";
    if (sev.confidence == "partial") d.severity += " (some counts not given)";
  } else {
    d.severity = sev.applicable ? "not estimated (lesion counts not given)" : "not applicable";
  }

  for (const ConditionScore& cs : a.ranking) {
    if (d.likely_conditions.size() >= 5 || cs.probability < 0.05) break;
    d.likely_conditions.push_back(cs.name + " " + Percent(cs.probability));
  }
  d.triage = a.triage.label + " (" + TriageCode(a.triage.level) + ")";
  for (const FiredRule& r : a.triage.rules) {
    if (r.red_flag) d.red_flags.push_back(r.reason + " [" + r.id + "]");
  }

  // The printable note.
  std::string t;
  t += "ACNE SYMPTOM CHECKER: NOTE FOR THE CLINICIAN (not a diagnosis)\n";
  t += "Patient: " + std::to_string(s.age) + "-year-old " + SexName(s.sex) + "\n";
  t += "Complaint: " + d.complaint + "\n";
  t += "Timeline: " + (d.timeline.empty() ? std::string("not stated") : Join(d.timeline, "; ")) +
       "\n";
  t += "Pertinent positives: " +
       (d.positives.empty() ? std::string("none") : Join(d.positives, "; ")) + "\n";
  t += "Pertinent negatives: " +
       (d.negatives.empty() ? std::string("none") : Join(d.negatives, "; ")) + "\n";
  t += "Medications (last 2 months): " +
       (d.medications.empty() ? std::string("none reported") : Join(d.medications, "; ")) + "\n";
  t += "Prior acne treatments: " +
       (d.treatments.empty() ? std::string("none reported") : Join(d.treatments, "; ")) + "\n";
  t += "Severity: " + d.severity + "\n";
  t += "Likely conditions: " + Join(d.likely_conditions, "; ") + "\n";
  t += "Triage: " + d.triage + "\n";
  if (!d.red_flags.empty()) {
    t += "RED FLAGS: " + Join(d.red_flags, "; ") + "\n";
  } else if (a.screen_complete) {
    t += "Red-flag screen: negative" +
         (screen_negative.empty() ? std::string() : " (" + Join(screen_negative, "; ") + ")") +
         "\n";
  } else {
    t += "Red-flag screen: not completed\n";
  }
  t += "Questions answered: " + std::to_string(s.questions_asked) + "; knowledge version " +
       kb.version + "\n";
  d.text = std::move(t);
  return d;
}

}  // namespace isocourse::symptom::internal
