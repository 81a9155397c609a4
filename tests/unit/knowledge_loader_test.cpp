// The loader must refuse bad knowledge with a message naming file, line, item and
// field; it must accept the shipped knowledge base.
#include <gtest/gtest.h>

#include "core/knowledge/loader.h"
#include "support/knowledge.h"

namespace isocourse {
namespace {

const char* kSources = R"(kind: sources
items:
  - id: L-ABS
    title: Absorica label
)";

const char* kParams = R"(kind: parameters
items:
  - id: dose.max.standard
    value: 2.0
    unit: mg/kg/day
    citation: {source: L-ABS, locator: "§2"}
)";

const char* kTargets = R"(kind: cumulative_targets
items:
  - id: dose.cumulative.standard
    name: Standard
    low_mg_per_kg: 120
    high_mg_per_kg: 150
    default_goal_mg_per_kg: 135
    evidence: SmPC
    citation: {source: L-ABS}
)";

std::string Product(const std::string& extra_fields,
                    const std::string& citation = "    citation: {source: L-ABS}\n") {
  return "kind: products\nitems:\n  - id: product.test\n    name: Test\n"
         "    strengths_mg: [10, 20]\n    food: with_food\n"
         "    max_daily_rule: dose.max.standard\n    usual_mg_per_kg_day: [0.5, 1.0]\n"
         "    substitution_group: conventional\n    label_doses_per_day: 2\n" +
         extra_fields + citation;
}

Result<KnowledgeBase> Load(const std::string& products, const char* params = kParams) {
  return LoadKnowledge({{"k/sources.yaml", kSources},
                        {"k/parameters.yaml", params},
                        {"k/targets.yaml", kTargets},
                        {"k/products.yaml", products}},
                       "test");
}

// All problems, one per line, for matching.
std::string Problems(const Result<KnowledgeBase>& r) {
  if (r) return "";
  std::string out;
  for (const Error& e : r.error().details) out += e.where + ": " + e.message + "\n";
  return out;
}

TEST(KnowledgeLoaderTest, ShippedKnowledgeBaseLoads) {
  const KnowledgeBase& kb = testing::RealKnowledge();
  EXPECT_GE(kb.products.size(), 4u);
  EXPECT_NE(kb.FindProduct("Claravis"), nullptr);
  EXPECT_NE(kb.FindProduct("absorica-ld"), nullptr);
  EXPECT_EQ(kb.FindProduct("absorica-ld")->max_daily.value(), 1.6);
  EXPECT_EQ(kb.FindProduct("generic")->max_daily.value(), 2.0);
  EXPECT_EQ(kb.version.rfind("kb-", 0), 0u);
}

TEST(KnowledgeLoaderTest, MinimalValidSetLoads) {
  auto kb = Load(Product(""));
  ASSERT_TRUE(kb.has_value()) << Problems(kb);
  EXPECT_EQ(kb->products[0].strengths.size(), 2u);
}

TEST(KnowledgeLoaderTest, MissingCitationNamesFileLineItemAndField) {
  auto kb = Load(Product("", ""));
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(
      Problems(kb).find("k/products.yaml:3: item 'product.test': field 'citation': is missing"),
      std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, CitationToUnknownSourceIsRefused) {
  auto kb = Load(Product("", "    citation: {source: NOPE}\n"));
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("citation source 'NOPE' is not defined in sources.yaml"),
            std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, WrongTypeSaysWhatWasExpected) {
  std::string p = Product("");
  p.replace(p.find("[10, 20]"), 8, "ten");
  auto kb = Load(p);
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("field 'strengths_mg': expected a list of numbers, found 'ten'"),
            std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, NumberOutOfRange) {
  auto kb = Load(Product(""), R"(kind: parameters
items:
  - id: dose.max.standard
    value: abc
    unit: mg/kg/day
    citation: {source: L-ABS}
)");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("k/parameters.yaml:4: item 'dose.max.standard': field 'value': "
                              "expected a number, found 'abc'"),
            std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, UnknownFieldIsATypo) {
  auto kb = Load(Product("    strenghts: [1]\n"));
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("unknown field 'strenghts'"), std::string::npos) << Problems(kb);
}

TEST(KnowledgeLoaderTest, BadEnumListsAllowedValues) {
  std::string p = Product("");
  p.replace(p.find("with_food"), 9, "with_milk");
  auto kb = Load(p);
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("'with_milk' is not allowed; expected one of: with_food, "
                              "with_or_without_food"),
            std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, UndefinedMaxRule) {
  std::string p = Product("");
  p.replace(p.find("dose.max.standard"), 17, "dose.max.nothing");
  auto kb = Load(p);
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("parameter 'dose.max.nothing' is not defined"), std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, DuplicateIdsAcrossFiles) {
  auto kb = LoadKnowledge({{"k/sources.yaml", kSources},
                           {"k/parameters.yaml", kParams},
                           {"k/more.yaml", kParams},
                           {"k/targets.yaml", kTargets},
                           {"k/products.yaml", Product("")}},
                          "test");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("id 'dose.max.standard' is already defined at k/"), std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, InvalidYamlReportsLine) {
  auto kb = Load("kind: products\nitems:\n  - id: [unclosed\n");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("k/products.yaml:"), std::string::npos);
  EXPECT_NE(Problems(kb).find("not valid YAML"), std::string::npos) << Problems(kb);
}

TEST(KnowledgeLoaderTest, UnknownKindListsKnownKinds) {
  auto kb = Load("kind: potions\nitems: []\n");
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("'potions' is not a known kind; expected one of: sources"),
            std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, BadIdShape) {
  std::string p = Product("");
  p.replace(p.find("product.test"), 12, "Product Test");
  auto kb = Load(p);
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("'Product Test' is not a valid id"), std::string::npos)
      << Problems(kb);
}

TEST(KnowledgeLoaderTest, ReportsEveryProblemNotJustTheFirst) {
  std::string p = Product("    strenghts: [1]\n", "");
  auto kb = Load(p);
  ASSERT_FALSE(kb.has_value());
  EXPECT_GE(kb.error().details.size(), 2u) << Problems(kb);
}

TEST(KnowledgeLoaderTest, JurisdictionMustBeKnown) {
  auto kb = Load(Product("    jurisdiction: Mars\n"));
  ASSERT_FALSE(kb.has_value());
  EXPECT_NE(Problems(kb).find("'Mars' is not a jurisdiction; expected US, EU or UK"),
            std::string::npos)
      << Problems(kb);
}

}  // namespace
}  // namespace isocourse
