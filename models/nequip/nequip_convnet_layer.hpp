// One NequIP convnet layer (nequip's ConvNetLayer around InteractionBlock): self-connection
// (species-dependent linear), linear_1, the 1/sqrt(avg_num_neighbors) normalisation (global or
// per type), radial MLP -> per-edge weights, the fused uvu graph convolution with the edge
// spherical harmonics (kernels/convolution), linear_2, the gate, and an optional resnet. Forward
// and hand-written backward.
#pragma once

#include <memory>

#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_stream.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/gate.hpp"
#include "models/layers/radial_convolution.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/nequip/nequip_config.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class NequipConvnetLayer {
 public:
  // Takes layers.<index>.* from `parameters`; `type_embedding` [kept species][embedding_dim] is
  // the self-connection's attributes.
  NequipConvnetLayer(const Engine& engine, const NequipConfig& config, int index,
                     const SpeciesSelection& species, std::span<const double> type_embedding,
                     const ParameterStore& parameters);
  ~NequipConvnetLayer();

  int dim_in() const { return linear_1_->dim_in(); }
  int dim_out() const { return gate_->dim_out(); }

  // Kept for the backward: the normalised linear_1 output and the gate's input (node arrays
  // only; the per-edge ones are recomputed block by block). The message is not kept.
  struct Saved {
    Buffer<T> normalized, gate_in;
    std::size_t bytes() const { return normalized.bytes() + gate_in.bytes(); }
  };
  // h_next [nodes][dim_out] from h [nodes][dim_in].
  Buffer<T> forward(const EngineGraph& graph, const EdgeStream<T>& edges, const Buffer<T>& h,
                    Saved& saved) const;
  // dE/dh [nodes][dim_in] from dE/d(h_next); the edges' part goes to the stream's edge gradients.
  Buffer<T> backward(const EngineGraph& graph, EdgeStream<T>& edges, const Saved& saved,
                     const Buffer<T>& grad_next) const;
  std::size_t bytes_per_edge() const { return convolution_->bytes_per_edge(); }

 private:
  const Engine& engine_;
  std::unique_ptr<SpeciesLinear<T>> self_connection_;  // null without
  std::unique_ptr<EquivariantLinear<T>> linear_1_, linear_2_;
  std::unique_ptr<RadialConvolution<T>> convolution_;
  std::unique_ptr<Gate<T>> gate_;
  Buffer<T> neighbor_norm_;  // per species
  bool resnet_ = false;
};

}  // namespace equifuse
