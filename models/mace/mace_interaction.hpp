// One MACE interaction block (mace-torch's RealAgnosticInteractionBlock, "plain", and
// RealAgnosticResidualInteractionBlock, "residual"): linear_up of the node features, the radial
// MLP's per-edge weights from the radial basis, the fused uvu graph convolution with the edge
// spherical harmonics (kernels/convolution), linear / avg_num_neighbors; the species-dependent
// skip connection acts on that message (plain) or on the input, for the product block to add
// (residual). The radial MLP and the convolution are one RadialConvolution. Forward and
// hand-written backward.
#pragma once

#include <memory>

#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/radial_convolution.hpp"
#include "models/layers/species_linear.hpp"
#include "models/mace/mace_config.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class MaceInteraction {
 public:
  // Takes interactions.<index>.* from `parameters`; `product` is the product block's config
  // (where a residual skip connection lands, and whether it is used).
  MaceInteraction(const Engine& engine, const MaceInteractionConfig& config, int index,
                  const MaceProductConfig& product, const SpeciesSelection& species,
                  double radial_activation_scale, const ParameterStore& parameters);
  ~MaceInteraction();

  struct Output {
    Buffer<T> message;  // [nodes][target dim]: the product block's input
    Buffer<T> skip;     // residual with the product's skip connection: [nodes][product out dim]
  };
  // Kept for the backward: linear_up's output (node) and the convolution's per-edge weights and
  // radial MLP pre-activations (edge). The message, the convolution's output and the skip are not
  // kept.
  struct Saved {
    Buffer<T> up;
    typename RadialConvolution<T>::Saved convolution;
    std::size_t bytes() const { return up.bytes() + convolution.bytes(); }
  };

  Output forward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                 const T* h, Saved& saved) const;
  // grad_h[nodes][in dim] += dE/dh, grad_sh and grad_radial += their parts, from dE/d(message) and
  // (residual) dE/d(skip).
  void backward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                const Saved& saved, const T* grad_message, const T* grad_skip, T* grad_h,
                Buffer<T>& grad_sh, Buffer<T>& grad_radial) const;

  // Whether forward gives a skip for the product block to add.
  bool gives_skip() const { return gives_skip_; }

 private:
  const Engine& engine_;
  bool residual_, gives_skip_;
  std::unique_ptr<EquivariantLinear<T>> linear_up_, linear_;
  std::unique_ptr<RadialConvolution<T>> convolution_;
  std::unique_ptr<SpeciesLinear<T>> skip_;
};

}  // namespace equifuse
