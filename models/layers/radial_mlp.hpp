// The radial MLP of MACE's and NequIP's convolutions: h_{k+1} = a * silu(h_k (s_k W_k)) on hidden
// layers, no activation on the last. Weights [fan_in][fan_out] per layer as both store them; the
// per-layer scale s_k is 1/sqrt(fan_in) for e3nn's FullyConnectedNet (MACE) and NequIP's alpha;
// a is e3nn's normalize2mom constant of SiLU (MACE) or 1 (NequIP).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace equifuse {

template <typename T>
class RadialMlp {
 public:
  RadialMlp(std::vector<int> dims, const std::vector<std::span<const double>>& weights,
            const std::vector<double>& layer_scales, double activation_scale);
  // e3nn's FullyConnectedNet: layer scales 1/sqrt(fan_in).
  static std::vector<double> fan_in_scales(const std::vector<int>& dims);

  int dim_in() const { return dims_.front(); }
  int dim_out() const { return dims_.back(); }
  // Pre-activations of the hidden layers per row, what backward needs.
  std::size_t saved_size(std::size_t rows) const { return rows * hidden_total_; }

  // out[rows][dim_out] overwritten; saved[saved_size(rows)] filled.
  void forward(std::size_t rows, const T* in, T* out, T* saved) const;
  // grad_in[rows][dim_in] overwritten.
  void backward(std::size_t rows, const T* saved, const T* grad_out, T* grad_in) const;

  // Layer widths, scaled weights [fan_in][fan_out] per layer, activation scale (other backends).
  const std::vector<int>& dims() const { return dims_; }
  const std::vector<T>& layer_weights(std::size_t k) const { return weights_.at(k); }
  T activation_scale() const { return scale_; }

 private:
  std::vector<int> dims_;
  std::vector<std::vector<T>> weights_;  // 1/sqrt(fan_in) folded in
  std::size_t hidden_total_ = 0;
  T scale_;
};

}  // namespace equifuse
