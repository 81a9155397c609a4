#include "server/demo.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "server/accounts.h"
#include "server/timeline_bridge.h"

namespace isocourse::server {

namespace json = boost::json;

namespace {

constexpr const char* kGiven[] = {
    "Ana",  "Ben",    "Chloe", "Daniel", "Elena",  "Finn",  "Grace", "Hugo",    "Isla", "Jonas",
    "Kira", "Liam",   "Maya",  "Noah",   "Olivia", "Pablo", "Quinn", "Rosa",    "Sami", "Tara",
    "Uma",  "Victor", "Wren",  "Ximena", "Yusuf",  "Zoe",   "Amir",  "Beatriz", "Cole", "Dalia"};
constexpr const char* kFamily[] = {
    "Rivera", "Okafor",  "Schmidt", "Nguyen",   "Dubois", "Kowalski",  "Silva",  "Haddad",
    "Larsen", "Moreau",  "Tanaka",  "Brennan",  "Costa",  "Novak",     "Patel",  "Fischer",
    "Garcia", "Jensen",  "Rossi",   "Walsh",    "Yilmaz", "Lindqvist", "Mensah", "Ortiz",
    "Petrov", "Quinlan", "Sato",    "Virtanen", "Weber",  "Zhou"};

struct DemoClinic {
  const char* name;
  const char* jurisdiction;
  const char* program;  // ProgramKind spelling
  const char* tag;      // for usernames and showcase MRNs
  const char* product;  // knowledge product id
  const char* pharmacy;
  const char* consent_form;
};
constexpr DemoClinic kClinics[] = {
    {"Riverside Dermatology (demo)", "US", "ipledge", "us", "generic", "Main St Pharmacy",
     "ipledge-patient-agreement"},
    {"Clinique Saint-Michel (demo)", "EU", "eu_ppp", "eu", "roaccutane", "Pharmacie Centrale",
     "ppp-patient-reminder-card"},
    {"Northgate Skin Clinic (demo)", "UK", "uk_ppp", "uk", "roaccutane", "Central Pharmacy",
     "mhra-acknowledgement-of-risk-form"},
};

bool IsUs(const DemoClinic& c) { return std::string_view(c.jurisdiction) == "US"; }
bool IsUk(const DemoClinic& c) { return std::string_view(c.jurisdiction) == "UK"; }

// What one patient's course looks like; the chart is written from it.
struct Plan {
  bool female = true;
  bool cgp = true;  // can get pregnant (iPLEDGE category; EU/UK "of childbearing potential")
  int age = 25;
  double kg = 62;
  int daily_mg = 40;
  Date start;            // first pickup = first dose
  int cycles = 6;        // 30-day supplies in the course
  int lapse_cycle = -1;  // from this cycle on nothing more happens (missed the steps)
  int pause_cycle = -1;  // the course is paused after this supply's pickup...
  int pause_day = 0;     // ...this many days after it
  bool complete = true;  // course_complete after the last supply
  bool skip_month1_labs = false;
  int mismatch_cycle = -1;    // the patient's methods differ from the clinic's (US)
  int stale_test_cycle = -1;  // the test was collected a week before the prescription
  int unfilled_cycle = -1;    // prescribed, never picked up; nothing after
  int methods_since = 40;     // days before the intake the two methods started
  int tg = 110;               // baseline triglycerides, mg/dL
  int alt = 22;               // baseline ALT, U/L
  int month1_tg = 140;        // triglycerides at month 1
  double low_mood = 0.0;      // chance of a raised PHQ-9 at a monthly visit
  double side_effects = 0.3;
  bool tidy_labs = false;  // monitoring results inside the reference ranges
};

// One patient's chart. Every event dated after `today` is left out: the demo holds
// only what has happened, so a course that starts next week shows its intake and
// screening so far.
class Chart {
 public:
  Chart(Date today, const DemoClinic& clinic, const Plan& plan, std::mt19937& rng)
      : today_(today), c_(clinic), p_(plan), rng_(rng) {}

