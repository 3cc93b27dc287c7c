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
#include "models/engine/edge_blocks.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/edge_mlp.hpp"
#include "models/layers/equivariant_linear.hpp"

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

  // One block of streamed edges (edge_stream.hpp). The per-edge weights live only inside these
  // calls: the backward evaluates the MLP again.
  // out [nodes][then's out dim] of the whole graph: the block's receiver rows of then(convolution)
  // from x [nodes][in dim]. The linear that follows every convolution in MACE and NequIP maps the
  // block's rows at once, so that no [nodes][convolution out dim] array is made. The MLP reads
  // mlp_input [block edges][its width] (edges.radial, unless the layer builds its own).
  void forward(const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& edges,
               const T* mlp_input, const T* x, const EquivariantLinear<T>& then, T* out) const;
  // grad_x [nodes][in dim] += the block's part of dE/dx, from grad_out [nodes][then's out dim];
  // for the block's edges grad_sh += its part, grad_mlp_input [E][the MLP's input_gradients()]
  // += its part and (cutoff apart) grad_cutoff [E] += its part.
  void backward(const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& edges,
                const T* mlp_input, const T* x, const EquivariantLinear<T>& then, const T* grad_out,
                T* grad_x, Buffer<T>& grad_sh, T* grad_mlp_input, T* grad_cutoff) const;
  // Bytes of the per-edge arrays of one call, per edge (the memory option's unit).
  std::size_t bytes_per_edge() const;

 private:
  // The MLP's outputs for the block's edges (weights) and what its backward needs.
  MlpSaved<T> edge_weights(std::size_t edges, const T* mlp_input, Buffer<T>& weights) const;

  const Engine& engine_;
  std::unique_ptr<EdgeMlp<T>> mlp_;
  std::unique_ptr<GraphConvolution<T>> convolution_;
};

}  // namespace equifuse
