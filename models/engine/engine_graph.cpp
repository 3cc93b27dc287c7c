#include "models/engine/engine_graph.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"
#include "models/engine/graph_kernels.cuh"

namespace equifuse {

namespace {

// Device only: the host groups edges with ConvolutionGraph and scans in a loop.
constexpr Kernel<CountEdgesArgs> kCountEdges{"count_edges_per_node", nullptr};
constexpr Kernel<ScanBlocksArgs> kScanBlocks{"scan_blocks", nullptr};
constexpr Kernel<ScanBlockSumsArgs> kScanBlockSums{"scan_block_sums", nullptr};
constexpr Kernel<AddBlockOffsetsArgs> kAddBlockOffsets{"add_block_offsets", nullptr};
constexpr Kernel<ScatterEdgesArgs> kScatterEdges{"scatter_edges_to_nodes", nullptr};
constexpr Kernel<SortNodeEdgesArgs> kSortNodeEdges{"sort_node_edges", nullptr};
constexpr auto kNodeForces =
    elementwise_kernel<NodeForcesArgs, node_forces_at, &NodeForcesArgs::nodes>(
        "node_forces_virials");

void group_on_device(const Engine& e, std::size_t num_nodes,
                     const Buffer<std::int32_t>& node_of_edge, Buffer<std::int32_t>& offsets,
                     Buffer<std::int32_t>& grouped) {
  const long nodes = static_cast<long>(num_nodes), edges = static_cast<long>(node_of_edge.size());
  Buffer<std::int32_t> counts = e.zeros<std::int32_t>(num_nodes);
  offsets = e.buffer<std::int32_t>(num_nodes + 1);
  grouped = e.buffer<std::int32_t>(node_of_edge.size());
  e.launch(kCountEdges, {edges, node_of_edge.data(), counts.data()}, LaunchShape::over(edges));
  exclusive_scan(e, num_nodes, counts.data(), offsets.data());
  e.fill_zero(counts);  // now the per-node cursor
  e.launch(kScatterEdges,
           {edges, node_of_edge.data(), offsets.data(), counts.data(), grouped.data()},
           LaunchShape::over(edges));
  e.launch(kSortNodeEdges, {nodes, offsets.data(), grouped.data()}, LaunchShape::over(nodes));
}

}  // namespace

void exclusive_scan(const Engine& e, std::size_t n, const std::int32_t* in, std::int32_t* out) {
  if (e.space() == MemorySpace::host) {
    std::int32_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = sum;
      sum += in[i];
    }
    out[n] = sum;
    return;
  }
  const long count = static_cast<long>(n);
  const long blocks = (count + 1023) / 1024;
  Buffer<std::int32_t> block_sums = e.buffer<std::int32_t>(static_cast<std::size_t>(blocks) + 1);
  Buffer<std::int32_t> total = e.buffer<std::int32_t>(1);
  e.launch(kScanBlocks, {count, in, out, block_sums.data()},
           LaunchShape::grid(static_cast<unsigned>(blocks), 1, 1024));
  e.launch(kScanBlockSums, {blocks, block_sums.data(), total.data()},
           LaunchShape::grid(1, 1, 1024));
  e.launch(kAddBlockOffsets, {count, out, block_sums.data(), total.data()},
           LaunchShape::over(count + 1));
}

void group_edges(const Engine& e, EngineGraph& g) {
  if (e.space() == MemorySpace::host) {
    const ConvolutionGraph grouping(g.num_nodes, g.senders.span(), g.receivers.span());
    g.receiver_offsets = e.upload(grouping.receiver_offsets());
    g.receiver_edges = e.upload(grouping.receiver_edges());
    g.sender_offsets = e.upload(grouping.sender_offsets());
    g.sender_edges = e.upload(grouping.sender_edges());
    return;
  }
  group_on_device(e, g.num_nodes, g.receivers, g.receiver_offsets, g.receiver_edges);
  group_on_device(e, g.num_nodes, g.senders, g.sender_offsets, g.sender_edges);
}

ConvolutionGraphView EngineGraph::view() const {
  return {num_nodes,
          num_edges,
          senders.span(),
          receivers.span(),
          receiver_offsets.span(),
          receiver_edges.span(),
          sender_offsets.span(),
          sender_edges.span()};
}

EngineGraph make_engine_graph(const Engine& e, const AtomicGraph& graph, int num_species,
                              const std::string& model) {
  check_atomic_graph(graph, num_species, model);
  return upload_engine_graph(e, graph);
}

EngineGraph upload_engine_graph(const Engine& e, const AtomicGraph& graph) {
  EngineGraph g;
  g.num_nodes = graph.num_nodes;
  g.num_local = graph.num_local;
  g.num_edges = graph.num_edges();
  g.species = e.upload(graph.species);
  g.senders = e.upload(graph.senders);
  g.receivers = e.upload(graph.receivers);
  g.vectors = e.upload(graph.edge_vectors);
  group_edges(e, g);
  return g;
}

EngineGraph make_engine_graph(const Engine& e, const ResidentGraph& graph) {
  if (graph.num_local > graph.num_nodes) throw Error("resident graph: more local nodes than nodes");
  EngineGraph g;
  g.num_nodes = graph.num_nodes;
  g.num_local = graph.num_local;
  g.num_edges = graph.num_edges;
  g.species = e.copy_of(graph.species, graph.num_nodes);
  g.senders = e.copy_of(graph.senders, graph.num_edges);
  g.receivers = e.copy_of(graph.receivers, graph.num_edges);
  g.vectors = e.copy_of(graph.edge_vectors, 3 * graph.num_edges);
  group_edges(e, g);
  return g;
}

void node_forces_and_virials(const Engine& e, const EngineGraph& g,
                             const Buffer<double>& edge_gradients, Buffer<double>& forces,
                             Buffer<double>& virials) {
  if (edge_gradients.size() != 3 * g.num_edges) {
    throw Error("forces: edge gradients do not match the graph's edges");
  }
  forces = e.buffer<double>(3 * g.num_nodes);
  virials = e.buffer<double>(9 * g.num_nodes);
  const long nodes = static_cast<long>(g.num_nodes);
  e.launch(kNodeForces,
           {nodes, g.receiver_offsets.data(), g.receiver_edges.data(), g.sender_offsets.data(),
            g.sender_edges.data(), edge_gradients.data(), g.vectors.data(), forces.data(),
            virials.data()},
           LaunchShape::over(nodes));
}

}  // namespace equifuse