  void Add(const char* type, Date date, json::object fields) {
    if (date > today_) return;
    drafts_.push_back(store::EventDraft{type, date, std::nullopt, json::serialize(fields)});
  }
  std::vector<store::EventDraft>& drafts() { return drafts_; }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // The whole course as planned, cut at today.
  void Write(Date birth) {
    const Date s = p_.start;
    const Date intake = s.AddDays(-35);
    Intake(intake, birth);
    Labs(s.AddDays(-12), p_.tg, 160, p_.alt);  // baseline: within 30 days before the start
    // First supply: the confirmation (US) or pre-prescription (EU/UK) test two days
    // before, everything else the day before, the pickup on the start day.
    Qualify(s.AddDays(-2), s.AddDays(-1), "confirmation", 0);
    Dispense(s);
    Add("course_start", s, {{"target_mg_per_kg", 120}});
    for (int k = 0; k < p_.cycles; ++k) {
      const Date needed = s.AddDays(30 * k);  // the day supply k is needed
      Date pickup = s;
      if (k > 0) {
        if (k == p_.lapse_cycle) break;
        const int lead = k == p_.stale_test_cycle ? 9 : 3;
        Qualify(needed.AddDays(-lead), needed.AddDays(-2), "monthly", k);
        if (k == p_.unfilled_cycle) break;
        pickup = needed.AddDays(-1);
        Dispense(pickup);
      }
      if (k == p_.pause_cycle) {
        Add("course_pause", pickup.AddDays(p_.pause_day),
            {{"reason", "exam period; the patient asked to pause"}});
        break;
      }
    }
    MonitoringLabs();
    if (!p_.complete || p_.pause_cycle >= 0 || p_.lapse_cycle >= 0 || p_.unfilled_cycle >= 0)
      return;
    const Date last_dose = s.AddDays(30 * p_.cycles - 1);
    Add("course_complete", last_dose.AddDays(1), {});
    if (p_.cgp) {
      const int after = IsUs(c_) ? 31 : 36;  // 1 month (iPLEDGE) / 5 weeks (PPP)
      Add("pregnancy_test", last_dose.AddDays(after),
          {{"purpose", "post_treatment"},
           {"specimen_date", last_dose.AddDays(after).ToString()},
           {"setting", "certified_lab"},
           {"specimen", "urine"},
           {"result", "negative"}});
    }
  }

  json::array Methods(Date from, bool patient_mismatch = false) {
    return json::array{json::object{{"method", "combined_pill"}, {"start", from.ToString()}},
                       json::object{{"method", patient_mismatch ? "female_condom" : "male_condom"},
                                    {"start", from.ToString()}}};
  }

  // Registration, consent, counselling, contraception, baseline mood screen, and for
  // a US patient who can get pregnant the screening test.
  void Intake(Date d, Date birth) {
    json::object profile{
        {"birth_date", birth.ToString()},
        {"sex_at_birth", p_.female ? "female" : "male"},
        {"pregnancy_potential", p_.cgp ? "can_get_pregnant" : "cannot_get_pregnant"},
        {"jurisdiction", c_.jurisdiction}};
    if (p_.cgp) profile["regular_cycles"] = true;
    Add("profile", d, profile);
    Add("weight", d, {{"kg", p_.kg}});
    Add("diagnosis", d,
        {{"iga", Uniform(3, 4)},
         {"face",
          {{"comedones", Uniform(5, 60)},
           {"papules_pustules", Uniform(10, 40)},
           {"nodules", Uniform(1, 8)}}},
         {"scarring", Chance(0.5)}});
    Add("prior_treatment", d,
        {{"kind", "oral_antibiotic"},
         {"agent", "doxycycline"},
         {"start", d.AddDays(-200).ToString()},
         {"end", d.AddDays(-20).ToString()},
         {"response", "failed"}});
    Add("enrollment", d,
        {{"program", c_.program},
         {"category", p_.cgp ? "can_get_pregnant" : "cannot_get_pregnant"}});
    Add("consent", d, {{"form", c_.consent_form}, {"signed_by_patient", true}});
    Add("counseling", d, {{"topics", json::array{"pregnancy_prevention", "psychiatric"}}});
    Add("mood_screen", d, {{"instrument", "phq9"}, {"items", Phq9(false)}});
    if (IsUk(c_)) {
      Add("program_assessment", d, {{"kind", "mental_health"}, {"outcome", "no concerns"}});
      Add("program_assessment", d, {{"kind", "sexual_function"}, {"outcome", "no concerns"}});
      if (p_.age < 18) Add("second_prescriber", d, {{"prescriber", "dr-second"}, {"agreed", true}});
    }
    if (p_.cgp) {
      // Two methods in use for well over a month before the first dose.
      const Date from = d.AddDays(-p_.methods_since);
      Add("contraception", d, {{"entered_by", "clinic"}, {"methods", Methods(from)}});
      Add("contraception", d, {{"entered_by", "patient"}, {"methods", Methods(from)}});
      if (IsUs(c_)) {
        Add("comprehension", d, {{"passed", true}, {"questions", 5}, {"correct", 5}});
        Add("pregnancy_test", d.AddDays(6),
            {{"purpose", "screening"},
             {"specimen_date", d.AddDays(5).ToString()},
             {"setting", "certified_lab"},
             {"specimen", "serum"},
             {"result", "negative"}});
      }
    }
  }

