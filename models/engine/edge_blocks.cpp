#include "models/engine/edge_blocks.hpp"

#include <span>

#include "models/engine/elementwise.hpp"

namespace equifuse {

namespace {

// The graph's arrays on the host: themselves for the host backend, else downloaded.
template <typename T>
struct HostArray {
  HostArray(const Engine& engine, const Buffer<T>& b) {
    if (engine.space() == MemorySpace::host) {
      values = b.span();
    } else {
      copy = engine.download(b);
      values = copy;
    }
  }
  std::vector<T> copy;
  std::span<const T> values;
};

}  // namespace

EdgeBlocks::EdgeBlocks(const Engine& engine, const EngineGraph& graph, std::size_t max_edges) {
  if (max_edges == 0 || graph.num_edges <= max_edges) {
    EdgeBlock& whole = blocks_.emplace_back();
    whole.num_receivers = graph.num_nodes;
    whole.graph = &graph;
    return;
  }
  const HostArray<std::int32_t> offsets(engine, graph.receiver_offsets),
      grouped(engine, graph.receiver_edges), senders(engine, graph.senders);
  const HostArray<int> species(engine, graph.species);
  const HostArray<double> vectors(engine, graph.vectors);
  std::vector<std::int32_t> local_of(graph.num_nodes, -1);  // reset after each block
  std::size_t first = 0;
  while (first < graph.num_nodes) {
    // The longest run of receivers from `first` whose edges fit (at least one receiver).
    std::size_t end = first + 1;
    while (end < graph.num_nodes &&
           static_cast<std::size_t>(offsets.values[end + 1] - offsets.values[first]) <= max_edges)
      ++end;
    AtomicGraph local;
    std::vector<std::int32_t> nodes, edges;
    for (std::size_t n = first; n < end; ++n) {
      local_of[n] = static_cast<std::int32_t>(nodes.size());
      nodes.push_back(static_cast<std::int32_t>(n));
    }
    for (std::size_t n = first; n < end; ++n) {
      for (auto q = static_cast<std::size_t>(offsets.values[n]);
           q < static_cast<std::size_t>(offsets.values[n + 1]); ++q) {
        const std::int32_t e = grouped.values[q];
        const auto s = static_cast<std::size_t>(senders.values[static_cast<std::size_t>(e)]);
        if (local_of[s] < 0) {
          local_of[s] = static_cast<std::int32_t>(nodes.size());
          nodes.push_back(static_cast<std::int32_t>(s));
        }
        edges.push_back(e);
        local.senders.push_back(local_of[s]);
        local.receivers.push_back(static_cast<std::int32_t>(n - first));
        for (int c = 0; c < 3; ++c)
          local.edge_vectors.push_back(vectors.values[3 * static_cast<std::size_t>(e) + c]);
      }
    }
    local.num_nodes = nodes.size();
    local.num_local = end - first;
    for (std::int32_t n : nodes) {
      local.species.push_back(species.values[static_cast<std::size_t>(n)]);
      local_of[static_cast<std::size_t>(n)] = -1;
    }
    EdgeBlock& block = blocks_.emplace_back();
    block.first_receiver = first;
    block.num_receivers = end - first;
    block.owned = upload_engine_graph(engine, local);
    block.nodes = engine.upload(nodes);
    block.edges = engine.upload(edges);
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
