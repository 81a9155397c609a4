#include "core/symptom/symptom_kb.h"

namespace isocourse::symptom {

const char* SexName(Sex s) { return s == Sex::kFemale ? "female" : "male"; }

std::optional<Sex> ParseSex(std::string_view s) {
  if (s == "female") return Sex::kFemale;
  if (s == "male") return Sex::kMale;
  return std::nullopt;
}

namespace {
constexpr const char* kTriageCodes[kTriageLevelCount] = {
    "self_care", "primary_care_routine", "dermatologist_routine", "urgent_24h", "emergency"};
}  // namespace

const char* TriageCode(TriageLevel level) { return kTriageCodes[static_cast<int>(level)]; }

std::optional<TriageLevel> ParseTriageCode(std::string_view code) {
  for (int i = 0; i < kTriageLevelCount; ++i) {
    if (code == kTriageCodes[i]) return static_cast<TriageLevel>(i);
  }
  return std::nullopt;
}

int TriageRank(TriageLevel level) {
  switch (level) {
    case TriageLevel::kSelfCare:
      return 1;
    case TriageLevel::kPrimaryCare:
    case TriageLevel::kDermatologist:
      return 2;
    case TriageLevel::kUrgent24h:
      return 3;
    case TriageLevel::kEmergency:
      return 4;
  }
  return 4;
}

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kContext:
      return "context";
    case Phase::kRedFlagScreen:
      return "red_flag_screen";
    case Phase::kInterview:
      return "interview";
    case Phase::kSeverity:
      return "severity";
  }
  return "interview";
}

const Finding* SymptomKnowledge::FindFinding(std::string_view id) const {
  int i = FindingIndex(id);
  return i < 0 ? nullptr : &findings[i];
}

const Condition* SymptomKnowledge::FindCondition(std::string_view id) const {
  int i = ConditionIndex(id);
  return i < 0 ? nullptr : &conditions[i];
}

const TriageLevelDef& SymptomKnowledge::Level(TriageLevel level) const {
  for (const TriageLevelDef& d : levels) {
    if (d.level == level) return d;
  }
  // The validator refuses a symptom knowledge base without all five levels.
  return levels.front();
}

int SymptomKnowledge::FindingIndex(std::string_view id) const {
  auto it = model.finding_index.find(std::string(id));
  return it == model.finding_index.end() ? -1 : it->second;
}

int SymptomKnowledge::ConditionIndex(std::string_view id) const {
  auto it = model.condition_index.find(std::string(id));
  return it == model.condition_index.end() ? -1 : it->second;
}

}  // namespace isocourse::symptom
