#include "models/potential/potential.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

Precision parse_precision(const std::string& name) {
  if (name == "float64" || name == "double" || name == "fp64") return Precision::float64;
  if (name == "float32" || name == "float" || name == "fp32") return Precision::float32;
  throw Error("unknown precision \"" + name + "\" (float32 or float64)");
}

std::string to_string(Precision precision) {
  return precision == Precision::float32 ? "float32" : "float64";
}

}  // namespace equifuse
