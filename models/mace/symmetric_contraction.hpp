// MACE's symmetric contraction (product basis, Batatia et al. 2022, eqs. 10-11): for a node of
// species e with features x[c][i] (channel c, i over the components of the coupled irreps),
// output irrep o, component m:
//   out[c][m] = sum_{nu=1..correlation} sum_{i_1..i_nu} sum_k U_nu[m][i_1..i_nu][k] W_nu[e][k][c]
//               * x[c][i_1] ... x[c][i_nu]
// U_nu are MACE's generalised Clebsch-Gordan bases, read from the potential file (they depend on
// MACE's numerical construction, so they are not recomputed here). At construction the sum over
// k is folded into per-species coefficients of each distinct monomial (m, sorted i_1..i_nu), so
// evaluation is a sum of coefficient * product over the non-zero monomials (tables in
// symmetric_contraction_kernels.cuh). Keeps nothing for its backward but its input, which the
// caller holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/engine/engine.hpp"
#include "models/mace/symmetric_contraction_kernels.cuh"

namespace equifuse {

// U_nu in coordinate form: indices [nnz][nu + 2] = (m, i_1..i_nu, k), values [nnz].
struct CouplingTensor {
  std::vector<std::int32_t> indices;
  std::vector<double> values;
};

struct ContractionParameters {
  Irrep irrep;  // output irrep (one block of `num_channels` copies)
  int correlation = 0;
  std::vector<CouplingTensor> couplings;     // nu = 1..correlation
  std::vector<std::vector<double>> weights;  // nu = 1..correlation: [species][K_nu][channels]
  std::vector<int> num_coupling_weights;     // K_nu
};

template <typename T>
class SymmetricContraction {
 public:
  // irreps_in: C copies of each coupled irrep ("Cx0e+Cx1o+..."); irreps_out: "Cx<irrep>+...",
  // one contraction per output block.
  SymmetricContraction(const Engine& engine, const Irreps& irreps_in, const Irreps& irreps_out,
                       int num_species, const std::vector<ContractionParameters>& contractions);

  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  void forward(std::size_t rows, const T* x, const int* species, T* out) const;
  // grad_x[rows][dim_in] += d<grad_out, out>/dx at x.
  void backward(std::size_t rows, const T* x, const int* species, const T* grad_out,
                T* grad_x) const;

 private:
  SymmetricContractionArgs<T> args(std::size_t rows, const T* x, const int* species,
                                   const T* grad_out, T* out) const;

  const Engine& engine_;
  int channels_ = 0, num_components_ = 0, num_outputs_ = 0, dim_in_ = 0, dim_out_ = 0;
  Buffer<int> component_base_, component_stride_;
  Buffer<ContractionOutput> outputs_;
  Buffer<ContractionMonomial> monomials_;
  Buffer<T> coefficients_;
};

}  // namespace equifuse
