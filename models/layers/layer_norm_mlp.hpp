// The MLP of MACE's non-linear interaction blocks (mace-torch's RadialMLP, a torch Sequential):
// per hidden layer Linear (with bias) -> LayerNorm (affine) -> SiLU, then a last Linear with bias;
// no e3nn normalisation constants. Weights as torch stores them ([out][in]). The backward gives
// the gradient of the first `input_gradients` inputs only (the radial basis: the rest of the input
// is species embeddings, which no force needs).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/engine/engine.hpp"
#include "models/layers/edge_mlp.hpp"

namespace equifuse {

struct LayerNormMlpLayer {
  std::vector<double> weight, bias;  // [out][in], [out]
  std::vector<double> gamma, beta;   // LayerNorm's (hidden layers only)
};

template <typename T>
class LayerNormMlp final : public EdgeMlp<T> {
 public:
  // dims = widths, input first; layers[k] maps dims[k] -> dims[k + 1].
  LayerNormMlp(const Engine& engine, std::vector<int> dims,
               const std::vector<LayerNormMlpLayer>& layers, double eps, int input_gradients);

  int dim_in() const override { return dims_.front(); }
  int dim_out() const override { return dims_.back(); }
  int input_gradients() const override { return input_gradients_; }

  // Kept for the backward, per hidden layer: the normalised pre-activations [rows][width] and the
  // inverse standard deviations [rows] (arrays 2k and 2k + 1).
  using Saved = MlpSaved<T>;
  // out[rows][dim_out] overwritten.
  Saved forward(std::size_t rows, const T* in, T* out) const override;
  // grad_in[rows][input_gradients] overwritten.
  void backward(std::size_t rows, const Saved& saved, const T* grad_out, T* grad_in) const override;

 private:
  const Engine& engine_;
  std::vector<int> dims_;
  int input_gradients_;
  T eps_;
  std::vector<Buffer<T>> weights_, transposed_, biases_, gammas_, betas_;
};

}  // namespace equifuse
