#include "codec/symptom_json.h"

#include <boost/json.hpp>

#include <cmath>
#include <initializer_list>

namespace isocourse::codec {

namespace json = boost::json;
using symptom::Choice;

namespace {

std::string Path(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base) + "." + std::string(key);
}

std::string Index(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

Status RejectUnknown(const json::object& o, std::string_view base,
                     std::initializer_list<std::string_view> known) {
  for (const auto& kv : o) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || kv.key() == k;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) {
        if (!list.empty()) list += ", ";
        list += k;
      }
      return InvalidArgument(Path(base, kv.key()),
                             "is not a known field; expected one of: " + list);
    }
  }
  return {};
}

Result<const json::object*> ObjectAt(const json::value& v, const std::string& where) {
  if (!v.is_object()) return InvalidArgument(where, "must be an object");
  return &v.as_object();
}

// Optional typed fields: absent or null -> nullopt; wrong type -> error.
Result<std::optional<double>> OptNumber(const json::object& o, std::string_view base,
                                        std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<double>{};
  if (v->is_double()) return std::optional<double>{v->as_double()};
  if (v->is_int64()) return std::optional<double>{static_cast<double>(v->as_int64())};
  if (v->is_uint64()) return std::optional<double>{static_cast<double>(v->as_uint64())};
  return InvalidArgument(Path(base, key), "must be a number");
}

Result<std::optional<int>> OptInt(const json::object& o, std::string_view base,
                                  std::string_view key) {
  ISO_ASSIGN_OR_RETURN(std::optional<double> d, OptNumber(o, base, key));
  if (!d) return std::optional<int>{};
  if (*d != std::floor(*d) || std::abs(*d) > 1e6) {
    return InvalidArgument(Path(base, key), "must be a whole number");
  }
  return std::optional<int>{static_cast<int>(*d)};
}

Result<std::optional<bool>> OptBool(const json::object& o, std::string_view base,
                                    std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return InvalidArgument(Path(base, key), "must be true or false");
  return std::optional<bool>{v->as_bool()};
}

Result<std::optional<std::string>> OptString(const json::object& o, std::string_view base,
                                             std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return InvalidArgument(Path(base, key), "must be a string");
  return std::optional<std::string>{std::string(v->as_string())};
}

Result<const json::array*> OptArray(const json::object& o, std::string_view base,
                                    std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return InvalidArgument(Path(base, key), "must be a list");
  return &v->as_array();
}

constexpr std::string_view kSources[] = {"initial",   "predefined", "context", "red_flag_screen",
                                         "interview", "severity",   "suggest"};

