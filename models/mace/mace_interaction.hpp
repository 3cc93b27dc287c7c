// A MACE interaction block as the model runs it: forward from the layer's node features to the
// message the product block contracts (and, for residual blocks, the skip connection it adds),
// and the hand-written backward to the features' gradient, dE/dY, dE/dR and, where the cutoff is
// apart from the radial basis, dE/d(cutoff). Kinds (MaceInteractionConfig::Kind): the
// RealAgnostic blocks, plain, residual and their Density variants (real_agnostic_interaction.hpp),
// and RealAgnosticResidualNonLinearInteractionBlock (nonlinear_interaction.hpp).
#pragma once

#include <memory>
#include <string>

#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/edge_mlp.hpp"
#include "models/layers/edge_stream.hpp"
#include "models/layers/radial_convolution.hpp"
#include "models/mace/edge_density.hpp"
#include "models/mace/mace_config.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class MaceInteraction {
 public:
  virtual ~MaceInteraction() = default;

  struct Output {
    Buffer<T> message;  // [nodes][target dim]: the product block's input
    Buffer<T> skip;     // residual blocks whose product uses it: [nodes][product out dim]
  };
  // Kept for the backward, node arrays only (linear_up's output, the density's, the gate's
  // input): every per-edge array is recomputed block by block (edge_stream.hpp). Kinds leave
  // unused parts empty.
  struct Saved {
    Buffer<T> up, gate_in;
    typename EdgeDensity<T>::Saved density;
    std::size_t bytes() const { return up.bytes() + gate_in.bytes() + density.bytes(); }
  };

  virtual Output forward(const EngineGraph& graph, const EdgeStream<T>& edges, const T* h,
                         Saved& saved) const = 0;
  // grad_h [nodes][in dim] += dE/dh, from dE/d(message) and (gives_skip) dE/d(skip); the edges'
  // part goes to the stream's edge gradients.
  virtual void backward(const EngineGraph& graph, EdgeStream<T>& edges, const Saved& saved,
                        const T* grad_message, const T* grad_skip, T* grad_h) const = 0;
  // Bytes per edge of the layer's edge working set (the memory option's unit).
  virtual std::size_t bytes_per_edge() const = 0;
  // Whether forward gives a skip for the product block to add.
  virtual bool gives_skip() const = 0;
};

// The block of `config.kind`, taking interactions.<index>.* from `parameters`; `product` is the
// product block's config (where a residual skip connection lands, and whether it is used).
// The channel-wise tensor product of a block's convolution (edge irreps x edge attributes ->
// target irreps, per-edge weights); throws naming the layer if it does not give the file's
// convolution output irreps.
TensorProductProblem mace_convolution_problem(const MaceInteractionConfig& config,
                                              const std::string& layer);

template <typename T>
std::unique_ptr<MaceInteraction<T>> make_mace_interaction(
    const Engine& engine, const MaceInteractionConfig& config, int index,
    const MaceProductConfig& product, const SpeciesSelection& species,
    double radial_activation_scale, const ParameterStore& parameters);

}  // namespace equifuse
