// Arguments of the pair-repulsion kernel (pair_repulsion.cu on the GPU, pair_repulsion.cpp on the
// host) and the per-node sum both share: a screened-Coulomb (ZBL-form) energy of every directed
// edge e (sender u -> receiver v), given to its receiver,
//   V_e = K_uv / r * phi(r / a_uv) * f(r / rc_uv),   phi(x) = sum_k c_k exp(-d_k x),
// with f the polynomial cutoff of degree p, and its chain rule to dE/d(edge vector). Computed in
// double. Only local receivers count (ghosts' energies belong to other ranks).
#pragma once

#include "models/engine/kernel_prelude.cuh"
#include "models/layers/radial_basis.cuh"

namespace equifuse {

struct PairRepulsionArgs {
  long nodes, num_local;
  const int *receiver_offsets, *receiver_edges, *senders;
  const int* species;
  const double* vectors;  // [edges][3]
  int num_species;
  const double* charge_product;     // [species][species]: K Z_u Z_v
  const double* inverse_screening;  // [species][species]: 1 / a_uv
  const double* pair_cutoff;        // [species][species]: rc_uv
  double c[4], d[4];
  int p;
  double seed;             // dE/dV of a local receiver's pair energy
  double* node_energy;     // [nodes] += the receiver's pair energy (or null)
  double* edge_gradients;  // [edges][3] += seed dV_e/d(edge vector) (or null)
};

EQUIFUSE_HD inline void pair_repulsion_at(const PairRepulsionArgs& a, long n) {
  if (n >= a.num_local) return;
  const int v = a.species[n];
  double energy = 0;
  for (int k = a.receiver_offsets[n]; k < a.receiver_offsets[n + 1]; ++k) {
    const long e = a.receiver_edges[k];
    const int u = a.species[a.senders[e]];
    const long pair = static_cast<long>(u) * a.num_species + v;
    const double* vec = a.vectors + 3 * e;
    const double r = kernel_math::sqrt(vec[0] * vec[0] + vec[1] * vec[1] + vec[2] * vec[2]);
    const double rc = a.pair_cutoff[pair];
    double f, df;
    polynomial_cutoff(r, rc, a.p, &f, &df);
    if (f == 0.0 && df == 0.0) continue;
    const double inv_a = a.inverse_screening[pair], x = r * inv_a;
    double phi = 0, dphi = 0;
    for (int j = 0; j < 4; ++j) {
      const double term = a.c[j] * kernel_math::exp(-a.d[j] * x);
      phi += term;
      dphi -= a.d[j] * term;
    }
    const double k_uv = a.charge_product[pair];
    energy += k_uv / r * phi * f;
    if (a.edge_gradients) {
      const double dv = k_uv * (-phi * f / (r * r) + dphi * inv_a * f / r + phi * df / r);
      for (int i = 0; i < 3; ++i) a.edge_gradients[3 * e + i] += a.seed * dv * vec[i] / r;
    }
  }
  if (a.node_energy) a.node_energy[n] += energy;
}

}  // namespace equifuse
