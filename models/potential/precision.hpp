// The scalar type a model computes in: float32 or float64 (the correctness reference).
#pragma once

#include <string>

namespace equifuse {

enum class Precision { float32, float64 };
Precision parse_precision(const std::string& name);
std::string to_string(Precision precision);

template <typename T>
constexpr Precision precision_of() {
  return sizeof(T) == 4 ? Precision::float32 : Precision::float64;
}

}  // namespace equifuse