Result<symptom::Context> ContextFromJson(const json::value& v) {
  ISO_ASSIGN_OR_RETURN(const json::object* o, ObjectAt(v, "context"));
  ISO_RETURN_IF_ERROR(
      RejectUnknown(*o, "context",
                    {"complaint", "on_isotretinoin", "isotretinoin_weeks", "pregnancy_possible",
                     "problem_weeks", "medications", "treatments"}));
  symptom::Context c;
  ISO_ASSIGN_OR_RETURN(auto complaint, OptString(*o, "context", "complaint"));
  c.complaint = complaint.value_or("");
  if (c.complaint.size() > 2000) {
    return InvalidArgument("context.complaint", "is too long (at most 2000 characters)");
  }
  ISO_ASSIGN_OR_RETURN(c.on_isotretinoin, OptBool(*o, "context", "on_isotretinoin"));
  ISO_ASSIGN_OR_RETURN(c.isotretinoin_weeks, OptInt(*o, "context", "isotretinoin_weeks"));
  ISO_ASSIGN_OR_RETURN(c.pregnancy_possible, OptBool(*o, "context", "pregnancy_possible"));
  ISO_ASSIGN_OR_RETURN(c.problem_weeks, OptNumber(*o, "context", "problem_weeks"));
  ISO_ASSIGN_OR_RETURN(const json::array* meds, OptArray(*o, "context", "medications"));
  if (meds) {
    for (size_t i = 0; i < meds->size(); ++i) {
      std::string where = Index("context.medications", i);
      ISO_ASSIGN_OR_RETURN(const json::object* m, ObjectAt((*meds)[i], where));
      ISO_RETURN_IF_ERROR(RejectUnknown(*m, where, {"name", "weeks", "current"}));
      symptom::Medication med;
      ISO_ASSIGN_OR_RETURN(auto name, OptString(*m, where, "name"));
      if (!name || name->empty()) return InvalidArgument(where + ".name", "is required");
      med.name = *name;
      ISO_ASSIGN_OR_RETURN(med.weeks, OptNumber(*m, where, "weeks"));
      ISO_ASSIGN_OR_RETURN(auto current, OptBool(*m, where, "current"));
      med.current = current.value_or(true);
      c.medications.push_back(std::move(med));
    }
  }
  ISO_ASSIGN_OR_RETURN(const json::array* tx, OptArray(*o, "context", "treatments"));
  if (tx) {
    for (size_t i = 0; i < tx->size(); ++i) {
      std::string where = Index("context.treatments", i);
      ISO_ASSIGN_OR_RETURN(const json::object* t, ObjectAt((*tx)[i], where));
      ISO_RETURN_IF_ERROR(RejectUnknown(*t, where, {"name", "weeks", "response", "ongoing"}));
      symptom::PriorTreatment pt;
      ISO_ASSIGN_OR_RETURN(auto name, OptString(*t, where, "name"));
      if (!name || name->empty()) return InvalidArgument(where + ".name", "is required");
      pt.name = *name;
      ISO_ASSIGN_OR_RETURN(pt.weeks, OptNumber(*t, where, "weeks"));
      ISO_ASSIGN_OR_RETURN(auto response, OptString(*t, where, "response"));
      pt.response = response.value_or("");
      ISO_ASSIGN_OR_RETURN(auto ongoing, OptBool(*t, where, "ongoing"));
      pt.ongoing = ongoing.value_or(false);
      c.treatments.push_back(std::move(pt));
    }
  }
  return c;
}

Result<symptom::Options> OptionsFromJson(const json::value& v) {
  ISO_ASSIGN_OR_RETURN(const json::object* o, ObjectAt(v, "options"));
  ISO_RETURN_IF_ERROR(RejectUnknown(
      *o, "options",
      {"explain", "explain_target", "max_questions", "max_conditions", "doctor_summary"}));
  symptom::Options opt;
  ISO_ASSIGN_OR_RETURN(auto explain, OptBool(*o, "options", "explain"));
  opt.explain = explain.value_or(false);
  ISO_ASSIGN_OR_RETURN(auto target, OptString(*o, "options", "explain_target"));
  opt.explain_target = target.value_or("");
  ISO_ASSIGN_OR_RETURN(opt.max_questions, OptInt(*o, "options", "max_questions"));
  ISO_ASSIGN_OR_RETURN(auto max_conditions, OptInt(*o, "options", "max_conditions"));
  opt.max_conditions = max_conditions.value_or(opt.max_conditions);
  ISO_ASSIGN_OR_RETURN(auto summary, OptBool(*o, "options", "doctor_summary"));
  opt.doctor_summary = summary.value_or(true);
  return opt;
}

double Round4(double p) { return std::round(p * 10000) / 10000; }

json::object ConditionJson(const symptom::ConditionScore& c) {
  return json::object{{"id", c.id},
                      {"name", c.name},
                      {"common_name", c.common_name},
                      {"probability", Round4(c.probability)},
                      {"advice", c.advice}};
}

json::array Choices() {
  return json::array{json::object{{"id", "present"}, {"label", "Yes"}},
                     json::object{{"id", "absent"}, {"label", "No"}},
                     json::object{{"id", "unknown"}, {"label", "Don't know"}}};
}

