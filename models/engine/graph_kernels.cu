// Device kernels of the graph steps every model shares (arguments: graph_kernels.cuh).
#include "models/engine/graph_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void count_edges_per_node(const CountEdgesArgs a) {
  GRID_LOOP(e, a.edges) atomicAdd(&a.counts[a.node_of_edge[e]], 1);
}

// Inclusive scan of s[0..1024) in shared memory by a block of 1024 threads, each holding its value
// in s[threadIdx.x]; every thread may read s afterwards.
__device__ void block_inclusive_scan_1024(int* s) {
  __syncthreads();
  for (int d = 1; d < 1024; d *= 2) {
    const int add = threadIdx.x >= d ? s[threadIdx.x - d] : 0;
    __syncthreads();
    s[threadIdx.x] += add;
    __syncthreads();
  }
}

extern "C" __global__ void scan_blocks(const ScanBlocksArgs a) {
  __shared__ int s[1024];
  const long i = blockIdx.x * 1024L + threadIdx.x;
  const int v = i < a.n ? a.in[i] : 0;
  s[threadIdx.x] = v;
  block_inclusive_scan_1024(s);
  if (i < a.n) a.out[i] = s[threadIdx.x] - v;
  if (threadIdx.x == 1023) a.block_sums[blockIdx.x] = s[1023];
}

// Any number of blocks, in rounds of 1024 with a carry.
extern "C" __global__ void scan_block_sums(const ScanBlockSumsArgs a) {
  __shared__ int s[1024];
  int carry = 0;
  for (long base = 0; base < a.blocks; base += 1024) {
    const long i = base + threadIdx.x;
    const int v = i < a.blocks ? a.sums[i] : 0;
    s[threadIdx.x] = v;
    block_inclusive_scan_1024(s);
    if (i < a.blocks) a.sums[i] = carry + s[threadIdx.x] - v;
    const int block_total = s[1023];
    __syncthreads();
    carry += block_total;
  }
  if (threadIdx.x == 0) *a.total = carry;
}

extern "C" __global__ void add_block_offsets(const AddBlockOffsetsArgs a) {
  GRID_LOOP(i, a.n + 1) a.out[i] = i < a.n ? a.out[i] + a.block_sums[i / 1024] : *a.total;
}

extern "C" __global__ void scatter_edges_to_nodes(const ScatterEdgesArgs a) {
  GRID_LOOP(e, a.edges) {
    const int node = a.node_of_edge[e];
    a.grouped[a.offsets[node] + atomicAdd(&a.cursor[node], 1)] = static_cast<int>(e);
  }
}

extern "C" __global__ void sort_node_edges(const SortNodeEdgesArgs a) {
  GRID_LOOP(n, a.nodes) {
    for (int k = a.offsets[n] + 1; k < a.offsets[n + 1]; ++k) {
      const int e = a.grouped[k];
      int j = k - 1;
      for (; j >= a.offsets[n] && a.grouped[j] > e; --j) a.grouped[j + 1] = a.grouped[j];
      a.grouped[j + 1] = e;
    }
  }
}

extern "C" __global__ void bid_first_edges(const BlockSendersArgs a) {
  GRID_LOOP(k, a.edges) bid_first_edge_at(a, k);
}

extern "C" __global__ void flag_first_edges(const BlockSendersArgs a) {
  GRID_LOOP(k, a.edges) flag_first_edge_at(a, k);
}

extern "C" __global__ void clear_keys(const BlockSendersArgs a) {
  GRID_LOOP(k, a.edges) clear_key_at(a, k);
}

extern "C" __global__ void block_nodes(const BlockNodesArgs a) {
  GRID_LOOP(i, a.count) block_node_at(a, i);
}

extern "C" __global__ void block_edges(const BlockEdgesArgs a) {
  GRID_LOOP(k, a.edges) block_edge_at(a, k);
}

extern "C" __global__ void node_forces_virials(const NodeForcesArgs a) {
  GRID_LOOP(n, a.nodes) node_forces_at(a, n);
}

extern "C" __global__ void column_sums(const ColumnSumsArgs a) {
  __shared__ double s[1024];
  for (int c = 0; c < a.columns; ++c) {
    double v = 0;
    for (long r = threadIdx.x; r < a.rows; r += 1024) v += a.values[r * a.columns + c];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int stride = 512; stride > 0; stride /= 2) {
      if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
      __syncthreads();
    }
    if (threadIdx.x == 0) a.sums[c] = s[0];
    __syncthreads();
  }
}
