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
