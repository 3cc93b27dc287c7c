// e3nn.nn.FullyConnectedNet with a normalised SiLU, as MACE and NequIP use for the radial weights
// of their convolutions: h_{k+1} = act(h_k W_k / sqrt(fan_in)) on hidden layers, no activation on
// the last. Weights [fan_in][fan_out] per layer, as e3nn stores them.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace equifuse {

template <typename T>
class RadialMlp {
 public:
  RadialMlp(std::vector<int> dims, const std::vector<std::span<const double>>& weights,
            double activation_scale);

  int dim_in() const { return dims_.front(); }
  int dim_out() const { return dims_.back(); }
  // Pre-activations of the hidden layers per row, what backward needs.
  std::size_t saved_size(std::size_t rows) const { return rows * hidden_total_; }

  // out[rows][dim_out] overwritten; saved[saved_size(rows)] filled.
  void forward(std::size_t rows, const T* in, T* out, T* saved) const;
  // grad_in[rows][dim_in] overwritten.
  void backward(std::size_t rows, const T* saved, const T* grad_out, T* grad_in) const;

 private:
  std::vector<int> dims_;
  std::vector<std::vector<T>> weights_;  // 1/sqrt(fan_in) folded in
  std::size_t hidden_total_ = 0;
  T scale_;
};

}  // namespace equifuse
