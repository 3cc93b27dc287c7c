// Device kernels of the MLPs' dense layers (dense_layer_kernels.cuh); dense_layer.cpp picks one by
// precision, as measured on an H200 (bench/results/2026-12-03-h200-profile).
//
// dense_layer (float32): a block computes a 64 x 64 tile of z with 256 threads, each a 4 x 4
// block of it in registers, so that every value read from shared memory feeds four multiply-adds
// (the radial MLPs' last layers, rows = edges and n up to a few thousand, are bound by
// arithmetic, not memory). The k loop runs in slices of 16: the next slice is read from global
// memory into registers while the current one is multiplied.
//
// dense_layer_tensor_cores (float32, opt-in: dense_layer.cpp): the same tiles and slices on the
// tensor cores, mma.sync m16n8k8 in TF32, each product split as 3xTF32 (a = a_big + a_small, the
// same for b; a_small b_big + a_big b_small + a_big b_big, the a_small b_small term dropped) so
// that the result keeps float32's accuracy (~2^-22 per product) rather than TF32's 2^-11. The sums
// are in the tensor cores' order, not the host loop's. Before sm_80 it runs dense_layer's code.
//
// dense_layer_small_tiles (float64): 32 x 32 tiles, 256 threads with 4 rows each. In float64 the
// register-blocked kernel measured slower in the whole model (8% at 10^4-10^5 atoms); likely
// because a block of streamed edges holds half as many rows there, so that 64-row tiles fill
// about two waves of blocks and a near-empty third (not profiled).
//
// dense_layer and dense_layer_small_tiles sum each output's k terms in order, as the host loop
// does. Row tiles run along x (no 65535 limit), column tiles along y.
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

// What a thread of a 64 x 64 tile copies of each k slice: four consecutive k of one row of A, four
// consecutive columns of one k of B, read into registers while the previous slice is multiplied
// (zeros past rows, k and n). dense_layer and its tensor-core variant share it.
template <typename T>
struct DenseSliceFetch {
  int a_row, a_k, b_k, b_col;
  long a_grow;
  int b_gcol;
  T a_next[4], b_next[4];

  __device__ DenseSliceFetch(int t, long row0, int col0)
      : a_row(t / 4),
        a_k((t % 4) * 4),
        b_k(t / 16),
        b_col((t % 16) * 4),
        a_grow(row0 + a_row),
        b_gcol(col0 + b_col) {}

  __device__ void fetch(const DenseLayerArgs<T>& a, int k0) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const int ak = k0 + a_k + q;
      a_next[q] = (a_grow < a.rows && ak < a.k) ? a.a[a_grow * a.k + ak] : T(0);
      const int bk = k0 + b_k, bc = b_gcol + q;
      b_next[q] = (bk < a.k && bc < a.n) ? a.b[static_cast<long>(bk) * a.n + bc] : T(0);
    }
  }
};

// dense_layer's body (also the tensor-core kernel's before sm_80).
__device__ inline void dense_layer_register_blocked(const DenseLayerArgs<real>& a) {
  // A's slice is stored transposed (k-major) so that a thread's four rows are adjacent; the
  // padding keeps the transposed stores off one bank and the rows 16-byte aligned.
  __shared__ __align__(16) real As[DENSE_SLICE][DENSE_TILE_ROWS + 4];
  __shared__ __align__(16) real Bs[DENSE_SLICE][DENSE_TILE_COLS];
  const long row0 = blockIdx.x * static_cast<long>(DENSE_TILE_ROWS);
  const int col0 = blockIdx.y * DENSE_TILE_COLS;
  const int t = threadIdx.x;
  const int tx = t % 16, ty = t / 16;  // this thread's columns 4tx.., rows 4ty..
  DenseSliceFetch<real> slice(t, row0, col0);

  real acc[4][4];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 4; ++j) acc[i][j] = real(0);

  slice.fetch(a, 0);
  for (int k0 = 0; k0 < a.k; k0 += DENSE_SLICE) {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      As[slice.a_k + q][slice.a_row] = slice.a_next[q];
      Bs[slice.b_k][slice.b_col + q] = slice.b_next[q];
    }
    __syncthreads();
    if (k0 + DENSE_SLICE < a.k) slice.fetch(a, k0 + DENSE_SLICE);
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