json::value QuestionJson(const std::optional<symptom::Question>& q) {
  if (!q) return nullptr;
  json::object o;
  o["id"] = q->id;
  o["type"] = q->type == symptom::Question::Type::kSingle ? "single" : "group_single";
  o["text"] = q->text;
  o["phase"] = symptom::PhaseName(q->phase);
  o["rationale"] = q->rationale;
  json::array items;
  for (const symptom::QuestionItem& it : q->items) {
    items.push_back(json::object{{"id", it.id}, {"name", it.name}, {"choices", Choices()}});
  }
  o["items"] = std::move(items);
  return o;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.push_back(json::value(s));
  return a;
}

json::value OptBoolJson(const std::optional<bool>& b) {
  if (!b) return nullptr;
  return *b;
}

json::array WeightsJson(const std::vector<symptom::EvidenceWeight>& ws) {
  json::array a;
  for (const symptom::EvidenceWeight& w : ws) {
    a.push_back(json::object{{"id", w.id},
                             {"name", w.name},
                             {"choice", symptom::ChoiceName(w.choice)},
                             {"likelihood_ratio", std::round(w.likelihood_ratio * 100) / 100}});
  }
  return a;
}

}  // namespace

Result<symptom::Request> SymptomRequestFromJson(const json::value& v) {
  if (!v.is_object()) return InvalidArgument("body", "must be a JSON object");
  const json::object& o = v.as_object();
  ISO_RETURN_IF_ERROR(
      RejectUnknown(o, "", {"interview_id", "age", "sex", "context", "evidence", "options"}));
  symptom::Request r;
  const json::value* age = o.if_contains("age");
  if (!age || age->is_null()) return InvalidArgument("age", "is required (years, 0-120)");
  ISO_ASSIGN_OR_RETURN(r.age, OptInt(o, "", "age"));
  ISO_ASSIGN_OR_RETURN(auto sex, OptString(o, "", "sex"));
  if (!sex) return InvalidArgument("sex", "is required (female or male)");
  r.sex = symptom::ParseSex(*sex);
  if (!r.sex) {
    return InvalidArgument("sex", "'" + *sex + "' is not allowed; expected female or male");
  }
  ISO_ASSIGN_OR_RETURN(auto interview_id, OptString(o, "", "interview_id"));
  (void)interview_id;  // accepted for client logging (Infermedica Interview-Id); unused
  if (const json::value* c = o.if_contains("context"); c && !c->is_null()) {
    ISO_ASSIGN_OR_RETURN(r.context, ContextFromJson(*c));
  }
  ISO_ASSIGN_OR_RETURN(const json::array* ev, OptArray(o, "", "evidence"));
  if (ev) {
    for (size_t i = 0; i < ev->size(); ++i) {
      std::string where = Index("evidence", i);
      ISO_ASSIGN_OR_RETURN(const json::object* e, ObjectAt((*ev)[i], where));
      ISO_RETURN_IF_ERROR(RejectUnknown(*e, where, {"id", "choice", "source"}));
      symptom::EvidenceItem item;
      ISO_ASSIGN_OR_RETURN(auto id, OptString(*e, where, "id"));
      if (!id || id->empty()) return InvalidArgument(where + ".id", "is required");
      item.id = *id;
      ISO_ASSIGN_OR_RETURN(auto choice, OptString(*e, where, "choice"));
      if (!choice) {
        return InvalidArgument(where + ".choice", "is required (present, absent or unknown)");
      }
      auto parsed = symptom::ParseChoice(*choice);
      if (!parsed) {
        return InvalidArgument(where + ".choice", "'" + *choice +
                                                      "' is not allowed; expected present, "
                                                      "absent or unknown");
      }
      item.choice = *parsed;
      ISO_ASSIGN_OR_RETURN(auto source, OptString(*e, where, "source"));
      if (source) {
        bool ok = false;
        for (std::string_view s : kSources) ok = ok || *source == s;
        if (!ok) {
          return InvalidArgument(where + ".source",
                                 "'" + *source +
                                     "' is not allowed; expected initial, predefined, context, "
                                     "red_flag_screen, interview, severity or suggest");
        }
        item.source = *source;
      }
      r.evidence.push_back(std::move(item));
    }
  }
  if (const json::value* opt = o.if_contains("options"); opt && !opt->is_null()) {
    ISO_ASSIGN_OR_RETURN(r.options, OptionsFromJson(*opt));
  }
  return r;
}

