// Argument structs of the graph kernels (graph_kernels.cu) and the per-node force sum that host
// and device share: every model's graph preparation (edge groupings on a GPU) and its last step
// (forces and per-node virials from the edge gradients, column sums for totals).
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

// Edge groupings on the device (ConvolutionGraph's CSR: offsets, then edge ids ascending within
// a node): count per node, exclusive scan of the counts in blocks of 1024, scatter, then each
// node's few edges sorted, so that the result does not depend on the order the atomics ran in.
// The host builds the same groupings with ConvolutionGraph (kernels/convolution).
struct CountEdgesArgs {
  long edges;
  const int* node_of_edge;
  int* counts;
};
struct ScanBlocksArgs {  // blocks of 1024 threads
  long n;
  const int* in;
  int* out;         // exclusive scan within each block
  int* block_sums;  // [blocks]: each block's total
};
struct ScanBlockSumsArgs {  // one block of 1024 threads
  long blocks;
  int* sums;   // in place: exclusive scan of the block totals
  int* total;  // their sum
};
struct AddBlockOffsetsArgs {
  long n;
  int* out;  // [n + 1]
  const int* block_sums;
  const int* total;
};
struct ScatterEdgesArgs {
  long edges;
  const int* node_of_edge;
  const int* offsets;
  int* cursor;  // [nodes], zero on entry
  int* grouped;
};
struct SortNodeEdgesArgs {
  long nodes;
  const int* offsets;
  int* grouped;
};

// Streamed-edge blocks (edge_blocks.cpp), made where the graph is, in work proportional to the
// block. A block takes the receivers [first, end) with their edges, grouped[0..edges) (the whole
// graph's receiver grouping from the block's first edge on). Its nodes are those receivers, then
// the senders outside the range in the order their first edge comes: each such sender's first edge
// k is found as the largest key[s] = edges - k, flagged, and numbered by an exclusive scan of the
// flags (`position`); the keys are cleared again for the next block.
struct BlockSendersArgs {
  long edges;
  const int *grouped, *senders;  // senders: the whole graph's
  int first, end;
  int* key;    // [whole graph's nodes], zero outside a block's construction
  int* flags;  // [edges]: 1 at each outside sender's first edge
};
struct BlockNodesArgs {
  long count;  // the block's receivers, then its edges
  long edges;
  const int *grouped, *senders, *flags, *position, *species;
  int first, end;
  int *block_nodes, *block_species;  // [block nodes]
};
struct BlockEdgesArgs {
  long edges;
  const int *grouped, *senders, *receivers, *key, *position;
  const double* vectors;
  int first, end;
  int *block_edges, *block_senders, *block_receivers;  // [edges]
  double* block_vectors;                               // [edges][3]
};

EQUIFUSE_HD inline bool receives_in_block(int node, int first, int end) {
  return node >= first && node < end;
}

// One edge's bid for its sender's first edge (on the host: called in order).
EQUIFUSE_HD inline void bid_first_edge_at(const BlockSendersArgs& a, long k) {
  const int s = a.senders[a.grouped[k]];
  if (receives_in_block(s, a.first, a.end)) return;
  const int bid = static_cast<int>(a.edges - k);
#ifdef EQUIFUSE_DEVICE_CODE
  atomicMax(&a.key[s], bid);
#else
  if (a.key[s] < bid) a.key[s] = bid;
#endif
}

EQUIFUSE_HD inline void flag_first_edge_at(const BlockSendersArgs& a, long k) {
  const int s = a.senders[a.grouped[k]];
  a.flags[k] = !receives_in_block(s, a.first, a.end) && a.key[s] == a.edges - k ? 1 : 0;
}

// After block_edges: each outside sender's key cleared by its first edge alone.
EQUIFUSE_HD inline void clear_key_at(const BlockSendersArgs& a, long k) {
  if (a.flags[k] != 0) a.key[a.senders[a.grouped[k]]] = 0;
}

EQUIFUSE_HD inline void block_node_at(const BlockNodesArgs& a, long i) {
  const long receivers = a.end - a.first;
  int node = 0, local = 0;
  if (i < receivers) {
    node = a.first + static_cast<int>(i);
    local = static_cast<int>(i);
  } else {
    const long k = i - receivers;
    if (a.flags[k] == 0) return;
    node = a.senders[a.grouped[k]];
    local = static_cast<int>(receivers) + a.position[k];
  }
  a.block_nodes[local] = node;
  a.block_species[local] = a.species[node];
}

EQUIFUSE_HD inline void block_edge_at(const BlockEdgesArgs& a, long k) {
  const int e = a.grouped[k];
  const int s = a.senders[e];
  a.block_edges[k] = e;
  a.block_senders[k] = receives_in_block(s, a.first, a.end)
                           ? s - a.first
                           : a.end - a.first + a.position[a.edges - a.key[s]];
  a.block_receivers[k] = a.receivers[e] - a.first;
  for (int c = 0; c < 3; ++c) a.block_vectors[3 * k + c] = a.vectors[3L * e + c];
}

// Forces and per-node virials (models/potential/forces_and_virial.hpp's formulas) from the edge
// gradients g_e = dE/d(edge vector): each node sums its edges in CSR order (receiving: -g_e;
// sending: +g_e; virial: a quarter of -(g_e v_e^T + v_e g_e^T) per end), deterministic and free of
// atomics.
struct NodeForcesArgs {
  long nodes;
  const int *receiver_offsets, *receiver_edges, *sender_offsets, *sender_edges;
  const double *gradients, *vectors;  // [edges][3]
  double *forces, *virials;           // [nodes][3], [nodes][3][3]
};

EQUIFUSE_HD inline void node_forces_at(const NodeForcesArgs& a, long n) {
  double f[3] = {0, 0, 0}, w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int side = 0; side < 2; ++side) {
    const int* offsets = side == 0 ? a.receiver_offsets : a.sender_offsets;
    const int* edges = side == 0 ? a.receiver_edges : a.sender_edges;
    const double sign = side == 0 ? -1.0 : 1.0;
    for (int k = offsets[n]; k < offsets[n + 1]; ++k) {
      const long e = edges[k];
      const double* g = a.gradients + 3 * e;
      const double* v = a.vectors + 3 * e;
      for (int i = 0; i < 3; ++i) {
        f[i] += sign * g[i];
        for (int j = 0; j < 3; ++j) w[3 * i + j] -= 0.25 * (g[i] * v[j] + g[j] * v[i]);
      }
    }
  }
  for (int i = 0; i < 3; ++i) a.forces[3 * n + i] = f[i];
  for (int i = 0; i < 9; ++i) a.virials[9 * n + i] = w[i];
}

// Column sums of a [rows][columns] array by one block of 1024 threads in a fixed order
// (deterministic), into `sums` (on a GPU: pinned host memory mapped into the device).
struct ColumnSumsArgs {
  long rows;
  int columns;
  const double* values;
  double* sums;
};

}  // namespace equifuse
