// The message normalisation of MACE's Density and NonLinear interaction blocks: per edge
// rho_e = tanh(d_e^2) (times the edge's cutoff where it is apart), d_e the output of the block's
// one-output density MLP; per receiver density_i = sum of rho_e over its edges; each receiver's
// message row divided by beta * density_i + alpha (Density blocks: alpha = beta = 1; NonLinear:
// their trained alpha and beta). It replaces the division by avg_num_neighbors.
#pragma once

#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"

namespace equifuse {

template <typename T>
class EdgeDensity {
 public:
  EdgeDensity(const Engine& engine, double alpha, double beta);

  // Kept for the backward: d [E] (edge), the denominators [N] and the normalised message [N][dim]
  // (node).
  struct Saved {
    Buffer<T> d, denominators, normalized;
    std::size_t bytes() const { return d.bytes() + denominators.bytes() + normalized.bytes(); }
  };
  // message [N][dim] divided in place; d [E] is the density MLP's output; cutoff [E] or null.
  void forward(const EngineGraph& graph, Buffer<T> d, const T* cutoff, Buffer<T>& message, int dim,
               Saved& saved) const;
  // grad_message [N][dim]: dL/d(normalised message) in, dL/d(message) out (in place); returns
  // dL/dd [E]; grad_cutoff [E] += its part (if not null).
  Buffer<T> backward(const EngineGraph& graph, const Saved& saved, const T* cutoff,
                     Buffer<T>& grad_message, int dim, T* grad_cutoff) const;

 private:
  const Engine& engine_;
  T alpha_, beta_;
};

}  // namespace equifuse
