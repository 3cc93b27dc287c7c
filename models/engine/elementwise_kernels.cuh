// Element-wise steps the models share (sums of contributions, species tables, energy seeds and
// node energies): argument structs and the per-element functions that
// the host loops (elementwise.hpp) and the device kernels (elementwise_kernels.cu) both call.
// Every struct's `n` is the number of elements.
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

// a[i] += b[i], a of type Sum (the readouts' energies are summed in double).
template <typename Sum, typename Real>
struct AddArgs {
  long n;
  Sum* a;
  const Real* b;
};
template <typename Sum, typename Real>
EQUIFUSE_HD inline void add_at(const AddArgs<Sum, Real>& k, long i) {
  k.a[i] += static_cast<Sum>(k.b[i]);
}

// out[i] = i < prefix ? (values ? values[species[i]] : value) : 0: the backward seed dE/d(node
// energy) of local nodes (a constant, or one per species); ghosts get none.
template <typename Real>
struct SeedArgs {
  long n, prefix;
  Real value;
  const int* species;
  const Real* values;
  Real* out;
};
template <typename Real>
EQUIFUSE_HD inline void seed_at(const SeedArgs<Real>& k, long i) {
  k.out[i] = i < k.prefix ? (k.values ? k.values[k.species[i]] : k.value) : Real(0);
}

// x[r][c] *= factors[species[r]], n = rows * dim
template <typename Real>
struct ScaleRowsArgs {
  long n;
  int dim;
  const int* species;
  const Real* factors;
  Real* x;
};
template <typename Real>
EQUIFUSE_HD inline void scale_rows_at(const ScaleRowsArgs<Real>& k, long i) {
  k.x[i] *= k.factors[k.species[i / k.dim]];
}

// out[r][c] = table[species[r]][c], n = rows * dim: species embeddings.
template <typename Real>
struct GatherRowsArgs {
  long n;
  int dim;
  const int* species;
  const Real* table;
  Real* out;
};
template <typename Real>
EQUIFUSE_HD inline void gather_rows_at(const GatherRowsArgs<Real>& k, long i) {
  k.out[i] = k.table[static_cast<long>(k.species[i / k.dim]) * k.dim + i % k.dim];
}

// out[index[r]][c] += in[r][c], n = rows * dim; the indices of one call are distinct (a block's
// nodes or edges in the whole graph).
template <typename Real>
struct ScatterAddRowsArgs {
  long n;
  int dim;
  const int* index;
  const Real* in;
  Real* out;
};
template <typename Real>
EQUIFUSE_HD inline void scatter_add_rows_at(const ScatterAddRowsArgs<Real>& k, long i) {
  k.out[static_cast<long>(k.index[i / k.dim]) * k.dim + i % k.dim] += k.in[i];
}

// x[r][c] *= factors[r] (divide: /=), n = rows * dim: per-row weights (an edge's cutoff on its
// radial MLP's outputs, a node's density on its message).
template <typename Real>
struct RowFactorArgs {
  long n;
  int dim;
  const Real* factors;
  Real* x;
  int divide;
};
template <typename Real>
EQUIFUSE_HD inline void row_factor_at(const RowFactorArgs<Real>& k, long i) {
  if (k.divide)
    k.x[i] /= k.factors[i / k.dim];
  else
    k.x[i] *= k.factors[i / k.dim];
}

// x[i] = scale * x[i] + offset.
template <typename Real>
struct AffineArgs {
  long n;
  Real scale, offset;
  Real* x;
};
template <typename Real>
EQUIFUSE_HD inline void affine_at(const AffineArgs<Real>& k, long i) {
  k.x[i] = k.scale * k.x[i] + k.offset;
}

// out[r] += scale * sum_c a[r][c] b[r][c], n = rows.
template <typename Real>
struct RowDotArgs {
  long n;
  int dim;
  const Real *a, *b;
  Real* out;
  Real scale;
};
template <typename Real>
EQUIFUSE_HD inline void row_dot_at(const RowDotArgs<Real>& k, long r) {
  Real sum = 0;
  for (long c = 0; c < k.dim; ++c) sum += k.a[r * k.dim + c] * k.b[r * k.dim + c];
  k.out[r] += k.scale * sum;
}

// out[n] = sum over the edges e into node n of values[e] (CSR order), n = nodes; and the gather
// back, out[e] = values[receiver of e].
template <typename Real>
struct ReceiverSumArgs {
  long n;
  const int *offsets, *edges;
  const Real* values;
  Real* out;
};
template <typename Real>
EQUIFUSE_HD inline void receiver_sum_at(const ReceiverSumArgs<Real>& k, long node) {
  Real sum = 0;
  for (int q = k.offsets[node]; q < k.offsets[node + 1]; ++q) sum += k.values[k.edges[q]];
  k.out[node] = sum;
}
template <typename Real>
struct GatherArgs {
  long n;
  const int* index;
  const Real* values;
  Real* out;
};
template <typename Real>
EQUIFUSE_HD inline void gather_at(const GatherArgs<Real>& k, long i) {
  k.out[i] = k.values[k.index[i]];
}

// Node energies: out[i] = scale[species[i]] * values[i] + offset[species[i]], in double (values
// real, or double where the model sums its readouts in double).
template <typename Real>
struct NodeEnergyArgs {
  long n;
  const int* species;
  const Real* values;
  const double *scale, *offset;
  double* out;
};
template <typename Real>
EQUIFUSE_HD inline void node_energy_at(const NodeEnergyArgs<Real>& k, long i) {
  k.out[i] = k.scale[k.species[i]] * static_cast<double>(k.values[i]) + k.offset[k.species[i]];
}

}  // namespace equifuse
