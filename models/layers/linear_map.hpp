// A block-sparse linear map of node rows, optionally with weights chosen per row by species
// (linear_map_kernels.cuh): the kernel layer under EquivariantLinear and SpeciesLinear. Its tables
// live in the engine's memory.
#pragma once

#include <cstddef>
#include <vector>

#include "models/engine/engine.hpp"
#include "models/layers/linear_map_kernels.cuh"

namespace equifuse {

template <typename T>
class LinearMap {
 public:
  // weights: [num_weight_sets][per_set]; species_stride = per_set where rows pick their set by
  // species, 0 for one shared set; bias: [dim_out] added in the forward, or empty.
  LinearMap(const Engine& engine, int dim_in, int dim_out, const std::vector<LinearBlock>& blocks,
            const std::vector<T>& weights, std::size_t species_stride,
            const std::vector<T>& bias = {});

  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  // out[rows][dim_out] = (or +=, accumulate) W x; `species` may be null without species weights.
  void forward(std::size_t rows, const T* x, T* out, const int* species,
               bool accumulate = false) const;
  // grad_x[rows][dim_in] = (or +=) W^T grad_out.
  void backward(std::size_t rows, const T* grad_out, T* grad_x, const int* species,
                bool accumulate) const;

 private:
  LinearMapArgs<T> args(std::size_t rows, const T* x, T* out, const int* species, bool accumulate,
                        bool forward) const;
  const Engine& engine_;
  Buffer<LinearBlock> blocks_;
  // transposed_weights_: each block's [mul_in][mul_out] stored as [mul_out][mul_in] (same
  // offsets), which the backward reads: consecutive threads (inputs u) read consecutive weights.
  Buffer<T> weights_, transposed_weights_, bias_;
  long species_stride_;
  int num_blocks_, dim_in_, dim_out_;
};

}  // namespace equifuse
