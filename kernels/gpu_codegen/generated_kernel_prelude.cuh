// The fixed part of every kernel source that equifuse's tensor-product and graph-convolution
// generators emit, inlined after `typedef <float|double> T;` and `#define LANES <warp size>`: only
// the kernels' unrolled bodies are generated (kernel_emitter.hpp). CUDA (NVRTC) and HIP alike.

// Butterfly exchange across the warp (HIP: 64-lane wavefronts, no mask).
#if defined(__HIPCC__)
#define SHUFFLE_XOR(v, o) __shfl_xor(v, o)
#else
#define SHUFFLE_XOR(v, o) __shfl_xor_sync(0xffffffffu, v, o)
#endif

// One warp per row: `lane` is the thread's lane in its warp, rows are visited grid-stride.
#define FOR_EACH_ROW_OF_A_WARP(z, rows)                                        \
  const int lane = threadIdx.x % LANES;                                        \
  const long rows_per_block = blockDim.x / LANES;                              \
  for (long z = blockIdx.x * rows_per_block + threadIdx.x / LANES; z < (rows); \
       z += (long)gridDim.x * rows_per_block)

// The rows of a tensor-product kernel, and those of a graph-convolution kernel: `batch` edges or
// nodes, edge senders and receivers, and the grouping (offsets, edge ids) that node rows walk.
#define BATCH_ROWS long batch
#define GRAPH_ROWS                                                      \
  long batch, const int *__restrict__ SRC, const int *__restrict__ DST, \
      const int *__restrict__ OFFS, const int *__restrict__ EDGES

// The buffers of each direction's kernels, after their rows (tensor_product.hpp defines them).
#define FORWARD_BUFFERS \
  const T* __restrict__ X, const T* __restrict__ Y, const T* __restrict__ W, T* __restrict__ OUT
#define BACKWARD_BUFFERS                                                     \
  const T* __restrict__ X, const T* __restrict__ Y, const T* __restrict__ W, \
      const T* __restrict__ G, T* __restrict__ GX, T* __restrict__ GY, T* __restrict__ GW
#define DOUBLE_BACKWARD_BUFFERS                                                              \
  const T* __restrict__ X, const T* __restrict__ Y, const T* __restrict__ W,                 \
      const T* __restrict__ G, const T* __restrict__ GGX, const T* __restrict__ GGY,         \
      const T* __restrict__ GGW, T* __restrict__ DX, T* __restrict__ DY, T* __restrict__ DW, \
      T* __restrict__ DG
// Shared weights: the weight gradients' reductions over rows.
#define BACKWARD_WEIGHTS_BUFFERS \
  const T* __restrict__ X, const T* __restrict__ Y, const T* __restrict__ G, T* __restrict__ GW
#define DOUBLE_BACKWARD_WEIGHTS_BUFFERS                                      \
  const T* __restrict__ X, const T* __restrict__ Y, const T* __restrict__ G, \
      const T* __restrict__ GGX, const T* __restrict__ GGY, T* __restrict__ DW
