// The layers' view of streamed edges (models/engine/edge_blocks.hpp): for each block of edges,
// the edge embedding's features of its edges, computed for the block and dropped after it; in the
// backward the same features again, zeroed gradients for the block's spherical harmonics, radial
// basis and cutoff for the layer to add into, and then the block's dE/d(edge vector) added to the
// whole graph's. Each layer's edge work is one pass over the blocks forward and one backward.
#pragma once

#include <utility>

#include "models/engine/edge_blocks.hpp"
#include "models/layers/edge_embedding.hpp"

namespace equifuse {

template <typename T>
class EdgeStream {
 public:
  using Features = typename EdgeEmbedding<T>::Features;
  // dE/d(the block's embedding outputs), zeroed: [E][sh dim], [E][num basis], [E] where the
  // cutoff is apart (else empty).
  struct Gradients {
    Buffer<T> sh, radial, cutoff;
    T* cutoff_or_null() { return cutoff.empty() ? nullptr : cutoff.data(); }
  };

  EdgeStream(const Engine& engine, const EdgeEmbedding<T>& embedding, const EdgeBlocks& blocks,
             std::size_t num_edges)
      : engine_(engine), embedding_(embedding), blocks_(blocks), num_edges_(num_edges) {}

  // f(block, features) for every block.
  template <typename F>
  void forward(F&& f) const {
    for (const EdgeBlock& block : blocks_.blocks()) {
      const Features features = embedding_.forward(*block.graph);
      f(block, features);
    }
  }

  // f(block, features, gradients) for every block; what f adds to the gradients reaches
  // take_edge_gradients().
  template <typename F>
  void backward(F&& f) {
    Buffer<double>& sums = edge_gradients();
    for (const EdgeBlock& block : blocks_.blocks()) {
      const Features features = embedding_.forward(*block.graph);
      Gradients g{engine_.zeros<T>(features.sh.size()), engine_.zeros<T>(features.radial.size()),
                  engine_.zeros<T>(features.cutoff.size())};
      f(block, features, g);
      const Buffer<double> vectors = embedding_.backward(*block.graph, features, g.sh, g.radial,
                                                         g.cutoff.empty() ? nullptr : &g.cutoff);
      add_edge_rows(engine_, block, 3, vectors.data(), sums.data());
    }
  }

  // dE/d(edge vector) [E][3] summed over the backward passes so far (zeros if none).
  Buffer<double> take_edge_gradients() { return std::move(edge_gradients()); }

 private:
  // Made at the first backward pass (the forward passes do not hold it).
  Buffer<double>& edge_gradients() {
    if (edge_gradients_.empty()) edge_gradients_ = engine_.zeros<double>(3 * num_edges_);
    return edge_gradients_;
  }

  const Engine& engine_;
  const EdgeEmbedding<T>& embedding_;
  const EdgeBlocks& blocks_;
  std::size_t num_edges_;
  Buffer<double> edge_gradients_;
};

}  // namespace equifuse
