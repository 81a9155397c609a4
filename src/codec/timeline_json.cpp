#include "codec/timeline_json.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <vector>

#include "codec/json_text.h"

namespace isocourse::codec {

namespace json = boost::json;
using namespace course;

namespace {

// Every problem found in one document.
class Problems {
 public:
  void Add(std::string where, std::string message) {
    errors_.push_back(Error{ErrorCode::kInvalidArgument, std::move(message), std::move(where), {}});
  }
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  Error Take() {
    Error first = errors_.front();
    if (errors_.size() > 1) {
      first.message += " (and " + std::to_string(errors_.size() - 1) + " more problem(s))";
      first.details = std::move(errors_);
    }
    return first;
  }

 private:
  std::vector<Error> errors_;
};

// Reads the fields of one JSON object, recording problems under `where` and
// remembering which fields were read so the rest can be reported as unknown.
class Fields {
 public:
  Fields(const json::object& o, std::string where, Problems& p)
      : o_(o), where_(std::move(where)), p_(p) {}

  std::string Path(std::string_view key) const { return where_ + "." + std::string(key); }
  const std::string& where() const { return where_; }
  Problems& problems() { return p_; }

  const json::value* Get(std::string_view key, bool required) {
    known_.push_back(key);
    const json::value* v = o_.if_contains(key);
    if (v && v->is_null()) v = nullptr;  // null = absent
    if (!v && required) p_.Add(Path(key), "required field is missing");
    return v;
  }
  bool Has(std::string_view key) const {
    const json::value* v = o_.if_contains(key);
    return v && !v->is_null();
  }

  std::optional<std::string> Str(std::string_view key, bool required, bool allow_empty = false) {
    const json::value* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      WrongType(key, *v, "a string");
      return std::nullopt;
    }
    std::string s(v->get_string());
    if (s.empty() && !allow_empty) {
      p_.Add(Path(key), "must not be empty");
      return std::nullopt;
    }
    return s;
  }
  std::string StrOr(std::string_view key) { return Str(key, false, true).value_or(""); }

  std::optional<Date> DateField(std::string_view key, bool required) {
    auto s = Str(key, required);
    if (!s) return std::nullopt;
    auto d = Date::Parse(*s, Path(key));
    if (!d) {
      p_.Add(d.error().where, d.error().message);
      return std::nullopt;
    }
    return *d;
  }

  std::optional<double> Num(std::string_view key, bool required, double min, double max) {
    const json::value* v = Get(key, required);
    if (!v) return std::nullopt;
    double d = 0;
    if (v->is_int64()) {
      d = static_cast<double>(v->get_int64());
    } else if (v->is_uint64()) {
      d = static_cast<double>(v->get_uint64());
    } else if (v->is_double()) {
      d = v->get_double();
    } else {
      WrongType(key, *v, "a number");
      return std::nullopt;
    }
    if (!std::isfinite(d) || d < min || d > max) {
      p_.Add(Path(key), Fmt(d) + " is out of range; expected " + Fmt(min) + " to " + Fmt(max));
      return std::nullopt;
    }
    return d;
  }

  std::optional<int> Int(std::string_view key, bool required, int min, int max) {
    const json::value* v = Get(key, required);
    if (!v) return std::nullopt;
    return IntValue(*v, Path(key), min, max);
  }

