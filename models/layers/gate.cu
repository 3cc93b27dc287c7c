// Device kernels of the gate (gate_kernels.cuh): forward one thread per output element, backward
// one thread per row.
#include "models/layers/gate_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void gate_forward(const GateArgs<real> a) {
  const int dim_out = a.num_scalars + a.num_gated;
  GRID_LOOP(idx, a.rows * dim_out) {
    const long row = idx / dim_out;
    const int o = static_cast<int>(idx % dim_out);
    const real* x = a.x + row * a.dim_in;
    if (o < a.num_scalars) {
      a.out[idx] =
          a.scalar_scale[o] * gate_activation(a.scalar_activation[o], x[a.scalar_index[o]]);
    } else {
      const int j = o - a.num_scalars, c = a.gated_gate[j];
      a.out[idx] = x[a.gated_index[j]] *
                   (a.gate_scale[c] * gate_activation(a.gate_activation[c], x[a.gate_index[c]]));
    }
  }
}

extern "C" __global__ void gate_backward(const GateArgs<real> a) {
  const int dim_out = a.num_scalars + a.num_gated;
  GRID_LOOP(row, a.rows) {
    const real* x = a.x + row * a.dim_in;
    const real* g = a.grad_out + row * dim_out;
    real* gx = a.out + row * a.dim_in;
    for (int k = 0; k < a.num_scalars; ++k) {
      const int i = a.scalar_index[k];
      gx[i] += g[k] * a.scalar_scale[k] * gate_activation_derivative(a.scalar_activation[k], x[i]);
    }
    for (int j = 0; j < a.num_gated; ++j) {
      const int c = a.gated_gate[j];
      const real z = x[a.gate_index[c]];
      const real go = g[a.num_scalars + j];
      gx[a.gated_index[j]] += go * (a.gate_scale[c] * gate_activation(a.gate_activation[c], z));
      gx[a.gate_index[c]] += go * x[a.gated_index[j]] * a.gate_scale[c] *
                             gate_activation_derivative(a.gate_activation[c], z);
    }
  }
}
