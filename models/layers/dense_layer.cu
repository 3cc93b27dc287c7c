// Device kernels of the MLPs' dense layers (dense_layer_kernels.cuh); dense_layer.cpp picks one by
// precision, as measured on an H200 (bench/results/2026-12-03-h200-profile).
//
// dense_layer (float32): a block computes a 64 x 64 tile of z with 256 threads, each a 4 x 4
// block of it in registers, so that every value read from shared memory feeds four multiply-adds
// (the radial MLPs' last layers, rows = edges and n up to a few thousand, are bound by
// arithmetic, not memory). The k loop runs in slices of 16: the next slice is read from global
// memory into registers while the current one is multiplied.
//
// dense_layer_small_tiles (float64): 32 x 32 tiles, 256 threads with 4 rows each. In float64 the
// register-blocked kernel measured slower in the whole model (8% at 10^4-10^5 atoms); likely
// because a block of streamed edges holds half as many rows there, so that 64-row tiles fill
// about two waves of blocks and a near-empty third (not profiled).
//
// Each output sums its k terms in order, as the host loop does. Row tiles run along x (no 65535
// limit), column tiles along y.
#include "models/layers/dense_layer_kernels.cuh"

using namespace equifuse;

#define DENSE_TILE_ROWS 64
#define DENSE_TILE_COLS 64
#define DENSE_SLICE 16

// Four adjacent values of a 16-byte aligned row of shared memory, in one or two vector loads.
__device__ inline void dense_load4(const float* p, float v[4]) {
  const float4 x = *reinterpret_cast<const float4*>(p);
  v[0] = x.x, v[1] = x.y, v[2] = x.z, v[3] = x.w;
}
__device__ inline void dense_load4(const double* p, double v[4]) {
  const double2 x = reinterpret_cast<const double2*>(p)[0],
                y = reinterpret_cast<const double2*>(p)[1];
  v[0] = x.x, v[1] = x.y, v[2] = y.x, v[3] = y.y;
}

extern "C" __global__ void __launch_bounds__(256) dense_layer(const DenseLayerArgs<real> a) {
  // A's slice is stored transposed (k-major) so that a thread's four rows are adjacent; the
  // padding keeps the transposed stores off one bank and the rows 16-byte aligned.
  __shared__ __align__(16) real As[DENSE_SLICE][DENSE_TILE_ROWS + 4];
  __shared__ __align__(16) real Bs[DENSE_SLICE][DENSE_TILE_COLS];
  const long row0 = blockIdx.x * static_cast<long>(DENSE_TILE_ROWS);
  const int col0 = blockIdx.y * DENSE_TILE_COLS;
  const int t = threadIdx.x;
  const int tx = t % 16, ty = t / 16;  // this thread's columns 4tx.., rows 4ty..
  // What this thread copies of each slice: four consecutive k of one row of A, four consecutive
  // columns of one k of B.
  const int a_row = t / 4, a_k = (t % 4) * 4;
  const int b_k = t / 16, b_col = (t % 16) * 4;
  const long a_grow = row0 + a_row;
  const int b_gcol = col0 + b_col;

  real a_next[4], b_next[4];
  const auto fetch = [&](int k0) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const int ak = k0 + a_k + q;
      a_next[q] = (a_grow < a.rows && ak < a.k) ? a.a[a_grow * a.k + ak] : real(0);
      const int bk = k0 + b_k, bc = b_gcol + q;
      b_next[q] = (bk < a.k && bc < a.n) ? a.b[static_cast<long>(bk) * a.n + bc] : real(0);
    }
  };

  real acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) acc[i][j] = real(0);

  fetch(0);
  for (int k0 = 0; k0 < a.k; k0 += DENSE_SLICE) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      As[a_k + q][a_row] = a_next[q];
      Bs[b_k][b_col + q] = b_next[q];
    }
    __syncthreads();
    if (k0 + DENSE_SLICE < a.k) fetch(k0 + DENSE_SLICE);
    const int kmax = a.k - k0 < DENSE_SLICE ? a.k - k0 : DENSE_SLICE;
#pragma unroll
    for (int kk = 0; kk < DENSE_SLICE; ++kk) {
      if (kk == kmax) break;
      real av[4], bv[4];
      dense_load4(&As[kk][4 * ty], av);
      dense_load4(&Bs[kk][4 * tx], bv);
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
    }
    __syncthreads();
  }

#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const long gr = row0 + 4 * ty + i;
    if (gr >= a.rows) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int gc = col0 + 4 * tx + j;
      if (gc >= a.n) continue;
      dense_layer_store(a, gr * a.n + gc, a.bias ? acc[i][j] + a.bias[gc] : acc[i][j]);
    }
  }
}

#define DENSE_SMALL_TILE 32

extern "C" __global__ void dense_layer_small_tiles(const DenseLayerArgs<real> a) {
  __shared__ real As[DENSE_SMALL_TILE][DENSE_SMALL_TILE + 1];
  __shared__ real Bs[DENSE_SMALL_TILE][DENSE_SMALL_TILE + 1];
  const long row0 = blockIdx.x * static_cast<long>(DENSE_SMALL_TILE);
  const int col0 = blockIdx.y * DENSE_SMALL_TILE;
  const int tx = threadIdx.x % DENSE_SMALL_TILE, ty = threadIdx.x / DENSE_SMALL_TILE;
  real acc[4] = {0, 0, 0, 0};
  for (int k0 = 0; k0 < a.k; k0 += DENSE_SMALL_TILE) {
    for (int r = ty; r < DENSE_SMALL_TILE; r += 8) {
      const long gr = row0 + r;
      const int gk = k0 + tx;
      As[r][tx] = (gr < a.rows && gk < a.k) ? a.a[gr * a.k + gk] : real(0);
      const int bk = k0 + r, bc = col0 + tx;
      Bs[r][tx] = (bk < a.k && bc < a.n) ? a.b[static_cast<long>(bk) * a.n + bc] : real(0);
    }
    __syncthreads();
    for (int kk = 0; kk < DENSE_SMALL_TILE; ++kk) {
      const real b = Bs[kk][tx];
      for (int q = 0; q < 4; ++q) acc[q] += As[ty + 8 * q][kk] * b;
    }
    __syncthreads();
  }
  for (int q = 0; q < 4; ++q) {
    const long gr = row0 + ty + 8 * q;
    const int gc = col0 + tx;
    if (gr >= a.rows || gc >= a.n) continue;
    dense_layer_store(a, gr * a.n + gc, a.bias ? acc[q] + a.bias[gc] : acc[q]);
  }
}
