// The element-wise steps of elementwise_kernels.cuh as calls on an engine: the host runs the
// per-element functions in an OpenMP loop, a GPU the kernels of elementwise_kernels.cu.
#pragma once

#include <cstddef>
#include <type_traits>

#include "models/engine/elementwise_kernels.cuh"
#include "models/engine/engine.hpp"

namespace equifuse {

// Host implementation of a kernel whose per-element function is `at`: every element, in
// parallel; `count` names the argument member holding how many (n, rows, edges, nodes).
template <typename Args, void (*at)(const Args&, long), auto count = &Args::n>
void for_each_element(const Args& args) {
  const long n = args.*count;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) at(args, i);
}

template <typename Args, void (*at)(const Args&, long), auto count = &Args::n>
constexpr Kernel<Args> elementwise_kernel(const char* name) {
  return {name, &for_each_element<Args, at, count>};
}

// a += b (n elements); Sum may be double where b is float. Both double: "add_doubles", which
// every model's kernel library has (in a float32 one "add_to" adds floats).
template <typename Sum, typename Real>
void add_into(const Engine& e, Sum* a, const Real* b, std::size_t n) {
  constexpr bool same = sizeof(Sum) == sizeof(Real);
  constexpr bool doubles = same && sizeof(Real) == sizeof(double);
  static constexpr auto kernel = elementwise_kernel<AddArgs<Sum, Real>, add_at<Sum, Real>>(
      doubles ? "add_doubles" : (same ? "add_to" : "add_to_double"));
  static_assert(same || sizeof(Sum) == sizeof(double), "sums are real or double");
  const long count = static_cast<long>(n);
  e.launch(kernel, {count, a, b}, LaunchShape::over(count));
}

// seed[n] for n < num_local: `value`, or per_species[species[n]] where given; 0 for ghosts.
template <typename T>
void energy_seed(const Engine& e, std::size_t num_nodes, std::size_t num_local, const int* species,
                 T value, const T* per_species, T* seed) {
  static constexpr auto kernel = elementwise_kernel<SeedArgs<T>, seed_at<T>>("energy_seed");
  const long count = static_cast<long>(num_nodes);
  e.launch(kernel, {count, static_cast<long>(num_local), value, species, per_species, seed},
           LaunchShape::over(count));
}

template <typename T>
void scale_rows_by_species(const Engine& e, std::size_t rows, int dim, const int* species,
                           const T* factors, T* x) {
  static constexpr auto kernel =
      elementwise_kernel<ScaleRowsArgs<T>, scale_rows_at<T>>("scale_rows_by_species");
  const long count = static_cast<long>(rows) * dim;
  e.launch(kernel, {count, dim, species, factors, x}, LaunchShape::over(count));
}

template <typename T>
void gather_species_rows(const Engine& e, std::size_t rows, int dim, const int* species,
                         const T* table, T* out) {
  static constexpr auto kernel =
      elementwise_kernel<GatherRowsArgs<T>, gather_rows_at<T>>("gather_species_rows");
  const long count = static_cast<long>(rows) * dim;
  e.launch(kernel, {count, dim, species, table, out}, LaunchShape::over(count));
}

// out[index[r]] += in[r] for rows of dim (distinct indices).
template <typename T>
void scatter_add_rows(const Engine& e, std::size_t rows, int dim, const int* index, const T* in,
                      T* out) {
  static constexpr auto kernel = elementwise_kernel<ScatterAddRowsArgs<T>, scatter_add_rows_at<T>>(
      sizeof(T) == sizeof(double) ? "scatter_add_rows_double" : "scatter_add_rows");
  const long count = static_cast<long>(rows) * dim;
  e.launch(kernel, {count, dim, index, in, out}, LaunchShape::over(count));
}

// x[rows][dim]: each row multiplied by (or divided by) its factor.
template <typename T>
void scale_rows(const Engine& e, std::size_t rows, int dim, const T* factors, T* x,
                bool divide = false) {
  static constexpr auto kernel =
      elementwise_kernel<RowFactorArgs<T>, row_factor_at<T>>("row_factors");
  const long count = static_cast<long>(rows) * dim;
  e.launch(kernel, {count, dim, factors, x, divide ? 1 : 0}, LaunchShape::over(count));
}

// x = scale * x + offset (n elements).
template <typename T>
void affine(const Engine& e, std::size_t n, T* x, T scale, T offset) {
  static constexpr auto kernel = elementwise_kernel<AffineArgs<T>, affine_at<T>>("affine");
  const long count = static_cast<long>(n);
  e.launch(kernel, {count, scale, offset, x}, LaunchShape::over(count));
}

// out[rows] += scale * (row dot products of a and b, [rows][dim]).
template <typename T>
void add_row_dots(const Engine& e, std::size_t rows, int dim, const T* a, const T* b, T* out,
                  T scale = T(1)) {
  static constexpr auto kernel = elementwise_kernel<RowDotArgs<T>, row_dot_at<T>>("row_dots");
  const long count = static_cast<long>(rows);
  e.launch(kernel, {count, dim, a, b, out, scale}, LaunchShape::over(count));
}

// out[node] = sum of values over the node's edges in a grouping (offsets, edges).
template <typename T>
void sum_over_edges(const Engine& e, std::size_t nodes, const int* offsets, const int* edges,
                    const T* values, T* out) {
  static constexpr auto kernel =
      elementwise_kernel<ReceiverSumArgs<T>, receiver_sum_at<T>>("receiver_sums");
  const long count = static_cast<long>(nodes);
  e.launch(kernel, {count, offsets, edges, values, out}, LaunchShape::over(count));
}

// out[i] = values[index[i]], n elements.
template <typename T>
void gather(const Engine& e, std::size_t n, const int* index, const T* values, T* out) {
  static constexpr auto kernel = elementwise_kernel<GatherArgs<T>, gather_at<T>>("gather_values");
  const long count = static_cast<long>(n);
  e.launch(kernel, {count, index, values, out}, LaunchShape::over(count));
}

template <typename T>
void node_energies(const Engine& e, std::size_t count, const int* species, const T* values,
                   const double* scale, const double* offset, double* out) {
  static constexpr auto kernel = elementwise_kernel<NodeEnergyArgs<T>, node_energy_at<T>>(
      sizeof(T) == sizeof(double) ? "node_energies_double" : "node_energies");
  const long n = static_cast<long>(count);
  e.launch(kernel, {n, species, values, scale, offset, out}, LaunchShape::over(n));
}

}  // namespace equifuse
