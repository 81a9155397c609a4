// File: program_test_util.h (tests only)
//
// Builds timelines and course facts in C++ for the program-rule unit tests, and loads
// the shipped program knowledge (sources.yaml + program-*.yaml) without the store layer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/course/assessment.h"
#include "core/course/timeline.h"
#include "core/knowledge/loader.h"
#include "core/program/program.h"

namespace isocourse::program::testing {

inline Date D(std::string_view s) { return *Date::Parse(s, "test"); }

inline const KnowledgeBase& Kb() {
  static const KnowledgeBase* kb = [] {
    std::vector<KnowledgeFile> files;
    for (const auto& e : std::filesystem::directory_iterator(ISOCOURSE_TEST_KNOWLEDGE_DIR)) {
      // The program rules need the sources and the program files (plus the dosing
      // files the loader's dosing validator requires); loading just these keeps the
      // tests independent of knowledge other areas are still writing.
      const std::string name = e.path().filename().string();
      static const std::set<std::string> kDosing = {
          "products.yaml", "regimens.yaml", "cumulative-targets.yaml", "parameters-dosing.yaml"};
      if (e.path().extension() != ".yaml" ||
          (name != "sources.yaml" && name.rfind("program-", 0) != 0 && !kDosing.contains(name))) {
        continue;
      }
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      files.push_back({e.path().filename().string(), ss.str()});
    }
    std::sort(files.begin(), files.end(),
              [](const KnowledgeFile& a, const KnowledgeFile& b) { return a.path < b.path; });
    auto loaded = LoadKnowledge(files, "test");
    if (!loaded) {
      ADD_FAILURE() << "knowledge does not load: " << loaded.error().ToString();
      for (const auto& d : loaded.error().details) ADD_FAILURE() << d.ToString();
      return new KnowledgeBase();
    }
    return new KnowledgeBase(std::move(*loaded));
  }();
  return *kb;
}

using course::ContraceptionMethod;
using course::PregnancyTestPurpose;
using course::TestSetting;

// A timeline under construction plus the facts the course engine would derive.
class Patient {
 public:
  Patient(Jurisdiction j, course::PregnancyPotential category) {
    facts_.jurisdiction = j;
    facts_.category = category;
    profile_.jurisdiction = j;
    profile_.pregnancy_potential = category;
    profile_.birth_date = D("2000-01-01");
    facts_.profile = &profile_;
  }
  static Patient UsCgp() {
    return Patient(Jurisdiction::kUS, course::PregnancyPotential::kCanGetPregnant);
  }
  static Patient UsNcgp() {
    return Patient(Jurisdiction::kUS, course::PregnancyPotential::kCannotGetPregnant);
  }

  template <class P>
  Patient& Add(std::string_view date, P payload) {
    course::Event e;
    e.id = EventId("e" + std::to_string(timeline_.events.size() + 1));
    e.date = D(date);
    e.recorded_by = UserId("u1");
    e.payload = std::move(payload);
    timeline_.events.push_back(std::move(e));
    return *this;
  }
  Patient& Enroll(std::string_view date) {
    course::EnrollmentEvent en;
    en.category = *facts_.category;
    Add(date, en);
    return Add(date, course::ConsentEvent{"ipledge-patient-agreement", true, false});
  }
  Patient& Counsel(std::string_view date) {
    return Add(date, course::CounselingEvent{{course::CounselingTopic::kPregnancyPrevention}, ""});
  }
  Patient& Methods(std::string_view date, course::EnteredBy by,
                   std::vector<ContraceptionMethod> methods, std::string_view start) {
    course::ContraceptionEvent c;
    c.entered_by = by;
    for (auto m : methods) c.methods.push_back({m, D(start), std::nullopt});
    return Add(date, c);
  }
  // Clinic and patient enter the same two methods.
  Patient& TwoMethods(std::string_view date, std::string_view start) {
    Methods(date, course::EnteredBy::kClinic,
            {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom}, start);
    return Methods(date, course::EnteredBy::kPatient,
                   {ContraceptionMethod::kCombinedPill, ContraceptionMethod::kMaleCondom}, start);
  }
  Patient& Test(std::string_view specimen, PregnancyTestPurpose purpose,
                TestSetting setting = TestSetting::kCertifiedLab,
                course::TestResult result = course::TestResult::kNegative) {
    course::PregnancyTestEvent t;
    t.purpose = purpose;
    t.specimen_date = D(specimen);
    t.setting = setting;
    t.result = result;
    return Add(specimen, t);
  }
  Patient& Quiz(std::string_view date) {
    return Add(date, course::ComprehensionEvent{true, 10, 10});
  }
  Patient& Rx(std::string_view date, int days = 30, int refills = 0) {
    course::PrescriptionEvent p;
    p.product = "generic";
    p.strength = Milligrams(40);
    p.daily = Milligrams(40);
    p.days_supply = days;
    p.refills = refills;
    return Add(date, p);
  }
  Patient& Fill(std::string_view date, int days = 30) {
    course::DispenseEvent d;
    d.days_supply = days;
    if (!facts_.first_dose) facts_.first_dose = D(date);
    return Add(date, d);
  }
  Patient& Menses(std::string_view date) { return Add(date, course::MensesEvent{}); }
  Patient& RegularCycles() {
    facts_.regular_cycles = true;
    return *this;
  }
  Patient& Born(std::string_view date) {
    profile_.birth_date = D(date);
    return *this;
  }
  course::CourseFacts& facts() { return facts_; }
  course::Settings& settings() { return settings_; }
  const course::Timeline& timeline() const { return timeline_; }

  ProgramState Eval(std::string_view as_of) {
    auto resolved = course::ResolveCorrections(timeline_);
    EXPECT_TRUE(resolved.has_value());
    auto st = EvaluateProgram(*resolved, facts_, Kb(), D(as_of), settings_);
    EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().ToString());
    return st ? *st : ProgramState{};
  }
  Result<ForecastResult> Plan(std::string_view as_of, ForecastRequest req = {}) {
    auto resolved = course::ResolveCorrections(timeline_);
    EXPECT_TRUE(resolved.has_value());
    return Forecast(*resolved, facts_, Kb(), D(as_of), settings_, req);
  }

 private:
  course::Timeline timeline_;
  course::CourseFacts facts_;
  course::ProfileEvent profile_;
  course::Settings settings_;
};

// The reason with this code, or nullptr.
inline const course::Reason* FindReason(const course::Decision& d, std::string_view code) {
  for (const auto& r : d.reasons) {
    if (r.code == code) return &r;
  }
  return nullptr;
}
inline bool Blocks(const course::Decision& d, std::string_view code) {
  const course::Reason* r = FindReason(d, code);
  return r && r->blocking;
}
inline std::string Why(const course::Decision& d) {
  std::string out;
  for (const auto& r : d.reasons) {
    out += (r.blocking ? "  BLOCK " : "  ok    ") + std::string(r.code) + " [" +
           std::string(r.explanation.rule_id) + " " + std::string(r.explanation.rule_pack) + "] " +
           r.message + "\n";
  }
  return out;
}
inline const course::Task* FindTask(const ProgramState& st, std::string_view rule) {
  for (const auto& t : st.tasks) {
    if (t.explanation.rule_id == rule) return &t;
  }
  return nullptr;
}

}  // namespace isocourse::program::testing
