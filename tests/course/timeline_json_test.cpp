// Timeline JSON codec and ResolveCorrections: what a producer of timelines sees when
// a document is wrong, and that corrections supersede what they correct.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "codec/timeline_json.h"
#include "core/course/timeline.h"

namespace isocourse {
namespace {

using course::Event;
using course::LabEvent;
using course::Timeline;

std::string Doc(const std::string& events) {
  return R"({"patient": "p1", "events": [)" + events + "]}";
}
constexpr const char* kProfile =
    R"({"id": "p", "type": "profile", "date": "2026-01-05", "recorded_by": "dr-a",
        "birth_date": "2000-04-01", "sex_at_birth": "female",
        "pregnancy_potential": "can_get_pregnant", "regular_cycles": true, "jurisdiction": "US"})";

Error ParseError(const std::string& text) {
  auto t = codec::ParseTimelineJson(text);
  EXPECT_FALSE(t.has_value()) << "expected an error for " << text;
  return t ? Error{} : t.error();
}

TEST(TimelineJson, ParsesEveryFieldOfAProfileAndALab) {
  auto t = codec::ParseTimelineJson(Doc(std::string(kProfile) + R"(,
      {"id": "tg-1", "type": "lab", "date": "2026-01-06", "recorded_by": "lab",
       "loinc": "2571-8", "value": 801, "unit": "mg/dL", "reference_high": 150,
       "fasting": true, "hours_since_alcohol": 48})"));
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  ASSERT_EQ(t->events.size(), 2u);
  EXPECT_EQ(t->patient.value(), "p1");
  const auto* p = t->events[0].As<course::ProfileEvent>();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->birth_date->ToString(), "2000-04-01");
  EXPECT_EQ(p->pregnancy_potential, course::PregnancyPotential::kCanGetPregnant);
  EXPECT_EQ(p->jurisdiction, Jurisdiction::kUS);
  const auto* lab = t->events[1].As<LabEvent>();
  ASSERT_NE(lab, nullptr);
  EXPECT_EQ(lab->loinc, "2571-8");
  EXPECT_DOUBLE_EQ(lab->value, 801);
  EXPECT_EQ(lab->unit, course::LabUnit::kMgPerDl);
  EXPECT_EQ(*lab->hours_since_alcohol, 48);
}

TEST(TimelineJson, UnknownEventTypeNamesTheEventAndListsTypes) {
  Error e =
      ParseError(Doc(R"({"id": "x1", "type": "labz", "date": "2026-01-01", "recorded_by": "a"})"));
  EXPECT_EQ(e.where, "events[0] (id x1).type");
  EXPECT_NE(e.message.find("'labz' is not an event type"), std::string::npos);
  EXPECT_NE(e.message.find("pregnancy_test"), std::string::npos);
}

TEST(TimelineJson, ImpossibleDateIsRefused) {
  Error e = ParseError(
      Doc(R"({"id": "w", "type": "weight", "date": "2026-02-30", "recorded_by": "a", "kg": 60})"));
  EXPECT_EQ(e.where, "events[0] (id w).date");
  EXPECT_NE(e.message.find("not a real calendar date"), std::string::npos);
}

TEST(TimelineJson, UnitThatDoesNotExistIsRefused) {
  Error e = ParseError(Doc(R"({"id": "tg", "type": "lab", "date": "2026-01-01", "recorded_by": "a",
                               "loinc": "2571-8", "value": 2, "unit": "mg/dl"})"));
  EXPECT_EQ(e.where, "events[0] (id tg).unit");
  EXPECT_NE(e.message.find("'mg/dl' is not a unit"), std::string::npos);
  EXPECT_NE(e.message.find("mmol/L"), std::string::npos);
}

TEST(TimelineJson, CorrectionPointingNowhereIsRefused) {
  Error e =
      ParseError(Doc(R"({"id": "w2", "type": "weight", "date": "2026-01-01", "recorded_by": "a",
                               "kg": 60, "corrects": "w1"})"));
  EXPECT_EQ(e.where, "events[0] (id w2).corrects");
  EXPECT_NE(e.message.find("no event has that id"), std::string::npos);
}

TEST(TimelineJson, WrongTypesAndUnknownFieldsAreAllReported) {
  Error e =
      ParseError(Doc(R"({"id": "w", "type": "weight", "date": "2026-01-01", "recorded_by": "a",
                               "kg": "sixty", "weight_lbs": 132})"));
  EXPECT_EQ(e.where, "events[0] (id w).kg");
  EXPECT_NE(e.message.find("expected a number, got a string"), std::string::npos);
  ASSERT_EQ(e.details.size(), 2u);
  EXPECT_EQ(e.details[1].where, "events[0] (id w).weight_lbs");
  EXPECT_NE(e.details[1].message.find("unknown field"), std::string::npos);
}

TEST(TimelineJson, EndBeforeStartAndSpecimenAfterResultAreRefused) {
  Error e = ParseError(Doc(R"({"id": "pt", "type": "prior_treatment", "date": "2026-01-01",
                               "recorded_by": "a", "kind": "oral_antibiotic", "agent": "doxycycline",
                               "start": "2025-06-01", "end": "2025-03-01"})"));
  EXPECT_EQ(e.where, "events[0] (id pt).end");
  e = ParseError(
      Doc(R"({"id": "t", "type": "pregnancy_test", "date": "2026-01-01", "recorded_by": "a",
                          "purpose": "monthly", "specimen_date": "2026-01-03",
                          "setting": "certified_lab", "result": "negative"})"));
  EXPECT_EQ(e.where, "events[0] (id t).specimen_date");
}

