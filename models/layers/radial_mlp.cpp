#include "models/layers/radial_mlp.hpp"

#include <cmath>

#include "kernels/common/error.hpp"
#include "models/layers/dense_layer.hpp"

namespace equifuse {

template <typename T>
std::vector<double> RadialMlp<T>::fan_in_scales(const std::vector<int>& dims) {
  std::vector<double> scales;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k)
    scales.push_back(1.0 / std::sqrt(static_cast<double>(dims[k])));
  return scales;
}

template <typename T>
RadialMlp<T>::RadialMlp(const Engine& engine, std::vector<int> dims,
                        const std::vector<std::span<const double>>& weights,
                        const std::vector<double>& layer_scales, double activation_scale)
    : engine_(engine), dims_(std::move(dims)), scale_(static_cast<T>(activation_scale)) {
  if (dims_.size() < 2 || weights.size() != dims_.size() - 1 ||
      layer_scales.size() != weights.size()) {
    throw Error("radial MLP: needs one weight matrix and one scale per layer");
  }
  for (std::size_t k = 0; k + 1 < dims_.size(); ++k) {
    const auto nin = static_cast<std::size_t>(dims_[k]),
               nout = static_cast<std::size_t>(dims_[k + 1]);
    if (weights[k].size() != nin * nout) {
      throw Error("radial MLP: layer " + std::to_string(k) + " has the wrong size");
    }
    std::vector<T> w(nin * nout), t(nin * nout);
    for (std::size_t i = 0; i < nin; ++i) {
      for (std::size_t j = 0; j < nout; ++j) {
        w[i * nout + j] = static_cast<T>(weights[k][i * nout + j] * layer_scales[k]);
        t[j * nin + i] = w[i * nout + j];
      }
    }
    weights_.push_back(engine.upload(w));
    transposed_.push_back(engine.upload(t));
  }
}

template <typename T>
typename RadialMlp<T>::Saved RadialMlp<T>::forward(std::size_t rows, const T* in, T* out) const {
  const std::size_t layers = weights_.size();
  Saved saved;
  Buffer<T> activations, next;
  const T* current = in;
  for (std::size_t l = 0; l < layers; ++l) {
    const int nin = dims_[l], nout = dims_[l + 1];
    const bool hidden = l + 1 < layers;
    T* target = out;
    T* pre = nullptr;
    if (hidden) {
      saved.arrays.push_back(engine_.buffer<T>(rows * static_cast<std::size_t>(nout)));
      next = engine_.buffer<T>(rows * static_cast<std::size_t>(nout));
      target = next.data();
      pre = saved.arrays.back().data();
    }
    dense_layer<T>(engine_, {static_cast<long>(rows), nin, nout, current, weights_[l].data(),
                             nullptr, target, hidden ? 1 : 0, pre, nullptr, scale_});
    // Freed activations are reused only by later work on the same stream.
    std::swap(activations, next);
    current = target;
  }
  return saved;
}

template <typename T>
void RadialMlp<T>::backward(std::size_t rows, const Saved& saved, const T* grad_out,
                            T* grad_in) const {
  const std::size_t layers = weights_.size();
  Buffer<T> gradient, next;
  const T* g = grad_out;
  for (std::size_t l = layers; l-- > 0;) {
    const int nin = dims_[l], nout = dims_[l + 1];
    T* target = grad_in;
    const T* pre = nullptr;
    if (l > 0) {
      next = engine_.buffer<T>(rows * static_cast<std::size_t>(nin));
      target = next.data();
      pre = saved.arrays[l - 1].data();
    }
    // grad_in = grad_out W^T (times a silu'(pre) below the first layer)
    dense_layer<T>(engine_, {static_cast<long>(rows), nout, nin, g, transposed_[l].data(), nullptr,
                             target, pre ? 2 : 0, nullptr, pre, scale_});
    std::swap(gradient, next);
    g = target;
  }
}

template class RadialMlp<float>;
template class RadialMlp<double>;

}  // namespace equifuse
