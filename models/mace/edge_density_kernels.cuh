// Arguments of the edge-density kernels (edge_density.cu on the GPU, edge_density.cpp on the
// host) and the per-edge functions both share: rho_e = tanh(d_e^2) (* cutoff_e) of a density MLP's
// output d_e, and its backward to dL/dd_e and dL/d(cutoff_e).
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

template <typename Real>
struct EdgeDensityArgs {
  long n;  // edges
  const Real* d;
  const Real* cutoff;  // or null
  Real* rho;           // forward: out; backward: dL/drho in
  Real* grad_d;        // backward out
  Real* grad_cutoff;   // backward: += (or null)
};

template <typename Real>
EQUIFUSE_HD inline void edge_density_at(const EdgeDensityArgs<Real>& k, long e) {
  const Real t = kernel_math::tanh(k.d[e] * k.d[e]);
  k.rho[e] = k.cutoff ? t * k.cutoff[e] : t;
}

template <typename Real>
EQUIFUSE_HD inline void edge_density_backward_at(const EdgeDensityArgs<Real>& k, long e) {
  const Real t = kernel_math::tanh(k.d[e] * k.d[e]);
  const Real g = k.rho[e];
  const Real c = k.cutoff ? k.cutoff[e] : Real(1);
  k.grad_d[e] = g * c * Real(2) * k.d[e] * (Real(1) - t * t);
  if (k.grad_cutoff) k.grad_cutoff[e] += g * t;
}

}  // namespace equifuse
