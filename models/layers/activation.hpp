// SiLU as e3nn uses it: scaled by the constant that gives it unit second moment under a standard
// normal input (e3nn's normalize2mom; the constant is read from the potential file because e3nn
// estimates it by sampling).
#pragma once

#include <cmath>

namespace equifuse {

template <typename T>
inline T silu(T z) {
  return z / (T(1) + std::exp(-z));
}

// d silu / dz = s (1 + z (1 - s)), s = sigmoid(z)
template <typename T>
inline T silu_derivative(T z) {
  const T s = T(1) / (T(1) + std::exp(-z));
  return s * (T(1) + z * (T(1) - s));
}

}  // namespace equifuse
