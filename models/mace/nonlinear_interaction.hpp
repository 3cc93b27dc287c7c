// MACE's non-linear interaction block (mace-torch's RealAgnosticResidualNonLinearInteractionBlock,
// MACE-MH-1 and MACE-OMOL): linear_up of the node features into the edge irreps; radial and
// density MLPs (mace-torch's layer-norm RadialMLP) of [radial basis, sender and receiver species
// embeddings]; the fused convolution with the edge spherical harmonics under the radial MLP's
// weights; linear_1 divided by beta * density + alpha; plus linear_res of the up-projected
// features; the gate (SiLU on scalars, sigmoid gates); linear_2. Its skip connection is a linear
// of the input (no species), which the product block adds.
#pragma once

#include <memory>

#include "models/layers/equivariant_linear.hpp"
#include "models/layers/gate.hpp"
#include "models/layers/layer_norm_mlp.hpp"
#include "models/mace/mace_interaction.hpp"

namespace equifuse {

template <typename T>
class NonlinearInteraction final : public MaceInteraction<T> {
 public:
  using typename MaceInteraction<T>::Output;
  using typename MaceInteraction<T>::Saved;

  NonlinearInteraction(const Engine& engine, const MaceInteractionConfig& config, int index,
                       const MaceProductConfig& product, const SpeciesSelection& species,
                       const ParameterStore& parameters);
  ~NonlinearInteraction() override;

  Output forward(const EngineGraph& graph, const EdgeStream<T>& edges, const T* h,
                 Saved& saved) const override;
  void backward(const EngineGraph& graph, EdgeStream<T>& edges, const Saved& saved,
                const T* grad_message, const T* grad_skip, T* grad_h) const override;
  std::size_t bytes_per_edge() const override { return convolution_->bytes_per_edge(); }
  bool gives_skip() const override { return gives_skip_; }

 private:
  // [E][num_basis + 2 embedding_dim]: the MLPs' input.
  Buffer<T> mlp_inputs(const EngineGraph& block,
                       const typename EdgeEmbedding<T>::Features& edges) const;

  const Engine& engine_;
  bool gives_skip_;
  int num_basis_, embedding_dim_;
  Buffer<T> source_embedding_, target_embedding_;  // [species][embedding_dim]
  std::unique_ptr<EquivariantLinear<T>> linear_up_, linear_res_, linear_1_, linear_2_, skip_;
  std::unique_ptr<RadialConvolution<T>> convolution_;
  std::unique_ptr<LayerNormMlp<T>> density_mlp_;
  std::unique_ptr<EdgeDensity<T>> density_;
  std::unique_ptr<Gate<T>> gate_;
};

}  // namespace equifuse
