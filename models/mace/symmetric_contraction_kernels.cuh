// Arguments of the symmetric-contraction kernels (symmetric_contraction.cu on the GPU,
// symmetric_contraction.cpp on the host) and their tables: per output block its monomials
// (m, sorted component indices i_1..i_degree) and, per species, monomial and channel, the folded
// coefficient (symmetric_contraction.hpp):
//   out[c][offset + c * dim + m] += coefficients[species][monomial][c] * prod_j x[c][i_j]
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

inline constexpr int kMaxCorrelation = 6;

struct ContractionOutput {
  int offset, dim;                    // the block in the output row
  int first_monomial, num_monomials;  // in the monomial table
  int coefficient_offset;             // [species][num_monomials][channels] from here
};

struct ContractionMonomial {
  int m, degree;
  int i[kMaxCorrelation];  // component indices, the first `degree` used
};

// Forward: out [rows][dim_out]; backward: grad_out [rows][dim_out] -> out = grad_x +=
// [rows][dim_in].
template <typename Real>
struct SymmetricContractionArgs {
  long rows;
  int channels, dim_in, dim_out, num_components;
  const int* component_base;  // x[c][i] = row[component_base[i] + c * component_stride[i]]
  const int* component_stride;
  int num_outputs;
  const ContractionOutput* outputs;
  const ContractionMonomial* monomials;
  const Real* coefficients;
  const int* species;  // null: one set of coefficients for every row (agnostic products)
  const Real* x;
  const Real* grad_out;
  Real* out;
};

// Limits of the device kernels' local arrays.
inline constexpr int kMaxContractionComponents = 64;  // coupled irreps up to l = 6
inline constexpr int kMaxContractionOutputDim = 13;   // output irreps up to l = 6

}  // namespace equifuse
