// File: ids.h
//
// Strong identifier types. Ids are opaque strings; two ids of different kinds never
// compare or convert.
#pragma once

#include <compare>
#include <string>
#include <utility>

namespace isocourse {

template <class Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string v) : value_(std::move(v)) {}
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Id&) const = default;

 private:
  std::string value_;
};

using PatientId = Id<struct PatientIdTag>;
using EventId = Id<struct EventIdTag>;
using ClinicId = Id<struct ClinicIdTag>;
using UserId = Id<struct UserIdTag>;
// A knowledge-base rule or item id such as "dose.max.standard".
using RuleId = Id<struct RuleIdTag>;

}  // namespace isocourse
