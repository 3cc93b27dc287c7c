#include "models/engine/edge_blocks.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/engine/elementwise.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/engine/graph_kernels.cuh"

namespace equifuse {

namespace {

// The host bids in order (concurrent bids for one sender would race there).
void bid_first_edges_in_order(const BlockSendersArgs& a) {
  for (long k = 0; k < a.edges; ++k) bid_first_edge_at(a, k);
}

constexpr Kernel<BlockSendersArgs> kBidFirstEdges{"bid_first_edges", &bid_first_edges_in_order};
constexpr auto kFlagFirstEdges =
    elementwise_kernel<BlockSendersArgs, flag_first_edge_at, &BlockSendersArgs::edges>(
        "flag_first_edges");
constexpr auto kClearKeys =
    elementwise_kernel<BlockSendersArgs, clear_key_at, &BlockSendersArgs::edges>("clear_keys");
constexpr auto kBlockNodes =
    elementwise_kernel<BlockNodesArgs, block_node_at, &BlockNodesArgs::count>("block_nodes");
constexpr auto kBlockEdges =
    elementwise_kernel<BlockEdgesArgs, block_edge_at, &BlockEdgesArgs::edges>("block_edges");

// One element of a buffer, read on the host (waits for the work that writes it).
std::int32_t read_element(const Engine& engine, const Buffer<std::int32_t>& b, std::size_t i) {
  return engine.download(engine.copy_of(b.data() + i, 1))[0];
}

}  // namespace

// The blocks are made where the graph is, by the engine's kernels, in work proportional to each
// block: only the receiver offsets (to cut the receivers into runs) and each block's node count
// reach the host.
EdgeBlocks::EdgeBlocks(const Engine& engine, const EngineGraph& graph, std::size_t max_edges) {
  if (max_edges == 0 || graph.num_edges <= max_edges) {
    EdgeBlock& whole = blocks_.emplace_back();
    whole.num_receivers = graph.num_nodes;
    whole.graph = &graph;
    return;
  }
  const std::vector<std::int32_t> offsets = engine.download(graph.receiver_offsets);
  // The receiver runs: the longest from each first receiver whose edges fit (at least one).
  std::vector<std::size_t> ends;
  std::size_t largest = 0;
  for (std::size_t first = 0; first < graph.num_nodes; first = ends.back()) {
    std::size_t end = first + 1;
    while (end < graph.num_nodes &&
           static_cast<std::size_t>(offsets[end + 1] - offsets[first]) <= max_edges)
      ++end;
    ends.push_back(end);
    largest = std::max(largest, static_cast<std::size_t>(offsets[end] - offsets[first]));
  }
  Buffer<std::int32_t> key = engine.zeros<std::int32_t>(graph.num_nodes);
  Buffer<std::int32_t> flags = engine.buffer<std::int32_t>(largest);
  Buffer<std::int32_t> position = engine.buffer<std::int32_t>(largest + 1);
  std::size_t first = 0;
  for (const std::size_t end : ends) {
    const int lo = static_cast<int>(first), hi = static_cast<int>(end);
    const long edges = offsets[end] - offsets[first];
    const std::int32_t* grouped = graph.receiver_edges.data() + offsets[first];
    const BlockSendersArgs senders{edges, grouped,    graph.senders.data(), lo,
                                   hi,    key.data(), flags.data()};
    engine.launch(kBidFirstEdges, senders, LaunchShape::over(edges));
    engine.launch(kFlagFirstEdges, senders, LaunchShape::over(edges));
    exclusive_scan(engine, static_cast<std::size_t>(edges), flags.data(), position.data());
    const auto outside =
        static_cast<std::size_t>(read_element(engine, position, static_cast<std::size_t>(edges)));

    EdgeBlock& block = blocks_.emplace_back();
    block.first_receiver = first;
    block.num_receivers = end - first;
    EngineGraph& local = block.owned;
    local.num_nodes = block.num_receivers + outside;
    local.num_local = block.num_receivers;
    local.num_edges = static_cast<std::size_t>(edges);
    block.nodes = engine.buffer<std::int32_t>(local.num_nodes);
    local.species = engine.buffer<int>(local.num_nodes);
    const long node_work = static_cast<long>(block.num_receivers) + edges;
    engine.launch(kBlockNodes,
                  {node_work, edges, grouped, graph.senders.data(), flags.data(), position.data(),
                   graph.species.data(), lo, hi, block.nodes.data(), local.species.data()},
                  LaunchShape::over(node_work));
    block.edges = engine.buffer<std::int32_t>(local.num_edges);
    local.senders = engine.buffer<std::int32_t>(local.num_edges);
    local.receivers = engine.buffer<std::int32_t>(local.num_edges);
    local.vectors = engine.buffer<double>(3 * local.num_edges);
    engine.launch(kBlockEdges,
                  {edges, grouped, graph.senders.data(), graph.receivers.data(), key.data(),
                   position.data(), graph.vectors.data(), lo, hi, block.edges.data(),
                   local.senders.data(), local.receivers.data(), local.vectors.data()},
                  LaunchShape::over(edges));
    engine.launch(kClearKeys, senders, LaunchShape::over(edges));
    group_edges(engine, local);
    first = end;
  }
  for (EdgeBlock& block : blocks_) block.graph = &block.owned;
}

template <typename T>
const T* block_node_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* whole,
                         Buffer<T>& local) {
  if (block.whole()) return whole;
  const std::size_t rows = block.graph->num_nodes;
  local = engine.buffer<T>(rows * static_cast<std::size_t>(dim));
  gather_species_rows(engine, rows, dim, block.nodes.data(), whole, local.data());
  return local.data();
}

namespace {

// whole[index[r]] += local[r] for `rows` rows of dim; index empty (a whole block): whole += local.
template <typename T>
void add_rows(const Engine& engine, const Buffer<std::int32_t>& index, std::size_t rows, int dim,
              const T* local, T* whole) {
  if (index.empty()) {
    add_into(engine, whole, local, rows * static_cast<std::size_t>(dim));
  } else {
    scatter_add_rows(engine, rows, dim, index.data(), local, whole);
  }
}

}  // namespace

template <typename T>
void add_node_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* local,
                   T* whole) {
  add_rows(engine, block.nodes, block.graph->num_nodes, dim, local, whole);
}

template <typename T>
void add_edge_rows(const Engine& engine, const EdgeBlock& block, int dim, const T* local,
                   T* whole) {
  add_rows(engine, block.edges, block.graph->num_edges, dim, local, whole);
}

template const float* block_node_rows(const Engine&, const EdgeBlock&, int, const float*,
                                      Buffer<float>&);
template const double* block_node_rows(const Engine&, const EdgeBlock&, int, const double*,
                                       Buffer<double>&);
template void add_node_rows(const Engine&, const EdgeBlock&, int, const float*, float*);
template void add_node_rows(const Engine&, const EdgeBlock&, int, const double*, double*);
template void add_edge_rows(const Engine&, const EdgeBlock&, int, const double*, double*);

}  // namespace equifuse