extern "C" __global__ void __launch_bounds__(256) dense_layer(const DenseLayerArgs<real> a) {
  dense_layer_register_blocked(a);
}

// One m16n8k8 TF32 product-accumulate of a warp: d += A B, fragments as PTX lays them out.
__device__ inline void mma_tf32(float d[4], const unsigned a[4], const unsigned b[2]) {
#if __CUDA_ARCH__ >= 800
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

// x as TF32 (round to nearest, ties away), and what that leaves of x, as TF32 too.
__device__ inline void split_tf32(float x, unsigned& big, unsigned& small) {
#if __CUDA_ARCH__ >= 800
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(big) : "f"(x));
  const float rest = x - __uint_as_float(big);
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(small) : "f"(rest));
#endif
}

#define DENSE_TC_B_STRIDE (DENSE_TILE_COLS + 8)

// The tensor-core tile of float32. 8 warps: warp w owns rows 16 (w % 4).. and columns 32 (w / 4)..
// of the block's 64 x 64 tile, four m16n8 accumulators. A's slice is stored k-major as in
// dense_layer (its padding of 4 leaves the fragment reads 2-way conflicted); B's rows are padded
// by 8 so that a fragment's 32 reads fall in 32 banks.
__device__ inline void dense_layer_mma(const DenseLayerArgs<float>& a) {
  __shared__ __align__(16) float As[DENSE_SLICE][DENSE_TILE_ROWS + 4];
  __shared__ __align__(16) float Bs[DENSE_SLICE][DENSE_TC_B_STRIDE];
  const long row0 = blockIdx.x * static_cast<long>(DENSE_TILE_ROWS);
  const int col0 = blockIdx.y * DENSE_TILE_COLS;
  const int t = threadIdx.x;
  const int lane = t % 32, warp = t / 32;
  const int group = lane / 4, quad = lane % 4;  // PTX's groupID and threadID_in_group
  const int warp_row = 16 * (warp % 4), warp_col = 32 * (warp / 4);
  DenseSliceFetch<float> slice(t, row0, col0);

  float acc[4][4];
#pragma unroll
  for (int j = 0; j < 4; ++j)
#pragma unroll
    for (int q = 0; q < 4; ++q) acc[j][q] = 0.0f;

  slice.fetch(a, 0);
  for (int k0 = 0; k0 < a.k; k0 += DENSE_SLICE) {
#pragma unroll
    for (int q = 0; q < 4; ++q) As[slice.a_k + q][slice.a_row] = slice.a_next[q];
    *reinterpret_cast<float4*>(&Bs[slice.b_k][slice.b_col]) =
        make_float4(slice.b_next[0], slice.b_next[1], slice.b_next[2], slice.b_next[3]);
    __syncthreads();
    if (k0 + DENSE_SLICE < a.k) slice.fetch(a, k0 + DENSE_SLICE);
      // Zeros past k pad the last slice, so every k8 step runs whole.
#pragma unroll
    for (int kk = 0; kk < DENSE_SLICE; kk += 8) {
      if (k0 + kk >= a.k) break;
      unsigned a_big[4], a_small[4];
      split_tf32(As[kk + quad][warp_row + group], a_big[0], a_small[0]);
      split_tf32(As[kk + quad][warp_row + group + 8], a_big[1], a_small[1]);
      split_tf32(As[kk + quad + 4][warp_row + group], a_big[2], a_small[2]);
      split_tf32(As[kk + quad + 4][warp_row + group + 8], a_big[3], a_small[3]);
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int c = warp_col + 8 * j + group;
        unsigned b_big[2], b_small[2];
        split_tf32(Bs[kk + quad][c], b_big[0], b_small[0]);
        split_tf32(Bs[kk + quad + 4][c], b_big[1], b_small[1]);
        mma_tf32(acc[j], a_small, b_big);
        mma_tf32(acc[j], a_big, b_small);
        mma_tf32(acc[j], a_big, b_big);
      }
    }
    __syncthreads();
  }

  // Accumulator q of tile j: row group (+8 for q >= 2), column 2 quad (+1 for odd q).