  std::optional<int> IntValue(const json::value& v, const std::string& path, int min, int max) {
    long long x = 0;
    if (v.is_int64()) {
      x = v.get_int64();
    } else if (v.is_uint64()) {
      x = static_cast<long long>(std::min<std::uint64_t>(v.get_uint64(), 1ULL << 62));
    } else if (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
               std::abs(v.get_double()) < 1e15) {
      x = static_cast<long long>(v.get_double());
    } else {
      p_.Add(path, std::string("expected a whole number, got ") +
                       (v.is_double() ? Fmt(v.get_double()) : JsonKindName(v.kind())));
      return std::nullopt;
    }
    if (x < min || x > max) {
      p_.Add(path, std::to_string(x) + " is out of range; expected " + std::to_string(min) +
                       " to " + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<int>(x);
  }

  std::optional<bool> Bool(std::string_view key, bool required) {
    const json::value* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_bool()) {
      WrongType(key, *v, "true or false");
      return std::nullopt;
    }
    return v->get_bool();
  }

  template <class E>
  std::optional<E> Enum(std::string_view key, bool required, std::string_view what) {
    auto s = Str(key, required);
    if (!s) return std::nullopt;
    return EnumValue<E>(*s, Path(key), what);
  }
  template <class E>
  std::optional<E> EnumValue(std::string_view s, const std::string& path, std::string_view what) {
    if (auto e = ParseName<E>(s)) return e;
    p_.Add(path, "'" + std::string(s) + "' is not " + std::string(what) +
                     "; expected one of: " + NameList<E>());
    return std::nullopt;
  }

  const json::object* Obj(std::string_view key, bool required) {
    const json::value* v = Get(key, required);
    if (!v) return nullptr;
    if (!v->is_object()) {
      WrongType(key, *v, "an object");
      return nullptr;
    }
    return &v->get_object();
  }
  const json::array* Arr(std::string_view key, bool required) {
    const json::value* v = Get(key, required);
    if (!v) return nullptr;
    if (!v->is_array()) {
      WrongType(key, *v, "an array");
      return nullptr;
    }
    return &v->get_array();
  }

  // Marks fields as known without reading them.
  void Known(std::initializer_list<std::string_view> keys) {
    known_.insert(known_.end(), keys.begin(), keys.end());
  }

  void RejectUnknown(std::string_view what) {
    for (const auto& kv : o_) {
      std::string_view k = kv.key();
      if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
      std::string list;
      std::vector<std::string_view> sorted = known_;
      std::sort(sorted.begin(), sorted.end());
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      for (std::string_view s : sorted) {
        if (!list.empty()) list += ", ";
        list += s;
      }
      p_.Add(Path(k), "unknown field for " + std::string(what) + "; known fields: " + list);
    }
  }

  void WrongType(std::string_view key, const json::value& v, std::string_view expected) {
    p_.Add(Path(key), "expected " + std::string(expected) + ", got " + JsonKindName(v.kind()));
  }

  static std::string Fmt(double d) {
    std::string s = std::to_string(d);
    if (s.find('.') != std::string::npos) {
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
    }
    return s;
  }

 private:
  const json::object& o_;
  std::string where_;
  Problems& p_;
  std::vector<std::string_view> known_;
};

constexpr std::string_view kCommonFields[] = {"id",          "type",        "date",
                                              "recorded_by", "recorded_on", "corrects"};

LesionCounts ReadCounts(Fields& f, std::string_view key) {
  LesionCounts c;
  const json::object* o = f.Obj(key, false);
  if (!o) return c;
  Fields g(*o, f.Path(key), f.problems());
  c.comedones = g.Int("comedones", false, 0, 100000);
  c.papules_pustules = g.Int("papules_pustules", false, 0, 100000);
  c.nodules = g.Int("nodules", false, 0, 100000);
  g.RejectUnknown("lesion counts");
  return c;
}

// Checks that `later` is not before `earlier` (both optional).
void CheckOrder(Fields& f, std::optional<Date> earlier, std::string_view earlier_name,
                std::optional<Date> later, std::string_view later_name) {
  if (earlier && later && *later < *earlier) {
    f.problems().Add(f.Path(later_name), later->ToString() + " is before " +
                                             std::string(earlier_name) + " " + earlier->ToString());
  }
}

template <class T>
std::optional<Payload> Ok(T t) {
  return Payload(std::move(t));
}

std::optional<Payload> ReadPayload(std::string_view type, Fields& f, std::optional<Date> date) {
  if (type == "profile") {
    ProfileEvent p;
    p.birth_date = f.DateField("birth_date", true);
    if (auto v = f.Enum<SexAtBirth>("sex_at_birth", true, "a sex at birth")) p.sex_at_birth = *v;
    if (auto v = f.Enum<PregnancyPotential>("pregnancy_potential", true, "a pregnancy potential"))
      p.pregnancy_potential = *v;
    p.regular_cycles = f.Bool("regular_cycles", false);
    if (auto s = f.Str("jurisdiction", true)) {
      if (auto j = ParseJurisdiction(*s)) {
        p.jurisdiction = *j;
      } else {
        f.problems().Add(f.Path("jurisdiction"),
                         "'" + *s + "' is not a jurisdiction; expected one of: US, EU, UK");
      }
    }
    CheckOrder(f, p.birth_date, "birth_date", date, "date");
    return Ok(p);
  }
  if (type == "weight") {
    WeightEvent w;
    if (auto kg = f.Num("kg", true, 0.001, 400)) w.kg = Kilograms(*kg);
    return Ok(w);
  }
  if (type == "condition") {
    ConditionEvent c;
    if (auto v = f.Enum<Condition>("condition", true, "a known condition")) c.condition = *v;
    c.present = f.Bool("present", false).value_or(true);
    c.note = f.StrOr("note");
    return Ok(c);
  }
  if (type == "diagnosis") {
    DiagnosisEvent d;
    d.iga = f.Int("iga", false, 0, 4);
    d.face = ReadCounts(f, "face");
    d.trunk = ReadCounts(f, "trunk");
    d.scarring = f.Bool("scarring", false);
    d.trunk_involvement = f.Bool("trunk_involvement", false);
    d.macrocomedones = f.Bool("macrocomedones", false);
    d.psychosocial_burden = f.Bool("psychosocial_burden", false);
    d.nodular = f.Bool("nodular", false);
    d.conglobata = f.Bool("conglobata", false);
    d.fulminans = f.Bool("fulminans", false);
    if (const json::object* g = f.Obj("gags", false)) {
      Fields gf(*g, f.Path("gags"), f.problems());
      std::array<int, kGagsRegionCount> scores{};
      bool ok = true;
      for (size_t i = 0; i < kGagsRegionCount; ++i) {
        auto s = gf.Int(Vocab<GagsRegion>::kNames[i], true, 0, 4);
        if (s) {
          scores[i] = *s;
        } else {
          ok = false;
        }
      }
      gf.RejectUnknown("GAGS regions (each the worst lesion score 0-4)");
      if (ok) d.gags = scores;
    }
    return Ok(d);
  }
  if (type == "prior_treatment") {
    PriorTreatmentEvent t;
    if (auto v = f.Enum<PriorTreatmentKind>("kind", true, "a prior treatment kind")) t.kind = *v;
    t.agent = f.StrOr("agent");
    auto start = f.DateField("start", true);
    if (start) t.start = *start;
    t.end = f.DateField("end", false);
    CheckOrder(f, start, "start", t.end, "end");
    if (auto v = f.Enum<TreatmentResponse>("response", false, "a treatment response"))
      t.response = *v;
    if (auto c = f.Num("cumulative_mg_per_kg", false, 0, 1000)) t.cumulative_per_kg = MgPerKg(*c);
    return Ok(t);
  }
  if (type == "medication_start") {
    MedicationStartEvent m;
    m.name = f.Str("name", true).value_or("");
    if (auto v = f.Enum<MedicationClass>("class", true, "a medication class"))
      m.medication_class = *v;
    return Ok(m);
  }
  if (type == "medication_stop") {
    MedicationStopEvent m;
    if (auto s = f.Str("start_event", true)) m.start_event = EventId(*s);
    return Ok(m);
  }
  if (type == "enrollment") {
    EnrollmentEvent e;
    if (auto v = f.Enum<ProgramKind>("program", true, "a program")) e.program = *v;
    if (auto v = f.Enum<PregnancyPotential>("category", true, "a program category"))
      e.category = *v;
    e.program_patient_id = f.StrOr("program_patient_id");
    e.prescriber = f.StrOr("prescriber");
    return Ok(e);
  }
  if (type == "consent") {
    ConsentEvent c;
    c.form = f.Str("form", true).value_or("");
    c.signed_by_patient = f.Bool("signed_by_patient", false).value_or(true);
    c.signed_by_guardian = f.Bool("signed_by_guardian", false).value_or(false);
    return Ok(c);
  }
  if (type == "counseling") {
    CounselingEvent c;
    if (const json::array* a = f.Arr("topics", true)) {
      for (size_t i = 0; i < a->size(); ++i) {
        std::string path = f.Path("topics") + "[" + std::to_string(i) + "]";
        if (!(*a)[i].is_string()) {
          f.problems().Add(path, "expected a string");
          continue;
        }
        if (auto t = f.EnumValue<CounselingTopic>((*a)[i].get_string(), path, "a counseling topic"))
          c.topics.push_back(*t);
      }
      if (a->empty()) f.problems().Add(f.Path("topics"), "must list at least one topic");
    }
    c.by = f.StrOr("by");
    return Ok(c);
  }
  if (type == "contraception") {
    ContraceptionEvent c;
    if (auto v = f.Enum<EnteredBy>("entered_by", true, "clinic or patient")) c.entered_by = *v;
    if (const json::array* a = f.Arr("methods", true)) {
      for (size_t i = 0; i < a->size(); ++i) {
        std::string path = f.Path("methods") + "[" + std::to_string(i) + "]";
        if (!(*a)[i].is_object()) {
          f.problems().Add(path, "expected an object {method, start, end}");
          continue;
        }
        Fields m((*a)[i].get_object(), path, f.problems());
        ContraceptionMethodUse use;
        auto method = m.Enum<ContraceptionMethod>("method", true, "a contraception method");
        auto start = m.DateField("start", true);
        use.end = m.DateField("end", false);
        CheckOrder(m, start, "start", use.end, "end");
        m.RejectUnknown("a contraception method");
        if (method && start) {
          use.method = *method;
          use.start = *start;
          c.methods.push_back(use);
        }
      }
    }
    return Ok(c);
  }
  if (type == "pregnancy_test") {
    PregnancyTestEvent t;
    if (auto v = f.Enum<PregnancyTestPurpose>("purpose", true, "a test purpose")) t.purpose = *v;
    auto spec = f.DateField("specimen_date", false);
    t.specimen_date = spec ? *spec : date.value_or(Date());
    if (spec && date && *date < *spec) {
      f.problems().Add(f.Path("specimen_date"),
                       spec->ToString() + " is after the event date " + date->ToString() +
                           " (a result cannot be recorded before its specimen is taken)");
    }
    if (auto v = f.Enum<TestSetting>("setting", true, "a test setting")) t.setting = *v;
    if (auto v = f.Enum<TestSpecimen>("specimen", false, "a specimen type")) t.specimen = *v;
    if (auto v = f.Enum<TestResult>("result", true, "a test result")) t.result = *v;
    t.sensitivity_miu_per_ml = f.Num("sensitivity_miu_per_ml", false, 1, 1000);
    t.remotely_supervised = f.Bool("remotely_supervised", false).value_or(false);
    return Ok(t);
  }
  if (type == "comprehension") {
    ComprehensionEvent c;
    c.passed = f.Bool("passed", true).value_or(false);
    c.questions = f.Int("questions", false, 1, 100);
    c.correct = f.Int("correct", false, 0, 100);
    if (c.questions && c.correct && *c.correct > *c.questions) {
      f.problems().Add(f.Path("correct"), "more correct answers than questions");
    }
    return Ok(c);
  }
  if (type == "second_prescriber") {
    SecondPrescriberEvent s;
    s.prescriber = f.Str("prescriber", true).value_or("");
    s.agreed = f.Bool("agreed", false).value_or(true);
    return Ok(s);
  }
  if (type == "program_assessment") {
    ProgramAssessmentEvent a;
    if (auto v = f.Enum<ProgramAssessmentKind>("kind", true, "an assessment kind")) a.kind = *v;
    a.outcome = f.StrOr("outcome");
    return Ok(a);
  }
  if (type == "menses") return Ok(MensesEvent{});
  if (type == "home_test_opt_in") {
    HomeTestOptInEvent h;
    h.opted_in = f.Bool("opted_in", false).value_or(true);
    return Ok(h);
  }
  if (type == "lab") {
    LabEvent l;
    l.loinc = f.Str("loinc", true).value_or("");
    if (!l.loinc.empty()) {
      // LOINC codes are digits, a hyphen and a check digit (e.g. 2571-8).
      bool ok = l.loinc.size() >= 3 && l.loinc.size() <= 10 && l.loinc[l.loinc.size() - 2] == '-';
      for (size_t i = 0; ok && i < l.loinc.size(); ++i) {
        if (i == l.loinc.size() - 2) continue;
        ok = l.loinc[i] >= '0' && l.loinc[i] <= '9';
      }
      if (!ok) {
        f.problems().Add(f.Path("loinc"), "'" + l.loinc + "' is not a LOINC code (e.g. 2571-8)");
      }
    }
    l.name = f.StrOr("name");
    if (auto v = f.Num("value", true, -1e9, 1e9)) l.value = *v;
    if (auto u = f.Enum<LabUnit>("unit", true, "a unit")) l.unit = *u;
    l.reference_low = f.Num("reference_low", false, -1e9, 1e9);
    l.reference_high = f.Num("reference_high", false, -1e9, 1e9);
    if (l.reference_low && l.reference_high && *l.reference_high < *l.reference_low) {
      f.problems().Add(f.Path("reference_high"), "is below reference_low");
    }
    l.fasting = f.Bool("fasting", false);
    l.hours_since_alcohol = f.Num("hours_since_alcohol", false, 0, 1e6);
    return Ok(l);
  }
  if (type == "prescription") {
    PrescriptionEvent r;
    r.product = f.Str("product", true).value_or("");
    if (auto v = f.Num("strength_mg", false, 0.1, 1000)) r.strength = Milligrams(*v);
    if (auto v = f.Num("daily_mg", true, 0.1, 1000)) r.daily = Milligrams(*v);
    r.doses_per_day = f.Int("doses_per_day", false, 1, 4).value_or(2);
    r.days_supply = f.Int("days_supply", true, 1, 366).value_or(30);
    r.refills = f.Int("refills", false, 0, 12).value_or(0);
    r.quantity = f.Int("quantity", false, 1, 10000);
    r.prescriber = f.StrOr("prescriber");
    return Ok(r);
  }
  if (type == "dispense") {
    DispenseEvent d;
    if (auto s = f.Str("prescription", false)) d.prescription = EventId(*s);
    d.product = f.StrOr("product");
    if (auto v = f.Num("daily_mg", false, 0.1, 1000)) d.daily = Milligrams(*v);
    d.days_supply = f.Int("days_supply", true, 1, 366).value_or(30);
    d.quantity = f.Int("quantity", false, 1, 10000);
    d.pharmacy = f.StrOr("pharmacy");
    if (!d.prescription && (d.product.empty() || !d.daily)) {
      f.problems().Add(f.Path("prescription"),
                       "a dispense needs the prescription it fills, or both product and daily_mg");
    }
    return Ok(d);
  }
  if (type == "dose") {
    DoseEvent d;
    d.taken = f.Bool("taken", true).value_or(true);
    if (auto v = f.Num("mg", false, 0, 1000)) d.mg = Milligrams(*v);
    d.product = f.StrOr("product");
    if (!d.taken && d.mg && d.mg->value() > 0) {
      f.problems().Add(f.Path("mg"), "a missed dose cannot have an amount taken");
    }
    return Ok(d);
  }
  if (type == "mood_screen") {
    MoodScreenEvent m;
    auto inst = f.Enum<MoodInstrument>("instrument", true, "a mood instrument");
    if (inst) m.instrument = *inst;
    if (const json::array* a = f.Arr("items", true)) {
      for (size_t i = 0; i < a->size(); ++i) {
        auto v = f.IntValue((*a)[i], f.Path("items") + "[" + std::to_string(i) + "]", 0, 3);
        m.items.push_back(v.value_or(0));
      }
      if (inst) {
        size_t want = *inst == MoodInstrument::kPhq2 ? 2 : 9;
        if (a->size() != want) {
          f.problems().Add(f.Path("items"), std::string(Name(*inst)) + " has " +
                                                std::to_string(want) + " items, got " +
                                                std::to_string(a->size()));
        }
      }
    }
    m.total = f.Int("total", false, 0, 27);
    if (m.total) {
      int sum = 0;
      for (int x : m.items) sum += x;
      if (sum != *m.total) {
        f.problems().Add(f.Path("total"), std::to_string(*m.total) +
                                              " is not the sum of the items (" +
                                              std::to_string(sum) + ")");
      }
    }
    return Ok(m);
  }
  if (type == "side_effect") {
    SideEffectEvent s;
    if (const json::array* a = f.Arr("symptoms", true)) {
      for (size_t i = 0; i < a->size(); ++i) {
        std::string path = f.Path("symptoms") + "[" + std::to_string(i) + "]";
        if (!(*a)[i].is_string()) {
          f.problems().Add(path, "expected a string");
          continue;
        }
        if (auto v = f.EnumValue<Symptom>((*a)[i].get_string(), path, "a known symptom"))
          s.symptoms.push_back(*v);
      }
      if (a->empty()) f.problems().Add(f.Path("symptoms"), "must list at least one symptom");
    }
    if (auto v = f.Enum<SymptomSeverity>("severity", true, "a severity")) s.severity = *v;
    s.note = f.StrOr("note");
    return Ok(s);
  }
  if (type == "visit") {
    VisitEvent v;
    v.face = ReadCounts(f, "face");
    v.trunk = ReadCounts(f, "trunk");
    v.iga = f.Int("iga", false, 0, 4);
    v.in_person = f.Bool("in_person", false).value_or(true);
    v.note = f.StrOr("note");
    return Ok(v);
  }
  if (type == "course_start") {
    CourseStartEvent c;
    if (auto t = f.Num("target_mg_per_kg", false, 1, 300)) c.target = MgPerKg(*t);
    c.regimen = f.StrOr("regimen");
    return Ok(c);
  }
  if (type == "course_pause") {
    CoursePauseEvent c;
    c.reason = f.StrOr("reason");
    return Ok(c);
  }
  if (type == "course_resume") return Ok(CourseResumeEvent{});
  if (type == "course_extend") {
    CourseExtendEvent c;
    if (auto t = f.Num("new_target_mg_per_kg", true, 1, 300)) c.new_target = MgPerKg(*t);
    c.reason = f.StrOr("reason");
    return Ok(c);
  }
  if (type == "course_complete") return Ok(CourseCompleteEvent{});
  if (type == "course_discontinue") {
    CourseDiscontinueEvent c;
    c.reason = f.Str("reason", true).value_or("");
    return Ok(c);
  }
  if (type == "entered_in_error") {
    EnteredInErrorEvent e;
    e.reason = f.StrOr("reason");
    return Ok(e);
  }
  return std::nullopt;
}

std::string TypeList() {
  std::string out;
  for (std::string_view t : kEventTypeNames) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

Result<json::value> ParseJsonText(std::string_view text) {
  auto v = ParseJsonLocated(text);
  if (!v) {
    return InvalidArgument(
        "line " + std::to_string(v.error().line) + ", column " + std::to_string(v.error().column),
        "not valid JSON: " + v.error().reason);
  }
  return std::move(*v);
}

}  // namespace

Result<course::Timeline> TimelineFromJson(const json::value& v) {
  Problems problems;
  Timeline t;
  if (!v.is_object()) {
    return InvalidArgument("timeline", std::string("expected an object {patient, events}, got ") +
                                           JsonKindName(v.kind()));
  }
  Fields top(v.get_object(), "timeline", problems);
  if (auto p = top.Str("patient", false)) t.patient = PatientId(*p);
  top.Known({"$schema", "format", "note"});
  const json::array* events = top.Arr("events", true);
  top.RejectUnknown("a timeline");
  if (events) {
    t.events.reserve(events->size());
    for (size_t i = 0; i < events->size(); ++i) {
      const json::value& ev = (*events)[i];
      std::string label = "events[" + std::to_string(i) + "]";
      if (!ev.is_object()) {
        problems.Add(label,
                     std::string("expected an event object, got ") + JsonKindName(ev.kind()));
        continue;
      }
      const json::object& o = ev.get_object();
      if (const json::value* id = o.if_contains("id");
          id && id->is_string() && !id->get_string().empty()) {
        label += " (id " + std::string(id->get_string()) + ")";
      }
      Fields f(o, label, problems);
      size_t before = problems.size();
      Event e;
      if (auto id = f.Str("id", true)) e.id = EventId(*id);
      auto type = f.Str("type", true);
      auto date = f.DateField("date", true);
      if (date) e.date = *date;
      if (auto r = f.Str("recorded_by", true)) e.recorded_by = UserId(*r);
      e.recorded_on = f.DateField("recorded_on", false);
      if (e.recorded_on && date && *e.recorded_on < *date) {
        // Recording before the effective date is allowed only for planned events,
        // which the timeline does not hold.
        problems.Add(f.Path("recorded_on"),
                     e.recorded_on->ToString() + " is before the event date " + date->ToString());
      }
      if (auto c = f.Str("corrects", false)) e.corrects = EventId(*c);
      if (!type) continue;
      auto payload = ReadPayload(*type, f, date);
      if (!payload) {
        problems.Add(f.Path("type"),
                     "'" + *type + "' is not an event type; expected one of: " + TypeList());
        continue;
      }
      if (std::holds_alternative<EnteredInErrorEvent>(*payload) && !e.corrects) {
        problems.Add(f.Path("corrects"),
                     "an entered_in_error event must name the event it retracts");
      }
      f.RejectUnknown("a " + *type + " event");
      if (problems.size() != before) continue;
      e.payload = std::move(*payload);
      t.events.push_back(std::move(e));
    }
  }
  if (!problems.empty()) return std::unexpected(problems.Take());
  // Cross-event checks: ids, corrections, medication stops.
  auto resolved = ResolveCorrections(t);
  if (!resolved) return std::unexpected(resolved.error());
  for (size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    std::string label = EventLabel(t, i);
    if (const auto* stop = e.As<MedicationStopEvent>()) {
      auto it = std::find_if(t.events.begin(), t.events.end(),
                             [&](const Event& x) { return x.id == stop->start_event; });
      if (it == t.events.end() || !it->As<MedicationStartEvent>()) {
        problems.Add(label + ".start_event", "'" + stop->start_event.value() +
                                                 "' is not the id of a medication_start event");
      } else if (e.date < it->date) {
        problems.Add(label + ".date",
                     "the medication stops before it started (" + it->date.ToString() + ")");
      }
    }
    if (const auto* d = e.As<DispenseEvent>(); d && d->prescription) {
      auto it = std::find_if(t.events.begin(), t.events.end(),
                             [&](const Event& x) { return x.id == *d->prescription; });
      if (it == t.events.end() || !it->As<PrescriptionEvent>()) {
        problems.Add(label + ".prescription",
                     "'" + d->prescription->value() + "' is not the id of a prescription event");
      } else if (e.date < it->date) {
        problems.Add(label + ".date",
                     "dispensed before the prescription was written (" + it->date.ToString() + ")");
      }
    }
  }
  if (!problems.empty()) return std::unexpected(problems.Take());
  return t;
}

Result<course::Timeline> ParseTimelineJson(std::string_view text) {
  ISO_ASSIGN_OR_RETURN(json::value v, ParseJsonText(text));
  return TimelineFromJson(v);
}

namespace {

template <class E>
json::string_view N(E e) {
  std::string_view s = Name(e);
  return json::string_view(s.data(), s.size());
}
void PutCounts(json::object& o, std::string_view key, const LesionCounts& c) {
  if (!c.comedones && !c.papules_pustules && !c.nodules) return;
  json::object x;
  if (c.comedones) x["comedones"] = *c.comedones;
  if (c.papules_pustules) x["papules_pustules"] = *c.papules_pustules;
  if (c.nodules) x["nodules"] = *c.nodules;
  o[key] = std::move(x);
}
template <class T>
void PutOpt(json::object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o[key] = *v;
}

struct PayloadWriter {
  json::object& o;
  void operator()(const ProfileEvent& p) {
    if (p.birth_date) o["birth_date"] = p.birth_date->ToString();
    o["sex_at_birth"] = N(p.sex_at_birth);
    o["pregnancy_potential"] = N(p.pregnancy_potential);
    PutOpt(o, "regular_cycles", p.regular_cycles);
    o["jurisdiction"] = JurisdictionName(p.jurisdiction);
  }
  void operator()(const WeightEvent& w) { o["kg"] = w.kg.value(); }
  void operator()(const ConditionEvent& c) {
    o["condition"] = N(c.condition);
    o["present"] = c.present;
    if (!c.note.empty()) o["note"] = c.note;
  }
  void operator()(const DiagnosisEvent& d) {
    PutOpt(o, "iga", d.iga);
    PutCounts(o, "face", d.face);
    PutCounts(o, "trunk", d.trunk);
    PutOpt(o, "scarring", d.scarring);
    PutOpt(o, "trunk_involvement", d.trunk_involvement);
    PutOpt(o, "macrocomedones", d.macrocomedones);
    PutOpt(o, "psychosocial_burden", d.psychosocial_burden);
    PutOpt(o, "nodular", d.nodular);
    PutOpt(o, "conglobata", d.conglobata);
    PutOpt(o, "fulminans", d.fulminans);
    if (d.gags) {
      json::object g;
      for (size_t i = 0; i < kGagsRegionCount; ++i) {
        std::string_view k = Vocab<GagsRegion>::kNames[i];
        g[k] = (*d.gags)[i];
      }
      o["gags"] = std::move(g);
    }
  }
  void operator()(const PriorTreatmentEvent& t) {
    o["kind"] = N(t.kind);
    if (!t.agent.empty()) o["agent"] = t.agent;
    o["start"] = t.start.ToString();
    if (t.end) o["end"] = t.end->ToString();
    o["response"] = N(t.response);
    if (t.cumulative_per_kg) o["cumulative_mg_per_kg"] = t.cumulative_per_kg->value();
  }
  void operator()(const MedicationStartEvent& m) {
    o["name"] = m.name;
    o["class"] = N(m.medication_class);
  }
  void operator()(const MedicationStopEvent& m) { o["start_event"] = m.start_event.value(); }
  void operator()(const EnrollmentEvent& e) {
    o["program"] = N(e.program);
    o["category"] = N(e.category);
    if (!e.program_patient_id.empty()) o["program_patient_id"] = e.program_patient_id;
    if (!e.prescriber.empty()) o["prescriber"] = e.prescriber;
  }
  void operator()(const ConsentEvent& c) {
    o["form"] = c.form;
    o["signed_by_patient"] = c.signed_by_patient;
    o["signed_by_guardian"] = c.signed_by_guardian;
  }
  void operator()(const CounselingEvent& c) {
    json::array a;
    for (CounselingTopic t : c.topics) a.push_back(json::value(N(t)));
    o["topics"] = std::move(a);
    if (!c.by.empty()) o["by"] = c.by;
  }
  void operator()(const ContraceptionEvent& c) {
    o["entered_by"] = N(c.entered_by);
    json::array a;
    for (const auto& m : c.methods) {
      json::object x;
      x["method"] = N(m.method);
      x["start"] = m.start.ToString();
      if (m.end) x["end"] = m.end->ToString();
      a.push_back(std::move(x));
    }
    o["methods"] = std::move(a);
  }
  void operator()(const PregnancyTestEvent& t) {
    o["purpose"] = N(t.purpose);
    o["specimen_date"] = t.specimen_date.ToString();
    o["setting"] = N(t.setting);
    o["specimen"] = N(t.specimen);
    o["result"] = N(t.result);
    PutOpt(o, "sensitivity_miu_per_ml", t.sensitivity_miu_per_ml);
    if (t.remotely_supervised) o["remotely_supervised"] = true;
  }
  void operator()(const ComprehensionEvent& c) {
    o["passed"] = c.passed;
    PutOpt(o, "questions", c.questions);
    PutOpt(o, "correct", c.correct);
  }
  void operator()(const SecondPrescriberEvent& s) {
    o["prescriber"] = s.prescriber;
    o["agreed"] = s.agreed;
  }
  void operator()(const ProgramAssessmentEvent& a) {
    o["kind"] = N(a.kind);
    if (!a.outcome.empty()) o["outcome"] = a.outcome;
  }
  void operator()(const MensesEvent&) {}
  void operator()(const HomeTestOptInEvent& h) { o["opted_in"] = h.opted_in; }
  void operator()(const LabEvent& l) {
    o["loinc"] = l.loinc;
    if (!l.name.empty()) o["name"] = l.name;
    o["value"] = l.value;
    o["unit"] = N(l.unit);
    PutOpt(o, "reference_low", l.reference_low);
    PutOpt(o, "reference_high", l.reference_high);
    PutOpt(o, "fasting", l.fasting);
    PutOpt(o, "hours_since_alcohol", l.hours_since_alcohol);
  }
  void operator()(const PrescriptionEvent& r) {
    o["product"] = r.product;
    if (r.strength.value() > 0) o["strength_mg"] = r.strength.value();
    o["daily_mg"] = r.daily.value();
    o["doses_per_day"] = r.doses_per_day;
    o["days_supply"] = r.days_supply;
    o["refills"] = r.refills;
    PutOpt(o, "quantity", r.quantity);
    if (!r.prescriber.empty()) o["prescriber"] = r.prescriber;
  }
  void operator()(const DispenseEvent& d) {
    if (d.prescription) o["prescription"] = d.prescription->value();
    if (!d.product.empty()) o["product"] = d.product;
    if (d.daily) o["daily_mg"] = d.daily->value();
    o["days_supply"] = d.days_supply;
    PutOpt(o, "quantity", d.quantity);
    if (!d.pharmacy.empty()) o["pharmacy"] = d.pharmacy;
  }
  void operator()(const DoseEvent& d) {
    o["taken"] = d.taken;
    if (d.mg) o["mg"] = d.mg->value();
    if (!d.product.empty()) o["product"] = d.product;
  }
  void operator()(const MoodScreenEvent& m) {
    o["instrument"] = N(m.instrument);
    json::array a;
    for (int x : m.items) a.push_back(x);
    o["items"] = std::move(a);
    PutOpt(o, "total", m.total);
  }
  void operator()(const SideEffectEvent& s) {
    json::array a;
    for (Symptom x : s.symptoms) a.push_back(json::value(N(x)));
    o["symptoms"] = std::move(a);
    o["severity"] = N(s.severity);
    if (!s.note.empty()) o["note"] = s.note;
  }
  void operator()(const VisitEvent& v) {
    PutCounts(o, "face", v.face);
    PutCounts(o, "trunk", v.trunk);
    PutOpt(o, "iga", v.iga);
    o["in_person"] = v.in_person;
    if (!v.note.empty()) o["note"] = v.note;
  }
  void operator()(const CourseStartEvent& c) {
    if (c.target) o["target_mg_per_kg"] = c.target->value();
    if (!c.regimen.empty()) o["regimen"] = c.regimen;
  }
  void operator()(const CoursePauseEvent& c) {
    if (!c.reason.empty()) o["reason"] = c.reason;
  }
  void operator()(const CourseResumeEvent&) {}
  void operator()(const CourseExtendEvent& c) {
    o["new_target_mg_per_kg"] = c.new_target.value();
    if (!c.reason.empty()) o["reason"] = c.reason;
  }
  void operator()(const CourseCompleteEvent&) {}
  void operator()(const CourseDiscontinueEvent& c) { o["reason"] = c.reason; }
  void operator()(const EnteredInErrorEvent& e) {
    if (!e.reason.empty()) o["reason"] = e.reason;
  }
};

}  // namespace

json::object TimelineToJson(const course::Timeline& timeline) {
  json::object out;
  if (!timeline.patient.empty()) out["patient"] = timeline.patient.value();
  json::array events;
  events.reserve(timeline.events.size());
  for (const Event& e : timeline.events) {
    json::object o;
    o["id"] = e.id.value();
    o["type"] = json::string_view(e.TypeName().data(), e.TypeName().size());
    o["date"] = e.date.ToString();
    o["recorded_by"] = e.recorded_by.value();
    if (e.recorded_on) o["recorded_on"] = e.recorded_on->ToString();
    if (e.corrects) o["corrects"] = e.corrects->value();
    std::visit(PayloadWriter{o}, e.payload);
    events.push_back(std::move(o));
  }
  out["events"] = std::move(events);
  return out;
}

Result<course::Settings> SettingsFromJson(const json::value& v) {
  Problems problems;
  Settings s;
  if (!v.is_object()) {
    return InvalidArgument("settings",
                           std::string("expected an object, got ") + JsonKindName(v.kind()));
  }
  Fields f(v.get_object(), "settings", problems);
  if (auto j = f.Str("jurisdiction", false)) {
    if (auto p = ParseJurisdiction(*j)) {
      s.jurisdiction = *p;
    } else {
      problems.Add(f.Path("jurisdiction"),
                   "'" + *j + "' is not a jurisdiction; expected US, EU or UK");
    }
  }
  s.lab_profile = f.Enum<LabProfile>("lab_profile", false, "a lab profile");
  if (auto w = f.Str("weight_rule", false)) {
    if (*w == "per_period") {
      s.weight_rule = dose::WeightRule::kPerPeriod;
    } else if (*w == "latest") {
      s.weight_rule = dose::WeightRule::kLatest;
    } else {
      problems.Add(f.Path("weight_rule"),
                   "'" + *w + "' is not a weight rule; expected per_period or latest");
    }
  }
  if (auto d = f.DateField("ipledge_2026_cutover", false)) s.ipledge_2026_cutover = *d;
  if (auto r = f.Enum<RetreatmentInterval>("retreatment", false, "a retreatment interval"))
    s.retreatment = *r;
  if (auto g = f.Num("cumulative_goal_mg_per_kg", false, 1, 300)) s.cumulative_goal = MgPerKg(*g);
  if (auto h = f.Bool("home_tests_opt_in", false)) s.home_tests_opt_in = *h;
  if (auto d = f.Int("due_soon_days", false, 0, 90)) s.due_soon_days = *d;
  f.Known({"note"});
  f.RejectUnknown("settings");
  if (!problems.empty()) return std::unexpected(problems.Take());
  return s;
}

json::object SettingsToJson(const course::Settings& s) {
  auto name = [](auto v) {
    return json::string(Vocab<decltype(v)>::kNames[static_cast<size_t>(v)]);
  };
  json::object o;
  o["jurisdiction"] =
      s.jurisdiction ? json::value(JurisdictionName(*s.jurisdiction)) : json::value(nullptr);
  o["lab_profile"] = s.lab_profile ? json::value(name(*s.lab_profile)) : json::value(nullptr);
  o["weight_rule"] = s.weight_rule == dose::WeightRule::kLatest ? "latest" : "per_period";
  o["ipledge_2026_cutover"] = s.ipledge_2026_cutover.ToString();
  o["retreatment"] = name(s.retreatment);
  o["cumulative_goal_mg_per_kg"] =
      s.cumulative_goal ? json::value(s.cumulative_goal->value()) : json::value(nullptr);
  o["home_tests_opt_in"] = s.home_tests_opt_in;
  o["due_soon_days"] = s.due_soon_days;
  return o;
}

Result<course::Settings> ParseSettingsJson(std::string_view text) {
  ISO_ASSIGN_OR_RETURN(json::value v, ParseJsonText(text));
  return SettingsFromJson(v);
}

}  // namespace isocourse::codec
