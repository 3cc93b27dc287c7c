// Device kernel of the non-linear interaction block's MLP inputs
// (nonlinear_interaction_kernels.cuh).
#include "models/mace/nonlinear_interaction_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void edge_mlp_inputs(const EdgeMlpInputsArgs<real> a) {
  GRID_LOOP(e, a.n) edge_mlp_inputs_at(a, e);
}