#pragma unroll
  for (int j = 0; j < 4; ++j)
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const long gr = row0 + warp_row + group + (q >= 2 ? 8 : 0);
      const int gc = col0 + warp_col + 8 * j + 2 * quad + (q % 2);
      if (gr >= a.rows || gc >= a.n) continue;
      dense_layer_store(a, gr * a.n + gc, a.bias ? acc[j][q] + a.bias[gc] : acc[j][q]);
    }
}

// The same tile, fed through a 4-stage cp.async pipeline: global memory goes straight to shared
// memory, three slices ahead of the one being multiplied, so that a block waits on a load latency
// once per launch rather than once per slice (dense_layer_mma holds one slice in registers). The
// fragments, k steps and mma order are dense_layer_mma's, so the two give the same bits.
#define DENSE_TC_STAGES 4
#define DENSE_TC_A_STRIDE (DENSE_SLICE + 4)

// Copies 4 or 16 bytes of global memory to shared memory asynchronously; `bytes` 0 writes zeros
// (src is then not read, but must still be a valid address).
__device__ inline void cp_async(void* dst, const void* src, int size, int bytes) {
#if __CUDA_ARCH__ >= 800
  const auto d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  if (size == 16)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(d), "l"(src), "r"(bytes));
  else
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(d), "l"(src), "r"(bytes));
#endif
}
__device__ inline void cp_async_commit() {
#if __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;\n" ::);
#endif
}
template <int pending>
__device__ inline void cp_async_wait() {
#if __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_group %0;\n" ::"n"(pending));
#endif
}

// A thread's share of one slice: four consecutive k of one row of A, four consecutive columns of
// one k of B (as DenseSliceFetch), in one 16-byte copy each where the row allows, else four of 4.
__device__ inline void dense_tc_copy_slice(const DenseLayerArgs<float>& a, int t, long row0,
                                           int col0, int k0, float (*As)[DENSE_TC_A_STRIDE],
                                           float (*Bs)[DENSE_TC_B_STRIDE]) {
  const int a_row = t / 4, a_k = (t % 4) * 4, b_k = t / 16, b_col = (t % 16) * 4;
  const long gr = row0 + a_row;
  const int ak = k0 + a_k, bk = k0 + b_k, bc = col0 + b_col;
  const bool row_ok = gr < a.rows, bk_ok = bk < a.k;
  // 16-byte copies need 16-byte aligned rows: k (or n) a multiple of 4 and an aligned base.
  if (a.k % 4 == 0 && reinterpret_cast<unsigned long>(a.a) % 16 == 0) {
    const bool ok = row_ok && ak < a.k;  // all four or none
    cp_async(&As[a_row][a_k], ok ? a.a + gr * a.k + ak : a.a, 16, ok ? 16 : 0);
  } else {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const bool ok = row_ok && ak + q < a.k;
      cp_async(&As[a_row][a_k + q], ok ? a.a + gr * a.k + ak + q : a.a, 4, ok ? 4 : 0);
    }
  }
  if (a.n % 4 == 0 && reinterpret_cast<unsigned long>(a.b) % 16 == 0) {
    const bool ok = bk_ok && bc < a.n;
    cp_async(&Bs[b_k][b_col], ok ? a.b + static_cast<long>(bk) * a.n + bc : a.b, 16, ok ? 16 : 0);
  } else {
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const bool ok = bk_ok && bc + q < a.n;
      cp_async(&Bs[b_k][b_col + q], ok ? a.b + static_cast<long>(bk) * a.n + bc + q : a.b, 4,
               ok ? 4 : 0);
    }
  }
}

