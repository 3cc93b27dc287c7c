// Device kernel of the MLPs' dense layers (dense_layer_kernels.cuh): 32 x 32 tiles through shared
// memory, 256 threads with 4 rows each; the row tiles run along x (no 65535 limit).
#include "models/layers/activation.cuh"
#include "models/layers/dense_layer_kernels.cuh"

using namespace equifuse;

#define MLP_TILE 32

extern "C" __global__ void dense_layer(const DenseLayerArgs<real> a) {
  __shared__ real As[MLP_TILE][MLP_TILE + 1];
  __shared__ real Bs[MLP_TILE][MLP_TILE + 1];
  const long row0 = blockIdx.x * static_cast<long>(MLP_TILE);
  const int col0 = blockIdx.y * MLP_TILE;
  const int tx = threadIdx.x % MLP_TILE, ty = threadIdx.x / MLP_TILE;
  real acc[4] = {0, 0, 0, 0};
  for (int k0 = 0; k0 < a.k; k0 += MLP_TILE) {
    for (int r = ty; r < MLP_TILE; r += 8) {
      const long gr = row0 + r;
      const int gk = k0 + tx;
      As[r][tx] = (gr < a.rows && gk < a.k) ? a.a[gr * a.k + gk] : real(0);
      const int bk = k0 + r, bc = col0 + tx;
      Bs[r][tx] = (bk < a.k && bc < a.n) ? a.b[static_cast<long>(bk) * a.n + bc] : real(0);
    }
    __syncthreads();
    for (int kk = 0; kk < MLP_TILE; ++kk) {
      const real b = Bs[kk][tx];
      for (int q = 0; q < 4; ++q) acc[q] += As[ty + 8 * q][kk] * b;
    }
    __syncthreads();
  }
  for (int q = 0; q < 4; ++q) {
    const long gr = row0 + ty + 8 * q;
    const int gc = col0 + tx;
    if (gr >= a.rows || gc >= a.n) continue;
    const long idx = gr * a.n + gc;
    const real z = a.bias ? acc[q] + a.bias[gc] : acc[q];
    if (a.mode == 1) {
      a.saved[idx] = z;
      a.out[idx] = a.scale * silu(z);
    } else if (a.mode == 2) {
      a.out[idx] = z * a.scale * silu_derivative(a.pre[idx]);
    } else {
      a.out[idx] = z;
    }
  }
}
