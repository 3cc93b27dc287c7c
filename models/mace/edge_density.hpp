// The message normalisation of MACE's Density and NonLinear interaction blocks: per edge
// rho_e = tanh(d_e^2) (times the edge's cutoff where it is apart), d_e the output of the block's
// one-output density MLP; per receiver density_i = sum of rho_e over its edges; each receiver's
// message row divided by beta * density_i + alpha (Density blocks: alpha = beta = 1; NonLinear:
// their trained alpha and beta). It replaces the division by avg_num_neighbors.
#pragma once

#include "models/engine/edge_blocks.hpp"
#include "models/engine/engine.hpp"
#include "models/layers/edge_mlp.hpp"

namespace equifuse {

template <typename T>
class EdgeDensity {
 public:
  EdgeDensity(const Engine& engine, double alpha, double beta);

  // Kept for the backward (node): the denominators [N] and the normalised message [N][dim]. The
  // per-edge d is the density MLP's output, recomputed for each block of edges.
  struct Saved {
    Buffer<T> denominators, normalized;
    std::size_t bytes() const { return denominators.bytes() + normalized.bytes(); }
  };
  // One block of edges: density_i [nodes] written for the block's receivers, from d [block E]
  // (the density MLP's output) and cutoff [block E] or null.
  void sum_block(const EdgeBlock& block, const T* d, const T* cutoff, T* densities) const;
  // The same with d the density MLP's output for mlp_input [block E][its width].
  void sum_block(const EdgeBlock& block, const EdgeMlp<T>& mlp, const T* mlp_input, const T* cutoff,
                 T* densities) const;
  // message [N][dim] divided in place by beta * density + alpha (densities: every block summed).
  void normalize(std::size_t nodes, Buffer<T> densities, Buffer<T>& message, int dim,
                 Saved& saved) const;
  // grad_message [N][dim]: dL/d(normalised message) in, dL/d(message) out (in place); returns
  // dL/d(density) [N].
  Buffer<T> node_backward(std::size_t nodes, const Saved& saved, Buffer<T>& grad_message,
                          int dim) const;
  // One block: dL/dd [block E] from dL/d(density) [nodes]; grad_cutoff [block E] += its part (if
  // not null).
  Buffer<T> block_backward(const EdgeBlock& block, const T* d, const T* cutoff,
                           const T* grad_density, T* grad_cutoff) const;
  // Through the density MLP too (evaluated again for the block): grad_mlp_input [block E][the
  // MLP's input_gradients()] += its part, grad_cutoff += its part.
  void block_backward(const EdgeBlock& block, const EdgeMlp<T>& mlp, const T* mlp_input,
                      const T* cutoff, const T* grad_density, T* grad_mlp_input,
                      T* grad_cutoff) const;

 private:
  const Engine& engine_;
  T alpha_, beta_;
};

}  // namespace equifuse
