// Streamed edges: a graph's edges in blocks of at most a fixed number (by receiver, so that a
// block holds all incoming edges of a contiguous range of nodes), each block a small graph of its
// own. The layers compute every per-edge quantity (spherical harmonics, radial basis, radial-MLP
// activations and weights, their gradients) for one block, consume it there and recompute it in
// the backward: no per-edge array outlives its layer, and the edge working set is bounded by the
// block size, not by the system. One block holding every edge is the graph itself (no copies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/engine/engine_graph.hpp"

namespace equifuse {

// The edges of the receivers [first_receiver, first_receiver + num_receivers) of a graph. Its
// graph's nodes are those receivers first (local node r is global node first_receiver + r), then
// the senders outside the range; its edges are the receivers' edges in receiver order.
struct EdgeBlock {
  std::size_t first_receiver = 0, num_receivers = 0;
  const EngineGraph* graph = nullptr;
  EngineGraph owned;           // the block's graph, unless it is the whole graph
  Buffer<std::int32_t> nodes;  // [graph->num_nodes] global node of each local node; empty: same
  Buffer<std::int32_t> edges;  // [graph->num_edges] global edge of each local edge; empty: same
  bool whole() const { return nodes.empty(); }
};

class EdgeBlocks {
 public:
  // Blocks of at most max_edges edges (a node with more incoming edges gets a block of its own);
  // max_edges 0, or at least the graph's edge count: one block, the graph itself.
  EdgeBlocks(const Engine& engine, const EngineGraph& graph, std::size_t max_edges);
  EdgeBlocks(const EdgeBlocks&) = delete;
  EdgeBlocks& operator=(const EdgeBlocks&) = delete;

  const std::vector<EdgeBlock>& blocks() const { return blocks_; }

 private:
  std::vector<EdgeBlock> blocks_;
};

// Block-local node rows from the whole graph's [nodes][dim]: `whole` itself for a whole block,
// else gathered into `local` [block nodes][dim].
template <typename T>
const T* block_node_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* whole,
                         Buffer<T>& local);
// whole[nodes[r]] += local[r] for every local node r (rows of dim).
template <typename T>
void add_node_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* local, T* whole);
// whole[edges[k]] += local[k] for every local edge k (rows of dim).
template <typename T>
void add_edge_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* local, T* whole);

}  // namespace equifuse
