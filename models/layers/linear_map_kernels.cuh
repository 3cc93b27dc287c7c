// Arguments of the linear-map kernels (linear_map.cu on the GPU, linear_map.cpp on the host): a
// block-sparse linear map of node rows, out[r] = W(species[r]) x[r], in e3nn's mul_ir layout. Each
// block maps mul_in copies of one irrep (dim components) at in_offset to mul_out copies at
// out_offset with weights [mul_in][mul_out] at weight_offset:
//   out[out_offset + v*dim + m] += sum_u W[weight_offset + u*mul_out + v] x[in_offset + u*dim + m]
// EquivariantLinear (e3nn Linear) and SpeciesLinear (a tensor product with species attributes)
// both reduce to it.
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

struct LinearBlock {
  int in_offset, out_offset, mul_in, mul_out, dim, weight_offset;
};

// Forward: x [rows][dim_in] -> out [rows][dim_out] (+ bias [dim_out], e3nn's biases of scalar
// outputs, where not null); backward: x is grad_out [rows][dim_out], out is grad_x [rows][dim_in]
// and weights are each block's transpose, W[weight_offset + v*mul_in + u]. accumulate: add into
// out instead of overwriting it.
template <typename Real>
struct LinearMapArgs {
  long rows;
  int dim_in, dim_out, num_blocks;
  const LinearBlock* blocks;
  const Real* weights;  // [species][species_stride], or one set where species_stride is 0
  long species_stride;
  const int* species;
  const Real* bias;
  const Real* x;
  Real* out;
  int accumulate;
};

}  // namespace equifuse
