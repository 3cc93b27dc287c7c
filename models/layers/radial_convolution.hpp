// The message passing of MACE's and NequIP's layers: per-edge weights from the radial MLP of each
// edge's radial basis, and the fused graph convolution (kernels/convolution) of the senders'
// features with the edge spherical harmonics under those weights, summed into the receivers.
// Forward and hand-written backward, on the engine's backend.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/radial_mlp.hpp"

namespace equifuse {

template <typename T>
class RadialConvolution {
 public:
  // The MLP's last width must be the problem's weight count (per-edge weights); `what` names the
  // layer in errors.
  RadialConvolution(const Engine& engine, const TensorProductProblem& problem,
                    const std::vector<int>& mlp_dims,
                    const std::vector<std::span<const double>>& mlp_weights,
                    const std::vector<double>& mlp_layer_scales, double mlp_activation_scale,
                    const std::string& what);
  ~RadialConvolution();

  const TensorProductProblem& problem() const { return convolution_->problem(); }

  // Kept for the backward: the per-edge weights and the MLP's pre-activations (edge).
  struct Saved {
    Buffer<T> weights;
    typename RadialMlp<T>::Saved mlp;
    std::size_t bytes() const { return weights.bytes() + mlp.bytes(); }
  };
  // out [nodes][out dim] from node features x [nodes][in dim].
  Buffer<T> forward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                    const Buffer<T>& x, Saved& saved) const;
  // dE/dx [nodes][in dim] from dE/d(out); grad_sh and grad_radial += their parts.
  Buffer<T> backward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                     const Saved& saved, const Buffer<T>& x, const Buffer<T>& grad_out,
                     Buffer<T>& grad_sh, Buffer<T>& grad_radial) const;

 private:
  const Engine& engine_;
  std::unique_ptr<RadialMlp<T>> mlp_;
  std::unique_ptr<GraphConvolution<T>> convolution_;
};

}  // namespace equifuse
