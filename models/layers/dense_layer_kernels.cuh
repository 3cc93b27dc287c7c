// Arguments of the dense-layer kernel of the MLPs (dense_layer.cu on the GPU, dense_layer.cpp on
// the host): z = A[rows][k] B[k][n] (+ bias[n]), out[rows][n] the epilogue of the layer,
//   mode 0: out = z
//   mode 1 (an e3nn hidden layer, forward): saved = z, out = scale * silu(z)
//   mode 2 (the backward through an e3nn hidden layer): out = z * scale * silu'(pre)
#pragma once

#include "models/engine/kernel_prelude.cuh"

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

}  // namespace equifuse
