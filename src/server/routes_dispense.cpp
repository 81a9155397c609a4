// The pharmacy: find a prescription, check whether it may be dispensed on a date (the
// course engine's may_dispense for that prescription, every reason with its rule and
// citation, and the dispense-by date), and record the dispense only when allowed.
//
// A pharmacist sees only what the check needs: the lookup answers name, birth date and
// the prescription's product, dose and supply; the check answers the decision. Neither
// returns the chart. Who may call them (one place, here, next to the routes):
//   admin                      any clinic
//   pharmacist, prescriber,    patients of their own clinic; other clinics' patients
//   staff                      answer 404 like ids that do not exist
//   patient                    403
// Every call is audited (dispense.lookup, dispense.check, dispense.record).
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "codec/assessment_json.h"
#include "server/engine_routes.h"
#include "server/errors.h"
#include "server/json_body.h"
#include "server/timeline_bridge.h"
#include "server/views.h"

namespace isocourse::server {

namespace http = boost::beast::http;
namespace json = boost::json;
using store::Role;

namespace {

constexpr size_t kLookupMax = 50;         // candidates in one lookup answer
constexpr size_t kPrescriptionsEach = 3;  // newest prescriptions listed per patient

Status MayUseDispenseRoutes(const Principal& who) {
  return RequireRole(who, {Role::kAdmin, Role::kPharmacist, Role::kPrescriber, Role::kStaff});
}

// The patient named in a dispense request, if the caller may check dispenses for them.
Result<store::Patient> DispensePatient(Api& api, RequestContext& c, const std::string& id,
                                       std::string_view action) {
  api.AuditThis(c, action, PatientId(id), c.Who().clinic);
  if (Status st = MayUseDispenseRoutes(c.Who()); !st) {
    c.audit->outcome = "denied";
    return std::unexpected(st.error());
  }
  auto p = api.store().GetPatient(PatientId(id));
  if (!p) {
    if (p.error().code == ErrorCode::kNotFound) {
      c.audit->outcome = "not_found";
      return NotFound("patient_id", "no patient " + id);
    }
    return std::unexpected(p.error());
  }
  c.audit->clinic = p->clinic;
  if (c.Who().role != Role::kAdmin && (!c.Who().clinic || *c.Who().clinic != p->clinic)) {
    c.audit->outcome = "denied";  // answered as "no such patient"; the log says what it was
    return NotFound("patient_id", "no patient " + id);
  }
  return *p;
}

struct RxFacts {
  const course::Event* rx = nullptr;         // the named prescription, in force
  const course::Event* newer = nullptr;      // a later prescription in force
  const course::Event* filled_by = nullptr;  // a dispense on or after it
};

// Finds the prescription `id` among the events in force and what happened after it.
Result<RxFacts> FindPrescription(const course::ResolvedTimeline& resolved, const std::string& id) {
  RxFacts f;
  for (const course::Event* e : resolved.events) {
    if (e->id.value() == id) {
      if (!e->As<course::PrescriptionEvent>())
        return NotFound("prescription_id", "event " + id + " is a " + std::string(e->TypeName()) +
                                               ", not a prescription");
      f.rx = e;
    }
  }
  if (!f.rx) {
    for (const auto& s : resolved.superseded) {
      if (s.event->id.value() == id)
        return NotFound("prescription_id", "the prescription " + id + " was corrected by " +
                                               s.by.value() + "; use the correction's id");
    }
    return NotFound("prescription_id", "no prescription " + id + " for this patient");
  }
  for (const course::Event* e : resolved.events) {
    if (e == f.rx) continue;
    if (e->As<course::PrescriptionEvent>() && f.rx->date <= e->date) f.newer = e;
    if (const auto* d = e->As<course::DispenseEvent>()) {
      // The engine counts a prescription as filled once a pickup happened on or after
      // the day it was written (program rules, PendingRx).
      bool names_it = d->prescription && d->prescription->value() == id;
      if (names_it || f.rx->date <= e->date) f.filled_by = e;
    }
  }
  return f;
}

// The rule that says which prescription may be dispensed, taken from the engine's own
// reasons, so a refusal about the named prescription cites the same rule pack.
course::Explanation PendingRule(const course::Decision& d, const course::Assessment& a) {
  for (std::string_view code : {"no-prescription", "dispense-by", "dispense-within",
                                "dispense-window-passed", "prescription-outside-window"}) {
    for (const course::Reason& r : d.reasons) {
      if (r.code == code) return r.explanation;
    }
  }
  if (!d.reasons.empty()) return d.reasons.front().explanation;
  return a.phase_rule;
}

// The engine's may_dispense, narrowed to the named prescription: it must be the one
// waiting (not filled, not replaced by a newer one) and written on or before the date.
course::Decision DecisionFor(const course::Assessment& a, const RxFacts& f) {
  course::Decision d = a.may_dispense;
  auto refuse = [&](std::string_view code, std::string message) {  // code: a literal
    course::Reason r{code, true, std::move(message), PendingRule(a.may_dispense, a)};
    d.reasons.insert(d.reasons.begin(), std::move(r));
    d.allowed = false;
    d.by.reset();
  };
  const std::string rx_date = f.rx->date.ToString();
  if (a.as_of < f.rx->date) {
    refuse("prescription-after-date", "The prescription is dated " + rx_date + ", after " +
                                          a.as_of.ToString() + "; it cannot be dispensed before.");
  } else if (f.filled_by) {
    refuse("prescription-already-dispensed",
           "The prescription of " + rx_date + " was already dispensed on " +
               f.filled_by->date.ToString() + " (" + f.filled_by->id.value() +
               "); a new prescription is needed for the next supply.");
  } else if (f.newer) {
    refuse("prescription-replaced", "A newer prescription (" + f.newer->date.ToString() + ", " +
                                        f.newer->id.value() + ") replaces the one of " + rx_date +
                                        "; check that one.");
  }
  return d;
}

struct CheckInput {
  std::string patient_id;
  std::string prescription_id;
  std::optional<Date> date;
};

struct Checked {
  store::Patient patient;
  std::shared_ptr<const Evaluation> ev;
  Date as_of;
  course::Decision decision;
  const course::PrescriptionEvent* rx = nullptr;
};

Result<Checked> RunCheck(EngineState& engine, RequestContext& c, const CheckInput& in,
                         std::string_view action) {
  ISO_ASSIGN_OR_RETURN(store::Patient patient,
                       DispensePatient(engine.api(), c, in.patient_id, action));
  Date as_of = in.date.value_or(engine.Today());
  ISO_ASSIGN_OR_RETURN(std::shared_ptr<const Evaluation> ev, engine.Evaluate(patient, as_of));
  ISO_ASSIGN_OR_RETURN(RxFacts f, FindPrescription(ev->resolved, in.prescription_id));
  Checked out{std::move(patient), ev, as_of, DecisionFor(ev->assessment, f),
              f.rx->As<course::PrescriptionEvent>()};
  return out;
}

json::object CheckJson(const Checked& k, const CheckInput& in) {
  return json::object{{"patient_id", in.patient_id},
                      {"prescription_id", in.prescription_id},
                      {"as_of", k.as_of.ToString()},
                      {"decision", codec::DecisionToJson(k.decision)}};
}

Result<ApiResponse> Check(EngineState& engine, RequestContext& c) {
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto patient = f.String("patient_id", true, 100);
  auto rx = f.String("prescription_id", true, 100);
  auto date = f.DateField("date", false);
  f.RejectUnknown();
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  CheckInput in{*patient, *rx, date};
  ISO_ASSIGN_OR_RETURN(Checked k, RunCheck(engine, c, in, "dispense.check"));
  if (!k.decision.allowed) c.audit->outcome = "refused";
  return ApiResponse::Json(CheckJson(k, in));
}

Result<ApiResponse> Record(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  ISO_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(c.req.msg.body()));
  Problems problems;
  FieldReader f(body, "", problems);
  auto patient = f.String("patient_id", true, 100);
  auto rx = f.String("prescription_id", true, 100);
  auto date = f.DateField("date", true);
  auto days = f.Int("days_supply", true, 1, 366);
  auto quantity = f.Int("quantity", false, 1, 10000);
  auto pharmacy = f.String("pharmacy", false, 200);
  f.RejectUnknown();
  const Date today = engine.Today();
  // One day of slack for clients east of UTC; a dispense is recorded when it happens.
  if (date && *date > today.AddDays(1))
    problems.Add("date", date->ToString() + " is in the future; record a dispense when it happens");
  ISO_RETURN_IF_ERROR(problems.ToStatus());
  ISO_ASSIGN_OR_RETURN(std::string key, IdempotencyKeyHeader(c));