__device__ inline void dense_layer_mma_pipelined(const DenseLayerArgs<float>& a) {
  // A row-major (stride 20: a fragment's 32 reads fall in 32 banks), B as in dense_layer_mma.
  __shared__ __align__(16) float As[DENSE_TC_STAGES][DENSE_TILE_ROWS][DENSE_TC_A_STRIDE];
  __shared__ __align__(16) float Bs[DENSE_TC_STAGES][DENSE_SLICE][DENSE_TC_B_STRIDE];
  const long row0 = blockIdx.x * static_cast<long>(DENSE_TILE_ROWS);
  const int col0 = blockIdx.y * DENSE_TILE_COLS;
  const int t = threadIdx.x;
  const int lane = t % 32, warp = t / 32;
  const int group = lane / 4, quad = lane % 4;
  const int warp_row = 16 * (warp % 4), warp_col = 32 * (warp / 4);
  const int slices = (a.k + DENSE_SLICE - 1) / DENSE_SLICE;

  float acc[4][4];
#pragma unroll
  for (int j = 0; j < 4; ++j)
#pragma unroll
    for (int q = 0; q < 4; ++q) acc[j][q] = 0.0f;

      // One commit group per slice (empty past the last), so that waiting for all but the
      // DENSE_TC_STAGES - 2 newest groups means this thread's copies of slice i have landed.
#pragma unroll
  for (int s = 0; s < DENSE_TC_STAGES - 1; ++s) {
    if (s < slices) dense_tc_copy_slice(a, t, row0, col0, s * DENSE_SLICE, As[s], Bs[s]);
    cp_async_commit();
  }
  for (int i = 0; i < slices; ++i) {
    cp_async_wait<DENSE_TC_STAGES - 2>();
    // Every thread's copies of slice i are visible, and every warp is done with slice i - 1,
    // whose stage the copy below refills.
    __syncthreads();
    const int ahead = i + DENSE_TC_STAGES - 1;
    if (ahead < slices)
      dense_tc_copy_slice(a, t, row0, col0, ahead * DENSE_SLICE, As[ahead % DENSE_TC_STAGES],
                          Bs[ahead % DENSE_TC_STAGES]);
    cp_async_commit();
    const float(*as)[DENSE_TC_A_STRIDE] = As[i % DENSE_TC_STAGES];
    const float(*bs)[DENSE_TC_B_STRIDE] = Bs[i % DENSE_TC_STAGES];
    const int k0 = i * DENSE_SLICE;
#pragma unroll
    for (int kk = 0; kk < DENSE_SLICE; kk += 8) {
      if (k0 + kk >= a.k) break;
      unsigned a_big[4], a_small[4];
      split_tf32(as[warp_row + group][kk + quad], a_big[0], a_small[0]);
      split_tf32(as[warp_row + group + 8][kk + quad], a_big[1], a_small[1]);
      split_tf32(as[warp_row + group][kk + quad + 4], a_big[2], a_small[2]);
      split_tf32(as[warp_row + group + 8][kk + quad + 4], a_big[3], a_small[3]);
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int c = warp_col + 8 * j + group;
        unsigned b_big[2], b_small[2];
        split_tf32(bs[kk + quad][c], b_big[0], b_small[0]);
        split_tf32(bs[kk + quad + 4][c], b_big[1], b_small[1]);
        mma_tf32(acc[j], a_small, b_big);
        mma_tf32(acc[j], a_big, b_small);
        mma_tf32(acc[j], a_big, b_big);
      }
    }
  }

#pragma unroll
  for (int j = 0; j < 4; ++j)
#pragma unroll
    for (int q = 0; q < 4; ++q) {
      const long gr = row0 + warp_row + group + (q >= 2 ? 8 : 0);
      const int gc = col0 + warp_col + 8 * j + 2 * quad + (q % 2);
      if (gr >= a.rows || gc >= a.n) continue;
      dense_layer_store(a, gr * a.n + gc, a.bias ? acc[j][q] + a.bias[gc] : acc[j][q]);
    }
}

// float64 has no TF32 tile: its library keeps the entry point (one source for both precisions),
// which dense_layer.cpp never launches. A template, so that the float32 library never compiles it.
template <typename T>
__device__ inline void dense_layer_mma(const DenseLayerArgs<T>& a) {
  dense_layer_register_blocked(a);
}
template <typename T>
__device__ inline void dense_layer_mma_pipelined(const DenseLayerArgs<T>& a) {
  dense_layer_register_blocked(a);
}

extern "C" __global__ void __launch_bounds__(256)
    dense_layer_tensor_cores(const DenseLayerArgs<real> a) {
#if __CUDA_ARCH__ >= 800
  dense_layer_mma(a);
#else
  dense_layer_register_blocked(a);
#endif
}

extern "C" __global__ void __launch_bounds__(256)
    dense_layer_tensor_cores_pipelined(const DenseLayerArgs<real> a) {
#if __CUDA_ARCH__ >= 800
  dense_layer_mma_pipelined(a);
#else
  dense_layer_register_blocked(a);
#endif
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