  // The steps before a supply: the pregnancy test collected on `test` (result the next
  // day), then on `visit` counselling (US), the patient's methods and the comprehension
  // questions (US, can get pregnant), the UK assessments, a mood screen and the
  // prescription.
  void Qualify(Date test, Date visit, const char* purpose, int cycle) {
    const bool patient_mismatch = cycle == p_.mismatch_cycle;
    if (p_.cgp) {
      if (IsUs(c_) && std::string_view(purpose) == "confirmation")
        Add("menses", test.AddDays(-1), {});  // cycle day 2 on the confirmation test
      Add("pregnancy_test", test.AddDays(1),
          {{"purpose", purpose},
           {"specimen_date", test.ToString()},
           {"setting", "certified_lab"},
           {"specimen", "urine"},
           {"result", "negative"}});
    }
    if (IsUs(c_)) {
      Add("counseling", visit, {{"topics", json::array{"pregnancy_prevention", "psychiatric"}}});
      if (p_.cgp) {
        Add("contraception", visit,
            {{"entered_by", "patient"},
             {"methods", Methods(p_.start.AddDays(-35 - p_.methods_since), patient_mismatch)}});
        Add("comprehension", visit, {{"passed", true}, {"questions", 5}, {"correct", 5}});
      }
    }
    if (IsUk(c_)) {
      Add("program_assessment", visit, {{"kind", "mental_health"}, {"outcome", "no concerns"}});
      Add("program_assessment", visit, {{"kind", "sexual_function"}, {"outcome", "no concerns"}});
    }
    if (visit > p_.start.AddDays(-1)) {
      Add("mood_screen", visit, {{"instrument", "phq9"}, {"items", Phq9(Chance(p_.low_mood))}});
      if (Chance(0.4))
        Add("weight", visit, {{"kg", std::round((p_.kg + Uniform(-15, 15) / 10.0) * 10) / 10}});
      if (Chance(p_.side_effects)) {
        Add("side_effect", visit.AddDays(-Uniform(1, 20)),
            {{"symptoms", json::array{Chance(0.5) ? "cheilitis" : "dry_skin"}},
             {"severity", "mild"}});
      }
    }
    Prescribe(visit);
  }

  void Prescribe(Date d) {
    Add("prescription", d,
        {{"product", c_.product},
         {"strength_mg", p_.daily_mg / 2},
         {"daily_mg", p_.daily_mg},
         {"doses_per_day", 2},
         {"days_supply", 30},
         {"refills", 0}});
  }

  void Dispense(Date d) {
    Add("dispense", d,
        {{"product", c_.product},
         {"daily_mg", p_.daily_mg},
         {"days_supply", 30},
         {"pharmacy", c_.pharmacy}});
  }

  // Triglycerides (LOINC 2571-8), total cholesterol (2093-3) and ALT (1742-6).
  void Labs(Date d, int tg, int chol, int alt) {
    Add("lab", d,
        {{"loinc", "2571-8"},
         {"name", "Triglycerides"},
         {"value", tg},
         {"unit", "mg/dL"},
         {"reference_high", 150},
         {"fasting", true}});
    Add("lab", d,
        {{"loinc", "2093-3"},
         {"name", "Cholesterol"},
         {"value", chol},
         {"unit", "mg/dL"},
         {"reference_high", 200},
         {"fasting", true}});
    Add("lab", d,
        {{"loinc", "1742-6"},
         {"name", "ALT"},
         {"value", alt},
         {"unit", "U/L"},
         {"reference_high", 45}});
  }

