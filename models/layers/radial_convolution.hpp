// The message passing of MACE's and NequIP's layers: per-edge weights from an MLP of each edge's
// radial features (e3nn's FullyConnectedNet of the radial basis, or mace-torch's layer-norm MLP
// of the basis and the pair's species embeddings), times the edge's cutoff where the embedding
// returns it apart, and the fused graph convolution (kernels/convolution) of the senders'
// features with the edge spherical harmonics under those weights, summed into the receivers.
// Forward and hand-written backward, on the engine's backend.
#pragma once

#include <memory>
#include <string>

#include "kernels/convolution/graph_convolution.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/edge_mlp.hpp"

namespace equifuse {

template <typename T>
class RadialConvolution {
 public:
  // The MLP's output width must be the problem's weight count (per-edge weights); `what` names the
  // layer in errors.
  RadialConvolution(const Engine& engine, const TensorProductProblem& problem,
                    std::unique_ptr<EdgeMlp<T>> mlp, const std::string& what);
  ~RadialConvolution();

  const TensorProductProblem& problem() const { return convolution_->problem(); }

  // Kept for the backward: the MLP's per-edge outputs and its own arrays (edge).
  struct Saved {
    Buffer<T> weights;
    MlpSaved<T> mlp;
    std::size_t bytes() const { return weights.bytes() + mlp.bytes(); }
  };
  // out [nodes][out dim] from node features x [nodes][in dim]; the MLP reads mlp_input [E][its
  // width] (edges.radial, unless the layer builds its own).
  Buffer<T> forward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                    const T* mlp_input, const Buffer<T>& x, Saved& saved) const;
  // dE/dx [nodes][in dim] from dE/d(out); grad_sh += its part, grad_mlp_input [E][the MLP's
  // input_gradients()] += its part, and (cutoff apart) grad_cutoff [E] += its part.
  Buffer<T> backward(const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges,
                     const Saved& saved, const Buffer<T>& x, const Buffer<T>& grad_out,
                     Buffer<T>& grad_sh, T* grad_mlp_input, T* grad_cutoff) const;

 private:
  // The weights the convolution uses: the MLP's outputs, times the cutoff where it is apart.
  Buffer<T> edge_weights(const typename EdgeEmbedding<T>::Features& edges,
                         const Saved& saved) const;

  const Engine& engine_;
  std::unique_ptr<EdgeMlp<T>> mlp_;
  std::unique_ptr<GraphConvolution<T>> convolution_;
};

}  // namespace equifuse