  CheckInput in{*patient, *rx, date};
  ISO_ASSIGN_OR_RETURN(Checked k, RunCheck(engine, c, in, "dispense.record"));
  c.audit->action = "dispense.record";
  if (k.rx && *days > k.rx->days_supply)
    return InvalidArgument("days_supply", std::to_string(*days) + " days is more than the " +
                                              std::to_string(k.rx->days_supply) +
                                              " days the prescription is for");

  json::object payload{{"prescription", *rx}, {"days_supply", *days}};
  if (quantity) payload["quantity"] = *quantity;
  if (pharmacy && !pharmacy->empty()) payload["pharmacy"] = *pharmacy;
  std::vector<store::EventDraft> drafts{
      store::EventDraft{"dispense", *date, std::nullopt, json::serialize(payload)}};

  auto respond = [&](const store::AppendResult& result, const json::object& check) {
    json::object out{{"version", result.version},
                     {"event", StoredEventJson(result.events.front())},
                     {"check", check}};
    ApiResponse r = ApiResponse::Json(out, result.replayed ? kHttpOk : kHttpCreated);
    if (result.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
    r.headers.emplace_back("Location",
                           "/api/v1/patients/" + k.patient.id.value() +
                               "/events?after=" + std::to_string(result.events.front().seq - 1));
    return r;
  };

  if (!k.decision.allowed) {
    // A retry of a dispense that was recorded: the check now refuses (the prescription
    // is filled), but the same key and content replay the first answer.
    if (!key.empty() && k.ev->version >= 1) {
      store::AppendRequest probe{k.patient.id, k.ev->version - 1, key, c.Who().id, drafts};
      auto replay = api.store().Append(probe);
      if (replay && replay->replayed) return respond(*replay, CheckJson(k, in));
      if (!replay && replay.error().code == ErrorCode::kAlreadyExists)
        return std::unexpected(replay.error());
    }
    c.audit->outcome = "refused";
    std::string first;
    for (const course::Reason& r : k.decision.reasons) {
      if (r.blocking) {
        first = r.message;
        break;
      }
    }
    Error e{ErrorCode::kFailedPrecondition,
            "the dispense check refuses this dispense on " + k.as_of.ToString() +
                (first.empty() ? std::string() : ": " + first) + " (every reason in `reasons`)",
            "decision",
            {}};
    json::object problem = ProblemFor(e, c.path);
    problem["reasons"] = codec::DecisionToJson(k.decision)["reasons"];
    ApiResponse r = ApiResponse::Json(problem, HttpStatusFor(e));
    r.content_type = "application/problem+json";
    return r;
  }

  ISO_ASSIGN_OR_RETURN(std::vector<store::Event> existing, api.store().ReadEvents(k.patient.id));
  if (static_cast<int64_t>(existing.size()) == k.ev->version) {
    if (Status st = ValidateWithTimelineCodec(k.patient, existing, drafts, c.Who().id); !st) {
      Error e = st.error();
      auto strip = [](std::string& w) {
        if (w.rfind("events[0].", 0) == 0) w = w.substr(10);
      };
      strip(e.where);
      for (Error& d : e.details) strip(d.where);
      return std::unexpected(e);
    }
  }
  ISO_ASSIGN_OR_RETURN(store::AppendResult result,
                       AppendOnce(api, k.patient, k.ev->version, key, c.Who().id, drafts));
  return respond(result, CheckJson(k, in));
}

// --- lookup ----------------------------------------------------------------------------

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

Result<ApiResponse> Lookup(EngineState& engine, RequestContext& c) {
  Api& api = engine.api();
  std::optional<ClinicId> requested;
  if (auto cl = c.Query("clinic_id"); cl && !cl->empty()) requested = ClinicId(cl->substr(0, 100));
  api.AuditThis(c, "dispense.lookup", std::nullopt, requested ? requested : c.Who().clinic);
  if (Status st = MayUseDispenseRoutes(c.Who()); !st) {
    c.audit->outcome = "denied";
    return std::unexpected(st.error());
  }
  std::optional<ClinicId> scope = c.Who().clinic;
  if (c.Who().role == Role::kAdmin) {
    scope = requested;
  } else if (requested && (!scope || *requested != *scope)) {
    c.audit->outcome = "denied";
    return MakeError(ErrorCode::kPermissionDenied, "clinic_id",
                     "you may look up prescriptions only in your own clinic");
  }
  std::string q = c.Query("q").value_or("");
  while (!q.empty() && q.front() == ' ') q.erase(0, 1);
  while (!q.empty() && q.back() == ' ') q.pop_back();
  if (q.size() < 2) return InvalidArgument("q", "give at least 2 characters to search for");
  if (q.size() > 100) return InvalidArgument("q", "longer than 100 characters");
  const std::string lq = Lower(q);
  std::optional<Date> birth;
  if (q.size() == 10 && q[4] == '-' && q[7] == '-') {
    ISO_ASSIGN_OR_RETURN(birth, Date::Parse(q, "q"));
  }

  store::PatientQuery pq;
  pq.clinic = scope;
  pq.limit = 500;
  json::array items;
  for (;;) {
    ISO_ASSIGN_OR_RETURN(std::vector<store::Patient> page, api.store().ListPatients(pq));
    for (const store::Patient& p : page) {
      if (items.size() >= kLookupMax) break;
      const std::string full = Lower(p.given_name + " " + p.family_name);
      const bool by_patient = (birth && p.birth_date == *birth) ||
                              full.find(lq) != std::string::npos ||
                              (!p.mrn.empty() && Lower(p.mrn).find(lq) != std::string::npos);
      // Prescription ids are event ids: only those need the timeline of every patient.
      if (!by_patient && lq.rfind("evt_", 0) != 0) continue;
      ISO_ASSIGN_OR_RETURN(std::vector<store::Event> events, api.store().ReadEvents(p.id));
      auto timeline = TimelineFromStore(p, events);
      if (!timeline) continue;  // the clinic sees the problem on its worklist
      auto resolved = course::ResolveCorrections(*timeline);
      if (!resolved) continue;
      std::vector<const course::Event*> rxs = resolved->OfType<course::PrescriptionEvent>();
      std::reverse(rxs.begin(), rxs.end());  // newest first
      size_t listed = 0;
      for (const course::Event* e : rxs) {
        if (!by_patient && Lower(e->id.value()) != lq) continue;
        if (by_patient && listed >= kPrescriptionsEach) break;
        const auto* rx = e->As<course::PrescriptionEvent>();
        items.push_back(json::object{{"patient_id", p.id.value()},
                                     {"patient_name", p.given_name + " " + p.family_name},
                                     {"birth_date", p.birth_date.ToString()},
                                     {"prescription_id", e->id.value()},
                                     {"prescription_date", e->date.ToString()},
                                     {"product", rx->product},
                                     {"daily_mg", rx->daily.value()},
                                     {"days_supply", rx->days_supply}});
        ++listed;
      }
    }
    if (items.size() >= kLookupMax || static_cast<int>(page.size()) < pq.limit) break;
    pq.offset += pq.limit;
  }
  return ApiResponse::Json(json::object{{"items", std::move(items)}});
}

}  // namespace

void RegisterDispenseRoutes(Api& api, std::shared_ptr<EngineState> engine) {
  Router& r = api.router();
  auto bind = [engine](EngineRoute fn) { return BindEngine(engine, fn); };
  r.Add({http::verb::get, "/api/v1/dispense/lookup", Access::kAuthenticated,
         "Find prescriptions to dispense by patient name, birth date, MRN or prescription id",
         bind(Lookup), Work::kBlocking});  // scans the clinic's patients
  r.Add({http::verb::post, "/api/v1/dispense/check", Access::kAuthenticated,
         "May this prescription be dispensed on a date? Yes/no, every reason, dispense-by date",
         bind(Check), Work::kQuick});
  r.Add({http::verb::post, "/api/v1/dispenses", Access::kAuthenticated,
         "Record a dispense, only when the dispense check allows it (Idempotency-Key header)",
         bind(Record)});
}

}  // namespace isocourse::server
