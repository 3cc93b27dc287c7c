// MACE's symmetric contraction (product basis, Batatia et al. 2022, eqs. 10-11): for a node of
// species e with features x[c][i] (channel c, i over the components of the coupled irreps),
// output irrep o, component m:
//   out[c][m] = sum_{nu=1..correlation} sum_{i_1..i_nu} sum_k U_nu[m][i_1..i_nu][k] W_nu[e][k][c]
//               * x[c][i_1] ... x[c][i_nu]
// U_nu are MACE's generalised Clebsch-Gordan bases, read from the potential file (they depend on
// MACE's numerical construction, so they are not recomputed here). At construction the sum over
// k is folded into per-species coefficients of each distinct monomial (m, sorted i_1..i_nu), so
// evaluation is a sum of coefficient * product over the non-zero monomials, vectorised over c.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

inline constexpr int kMaxCorrelation = 6;

// U_nu in coordinate form: indices [nnz][nu + 2] = (m, i_1..i_nu, k), values [nnz].
struct CouplingTensor {
  std::vector<std::int32_t> indices;
  std::vector<double> values;
};

struct ContractionParameters {
  Irrep irrep;                            // output irrep (one block of `num_channels` copies)
  int correlation = 0;
  std::vector<CouplingTensor> couplings;  // nu = 1..correlation
  std::vector<std::vector<double>> weights;  // nu = 1..correlation: [species][K_nu][channels]
  std::vector<int> num_coupling_weights;     // K_nu
};

template <typename T>
class SymmetricContraction {
 public:
  // irreps_in: C copies of each coupled irrep ("Cx0e+Cx1o+..."); irreps_out: "Cx<irrep>+...",
  // one contraction per output block.
  SymmetricContraction(const Irreps& irreps_in, const Irreps& irreps_out, int num_species,
                       const std::vector<ContractionParameters>& contractions);

  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  void forward(std::size_t rows, const T* x, const int* species, T* out) const;
  // grad_x[rows][dim_in] += d<grad_out, out>/dx at x.
  void backward_accumulate(std::size_t rows, const T* x, const int* species, const T* grad_out,
                           T* grad_x) const;

  // The folded tables (for other backends).
  struct Monomial {
    int m;
    int degree;
    int i[kMaxCorrelation];
  };
  struct Output {
    int offset, dim;                // block in the output row
    std::vector<Monomial> monomials;
    std::vector<T> coefficients;    // [species][monomials][channels]
  };
  const std::vector<Output>& outputs() const { return outputs_; }
  int channels() const { return channels_; }
  int num_species() const { return num_species_; }
  const std::vector<int>& component_base() const { return component_base_; }
  const std::vector<int>& component_stride() const { return component_stride_; }

 private:
  // Gathers row r of x into xt[i][c].
  void gather(const T* row, T* xt) const;

  int channels_ = 0, num_components_ = 0, num_species_ = 0, dim_in_ = 0, dim_out_ = 0;
  std::vector<int> component_base_, component_stride_;  // x[c][i] = row[base_i + c * stride_i]
  std::vector<Output> outputs_;
};

}  // namespace equifuse
