#include "models/layers/radial_mlp.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"
#include "models/layers/activation.hpp"

namespace equifuse {

template <typename T>
std::vector<double> RadialMlp<T>::fan_in_scales(const std::vector<int>& dims) {
  std::vector<double> scales;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k) scales.push_back(1.0 / std::sqrt(static_cast<double>(dims[k])));
  return scales;
}

template <typename T>
RadialMlp<T>::RadialMlp(std::vector<int> dims, const std::vector<std::span<const double>>& weights,
                        const std::vector<double>& layer_scales, double activation_scale)
    : dims_(std::move(dims)), scale_(static_cast<T>(activation_scale)) {
  if (dims_.size() < 2 || weights.size() != dims_.size() - 1 || layer_scales.size() != weights.size()) {
    throw Error("radial MLP: needs one weight matrix and one scale per layer");
  }
  for (std::size_t k = 0; k + 1 < dims_.size(); ++k) {
    const auto n = static_cast<std::size_t>(dims_[k]) * dims_[k + 1];
    if (weights[k].size() != n) throw Error("radial MLP: layer " + std::to_string(k) + " has the wrong size");
    const double norm = layer_scales[k];
    std::vector<T> w(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<T>(weights[k][i] * norm);
    weights_.push_back(std::move(w));
    if (k + 2 < dims_.size()) hidden_total_ += static_cast<std::size_t>(dims_[k + 1]);
  }
}

template <typename T>
void RadialMlp<T>::forward(std::size_t rows, const T* in, T* out, T* saved) const {
  const std::size_t layers = weights_.size();
  const int widest = *std::max_element(dims_.begin(), dims_.end());
#pragma omp parallel
  {
    std::vector<T> a(static_cast<std::size_t>(widest)), z(static_cast<std::size_t>(widest));
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      std::copy(in + r * dims_[0], in + (r + 1) * dims_[0], a.begin());
      T* s = saved + r * hidden_total_;
      for (std::size_t k = 0; k < layers; ++k) {
        const int n_in = dims_[k], n_out = dims_[k + 1];
        const T* w = weights_[k].data();
        T* target = k + 1 == layers ? out + r * static_cast<std::size_t>(n_out) : z.data();
        std::fill(target, target + n_out, T(0));
        for (int i = 0; i < n_in; ++i) {
          const T ai = a[i];
          const T* wi = w + static_cast<std::size_t>(i) * n_out;
          for (int j = 0; j < n_out; ++j) target[j] += ai * wi[j];
        }
        if (k + 1 < layers) {
          for (int j = 0; j < n_out; ++j) {
            s[j] = z[j];
            a[j] = scale_ * silu(z[j]);
          }
          s += n_out;
        }
      }
    }
  }
}

template <typename T>
void RadialMlp<T>::backward(std::size_t rows, const T* saved, const T* grad_out, T* grad_in) const {
  const std::size_t layers = weights_.size();
  const int widest = *std::max_element(dims_.begin(), dims_.end());
#pragma omp parallel
  {
    std::vector<T> g(static_cast<std::size_t>(widest)), previous(static_cast<std::size_t>(widest));
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      std::copy(grad_out + r * dims_.back(), grad_out + (r + 1) * dims_.back(), g.begin());
      // Offset of the saved pre-activations of the layer whose output is being differentiated.
      std::size_t saved_end = hidden_total_;
      for (std::size_t k = layers; k-- > 0;) {
        const int n_in = dims_[k], n_out = dims_[k + 1];
        const T* w = weights_[k].data();
        T* target = k == 0 ? grad_in + r * static_cast<std::size_t>(n_in) : previous.data();
        for (int i = 0; i < n_in; ++i) {
          const T* wi = w + static_cast<std::size_t>(i) * n_out;
          T acc = 0;
          for (int j = 0; j < n_out; ++j) acc += wi[j] * g[j];
          target[i] = acc;
        }
        if (k > 0) {
          saved_end -= static_cast<std::size_t>(n_in);
          const T* z = saved + r * hidden_total_ + saved_end;
          for (int i = 0; i < n_in; ++i) g[i] = previous[i] * scale_ * silu_derivative(z[i]);
        }
      }
    }
  }
}

template class RadialMlp<float>;
template class RadialMlp<double>;

}  // namespace equifuse