Result<symptom::Request> SymptomRequestFromText(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return InvalidArgument("body", "is not valid JSON: " + ec.message());
  return SymptomRequestFromJson(v);
}

json::object SymptomRequestToJson(const symptom::Request& r) {
  json::object o;
  if (r.age) o["age"] = *r.age;
  if (r.sex) o["sex"] = symptom::SexName(*r.sex);
  json::object c;
  const symptom::Context& ctx = r.context;
  if (!ctx.complaint.empty()) c["complaint"] = ctx.complaint;
  if (ctx.on_isotretinoin) c["on_isotretinoin"] = *ctx.on_isotretinoin;
  if (ctx.isotretinoin_weeks) c["isotretinoin_weeks"] = *ctx.isotretinoin_weeks;
  if (ctx.pregnancy_possible) c["pregnancy_possible"] = *ctx.pregnancy_possible;
  if (ctx.problem_weeks) c["problem_weeks"] = *ctx.problem_weeks;
  if (!ctx.medications.empty()) {
    json::array a;
    for (const symptom::Medication& m : ctx.medications) {
      json::object mo{{"name", m.name}, {"current", m.current}};
      if (m.weeks) mo["weeks"] = *m.weeks;
      a.push_back(std::move(mo));
    }
    c["medications"] = std::move(a);
  }
  if (!ctx.treatments.empty()) {
    json::array a;
    for (const symptom::PriorTreatment& t : ctx.treatments) {
      json::object to{{"name", t.name}, {"ongoing", t.ongoing}};
      if (t.weeks) to["weeks"] = *t.weeks;
      if (!t.response.empty()) to["response"] = t.response;
      a.push_back(std::move(to));
    }
    c["treatments"] = std::move(a);
  }
  o["context"] = std::move(c);
  json::array ev;
  for (const symptom::EvidenceItem& e : r.evidence) {
    json::object eo{{"id", e.id}, {"choice", symptom::ChoiceName(e.choice)}};
    if (!e.source.empty()) eo["source"] = e.source;
    ev.push_back(std::move(eo));
  }
  o["evidence"] = std::move(ev);
  return o;
}

