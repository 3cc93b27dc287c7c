// SiLU and its derivative, as e3nn's models use them, for host and device code, and the scaled
// SiLU of a whole array (arguments and per-element functions; kernels in activation.cu, calls in
// activation.hpp). e3nn scales SiLU to unit second moment under a standard normal input
// (normalize2mom); the constant is read from the potential file, as e3nn estimates it by
// sampling.
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

template <typename T>
EQUIFUSE_HD inline T silu(T z) {
  return z / (T(1) + kernel_math::exp(-z));
}

// d silu / dz = s (1 + z (1 - s)), s = sigmoid(z)
template <typename T>
EQUIFUSE_HD inline T silu_derivative(T z) {
  const T s = T(1) / (T(1) + kernel_math::exp(-z));
  return s * (T(1) + z * (T(1) - s));
}

// out[i] = scale * silu(in[i])
template <typename Real>
struct ScaledSiluArgs {
  long n;
  const Real* in;
  Real* out;
  Real scale;
};
template <typename Real>
EQUIFUSE_HD inline void scaled_silu_at(const ScaledSiluArgs<Real>& k, long i) {
  k.out[i] = k.scale * silu(k.in[i]);
}

// grad[i] *= scale * silu'(pre[i])
template <typename Real>
struct ScaledSiluBackwardArgs {
  long n;
  Real* grad;
  const Real* pre;
  Real scale;
};
template <typename Real>
EQUIFUSE_HD inline void scaled_silu_backward_at(const ScaledSiluBackwardArgs<Real>& k, long i) {
  k.grad[i] *= k.scale * silu_derivative(k.pre[i]);
}

}  // namespace equifuse
