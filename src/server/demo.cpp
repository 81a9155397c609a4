#include "server/demo.h"

#include <boost/json/serialize.hpp>

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
  const char* tag;      // for usernames
};
constexpr DemoClinic kClinics[] = {
    {"Riverside Dermatology (demo)", "US", "ipledge", "us"},
    {"Clinique Saint-Michel (demo)", "EU", "eu_ppp", "eu"},
    {"Northgate Skin Clinic (demo)", "UK", "uk_ppp", "uk"},
};

class Builder {
 public:
  explicit Builder(Date today) : today_(today) {}
  void Add(const char* type, Date date, json::object fields) {
    if (date > today_) return;  // the demo records only what has happened
    drafts_.push_back(store::EventDraft{type, date, std::nullopt, json::serialize(fields)});
  }
  std::vector<store::EventDraft>& drafts() { return drafts_; }

 private:
  Date today_;
  std::vector<store::EventDraft> drafts_;
};

}  // namespace

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
  for (int i = 0; i < patients; ++i) {
    // Half the patients in the US clinic, a quarter in each of the others.
    size_t ci = i % 4 == 0 ? 1 : (i % 4 == 1 ? 2 : 0);
    const store::Clinic& clinic = clinics[ci];
    const DemoClinic& dc = kClinics[ci];
    bool female = chance(0.6);
    bool can_get_pregnant = female && chance(0.75);
    int age = uniform(15, 40);
    Date birth = today.AddDays(-age * 365 - uniform(0, 364));
    // Course start relative to today: screening (future start), early, mid, finished.
    int start_offset = uniform(-210, 20);
    Date start = today.AddDays(start_offset);
    Date screen = start.AddDays(-uniform(25, 40));

    store::NewPatient np{clinic.id,
                         kGiven[uniform(0, std::size(kGiven) - 1)],
                         kFamily[uniform(0, std::size(kFamily) - 1)],
                         birth,
                         female ? "female" : "male",
                         std::string("DEMO-") + std::to_string(1000 + i),
                         recorder};
    ISO_ASSIGN_OR_RETURN(store::Patient p, store.CreatePatient(np));
    if (!patient_login && ci == 0 && can_get_pregnant && start_offset < -60) patient_login = p.id;

    Builder b(today);
    json::object profile{
        {"birth_date", birth.ToString()},
        {"sex_at_birth", female ? "female" : "male"},
        {"pregnancy_potential", can_get_pregnant ? "can_get_pregnant" : "cannot_get_pregnant"},
        {"jurisdiction", dc.jurisdiction}};
    if (can_get_pregnant) profile["regular_cycles"] = chance(0.85);
    b.Add("profile", screen, profile);
    double kg = uniform(48, 98) + uniform(0, 9) / 10.0;
    b.Add("weight", screen, {{"kg", kg}});
    b.Add("diagnosis", screen,
          {{"iga", uniform(3, 4)},
           {"face",
            {{"comedones", uniform(5, 60)},
             {"papules_pustules", uniform(10, 40)},
             {"nodules", uniform(0, 8)}}},
           {"scarring", chance(0.5)}});
    b.Add("enrollment", screen.AddDays(1),
          {{"program", dc.program},
           {"category", can_get_pregnant ? "can_get_pregnant" : "cannot_get_pregnant"}});
    // Baseline labs: triglycerides (LOINC 2571-8) and ALT (LOINC 1742-6).
    int tg = chance(0.08) ? uniform(420, 900) : uniform(60, 190);
    b.Add("lab", screen.AddDays(2),
          {{"loinc", "2571-8"},
           {"name", "Triglycerides"},
           {"value", tg},
           {"unit", "mg/dL"},
           {"reference_high", 150},
           {"fasting", true}});
    b.Add("lab", screen.AddDays(2),
          {{"loinc", "1742-6"},
           {"name", "ALT"},
           {"value", chance(0.05) ? uniform(130, 260) : uniform(10, 45)},
           {"unit", "U/L"},
           {"reference_high", 45}});
    if (can_get_pregnant) {
      b.Add("pregnancy_test", screen.AddDays(1),
            {{"purpose", "screening"},
             {"specimen_date", screen.ToString()},
             {"setting", "certified_lab"},
             {"specimen", "urine"},
             {"result", "negative"}});
      b.Add("pregnancy_test", start.AddDays(-3),
            {{"purpose", "confirmation"},
             {"specimen_date", start.AddDays(-4).ToString()},
             {"setting", "certified_lab"},
             {"specimen", "serum"},
             {"result", "negative"}});
    }
    int daily = kg < 60 ? 40 : (kg < 80 ? 60 : 80);
    bool finished = start_offset < -180;
    int months = std::max(0, std::min(6, (-start_offset) / 30 + 1));
    for (int m = 0; m < months; ++m) {
      Date d = start.AddDays(30 * m);
      const char* product = dc.jurisdiction == std::string("US") ? "generic" : "roaccutane";
      b.Add("prescription", d,
            {{"product", product},
             {"strength_mg", daily / 2},
             {"daily_mg", daily},
             {"doses_per_day", 2},
             {"days_supply", 30}});
      b.Add("dispense", d.AddDays(1),
            {{"product", product},
             {"daily_mg", daily},
             {"days_supply", 30},
             {"pharmacy", dc.tag == std::string("us") ? "Main St Pharmacy" : "Central Pharmacy"}});
      if (m > 0) {
        b.Add("weight", d, {{"kg", kg + uniform(-15, 15) / 10.0}});
        if (can_get_pregnant)
          b.Add("pregnancy_test", d,
                {{"purpose", "monthly"},
                 {"specimen_date", d.AddDays(-1).ToString()},
                 {"setting", "certified_lab"},
                 {"specimen", "urine"},
                 {"result", "negative"}});
        bool low_mood = chance(0.04);
        json::array items;
        for (int q = 0; q < 9; ++q) items.push_back(low_mood ? uniform(1, 3) : uniform(0, 1));
        b.Add("mood_screen", d, {{"instrument", "phq9"}, {"items", std::move(items)}});
        if (m == 1 && chance(0.15))
          b.Add("lab", d,
                {{"loinc", "2571-8"},
                 {"name", "Triglycerides"},
                 {"value", uniform(300, 700)},
                 {"unit", "mg/dL"},
                 {"reference_high", 150},
                 {"fasting", true}});
        if (chance(0.3))
          b.Add("side_effect", d.AddDays(uniform(1, 20)),
                {{"symptoms", json::array{chance(0.5) ? "cheilitis" : "dry_skin"}},
                 {"severity", "mild"}});
      }
    }
    if (finished && can_get_pregnant) {
      Date end = start.AddDays(30 * months);
      b.Add("pregnancy_test", end,
            {{"purpose", "end_of_course"},
             {"specimen_date", end.AddDays(-1).ToString()},
             {"setting", "certified_lab"},
             {"specimen", "urine"},
             {"result", "negative"}});
    }
    std::vector<store::EventDraft>& drafts = b.drafts();
    std::stable_sort(drafts.begin(), drafts.end(),
                     [](const store::EventDraft& x, const store::EventDraft& y) {
                       return x.effective < y.effective;
                     });
    if (Status st = ValidateWithTimelineCodec(p, {}, drafts, recorder); !st) {
      Error e = st.error();
      e.message = "demo data for patient " + std::to_string(i) + " does not validate: " + e.message;
      return std::unexpected(e);
    }
    store::AppendRequest req{p.id, 0, "", recorder, drafts};
    ISO_ASSIGN_OR_RETURN(store::AppendResult r, store.Append(req));
    summary.events += static_cast<int>(r.events.size());
    ++summary.patients;
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
