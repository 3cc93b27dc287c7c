// Arguments of the edge-embedding kernels (edge_embedding.cu on the GPU, edge_embedding.cpp on
// the host), and the chain rule back to dE/d(edge vector) that both share:
//   dE/dv = dE/dY . dY/dv + dE/dR . dR/dr v / r
#pragma once

#include "models/engine/kernel_prelude.cuh"
#include "models/layers/radial_basis.cuh"

namespace equifuse {

template <typename Real>
struct EdgeEmbeddingArgs {
  long edges;
  int sh_dim;
  const double* vectors;                     // [edges][3]
  const int *species, *senders, *receivers;  // for distance transforms
  RadialBasisArgs<Real> radial;
  Real* sh;                          // [edges][sh_dim]
  Real* sh_grad;                     // [edges][sh_dim][3]
  Real* values;                      // [edges][num_basis]
  Real* derivatives;                 // [edges][num_basis], d/dr
  Real* length;                      // [edges]
  Real *cutoff, *cutoff_derivative;  // [edges] where the cutoff is apart, else null
};

template <typename Real>
struct EdgeGradientArgs {
  long edges;
  int sh_dim, num_basis;
  const Real *grad_sh, *sh_grad, *grad_radial, *derivatives, *length;
  const Real *grad_cutoff, *cutoff_derivative;  // where the cutoff is apart, else null
  const double* vectors;
  double* out;  // [edges][3]
};

// The radial embedding of edge e (radial_basis.cuh) into the arguments' rows.
template <typename Real>
EQUIFUSE_HD inline void edge_radial_at(const EdgeEmbeddingArgs<Real>& a, long e) {
  const int nb = a.radial.num_basis;
  const int u = a.species ? a.species[a.senders[e]] : 0;
  const int v = a.species ? a.species[a.receivers[e]] : 0;
  // Through locals, not a pointer that is either global or local: NVRTC (CUDA 13) dropped the
  // stores through such a pointer (the cutoff of MACE's apply_cutoff=False came out zero).
  Real f = Real(0), df = Real(0);
  radial_basis(a.radial, a.length[e], u, v, a.values + e * nb, a.derivatives + e * nb, &f, &df);
  if (a.cutoff) {
    a.cutoff[e] = f;
    a.cutoff_derivative[e] = df;
  }
}

template <typename Real>
EQUIFUSE_HD inline void edge_gradient_at(const EdgeGradientArgs<Real>& a, long e) {
  double g[3] = {0, 0, 0};
  for (long i = 0; i < a.sh_dim; ++i) {
    for (int k = 0; k < 3; ++k) {
      g[k] += static_cast<double>(a.grad_sh[e * a.sh_dim + i]) *
              static_cast<double>(a.sh_grad[(e * a.sh_dim + i) * 3 + k]);
    }
  }
  double dr = 0;
  for (long b = 0; b < a.num_basis; ++b) {
    dr += static_cast<double>(a.grad_radial[e * a.num_basis + b]) *
          static_cast<double>(a.derivatives[e * a.num_basis + b]);
  }
  if (a.grad_cutoff)
    dr += static_cast<double>(a.grad_cutoff[e]) * static_cast<double>(a.cutoff_derivative[e]);
  const double r = static_cast<double>(a.length[e]);
  for (int k = 0; k < 3; ++k) a.out[3 * e + k] = g[k] + dr * a.vectors[3 * e + k] / r;
}

}  // namespace equifuse
