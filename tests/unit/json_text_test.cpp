// codec::ParseJsonLocated and codec::JsonKindName: the one JSON reader behind timeline
// files (CLI) and request bodies (server), so both point at the same line and column.
#include "codec/json_text.h"

#include <gtest/gtest.h>

#include <string>

#include "codec/timeline_json.h"

namespace isocourse::codec {
namespace {

TEST(JsonText, ParsesOneValueWithTrailingWhiteSpace) {
  auto v = ParseJsonLocated("{\"a\": [1, 2]}\n  \n");
  ASSERT_TRUE(v.has_value()) << v.error().reason;
  EXPECT_EQ(v->at("a").as_array().size(), 2u);
}

TEST(JsonText, SyntaxErrorNamesLineAndColumn) {
  auto v = ParseJsonLocated("{\"events\": [\n  {\"id\": }\n]}");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().line, 2u);
  EXPECT_EQ(v.error().column, 10u);
  EXPECT_EQ(v.error().reason, "syntax error");
}

TEST(JsonText, TextAfterTheValueIsRefusedWhereItStarts) {
  auto v = ParseJsonLocated("{\"a\": 1}\n{\"b\": 2}");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().reason, "extra data");
  EXPECT_EQ(v.error().line, 2u);
  EXPECT_EQ(v.error().column, 1u);
}

TEST(JsonText, TruncatedAndTooDeepAreRefused) {
  auto cut = ParseJsonLocated("{\"a\": tru");
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().column, 10u);
  auto deep = ParseJsonLocated(std::string(100, '[') + std::string(100, ']'));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().reason, "too deep");
  EXPECT_FALSE(ParseJsonLocated("").has_value());
}

TEST(JsonText, KindNamesReadAsPhrases) {
  EXPECT_STREQ(JsonKindName(boost::json::value(nullptr).kind()), "null");
  EXPECT_STREQ(JsonKindName(boost::json::value(true).kind()), "a boolean");
  EXPECT_STREQ(JsonKindName(boost::json::value(1.5).kind()), "a number");
  EXPECT_STREQ(JsonKindName(boost::json::value("x").kind()), "a string");
  EXPECT_STREQ(JsonKindName(boost::json::kind::array), "an array");
  EXPECT_STREQ(JsonKindName(boost::json::kind::object), "an object");
}

// A timeline file with a second document glued on is refused, not half-read.
TEST(JsonText, TimelineFileWithTwoDocumentsIsRefused) {
  auto t = ParseTimelineJson("{\"events\": []}\n{\"events\": []}\n");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().where, "line 2, column 1");
  EXPECT_EQ(t.error().message, "not valid JSON: extra data");
}

}  // namespace
}  // namespace isocourse::codec
