// Arguments of the dense-layer kernel of the MLPs (dense_layer.cu on the GPU, dense_layer.cpp on
// the host): z = A[rows][k] B[k][n] (+ bias[n]), out[rows][n] the epilogue of the layer,
//   mode 0: out = z
//   mode 1 (an e3nn hidden layer, forward): saved = z, out = scale * silu(z)
//   mode 2 (the backward through an e3nn hidden layer): out = z * scale * silu'(pre)
#pragma once

#include "models/engine/kernel_prelude.cuh"
#include "models/layers/activation.cuh"

namespace equifuse {

template <typename Real>
struct DenseLayerArgs {
  long rows;
  int k, n;
  const Real* a;     // [rows][k]
  const Real* b;     // [k][n]
  const Real* bias;  // [n] or null
  Real* out;         // [rows][n]
  int mode;
  Real* saved;      // mode 1: [rows][n]
  const Real* pre;  // mode 2: [rows][n]
  Real scale;
};

// The epilogue of one output: z (the sum, bias included) stored as the mode says; the host loop
// and every device kernel end with it.
template <typename Real>
EQUIFUSE_HD inline void dense_layer_store(const DenseLayerArgs<Real>& a, long idx, Real z) {
  if (a.mode == 1) {
    a.saved[idx] = z;
    a.out[idx] = a.scale * silu(z);
  } else if (a.mode == 2) {
    a.out[idx] = z * a.scale * silu_derivative(a.pre[idx]);
  } else {
    a.out[idx] = z;
  }
}

}  // namespace equifuse
