// Device kernels of the linear map (linear_map_kernels.cuh): one thread per output element,
// summing its blocks.
#include "models/layers/linear_map_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void linear_forward(const LinearMapArgs<real> a) {
  GRID_LOOP(idx, a.rows * a.dim_out) {
    const long row = idx / a.dim_out;
    const int o = static_cast<int>(idx % a.dim_out);
    const real* w = a.weights + (a.species_stride ? a.species[row] * a.species_stride : 0);
    real acc = 0;
    for (int b = 0; b < a.num_blocks; ++b) {
      const LinearBlock& block = a.blocks[b];
      const int rel = o - block.out_offset;
      if (rel < 0 || rel >= block.mul_out * block.dim) continue;
      const int v = rel / block.dim, m = rel % block.dim;
      const real* x = a.x + row * a.dim_in + block.in_offset + m;
      const real* wb = w + block.weight_offset + v;
      for (int u = 0; u < block.mul_in; ++u) acc += wb[u * block.mul_out] * x[u * block.dim];
    }
    if (a.bias) acc += a.bias[o];
    a.out[idx] = a.accumulate ? a.out[idx] + acc : acc;
  }
}

extern "C" __global__ void linear_backward(const LinearMapArgs<real> a) {
  GRID_LOOP(idx, a.rows * a.dim_in) {
    const long row = idx / a.dim_in;
    const int i = static_cast<int>(idx % a.dim_in);
    const real* w = a.weights + (a.species_stride ? a.species[row] * a.species_stride : 0);
    real acc = 0;
    for (int b = 0; b < a.num_blocks; ++b) {
      const LinearBlock& block = a.blocks[b];
      const int rel = i - block.in_offset;
      if (rel < 0 || rel >= block.mul_in * block.dim) continue;
      const int u = rel / block.dim, m = rel % block.dim;
      const real* g = a.x + row * a.dim_out + block.out_offset + m;
      const real* wb = w + block.weight_offset + u;  // transposed: [mul_out][mul_in]
      for (int v = 0; v < block.mul_out; ++v) acc += wb[v * block.mul_in] * g[v * block.dim];
    }
    a.out[idx] = a.accumulate ? a.out[idx] + acc : acc;
  }
}