  // The monitoring schedule of the clinic's lab profile (knowledge/lab-profiles.yaml):
  // US label 4 weeks after the start, then every 8 weeks; EU SmPC 1 month after the
  // start, then every 3 months. Drawn a few days before the due day.
  void MonitoringLabs() {
    const int last_day = Stop();
    std::vector<int> days{28};
    if (IsUs(c_)) {
      for (int d = 84; d < last_day; d += 56) days.push_back(d);
    } else {
      for (int d = 121; d < last_day; d += 91) days.push_back(d);
    }
    for (int d : days) {
      if (d >= last_day) break;
      if (d == 28 && p_.skip_month1_labs) continue;
      // Mostly inside the reference ranges; now and then a raised value to review
      // (triglycerides rise in about a quarter of courses).
      const bool odd = !p_.tidy_labs;
      const int tg =
          d == 28 ? p_.month1_tg : (odd && Chance(0.08) ? Uniform(180, 350) : Uniform(70, 145));
      const int chol = odd && Chance(0.05) ? Uniform(205, 260) : Uniform(140, 195);
      const int alt = odd && Chance(0.03) ? Uniform(50, 110) : Uniform(10, 40);
      Labs(p_.start.AddDays(d - 2), tg, chol, alt);
    }
  }

  // Days from the start to the end of treatment (or of what was recorded).
  int Stop() const {
    if (p_.pause_cycle >= 0) return 30 * p_.pause_cycle + p_.pause_day;
    int cycles = p_.cycles;
    if (p_.lapse_cycle >= 0) cycles = std::min(cycles, p_.lapse_cycle);
    if (p_.unfilled_cycle >= 0) cycles = std::min(cycles, p_.unfilled_cycle);
    return 30 * cycles;
  }

  json::array Phq9(bool low) {
    json::array items;
    for (int q = 0; q < 9; ++q)
      items.push_back(low && q < 8 ? Uniform(1, 3) : Uniform(0, q < 8 ? 1 : 0));
    return items;
  }

 private:
  Date today_;
  const DemoClinic& c_;
  const Plan& p_;
  std::mt19937& rng_;
  std::vector<store::EventDraft> drafts_;
};

}  // namespace

Date ServerToday(const store::Store& store) {
  // The store's clock is the server's: "2026-03-01T09:30:00.125Z".
  auto d = Date::Parse(store.Now().substr(0, 10), "clock");
  return d ? *d : Date::FromYmd(1970, 1, 1);
}

Result<DemoSummary> SeedDemo(store::Store& store, Date today, int patients) {
  ISO_ASSIGN_OR_RETURN(int64_t existing, store.CountPatients());
  if (existing > 0)
    return MakeError(ErrorCode::kFailedPrecondition, "--db",
                     "the database already holds patients; seed the demo into a new database");
  DemoSummary summary;
  Accounts accounts(store);
  std::mt19937 rng(20260101);  // fixed: the same demo every time
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&rng](double p) { return std::bernoulli_distribution(p)(rng); };

  ISO_ASSIGN_OR_RETURN(int64_t users, store.CountUsers());
  if (users == 0) {
    NewAccount admin{"admin",      "Administrator (demo)", store::Role::kAdmin,
                     std::nullopt, std::nullopt,           kDemoPassword};
    ISO_RETURN_IF_ERROR(accounts.Create(admin));
    summary.logins.push_back({"admin", "admin", ""});
  }

  std::vector<store::Clinic> clinics;
  for (const DemoClinic& dc : kClinics) {
    ISO_ASSIGN_OR_RETURN(store::Clinic c, store.CreateClinic(store::Clinic{ClinicId(), dc.name,
                                                                           dc.jurisdiction, ""}));
    clinics.push_back(c);
    ++summary.clinics;
    struct {
      const char* prefix;
      store::Role role;
      const char* title;
    } staff[] = {{"dr", store::Role::kPrescriber, "Dr"},
                 {"nurse", store::Role::kStaff, "Nurse"},
                 {"pharm", store::Role::kPharmacist, "Pharmacist"}};
    for (const auto& s : staff) {
      std::string username = std::string(s.prefix) + "." + dc.tag;
      NewAccount a{username,     std::string(s.title) + " " + dc.tag + " (demo)",
                   s.role,       c.id,
                   std::nullopt, kDemoPassword};
      ISO_RETURN_IF_ERROR(accounts.Create(a));
      summary.logins.push_back({username, store::RoleName(s.role), c.name});
    }
  }

