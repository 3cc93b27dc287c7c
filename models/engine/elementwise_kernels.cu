// Device kernels of the element-wise steps (elementwise_kernels.cuh).
#include "models/engine/elementwise_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void add_to(const AddArgs<real, real> a) {
  GRID_LOOP(i, a.n) add_at(a, i);
}
extern "C" __global__ void add_to_double(const AddArgs<double, real> a) {
  GRID_LOOP(i, a.n) add_at(a, i);
}
// Sums of doubles in a float32 model (edge gradients).
extern "C" __global__ void add_doubles(const AddArgs<double, double> a) {
  GRID_LOOP(i, a.n) add_at(a, i);
}
extern "C" __global__ void energy_seed(const SeedArgs<real> a) {
  GRID_LOOP(i, a.n) seed_at(a, i);
}
extern "C" __global__ void scale_rows_by_species(const ScaleRowsArgs<real> a) {
  GRID_LOOP(i, a.n) scale_rows_at(a, i);
}
extern "C" __global__ void gather_species_rows(const GatherRowsArgs<real> a) {
  GRID_LOOP(i, a.n) gather_rows_at(a, i);
}
extern "C" __global__ void scatter_add_rows(const ScatterAddRowsArgs<real> a) {
  GRID_LOOP(i, a.n) scatter_add_rows_at(a, i);
}
extern "C" __global__ void scatter_add_rows_double(const ScatterAddRowsArgs<double> a) {
  GRID_LOOP(i, a.n) scatter_add_rows_at(a, i);
}
extern "C" __global__ void node_energies(const NodeEnergyArgs<real> a) {
  GRID_LOOP(i, a.n) node_energy_at(a, i);
}
extern "C" __global__ void node_energies_double(const NodeEnergyArgs<double> a) {
  GRID_LOOP(i, a.n) node_energy_at(a, i);
}
extern "C" __global__ void row_factors(const RowFactorArgs<real> a) {
  GRID_LOOP(i, a.n) row_factor_at(a, i);
}
extern "C" __global__ void row_dots(const RowDotArgs<real> a) {
  GRID_LOOP(r, a.n) row_dot_at(a, r);
}
extern "C" __global__ void receiver_sums(const ReceiverSumArgs<real> a) {
  GRID_LOOP(n, a.n) receiver_sum_at(a, n);
}
extern "C" __global__ void gather_values(const GatherArgs<real> a) {
  GRID_LOOP(i, a.n) gather_at(a, i);
}
extern "C" __global__ void affine(const AffineArgs<real> a) {
  GRID_LOOP(i, a.n) affine_at(a, i);
}
