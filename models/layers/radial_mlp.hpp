// The radial MLP of MACE's and NequIP's convolutions (and NequIP's readout): h_{k+1} =
// a * silu(h_k (s_k W_k)) on hidden layers, no activation on the last. Weights [fan_in][fan_out]
// per layer as both store them; the per-layer scale s_k is 1/sqrt(fan_in) for e3nn's
// FullyConnectedNet (MACE) and NequIP's alpha; a is e3nn's normalize2mom constant of SiLU (MACE)
// or 1 (NequIP). Each layer is one dense-layer kernel (radial_mlp_kernels.cuh).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "models/engine/engine.hpp"
#include "models/layers/edge_mlp.hpp"

namespace equifuse {

template <typename T>
class RadialMlp final : public EdgeMlp<T> {
 public:
  RadialMlp(const Engine& engine, std::vector<int> dims,
            const std::vector<std::span<const double>>& weights,
            const std::vector<double>& layer_scales, double activation_scale);
  // e3nn's FullyConnectedNet: layer scales 1/sqrt(fan_in).
  static std::vector<double> fan_in_scales(const std::vector<int>& dims);

  int dim_in() const override { return dims_.front(); }
  int dim_out() const override { return dims_.back(); }
  int input_gradients() const override { return dims_.front(); }
  const std::vector<int>& dims() const { return dims_; }

  // Kept for the backward: the pre-activations of each hidden layer, [rows][width] (the
  // activations themselves are not needed).
  using Saved = MlpSaved<T>;

  // out[rows][dim_out] overwritten.
  Saved forward(std::size_t rows, const T* in, T* out) const override;
  // grad_in[rows][dim_in] overwritten.
  void backward(std::size_t rows, const Saved& saved, const T* grad_out, T* grad_in) const override;

 private:
  const Engine& engine_;
  std::vector<int> dims_;
  std::vector<Buffer<T>> weights_,
      transposed_;  // [in][out] and [out][in], 1/sqrt(fan_in) folded in
  T scale_;
};

}  // namespace equifuse
