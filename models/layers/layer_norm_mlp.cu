// Device kernels of LayerNormMlp's layer norms (layer_norm_mlp_kernels.cuh): one thread per row.
#include "models/layers/layer_norm_mlp_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void layer_norm_silu_forward(const LayerNormSiluArgs<real> a) {
  GRID_LOOP(r, a.rows) layer_norm_silu_forward_at(a, r);
}

extern "C" __global__ void layer_norm_silu_backward(const LayerNormSiluArgs<real> a) {
  GRID_LOOP(r, a.rows) layer_norm_silu_backward_at(a, r);
}
