// Arguments of the MLP layer kernel (radial_mlp.cu on the GPU, radial_mlp.cpp on the host):
// out[rows][n] = A[rows][k] B[k][n] with the epilogue of the layer,
//   mode 0: out = z
//   mode 1 (a hidden layer, forward): saved = z, out = scale * silu(z)
//   mode 2 (the backward through a hidden layer): out = z * scale * silu'(pre)
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

template <typename Real>
struct DenseLayerArgs {
  long rows;
  int k, n;
  const Real* a;  // [rows][k]
  const Real* b;  // [k][n]
  Real* out;      // [rows][n]
  int mode;
  Real* saved;      // mode 1: [rows][n]
  const Real* pre;  // mode 2: [rows][n]
  Real scale;
};

}  // namespace equifuse