json::object SymptomAssessmentToJson(const symptom::Assessment& a) {
  json::object o;
  o["question"] = QuestionJson(a.question);
  json::array conditions;
  for (const symptom::ConditionScore& c : a.conditions) conditions.push_back(ConditionJson(c));
  o["conditions"] = std::move(conditions);
  o["should_stop"] = a.should_stop;
  o["stop_reason"] = a.stop_reason;
  o["has_emergency_evidence"] = a.has_emergency_evidence;
  o["screen_complete"] = a.screen_complete;
  o["questions_asked"] = a.questions_asked;

  json::object triage;
  triage["level"] = symptom::TriageCode(a.triage.level);
  triage["rank"] = symptom::TriageRank(a.triage.level);
  triage["label"] = a.triage.label;
  triage["words"] = a.triage.words;
  triage["infermedica"] = a.triage.infermedica;
  triage["stop_isotretinoin"] = a.triage.stop_isotretinoin;
  triage["reasons"] = Strings(a.triage.reasons);
  json::array rules;
  for (const symptom::FiredRule& r : a.triage.rules) {
    rules.push_back(json::object{{"id", r.id},
                                 {"level", symptom::TriageCode(r.level)},
                                 {"reason", r.reason},
                                 {"red_flag", r.red_flag}});
  }
  triage["rules"] = std::move(rules);
  o["triage"] = std::move(triage);

  const symptom::Severity& s = a.severity;
  json::object sev;
  sev["applicable"] = s.applicable;
  if (s.iga) {
    sev["iga"] = *s.iga;
  } else {
    sev["iga"] = nullptr;
  }
  sev["iga_label"] = s.iga_label;
  sev["nice_band"] = s.nice_band;
  sev["inflammatory"] = s.inflammatory;
  sev["nodules"] = s.nodules;
  sev["trunk"] = OptBoolJson(s.trunk);
  sev["scarring"] = OptBoolJson(s.scarring);
  sev["distress"] = OptBoolJson(s.distress);
  sev["confidence"] = s.confidence;
  o["severity"] = std::move(sev);

  if (!a.explanations.empty()) {
    json::array ex;
    for (const symptom::Explanation& e : a.explanations) {
      ex.push_back(json::object{{"condition", e.condition_id},
                                {"name", e.condition_name},
                                {"supporting", WeightsJson(e.supporting)},
                                {"conflicting", WeightsJson(e.conflicting)},
                                {"unconfirmed", WeightsJson(e.unconfirmed)}});
    }
    o["explanations"] = std::move(ex);
  }
  if (a.summary) {
    const symptom::DoctorSummary& d = *a.summary;
    o["doctor_summary"] = json::object{{"complaint", d.complaint},
                                       {"timeline", Strings(d.timeline)},
                                       {"pertinent_positives", Strings(d.positives)},
                                       {"pertinent_negatives", Strings(d.negatives)},
                                       {"medications", Strings(d.medications)},
                                       {"treatments", Strings(d.treatments)},
                                       {"severity", d.severity},
                                       {"likely_conditions", Strings(d.likely_conditions)},
                                       {"triage", d.triage},
                                       {"red_flags", Strings(d.red_flags)},
                                       {"text", d.text}};
  }
  o["knowledge_version"] = a.knowledge_version;
  return o;
}

json::object SymptomCatalogueToJson(const KnowledgeBase& kb) {
  json::object o;
  o["knowledge_version"] = kb.version;
  json::array findings, groups, conditions, levels;
  if (kb.symptom) {
    const symptom::SymptomKnowledge& sym = *kb.symptom;
    for (const symptom::Finding& f : sym.findings) {
      json::object fo{{"id", f.meta.id},
                      {"name", f.name},
                      {"question", f.question},
                      {"category", f.category},
                      {"phase", symptom::PhaseName(f.phase)}};
      if (!f.group.empty()) fo["group"] = f.group;
      if (f.sex) fo["sex"] = symptom::SexName(*f.sex);
      if (f.min_age > 0) fo["min_age"] = f.min_age;
      if (f.max_age < 130) fo["max_age"] = f.max_age;
      if (!f.ask_if_any.empty()) fo["ask_if_any"] = Strings(f.ask_if_any);
      findings.push_back(std::move(fo));
    }
    for (const symptom::QuestionGroup& g : sym.groups) {
      groups.push_back(json::object{{"id", g.meta.id},
                                    {"question", g.question},
                                    {"type", "group_single"},
                                    {"phase", symptom::PhaseName(g.phase)},
                                    {"items", Strings(g.items)}});
    }
    for (const symptom::Condition& c : sym.conditions) {
      conditions.push_back(json::object{{"id", c.meta.id},
                                        {"name", c.name},
                                        {"common_name", c.common_name},
                                        {"group", c.group},
                                        {"triage", symptom::TriageCode(c.triage)},
                                        {"advice", c.advice}});
    }
    for (const symptom::TriageLevelDef& l : sym.levels) {
      levels.push_back(json::object{{"level", symptom::TriageCode(l.level)},
                                    {"rank", symptom::TriageRank(l.level)},
                                    {"label", l.label},
                                    {"words", l.words},
                                    {"infermedica", l.infermedica}});
    }
  }
  o["findings"] = std::move(findings);
  o["groups"] = std::move(groups);
  o["conditions"] = std::move(conditions);
  o["triage_levels"] = std::move(levels);
  return o;
}

}  // namespace isocourse::codec