  const UserId recorder("demo-seed");
  std::optional<PatientId> patient_login;
  // Stores one patient: the chart passes the course engine's timeline codec first.
  auto store_patient = [&](size_t ci, const Plan& plan, const std::string& given,
                           const std::string& family, const std::string& mrn,
                           const std::function<void(Chart&)>& extra) -> Result<PatientId> {
    const DemoClinic& dc = kClinics[ci];
    Date birth = today.AddDays(-plan.age * 365 - uniform(0, 300));
    store::NewPatient np{clinics[ci].id, given, family, birth, plan.female ? "female" : "male", mrn,
                         recorder};
    ISO_ASSIGN_OR_RETURN(store::Patient p, store.CreatePatient(np));
    Chart chart(today, dc, plan, rng);
    chart.Write(birth);
    if (extra) extra(chart);
    std::vector<store::EventDraft>& drafts = chart.drafts();
    std::stable_sort(drafts.begin(), drafts.end(),
                     [](const store::EventDraft& x, const store::EventDraft& y) {
                       return x.effective < y.effective;
                     });
    if (Status st = ValidateWithTimelineCodec(p, {}, drafts, recorder); !st) {
      Error e = st.error();
      e.message = "demo data for " + mrn + " does not validate: " + e.message;
      return std::unexpected(e);
    }
    store::AppendRequest req{p.id, 0, "", recorder, drafts};
    ISO_ASSIGN_OR_RETURN(store::AppendResult r, store.Append(req));
    summary.events += static_cast<int>(r.events.size());
    ++summary.patients;
    return p.id;
  };

  // The showcase: in every clinic one patient of each kind the screens are about, with
  // an MRN that says which (docs/web.md lists them). Dates are relative to today.
  int named = 0;
  for (size_t ci = 0; ci < std::size(kClinics); ++ci) {
    const DemoClinic& dc = kClinics[ci];
    const std::string tag = dc.tag;
    std::string upper = tag;
    for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
    auto add = [&](const char* what, Plan plan,
                   const std::function<void(Chart&)>& extra = nullptr) -> Result<PatientId> {
      ++named;
      std::string given = kGiven[(named * 7) % std::size(kGiven)];
      std::string family = kFamily[(named * 11 + 3) % std::size(kFamily)];
      return store_patient(ci, plan, given, family, "DEMO-" + upper + "-" + what, extra);
    };
    Plan base;
    base.age = 24;
    base.kg = 62;
    base.daily_mg = 40;
    base.cycles = 6;
    base.side_effects = 0;
    base.tidy_labs = true;
    base.month1_tg = 130;

    // May be dispensed today: the steps of the third supply done the day before
    // yesterday (test) and yesterday (prescription), the supply running out tomorrow.
    // A day's slack either side, so a browser whose date differs from the server's
    // (UTC) by a day still sees the same answer.
    Plan ready = base;
    ready.start = today.AddDays(-59);
    ready.unfilled_cycle = 2;
    ISO_RETURN_IF_ERROR(add("READY", ready));

    // Refused, each clinic for a reason of its own programme.
    Plan refused = ready;
    if (IsUs(dc)) {
      refused.mismatch_cycle = 2;  // the patient's methods differ from the clinic's
    } else if (IsUk(dc)) {
      refused.stale_test_cycle = 2;  // the test was a week before the prescription
    } else {
      refused.start = today.AddDays(-69);  // prescribed 11 days ago, never picked up
    }
    ISO_RETURN_IF_ERROR(add("REFUSED", refused));

    // On track: picked up five days ago, the next steps in three weeks.
    Plan on_track = base;
    on_track.start = today.AddDays(-64);
    ISO_ASSIGN_OR_RETURN(PatientId on_track_id, add("ONTRACK", on_track));
    if (IsUs(dc)) patient_login = on_track_id;

    // Paused 12 days ago, 4 days after the second pickup.
    Plan paused = base;
    paused.start = today.AddDays(-45);
    paused.pause_cycle = 1;
    paused.pause_day = 4;
    ISO_RETURN_IF_ERROR(add("PAUSED", paused));

    // Completed 20 days ago; the post-treatment test and contraception still to come.
    Plan post = base;
    post.start = today.AddDays(-200);
    ISO_RETURN_IF_ERROR(add("POST", post));

    // Missed this month's test and prescription: the supply ran out 5 days ago.
    Plan lapsed = base;
    lapsed.start = today.AddDays(-95);
    lapsed.lapse_cycle = 3;
    ISO_RETURN_IF_ERROR(add("OVERDUE", lapsed));

    // Before the start and waiting. US: the confirmation test may not be collected
    // until 19 days after the screening test (the worklist's "blocked"; baseline labs
    // done yesterday). EU/UK: the contraception started too recently for the first
    // prescription (their rules have no task that waits like that, so it shows as due).
    Plan waiting = base;
    if (IsUs(dc)) {
      waiting.start = today.AddDays(20);
      ISO_RETURN_IF_ERROR(
          add("BLOCKED", waiting, [&](Chart& c) { c.Labs(today.AddDays(-1), 95, 170, 20); }));
    } else {
      waiting.start = today.AddDays(30);
      waiting.methods_since = 0;
      ISO_RETURN_IF_ERROR(add("LEADIN", waiting));
    }

    // Alerts: triglycerides above 800 mg/dL, PHQ-9 item 9, a red-flag side effect.
    Plan tg = base;
    tg.female = false;
    tg.cgp = false;
    tg.kg = 78;
    tg.daily_mg = 40;
    tg.start = today.AddDays(-30);
    tg.month1_tg = 920;
    ISO_RETURN_IF_ERROR(add("ALERT-TG", tg));
    Plan mood = base;
    mood.start = today.AddDays(-40);
    ISO_RETURN_IF_ERROR(add("ALERT-PHQ9", mood, [&](Chart& c) {
      c.Add("mood_screen", today.AddDays(-1),
            {{"instrument", "phq9"}, {"items", json::array{2, 2, 1, 2, 1, 1, 1, 0, 1}}});
    }));
    Plan flag = base;
    flag.female = true;
    flag.cgp = false;
    flag.start = today.AddDays(-50);
    ISO_RETURN_IF_ERROR(add("ALERT-REDFLAG", flag, [&](Chart& c) {
      c.Add("side_effect", today.AddDays(-1),
            {{"symptoms", json::array{"headache_severe", "visual_change"}},
             {"severity", "severe"},
             {"note", "since the day before yesterday"}});
    }));
  }

