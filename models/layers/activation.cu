// Device kernels of the scaled SiLU (activation.cuh).
#include "models/layers/activation.cuh"

using namespace equifuse;

extern "C" __global__ void scaled_silu(const ScaledSiluArgs<real> a) {
  GRID_LOOP(i, a.n) scaled_silu_at(a, i);
}
extern "C" __global__ void scaled_silu_backward(const ScaledSiluBackwardArgs<real> a) {
  GRID_LOOP(i, a.n) scaled_silu_backward_at(a, i);
}
