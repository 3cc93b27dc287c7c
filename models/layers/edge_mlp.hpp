// What a per-edge MLP offers the layers around it (RadialConvolution, EdgeDensity's density MLPs):
// e3nn's FullyConnectedNet (RadialMlp) and mace-torch's layer-norm RadialMLP (LayerNormMlp) alike.
#pragma once

#include <cstddef>
#include <vector>

#include "models/engine/buffer.hpp"

namespace equifuse {

// What an MLP keeps for its backward (its own arrays, in its own order).
template <typename T>
struct MlpSaved {
  std::vector<Buffer<T>> arrays;
  std::size_t bytes() const {
    std::size_t total = 0;
    for (const Buffer<T>& b : arrays) total += b.bytes();
    return total;
  }
};

template <typename T>
class EdgeMlp {
 public:
  virtual ~EdgeMlp() = default;
  virtual int dim_in() const = 0;
  virtual int dim_out() const = 0;
  // The backward's input gradient covers the first input_gradients() inputs of a row.
  virtual int input_gradients() const = 0;
  // out[rows][dim_out] overwritten.
  virtual MlpSaved<T> forward(std::size_t rows, const T* in, T* out) const = 0;
  // grad_in[rows][input_gradients()] overwritten.
  virtual void backward(std::size_t rows, const MlpSaved<T>& saved, const T* grad_out,
                        T* grad_in) const = 0;
};

}  // namespace equifuse
