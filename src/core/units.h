// File: units.h
//
// Strong types for the quantities isocourse computes with. A bare double never
// carries a dose or a weight across an interface: mixing mg with mg/kg, or a daily
// dose with a cumulative one, is a compile error.
#pragma once

#include <cmath>
#include <compare>

namespace isocourse {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value) : value_(value) {}
  constexpr double value() const { return value_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(value_ + o.value_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value_ - o.value_); }
  constexpr Quantity& operator+=(Quantity o) {
    value_ += o.value_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    value_ -= o.value_;
    return *this;
  }
  constexpr Quantity operator*(double k) const { return Quantity(value_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(value_ / k); }
  // Ratio of two like quantities is dimensionless.
  constexpr double operator/(Quantity o) const { return value_ / o.value_; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double value_ = 0.0;
};

struct MilligramsTag {};
struct KilogramsTag {};
struct MgPerKgTag {};
struct MgPerKgPerDayTag {};

using Milligrams = Quantity<MilligramsTag>;        // an amount of drug
using Kilograms = Quantity<KilogramsTag>;          // body weight
using MgPerKg = Quantity<MgPerKgTag>;              // cumulative dose per body weight
using MgPerKgPerDay = Quantity<MgPerKgPerDayTag>;  // daily dose per body weight

constexpr MgPerKg operator/(Milligrams mg, Kilograms kg) {
  return MgPerKg(mg.value() / kg.value());
}
constexpr Milligrams operator*(MgPerKg d, Kilograms kg) {
  return Milligrams(d.value() * kg.value());
}
constexpr Milligrams operator*(MgPerKgPerDay d, Kilograms kg) {
  return Milligrams(d.value() * kg.value());
}
// A daily dose in mg for a given weight, as mg/kg/day.
constexpr MgPerKgPerDay DailyPerKg(Milligrams daily, Kilograms kg) {
  return MgPerKgPerDay(daily.value() / kg.value());
}

// Rounds for display and comparison at a stated precision (e.g. 0.01 mg/kg).
inline double RoundTo(double v, double step) { return std::round(v / step) * step; }

}  // namespace isocourse
