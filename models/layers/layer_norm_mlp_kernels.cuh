// Arguments of the layer-norm kernels of LayerNormMlp (layer_norm_mlp.cu on the GPU,
// layer_norm_mlp.cpp on the host) and the per-row functions both share: after a hidden dense
// layer z, y = (z - mean(z)) / sqrt(var(z) + eps) * gamma + beta (torch's LayerNorm, biased
// variance), then a = silu(y), unscaled; and the backward from da to dz.
#pragma once

#include "models/engine/kernel_prelude.cuh"
#include "models/layers/activation.cuh"

namespace equifuse {

template <typename Real>
struct LayerNormSiluArgs {
  long rows;
  int n;
  const Real *gamma, *beta;
  Real eps;
  const Real* z;      // forward: [rows][n] the dense layer's output
  Real* normalized;   // forward out, backward in: [rows][n], (z - mean) / std
  Real* inverse_std;  // forward out, backward in: [rows]
  Real* activation;   // forward: [rows][n] a; backward: [rows][n] da in
  Real* grad_z;       // backward: [rows][n] dz out
};

template <typename Real>
EQUIFUSE_HD inline void layer_norm_silu_forward_at(const LayerNormSiluArgs<Real>& a, long r) {
  const Real* z = a.z + r * a.n;
  Real mean = 0;
  for (int j = 0; j < a.n; ++j) mean += z[j];
  mean /= static_cast<Real>(a.n);
  Real var = 0;
  for (int j = 0; j < a.n; ++j) var += (z[j] - mean) * (z[j] - mean);
  var /= static_cast<Real>(a.n);
  const Real inv = Real(1) / kernel_math::sqrt(var + a.eps);
  a.inverse_std[r] = inv;
  for (int j = 0; j < a.n; ++j) {
    const Real x = (z[j] - mean) * inv;
    a.normalized[r * a.n + j] = x;
    a.activation[r * a.n + j] = silu(x * a.gamma[j] + a.beta[j]);
  }
}

// dz = inv_std * (dx - mean(dx) - x mean(dx x)), dx = da * silu'(y) * gamma.
template <typename Real>
EQUIFUSE_HD inline void layer_norm_silu_backward_at(const LayerNormSiluArgs<Real>& a, long r) {
  const Real* x = a.normalized + r * a.n;
  const Real* da = a.activation + r * a.n;
  Real* dz = a.grad_z + r * a.n;
  Real mean_dx = 0, mean_dx_x = 0;
  for (int j = 0; j < a.n; ++j) {
    const Real dx = da[j] * silu_derivative(x[j] * a.gamma[j] + a.beta[j]) * a.gamma[j];
    dz[j] = dx;
    mean_dx += dx;
    mean_dx_x += dx * x[j];
  }
  mean_dx /= static_cast<Real>(a.n);
  mean_dx_x /= static_cast<Real>(a.n);
  for (int j = 0; j < a.n; ++j) dz[j] = a.inverse_std[r] * (dz[j] - mean_dx - x[j] * mean_dx_x);
}

}  // namespace equifuse
