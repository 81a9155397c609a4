#include "core/date.h"

#include <gtest/gtest.h>

namespace isocourse {
namespace {

TEST(DateTest, ParsesAndFormatsIsoDates) {
  auto d = Date::Parse("2026-12-01", "start");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->ToString(), "2026-12-01");
  EXPECT_EQ(d->AddDays(31).ToString(), "2027-01-01");
}

TEST(DateTest, RejectsImpossibleDatesNamingTheField) {
  auto d = Date::Parse("2026-02-30", "start");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(d.error().where, "start");
  EXPECT_NE(d.error().message.find("not a real calendar date"), std::string::npos);
}

TEST(DateTest, RejectsWrongShape) {
  for (const char* bad : {"2026-1-01", "01/12/2026", "2026-12-0x", "", "20261201"}) {
    auto d = Date::Parse(bad, "--start");
    ASSERT_FALSE(d.has_value()) << bad;
    EXPECT_NE(d.error().message.find("YYYY-MM-DD"), std::string::npos) << bad;
  }
}

TEST(DateTest, LeapYearsAndMonthArithmetic) {
  EXPECT_TRUE(Date::Parse("2028-02-29", "x").has_value());
  EXPECT_FALSE(Date::Parse("2027-02-29", "x").has_value());
  EXPECT_EQ(Date::FromYmd(2027, 1, 31).AddMonths(1).ToString(), "2027-02-28");
  EXPECT_EQ(Date::FromYmd(2026, 12, 1).DaysUntil(Date::FromYmd(2026, 12, 8)), 7);
}

}  // namespace
}  // namespace isocourse