  // The rest of the network: courses at every stage, mostly kept up to date, some late.
  for (int i = named; i < patients; ++i) {
    // Half the patients in the US clinic, a quarter in each of the others.
    size_t ci = i % 4 == 0 ? 1 : (i % 4 == 1 ? 2 : 0);
    const DemoClinic& dc = kClinics[ci];
    Plan plan;
    plan.female = chance(0.6);
    plan.cgp = plan.female && chance(0.75);
    plan.age = uniform(15, 40);
    plan.kg = uniform(48, 98) + uniform(0, 9) / 10.0;
    if (IsUs(dc)) {
      plan.daily_mg = std::clamp(static_cast<int>(std::lround(plan.kg * 0.7 / 20)) * 20, 40, 80);
    } else {
      plan.daily_mg = plan.kg < 55 ? 20 : 40;  // Roaccutane 10 and 20 mg capsules, twice a day
    }
    // Days to 120 mg/kg at this dose, in 30-day supplies.
    plan.cycles =
        std::clamp(static_cast<int>(std::ceil(120.0 * plan.kg / plan.daily_mg / 30.0)), 4, 9);
    plan.start = today.AddDays(uniform(-260, 30));
    const int into = plan.start.DaysUntil(today);  // days since the first pickup
    const int current = into / 30;                 // the supply in use today
    if (into > 30 && current < plan.cycles && chance(0.1)) plan.lapse_cycle = current;
    plan.skip_month1_labs = chance(0.05);
    plan.tg = chance(0.06) ? uniform(160, 300) : uniform(60, 145);
    plan.month1_tg = chance(0.12) ? uniform(180, 500) : uniform(70, 145);
    plan.alt = chance(0.04) ? uniform(90, 150) : uniform(10, 45);
    plan.low_mood = 0.03;
    plan.side_effects = 0.3;
    std::string given = kGiven[uniform(0, std::size(kGiven) - 1)];
    std::string family = kFamily[uniform(0, std::size(kFamily) - 1)];
    ISO_RETURN_IF_ERROR(
        store_patient(ci, plan, given, family, "DEMO-" + std::to_string(1000 + i), nullptr));
  }

  if (patient_login) {
    NewAccount a{"patient.demo", "Demo patient", store::Role::kPatient,
                 clinics[0].id,  patient_login,  kDemoPassword};
    ISO_RETURN_IF_ERROR(accounts.Create(a));
    summary.logins.push_back({"patient.demo", "patient", clinics[0].name});
  }
  return summary;
}

}  // namespace isocourse::server
