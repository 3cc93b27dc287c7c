// The atomic graph in an engine's memory: species, edges, edge vectors and the two edge groupings
// the graph convolutions read (by receiver and by sender;
// kernels/convolution/convolution_graph.hpp). On the host the groupings come from ConvolutionGraph,
// on a GPU from the graph kernels (graph_kernels.cu), equal edge for edge. Also the models' last
// step: forces and per-node virials from the edge gradients.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/convolution/convolution_graph.hpp"
#include "models/engine/buffer.hpp"
#include "models/engine/engine.hpp"
#include "models/potential/atomic_graph.hpp"

namespace equifuse {

// A graph whose arrays are in the engine's memory already (AtomicGraph's layout): what the Kokkos
// pair style builds where LAMMPS's atoms live. Node indices and species are trusted.
struct ResidentGraph {
  std::size_t num_nodes = 0, num_local = 0, num_edges = 0;
  const int* species = nullptr;                                 // [num_nodes]
  const std::int32_t *senders = nullptr, *receivers = nullptr;  // [num_edges]
  const double* edge_vectors = nullptr;                         // [num_edges][3]
};

struct EngineGraph {
  std::size_t num_nodes = 0, num_local = 0, num_edges = 0;
  Buffer<int> species;
  Buffer<std::int32_t> senders, receivers, receiver_offsets, receiver_edges, sender_offsets,
      sender_edges;
  Buffer<double> vectors;  // [num_edges][3], receiver minus sender

  ConvolutionGraphView view() const;
};

// Checks the graph (check_atomic_graph) and copies it to the engine's memory.
EngineGraph make_engine_graph(const Engine& engine, const AtomicGraph& graph, int num_species,
                              const std::string& model);
EngineGraph make_engine_graph(const Engine& engine, const ResidentGraph& graph);
// Copies a graph already checked (one the engine derived itself) and groups its edges.
EngineGraph upload_engine_graph(const Engine& engine, const AtomicGraph& graph);

// Fills the two edge groupings of a graph whose counts, senders and receivers are set.
void group_edges(const Engine& engine, EngineGraph& graph);
// out[i] = in[0] + ... + in[i - 1] for i <= n, in the engine's memory (out[n]: the total).
void exclusive_scan(const Engine& engine, std::size_t n, const std::int32_t* in, std::int32_t* out);

// forces [num_nodes][3] and per-node virials [num_nodes][3][3] from dE/d(edge vector).
void node_forces_and_virials(const Engine& engine, const EngineGraph& graph,
                             const Buffer<double>& edge_gradients, Buffer<double>& forces,
                             Buffer<double>& virials);

}  // namespace equifuse
