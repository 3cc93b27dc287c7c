// What every model shares around its own pass: the Potential interface over one engine. The graph
// goes to the engine's memory once (from the host, or already there), the model runs
// (ModelPotential::run, each model's one forward and backward), and forces and per-node virials
// are summed where it ran; only what the caller asks for comes back to the host.
#pragma once

#include <optional>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/irreps/irreps.hpp"
#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

// The kernels a model with these spherical harmonics needs, in this precision.
ModelKernelSpec model_kernel_spec(Precision precision, const Irreps& spherical_harmonics);

class ModelPotential : public Potential {
 public:
  const PotentialInfo& info() const final { return info_; }
  MemorySpace memory_space() const final { return engine_.space(); }
  const KernelManifest& kernel_manifest() const final { return engine_.manifest(); }
  PotentialOutput evaluate(const AtomicGraph& graph,
                           const GhostExchange* exchange = nullptr) const final;
  PotentialForces evaluate_forces(const AtomicGraph& graph,
                                  const GhostExchange* exchange = nullptr) const final;
  ResidentForces evaluate_forces_resident(const ResidentGraph& graph, ResidentTotals totals = {},
                                          const GhostExchange* exchange = nullptr) const final;

 protected:
  // `model_name` prefixes error messages ("MACE: ...").
  ModelPotential(Backend backend, const ModelKernelSpec& kernels, std::string model_name);
  const Engine& engine() const { return engine_; }
  // Set by the model's constructor.
  PotentialInfo& mutable_info() { return info_; }
  // The streamed-edge block size (edge_blocks.hpp) from options.edge_memory and the model's
  // largest per-edge working set; set by the model's constructor once its layers exist.
  void set_edge_memory(const std::optional<std::size_t>& bytes, std::size_t bytes_per_edge);
  std::size_t max_block_edges() const { return info_.block_edges; }

  struct Result {
    Buffer<double> node_energies;   // [num_local]
    Buffer<double> edge_gradients;  // [num_edges][3]
  };
  virtual Result run(const EngineGraph& graph, const GhostExchange* exchange) const = 0;

  // The hook between layers (ghost_exchange.hpp), after the engine has finished its work; no-op
  // without an exchange.
  template <typename T>
  void exchange_ghost_features(const GhostExchange* exchange, int layer, Buffer<T>& features,
                               const EngineGraph& graph) const {
    if (exchange == nullptr) return;
    engine_.synchronize();
    exchange->forward(layer, node_rows(features, graph, layer));
  }
  template <typename T>
  void return_ghost_gradients(const GhostExchange* exchange, int layer, Buffer<T>& gradients,
                              const EngineGraph& graph) const {
    if (exchange == nullptr) return;
    engine_.synchronize();
    exchange->reverse(layer, node_rows(gradients, graph, layer));
  }

 private:
  // The width is the model's (info().exchanged_widths), also where this rank has no node and
  // its exchange still sends and receives rows of that width.
  template <typename T>
  NodeRows<T> node_rows(Buffer<T>& b, const EngineGraph& g, int layer) const {
    const int width = info_.exchanged_widths.at(static_cast<std::size_t>(layer - 1));
    if (b.size() != g.num_nodes * static_cast<std::size_t>(width))
      throw Error(model_name_ + ": features of layer " + std::to_string(layer) + " are not " +
                  std::to_string(width) + " numbers per node");
    return {b.data(), g.num_nodes, g.num_local, width, b.space()};
  }

  Engine engine_;  // first: the layers of the derived model live in its memory
  PotentialInfo info_;
  std::string model_name_;
};

}  // namespace equifuse
