// Arguments of the gate kernels (gate.cu on the GPU, gate.cpp on the host) and the activation
// they apply (0 = SiLU, 1 = tanh, 2 = sigmoid; GateActivation in gate.hpp).
#pragma once

#include "models/engine/kernel_prelude.cuh"
#include "models/layers/activation.cuh"

namespace equifuse {

template <typename Real>
struct GateArgs {
  long rows;
  int dim_in, num_scalars, num_gates, num_gated;
  const int *scalar_index, *scalar_activation;
  const Real* scalar_scale;
  const int *gate_index, *gate_activation;
  const Real* gate_scale;
  const int *gated_index, *gated_gate;
  const Real* x;         // [rows][dim_in]
  const Real* grad_out;  // backward: [rows][num_scalars + num_gated]
  Real* out;  // forward: [rows][num_scalars + num_gated]; backward: grad_x += [rows][dim_in]
};

template <typename Real>
EQUIFUSE_HD inline Real gate_activation(int kind, Real z) {
  if (kind == 2) return Real(1) / (Real(1) + kernel_math::exp(-z));
  return kind == 0 ? silu(z) : kernel_math::tanh(z);
}

template <typename Real>
EQUIFUSE_HD inline Real gate_activation_derivative(int kind, Real z) {
  if (kind == 0) return silu_derivative(z);
  if (kind == 2) {
    const Real s = Real(1) / (Real(1) + kernel_math::exp(-z));
    return s * (Real(1) - s);
  }
  const Real t = kernel_math::tanh(z);
  return Real(1) - t * t;
}

}  // namespace equifuse