TEST(TimelineJson, Phq9NeedsNineItemsAndAMatchingTotal) {
  Error e =
      ParseError(Doc(R"({"id": "m", "type": "mood_screen", "date": "2026-01-01", "recorded_by": "a",
                               "instrument": "phq9", "items": [0,1,2,3,0,0,0,0], "total": 7})"));
  EXPECT_EQ(e.where, "events[0] (id m).items");
  e = ParseError(Doc(R"({"id": "m", "type": "mood_screen", "date": "2026-01-01", "recorded_by": "a",
                          "instrument": "phq9", "items": [0,1,2,3,0,0,0,0,4]})"));
  EXPECT_EQ(e.where, "events[0] (id m).items[8]");
}

TEST(TimelineJson, NotJsonGivesLineAndColumn) {
  Error e = ParseError("{\"events\": [\n  {\"id\": }\n]}");
  EXPECT_EQ(e.where, "line 2, column 10");
}

TEST(TimelineJson, DuplicateIdsAreRefused) {
  Error e = ParseError(
      Doc(R"({"id": "w", "type": "weight", "date": "2026-01-01", "recorded_by": "a", "kg": 60},
                              {"id": "w", "type": "weight", "date": "2026-01-02", "recorded_by": "a", "kg": 61})"));
  EXPECT_EQ(e.where, "events[1] (id w).id");
}

TEST(TimelineJson, RoundTripsThroughTheCanonicalForm) {
  std::string text = Doc(std::string(kProfile) + R"(,
      {"id": "c1", "type": "contraception", "date": "2026-01-05", "recorded_by": "dr-a",
       "entered_by": "clinic", "methods": [{"method": "copper_iud", "start": "2025-12-01"},
                                           {"method": "male_condom", "start": "2025-12-01"}]},
      {"id": "d1", "type": "diagnosis", "date": "2026-01-05", "recorded_by": "dr-a", "iga": 4,
       "face": {"comedones": 50, "nodules": 3}, "gags": {"forehead": 2, "right_cheek": 4,
       "left_cheek": 4, "nose": 1, "chin": 3, "chest_upper_back": 4}},
      {"id": "s1", "type": "side_effect", "date": "2026-02-01", "recorded_by": "pt",
       "symptoms": ["headache_severe", "visual_change"], "severity": "severe"})");
  auto t = codec::ParseTimelineJson(text);
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  std::string once = boost::json::serialize(codec::TimelineToJson(*t));
  auto again = codec::ParseTimelineJson(once);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(boost::json::serialize(codec::TimelineToJson(*again)), once);
}

// --- ResolveCorrections -------------------------------------------------------------

Timeline Labs(
    std::initializer_list<std::tuple<const char*, const char*, double, const char*>> rows) {
  Timeline t;
  for (auto [id, date, value, corrects] : rows) {
    Event e;
    e.id = EventId(id);
    e.date = *Date::Parse(date, "test");
    LabEvent l;
    l.loinc = "2571-8";
    l.value = value;
    e.payload = l;
    if (corrects) e.corrects = EventId(corrects);
    t.events.push_back(e);
  }
  return t;
}

TEST(ResolveCorrections, ACorrectionSupersedesItsTarget) {
  Timeline t = Labs({{"a", "2026-01-10", 900, nullptr}, {"b", "2026-01-10", 90, "a"}});
  auto r = course::ResolveCorrections(t);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0]->id.value(), "b");
  ASSERT_EQ(r->superseded.size(), 1u);
  EXPECT_EQ(r->superseded[0].by.value(), "b");
}

TEST(ResolveCorrections, ChainsResolveToTheLatestAndRetractionRemovesTheChain) {
  Timeline t = Labs({{"a", "2026-01-10", 900, nullptr},
                     {"b", "2026-01-10", 90, "a"},
                     {"c", "2026-01-10", 95, "b"}});
  auto r = course::ResolveCorrections(t);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0]->id.value(), "c");
  Event retract;
  retract.id = EventId("d");
  retract.date = t.events[0].date;
  retract.corrects = EventId("c");
  retract.payload = course::EnteredInErrorEvent{"wrong patient"};
  t.events.push_back(retract);
  r = course::ResolveCorrections(t);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->events.empty());
}

TEST(ResolveCorrections, RefusesDoubleCorrectionsCyclesAndTypeChanges) {
  Timeline twice = Labs({{"a", "2026-01-10", 900, nullptr},
                         {"b", "2026-01-10", 90, "a"},
                         {"c", "2026-01-10", 95, "a"}});
  auto r = course::ResolveCorrections(twice);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "events[2] (id c).corrects");
  Timeline cycle = Labs({{"a", "2026-01-10", 900, "b"}, {"b", "2026-01-10", 90, "a"}});
  r = course::ResolveCorrections(cycle);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("cycle"), std::string::npos);
  Timeline type = Labs({{"a", "2026-01-10", 900, nullptr}});
  Event w;
  w.id = EventId("w");
  w.corrects = EventId("a");
  w.payload = course::WeightEvent{Kilograms(60)};
  type.events.push_back(w);
  r = course::ResolveCorrections(type);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("entered_in_error"), std::string::npos);
}

TEST(ResolveCorrections, SortsByDateKeepingDocumentOrderForTies) {
  Timeline t = Labs({{"late", "2026-03-01", 1, nullptr},
                     {"early", "2026-01-01", 1, nullptr},
                     {"early2", "2026-01-01", 1, nullptr}});
  auto r = course::ResolveCorrections(t);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->events[0]->id.value(), "early");
  EXPECT_EQ(r->events[1]->id.value(), "early2");
  EXPECT_EQ(r->events[2]->id.value(), "late");
}

}  // namespace
}  // namespace isocourse
