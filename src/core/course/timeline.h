// File: timeline.h
//
// A patient's isotretinoin record as an ordered list of immutable events. Nothing is
// edited in place: an event whose `corrects` names an earlier event supersedes it
// (same payload type), and an `entered_in_error` event retracts its target.
// `ResolveCorrections` turns the raw list into the effective, date-ordered view the
// engines read. The JSON form is documented in docs/timeline.md and
// docs/timeline.schema.json; the codec is src/codec/timeline_json.h.
//
// STABILITY: the program helper (src/core/program/) codes against this header.
// Change it only by adding fields/enumerators with defaults; note every change here:
//   - ResolveCorrectionsInto (course engine; additive).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/date.h"
#include "core/ids.h"
#include "core/knowledge/knowledge.h"
#include "core/result.h"
#include "core/units.h"

namespace isocourse::course {

// ---------------------------------------------------------------------------------
// Vocabularies. Each closed set has a name table (the JSON spelling) so the codec
// and the knowledge loader accept exactly the same words. `Parse*` returns nullopt
// for an unknown word; `*Names()` lists the accepted ones for error messages.
// ---------------------------------------------------------------------------------

enum class SexAtBirth { kFemale, kMale, kIntersex, kUnknown };
// iPLEDGE 2021 categories; EU/UK "of childbearing potential" maps to kCanGetPregnant.
enum class PregnancyPotential { kCanGetPregnant, kCannotGetPregnant };

// Health states relevant to candidacy (L-ABS, SmPC contraindications; §2 of
// shared/clinical/isotretinoin.md). Recorded with `condition` events (present or not).
enum class Condition {
  kPregnant,
  kPlanningPregnancy,
  kBreastfeeding,
  kHypersensitivityIsotretinoin,
  kHypersensitivityVitaminA,
  kHypersensitivityExcipient,
  kAllergySoy,
  kAllergyPeanut,
  kAllergyParabens,
  kAllergyTartrazine,
  kHepaticInsufficiency,
  kHyperlipidemia,  // excessively raised lipids
  kHypervitaminosisA,
  kDiabetes,
  kObesity,
  kHighAlcoholIntake,
  kFamilyHistoryLipidDisorder,
  kPsychiatricHistory,
  kDepression,
  kInflammatoryBowelDisease,
  kSevereRenalInsufficiency,
  kEatingDisorder,
  kSkeletalGrowthIncomplete,
  kCannotComplyWithPregnancyPrevention,
};

// Concomitant medicines and supplements by the class interaction rules key on
// (L-OLD, L-ABS §7, SmPC 4.5).
enum class MedicationClass {
  kTetracycline,  // doxycycline, minocycline, tetracycline, lymecycline...
  kVitaminA,
  kStJohnsWort,
  kCombinedHormonalContraceptive,  // pill, patch, ring
  kProgestinOnlyPill,              // "minipill"
  kOtherHormonalContraceptive,     // implant, injection, hormonal IUD
  kEnzymeInducer,                  // other CYP3A4 inducers (e.g. carbamazepine, rifampicin)
  kPhenytoin,
  kSystemicCorticosteroid,
  kMethotrexate,
  kOralAntibioticOther,  // non-tetracycline oral antibiotic (e.g. erythromycin)
  kSpironolactone,
  kTopicalKeratolytic,
  kOther,
};

// Prior acne treatments (AAD-04: failure of 3-6 months including an oral antibiotic).
enum class PriorTreatmentKind {
  kTopicalRetinoid,
  kTopicalAntibiotic,
  kBenzoylPeroxide,
  kTopicalOther,
  kOralAntibiotic,
  kHormonal,      // combined pill or spironolactone for acne
  kIsotretinoin,  // a previous isotretinoin course
  kProcedure,
  kOther,
};
enum class TreatmentResponse { kUnknown, kFailed, kPartial, kResponded, kIntolerant, kRelapsed };

// Side-effect and symptom codes reported by patients or clinicians; red-flag rules
// (knowledge/red-flags.yaml) combine them (isotretinoin.md §8).
enum class Symptom {
  kHeadacheSevere,
  kHeadache,
  kVisualChange,  // blurred or double vision
  kNauseaVomiting,
  kAbdominalPainSevere,
  kAbdominalPain,
  kPainRadiatingToBack,
  kRectalBleeding,
  kDiarrheaSevere,
  kJaundice,
  kDarkUrine,
  kRightUpperQuadrantPain,
  kLowMood,
  kAnhedonia,
  kWithdrawal,
  kIrritabilityAggression,
  kSuicidalThoughts,
  kSelfHarm,
  kHallucinations,
  kBlisteringRash,
  kPeelingRash,
  kMucosalSores,
  kTargetLesions,
  kFever,
  kHearingLoss,
  kTinnitus,
  kNightVisionLoss,
  kEyePain,
  kDryEyes,
  kMyalgiaSevere,
  kMuscleWeakness,
  kMyalgia,
  kArthralgia,
  kBonePain,
  kFracture,
  kMissedPeriod,
  kUnprotectedSex,
  kContraceptionFailure,
  kUrticaria,
  kAngioedema,
  kDyspnea,
  kPurpura,
  kPolydipsia,
  kPolyuria,
  kChestPain,
  kFocalWeakness,
  kUnilateralLegSwelling,
  kSexualDysfunction,
  kAcneFlare,
  kUlceratedLesions,
  kBleedingLesions,
  kErythemaNodosum,
  kMalaise,
  kCheilitis,
  kDrySkin,
  kEpistaxis,
  kPhotosensitivity,
  kHairThinning,
  kBackPain,
  kOther,
};
enum class SymptomSeverity { kMild, kModerate, kSevere };

enum class ProgramKind { kIpledge, kEuPpp, kUkPpp };
enum class EnteredBy { kClinic, kPatient };

// Contraception methods as iPLEDGE and the EU PPP list them. Classification (primary,
// highly effective, user-dependent, barrier, hormonal) is knowledge, not code.
enum class ContraceptionMethod {
  kAbstinence,
  kTubalSterilization,
  kPartnerVasectomy,
  kCopperIud,
  kHormonalIud,
  kImplant,
  kInjection,
  kCombinedPill,
  kProgestinOnlyPill,
  kPatch,
  kVaginalRing,
  kMaleCondom,
  kFemaleCondom,
  kDiaphragm,
  kCervicalCap,
  kSponge,
  kOther,
};

enum class PregnancyTestPurpose {
  kScreening,
  kConfirmation,
  kMonthly,
  kEndOfCourse,
  kPostTreatment,
  kUnscheduled,
};
enum class TestSetting { kCertifiedLab, kMedicalOffice, kHome };
enum class TestSpecimen { kUrine, kSerum, kUnknown };
enum class TestResult { kNegative, kPositive, kInvalid };

// Counseling topics (iPLEDGE counseling, MHRA-23 psychiatric and sexual effects).
enum class CounselingTopic {
  kPregnancyPrevention,
  kPsychiatric,
  kSexualFunction,
  kBloodDonation,
  kGeneralRisks,
};
// UK MHRA-23: mental-health and sexual-function assessments before and during.
enum class ProgramAssessmentKind { kMentalHealth, kSexualFunction };

// Lab units that exist in the codec's vocabulary. Conversion factors are knowledge
// (knowledge/labs.yaml), not code.
enum class LabUnit {
  kMgPerDl,
  kMmolPerL,
  kUmolPerL,
  kUPerL,
  kIuPerL,
  kUkatPerL,
  kGPerL,
  kGPerDl,
  kMgPerL,
  kPercent,
  kMiuPerMl,
  kIuPerMl,
  k10e9PerL,
  k10e12PerL,
  kNone,  // qualitative results
};

enum class MoodInstrument { kPhq2, kPhq9, kPhqA };

// GAGS regions (Doshi 1997): each holds the worst lesion score 0-4 in that region.
enum class GagsRegion { kForehead, kRightCheek, kLeftCheek, kNose, kChin, kChestUpperBack };
inline constexpr int kGagsRegionCount = 6;

// Name tables: Vocab<E>::kNames[i] is the JSON/YAML spelling of enumerator i.
template <class E>
struct Vocab;
template <>
struct Vocab<SexAtBirth> {
  static constexpr std::array<std::string_view, 4> kNames = {"female", "male", "intersex",
                                                             "unknown"};
};
template <>
struct Vocab<PregnancyPotential> {
  static constexpr std::array<std::string_view, 2> kNames = {"can_get_pregnant",
                                                             "cannot_get_pregnant"};
};
template <>
struct Vocab<Condition> {
  static constexpr std::array<std::string_view, 24> kNames = {
      "pregnant",
      "planning_pregnancy",
      "breastfeeding",
      "hypersensitivity_isotretinoin",
      "hypersensitivity_vitamin_a",
      "hypersensitivity_excipient",
      "allergy_soy",
      "allergy_peanut",
      "allergy_parabens",
      "allergy_tartrazine",
      "hepatic_insufficiency",
      "hyperlipidemia",
      "hypervitaminosis_a",
      "diabetes",
      "obesity",
      "high_alcohol_intake",
      "family_history_lipid_disorder",
      "psychiatric_history",
      "depression",
      "inflammatory_bowel_disease",
      "severe_renal_insufficiency",
      "eating_disorder",
      "skeletal_growth_incomplete",
      "cannot_comply_with_pregnancy_prevention"};
};
template <>
struct Vocab<MedicationClass> {
  static constexpr std::array<std::string_view, 14> kNames = {"tetracycline",
                                                              "vitamin_a",
                                                              "st_johns_wort",
                                                              "combined_hormonal_contraceptive",
                                                              "progestin_only_pill",
                                                              "other_hormonal_contraceptive",
                                                              "enzyme_inducer",
                                                              "phenytoin",
                                                              "systemic_corticosteroid",
                                                              "methotrexate",
                                                              "oral_antibiotic_other",
                                                              "spironolactone",
                                                              "topical_keratolytic",
                                                              "other"};
};
template <>
struct Vocab<PriorTreatmentKind> {
  static constexpr std::array<std::string_view, 9> kNames = {
      "topical_retinoid", "topical_antibiotic", "benzoyl_peroxide",
      "topical_other",    "oral_antibiotic",    "hormonal",
      "isotretinoin",     "procedure",          "other"};
};
template <>
struct Vocab<TreatmentResponse> {
  static constexpr std::array<std::string_view, 6> kNames = {"unknown",   "failed",     "partial",
                                                             "responded", "intolerant", "relapsed"};
};
template <>
struct Vocab<Symptom> {
  static constexpr std::array<std::string_view, 60> kNames = {"headache_severe",
                                                              "headache",
                                                              "visual_change",
                                                              "nausea_vomiting",
                                                              "abdominal_pain_severe",
                                                              "abdominal_pain",
                                                              "pain_radiating_to_back",
                                                              "rectal_bleeding",
                                                              "diarrhea_severe",
                                                              "jaundice",
                                                              "dark_urine",
                                                              "right_upper_quadrant_pain",
                                                              "low_mood",
                                                              "anhedonia",
                                                              "withdrawal",
                                                              "irritability_aggression",
                                                              "suicidal_thoughts",
                                                              "self_harm",
                                                              "hallucinations",
                                                              "blistering_rash",
                                                              "peeling_rash",
                                                              "mucosal_sores",
                                                              "target_lesions",
                                                              "fever",
                                                              "hearing_loss",
                                                              "tinnitus",
                                                              "night_vision_loss",
                                                              "eye_pain",
                                                              "dry_eyes",
                                                              "myalgia_severe",
                                                              "muscle_weakness",
                                                              "myalgia",
                                                              "arthralgia",
                                                              "bone_pain",
                                                              "fracture",
                                                              "missed_period",
                                                              "unprotected_sex",
                                                              "contraception_failure",
                                                              "urticaria",
                                                              "angioedema",
                                                              "dyspnea",
                                                              "purpura",
                                                              "polydipsia",
                                                              "polyuria",
                                                              "chest_pain",
                                                              "focal_weakness",
                                                              "unilateral_leg_swelling",
                                                              "sexual_dysfunction",
                                                              "acne_flare",
                                                              "ulcerated_lesions",
                                                              "bleeding_lesions",
                                                              "erythema_nodosum",
                                                              "malaise",
                                                              "cheilitis",
                                                              "dry_skin",
                                                              "epistaxis",
                                                              "photosensitivity",
                                                              "hair_thinning",
                                                              "back_pain",
                                                              "other"};
};
template <>
struct Vocab<SymptomSeverity> {
  static constexpr std::array<std::string_view, 3> kNames = {"mild", "moderate", "severe"};
};
template <>
struct Vocab<ProgramKind> {
  static constexpr std::array<std::string_view, 3> kNames = {"ipledge", "eu_ppp", "uk_ppp"};
};
template <>
struct Vocab<EnteredBy> {
  static constexpr std::array<std::string_view, 2> kNames = {"clinic", "patient"};
};
template <>
struct Vocab<ContraceptionMethod> {
  static constexpr std::array<std::string_view, 17> kNames = {"abstinence",
                                                              "tubal_sterilization",
                                                              "partner_vasectomy",
                                                              "copper_iud",
                                                              "hormonal_iud",
                                                              "implant",
                                                              "injection",
                                                              "combined_pill",
                                                              "progestin_only_pill",
                                                              "patch",
                                                              "vaginal_ring",
                                                              "male_condom",
                                                              "female_condom",
                                                              "diaphragm",
                                                              "cervical_cap",
                                                              "sponge",
                                                              "other"};
};
template <>
struct Vocab<PregnancyTestPurpose> {
  static constexpr std::array<std::string_view, 6> kNames = {
      "screening", "confirmation", "monthly", "end_of_course", "post_treatment", "unscheduled"};
};
template <>
struct Vocab<TestSetting> {
  static constexpr std::array<std::string_view, 3> kNames = {"certified_lab", "medical_office",
                                                             "home"};
};
template <>
struct Vocab<TestSpecimen> {
  static constexpr std::array<std::string_view, 3> kNames = {"urine", "serum", "unknown"};
};
template <>
struct Vocab<TestResult> {
  static constexpr std::array<std::string_view, 3> kNames = {"negative", "positive", "invalid"};
};
template <>
struct Vocab<CounselingTopic> {
  static constexpr std::array<std::string_view, 5> kNames = {
      "pregnancy_prevention", "psychiatric", "sexual_function", "blood_donation", "general_risks"};
};
template <>
struct Vocab<ProgramAssessmentKind> {
  static constexpr std::array<std::string_view, 2> kNames = {"mental_health", "sexual_function"};
};
template <>
struct Vocab<LabUnit> {
  static constexpr std::array<std::string_view, 15> kNames = {
      "mg/dL", "mmol/L", "umol/L", "U/L",   "IU/L",   "ukat/L",  "g/L", "g/dL",
      "mg/L",  "%",      "mIU/mL", "IU/mL", "10^9/L", "10^12/L", "none"};
};
template <>
struct Vocab<MoodInstrument> {
  static constexpr std::array<std::string_view, 3> kNames = {"phq2", "phq9", "phqa"};
};
template <>
struct Vocab<GagsRegion> {
  static constexpr std::array<std::string_view, 6> kNames = {
      "forehead", "right_cheek", "left_cheek", "nose", "chin", "chest_upper_back"};
};

// The spelling of `v`.
template <class E>
constexpr std::string_view Name(E v) {
  return Vocab<E>::kNames[static_cast<size_t>(v)];
}
// The enumerator spelled `s`, or nullopt.
template <class E>
constexpr std::optional<E> ParseName(std::string_view s) {
  const auto& names = Vocab<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}
// "a, b, c" for error messages.
template <class E>
std::string NameList() {
  std::string out;
  for (std::string_view n : Vocab<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Payloads, one struct per event type. The JSON `type` of each is in kEventTypeNames.
// ---------------------------------------------------------------------------------

struct ProfileEvent {
  std::optional<Date> birth_date;
  SexAtBirth sex_at_birth = SexAtBirth::kUnknown;
  PregnancyPotential pregnancy_potential = PregnancyPotential::kCannotGetPregnant;
  std::optional<bool> regular_cycles;  // drives the confirmation-test timing (PLR 8.3)
  Jurisdiction jurisdiction = Jurisdiction::kUS;
};

struct WeightEvent {
  Kilograms kg{0};
};

// A health condition becoming present (or resolved when present = false).
struct ConditionEvent {
  Condition condition = Condition::kPregnant;
  bool present = true;
  std::string note;
};

struct LesionCounts {
  std::optional<int> comedones;
  std::optional<int> papules_pustules;
  std::optional<int> nodules;
};

// Diagnosis and severity at one assessment (FDA-G18 IGA, GAGS, Demircay predictors).
struct DiagnosisEvent {
  std::optional<int> iga;  // 0-4
  LesionCounts face;       // facial counts
  LesionCounts trunk;      // chest/back counts
  std::optional<bool> scarring;
  std::optional<bool> trunk_involvement;
  std::optional<bool> macrocomedones;
  std::optional<bool> psychosocial_burden;
  std::optional<bool> nodular;     // nodular / nodulocystic acne
  std::optional<bool> conglobata;  // acne conglobata
  std::optional<bool> fulminans;   // acne fulminans
  // Worst lesion score per GAGS region (0 none .. 4 nodule); all six or none.
  std::optional<std::array<int, kGagsRegionCount>> gags;
};

struct PriorTreatmentEvent {
  PriorTreatmentKind kind = PriorTreatmentKind::kOther;
  std::string agent;  // e.g. "doxycycline"
  Date start;
  std::optional<Date> end;  // unset = ongoing
  TreatmentResponse response = TreatmentResponse::kUnknown;
  // For a prior isotretinoin course: its cumulative dose, if known.
  std::optional<MgPerKg> cumulative_per_kg;
};

struct MedicationStartEvent {
  std::string name;  // e.g. "doxycycline 100 mg"
  MedicationClass medication_class = MedicationClass::kOther;
};
// Stops the medication started by event `start_event`.
struct MedicationStopEvent {
  EventId start_event;
};

// --- pregnancy-prevention program events -------------------------------------------

struct EnrollmentEvent {
  ProgramKind program = ProgramKind::kIpledge;
  PregnancyPotential category = PregnancyPotential::kCannotGetPregnant;
  std::string program_patient_id;  // e.g. the iPLEDGE patient number
  std::string prescriber;
};
struct ConsentEvent {
  std::string form;  // e.g. "ipledge-patient-agreement", "uk-acknowledgement-of-risk"
  bool signed_by_patient = true;
  bool signed_by_guardian = false;
};
struct CounselingEvent {
  std::vector<CounselingTopic> topics;
  std::string by;
};
struct ContraceptionMethodUse {
  ContraceptionMethod method = ContraceptionMethod::kOther;
  Date start;
  std::optional<Date> end;
};
// The contraception methods in use as entered by one side (clinic or patient). The
// latest entry per side is current; iPLEDGE requires the two sides to match.
struct ContraceptionEvent {
  EnteredBy entered_by = EnteredBy::kClinic;
  std::vector<ContraceptionMethodUse> methods;
};
// The event's effective date is when the result was recorded; the specimen date is
// when the sample was taken (iPLEDGE window day 1 = specimen date).
struct PregnancyTestEvent {
  PregnancyTestPurpose purpose = PregnancyTestPurpose::kMonthly;
  Date specimen_date;
  TestSetting setting = TestSetting::kCertifiedLab;
  TestSpecimen specimen = TestSpecimen::kUnknown;
  TestResult result = TestResult::kNegative;
  std::optional<double> sensitivity_miu_per_ml;
  bool remotely_supervised = false;  // UK Oct 2025; V2026 anti-falsification process
};
struct ComprehensionEvent {
  bool passed = false;
  std::optional<int> questions;
  std::optional<int> correct;
};
// UK MHRA-23: a second, independent prescriber agrees with starting (under-18s).
struct SecondPrescriberEvent {
  std::string prescriber;
  bool agreed = true;
};
struct ProgramAssessmentEvent {
  ProgramAssessmentKind kind = ProgramAssessmentKind::kMentalHealth;
  std::string outcome;
};
// First day of a menstrual period (confirmation-test timing with regular cycles).
struct MensesEvent {};
// The prescriber opted in (or out) of home pregnancy tests (iPLEDGE V2026).
struct HomeTestOptInEvent {
  bool opted_in = true;
};

// --- labs -------------------------------------------------------------------------

struct LabEvent {
  std::string loinc;  // e.g. "2571-8" (TG mass/volume)
  std::string name;   // free text as reported
  double value = 0;
  LabUnit unit = LabUnit::kMgPerDl;
  std::optional<double> reference_low;
  std::optional<double> reference_high;
  std::optional<bool> fasting;
  std::optional<double> hours_since_alcohol;
};

// --- medication supply and intake ------------------------------------------------

struct PrescriptionEvent {
  std::string product;  // knowledge product id, short id or brand
  Milligrams strength{0};
  Milligrams daily{0};
  int doses_per_day = 2;
  int days_supply = 30;
  int refills = 0;
  std::optional<int> quantity;  // capsules
  std::string prescriber;
};
struct DispenseEvent {
  std::optional<EventId> prescription;  // the prescription event filled
  std::string product;                  // empty = the prescription's
  std::optional<Milligrams> daily;      // empty = the prescription's
  int days_supply = 30;
  std::optional<int> quantity;
  std::string pharmacy;
};
struct DoseEvent {
  bool taken = true;
  std::optional<Milligrams> mg;  // taken: amount actually taken (default: scheduled)
  std::string product;           // empty = the current supply's
};

// --- monitoring ------------------------------------------------------------------

struct MoodScreenEvent {
  MoodInstrument instrument = MoodInstrument::kPhq9;
  std::vector<int> items;    // each 0-3; PHQ-2: 2 items, PHQ-9/PHQ-A: 9 items
  std::optional<int> total;  // if given, must equal the sum of items
};
struct SideEffectEvent {
  std::vector<Symptom> symptoms;
  SymptomSeverity severity = SymptomSeverity::kMild;
  std::string note;
};
struct VisitEvent {
  LesionCounts face;
  LesionCounts trunk;
  std::optional<int> iga;
  bool in_person = true;
  std::string note;
};

// --- course lifecycle ---------------------------------------------------------------

struct CourseStartEvent {
  std::optional<MgPerKg> target;  // cumulative goal; default from settings / knowledge
  std::string regimen;            // knowledge regimen id, optional
};
struct CoursePauseEvent {
  std::string reason;
};
struct CourseResumeEvent {};
struct CourseExtendEvent {
  MgPerKg new_target{0};
  std::string reason;
};
struct CourseCompleteEvent {};
struct CourseDiscontinueEvent {
  std::string reason;
};

// Retracts the event named by `corrects` (nothing replaces it).
struct EnteredInErrorEvent {
  std::string reason;
};

using Payload =
    std::variant<ProfileEvent, WeightEvent, ConditionEvent, DiagnosisEvent, PriorTreatmentEvent,
                 MedicationStartEvent, MedicationStopEvent, EnrollmentEvent, ConsentEvent,
                 CounselingEvent, ContraceptionEvent, PregnancyTestEvent, ComprehensionEvent,
                 SecondPrescriberEvent, ProgramAssessmentEvent, MensesEvent, HomeTestOptInEvent,
                 LabEvent, PrescriptionEvent, DispenseEvent, DoseEvent, MoodScreenEvent,
                 SideEffectEvent, VisitEvent, CourseStartEvent, CoursePauseEvent, CourseResumeEvent,
                 CourseExtendEvent, CourseCompleteEvent, CourseDiscontinueEvent,
                 EnteredInErrorEvent>;

// JSON `type` of each alternative, in Payload order.
inline constexpr std::array<std::string_view, std::variant_size_v<Payload>> kEventTypeNames = {
    "profile",
    "weight",
    "condition",
    "diagnosis",
    "prior_treatment",
    "medication_start",
    "medication_stop",
    "enrollment",
    "consent",
    "counseling",
    "contraception",
    "pregnancy_test",
    "comprehension",
    "second_prescriber",
    "program_assessment",
    "menses",
    "home_test_opt_in",
    "lab",
    "prescription",
    "dispense",
    "dose",
    "mood_screen",
    "side_effect",
    "visit",
    "course_start",
    "course_pause",
    "course_resume",
    "course_extend",
    "course_complete",
    "course_discontinue",
    "entered_in_error",
};

struct Event {
  EventId id;
  Date date;  // effective date
  UserId recorded_by;
  std::optional<Date> recorded_on;  // when it was entered, for audit (may be later)
  std::optional<EventId> corrects;  // supersedes that event (same type) or retracts it
  Payload payload;

  std::string_view TypeName() const { return kEventTypeNames[payload.index()]; }
  template <class T>
  const T* As() const {
    return std::get_if<T>(&payload);
  }
};

struct Timeline {
  PatientId patient;
  std::vector<Event> events;  // document order
};

// The effective view of a timeline: superseded and retracted events removed, every
// correction in its target's place, sorted by effective date (ties keep document
// order). Holds pointers into the Timeline it was made from, which must outlive it.
struct ResolvedTimeline {
  const Timeline* source = nullptr;
  std::vector<const Event*> events;
  // Events no longer in force, with the id of the event that superseded them.
  struct Superseded {
    const Event* event;
    EventId by;
  };
  std::vector<Superseded> superseded;

  // The effective events of one type, in date order.
  template <class T>
  std::vector<const Event*> OfType() const {
    std::vector<const Event*> out;
    for (const Event* e : events) {
      if (e->As<T>()) out.push_back(e);
    }
    return out;
  }
};

// Applies corrections. Errors (kInvalidArgument; `where` = "events[i] (id X).corrects"):
// a duplicate event id; `corrects` naming no event; naming itself or a later event in
// a cycle; a correction whose payload type differs from its target's (use
// entered_in_error to retract); two corrections of the same event (correct the
// latest correction instead). A correction of a correction supersedes the chain.
Result<ResolvedTimeline> ResolveCorrections(const Timeline& timeline);
// The same into `out`, reusing its storage (evaluating many timelines in a row).
Status ResolveCorrectionsInto(const Timeline& timeline, ResolvedTimeline& out);

// "events[3] (id lab-7)" for messages.
std::string EventLabel(const Timeline& timeline, size_t index);

}  // namespace isocourse::course
