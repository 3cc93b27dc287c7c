// MACE's RealAgnostic interaction blocks (mace-torch's RealAgnosticInteractionBlock, "plain",
// RealAgnosticResidualInteractionBlock, "residual", and their Density variants): linear_up of the
// node features, the radial MLP's per-edge weights from the radial basis and the fused uvu graph
// convolution with the edge spherical harmonics (one RadialConvolution), a linear, then the
// division by avg_num_neighbors, or (Density) by 1 + the receiver's edge density; the
// species-dependent skip connection acts on that message (plain) or on the input, for the product
// block to add (residual).
#pragma once

#include <memory>

#include "models/layers/equivariant_linear.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/mace/mace_interaction.hpp"

namespace equifuse {

template <typename T>
class RealAgnosticInteraction final : public MaceInteraction<T> {
 public:
  using typename MaceInteraction<T>::Output;
  using typename MaceInteraction<T>::Saved;

  RealAgnosticInteraction(const Engine& engine, const MaceInteractionConfig& config, int index,
                          const MaceProductConfig& product, const SpeciesSelection& species,
                          double radial_activation_scale, const ParameterStore& parameters);
  ~RealAgnosticInteraction() override;

  Output forward(const EngineGraph& graph, const EdgeStream<T>& edges, const T* h,
                 Saved& saved) const override;
  void backward(const EngineGraph& graph, EdgeStream<T>& edges, const Saved& saved,
                const T* grad_message, const T* grad_skip, T* grad_h) const override;
  std::size_t bytes_per_edge() const override { return convolution_->bytes_per_edge(); }
  bool gives_skip() const override { return gives_skip_; }

 private:
  const Engine& engine_;
  bool residual_, gives_skip_;
  std::unique_ptr<EquivariantLinear<T>> linear_up_, linear_;
  std::unique_ptr<RadialConvolution<T>> convolution_;
  std::unique_ptr<SpeciesLinear<T>> skip_;
  std::unique_ptr<RadialMlp<T>> density_mlp_;  // Density blocks
  std::unique_ptr<EdgeDensity<T>> density_;
};

}  // namespace equifuse
