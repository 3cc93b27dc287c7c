#include "models/layers/layer_norm_mlp.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"
#include "models/layers/dense_layer.hpp"
#include "models/layers/layer_norm_mlp_kernels.cuh"

namespace equifuse {

namespace {

template <typename T>
constexpr auto kForward =
    elementwise_kernel<LayerNormSiluArgs<T>, layer_norm_silu_forward_at<T>,
                       &LayerNormSiluArgs<T>::rows>("layer_norm_silu_forward");
template <typename T>
constexpr auto kBackward =
    elementwise_kernel<LayerNormSiluArgs<T>, layer_norm_silu_backward_at<T>,
                       &LayerNormSiluArgs<T>::rows>("layer_norm_silu_backward");

template <typename T>
std::vector<T> as(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}

}  // namespace

template <typename T>
LayerNormMlp<T>::LayerNormMlp(const Engine& engine, std::vector<int> dims,
                              const std::vector<LayerNormMlpLayer>& layers, double eps,
                              int input_gradients)
    : engine_(engine),
      dims_(std::move(dims)),
      input_gradients_(input_gradients),
      eps_(static_cast<T>(eps)) {
  if (dims_.size() < 2 || layers.size() != dims_.size() - 1 || input_gradients < 0 ||
      input_gradients > dims_.front()) {
    throw Error("layer-norm MLP: needs one layer per pair of widths");
  }
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const auto nin = static_cast<std::size_t>(dims_[k]),
               nout = static_cast<std::size_t>(dims_[k + 1]);
    const LayerNormMlpLayer& l = layers[k];
    const bool hidden = k + 1 < layers.size();
    if (l.weight.size() != nin * nout || l.bias.size() != nout ||
        (hidden && (l.gamma.size() != nout || l.beta.size() != nout))) {
      throw Error("layer-norm MLP: layer " + std::to_string(k) + " has the wrong size");
    }
    // [in][out] for the forward; [out][in] (the first input_gradients columns of the first
    // layer) for the backward.
    const std::size_t grad_in = k == 0 ? static_cast<std::size_t>(input_gradients) : nin;
    std::vector<T> w(nin * nout), t(nout * grad_in);
    for (std::size_t o = 0; o < nout; ++o) {
      for (std::size_t i = 0; i < nin; ++i) {
        w[i * nout + o] = static_cast<T>(l.weight[o * nin + i]);
        if (i < grad_in) t[o * grad_in + i] = static_cast<T>(l.weight[o * nin + i]);
      }
    }
    weights_.push_back(engine.upload(w));
    transposed_.push_back(engine.upload(t));
    biases_.push_back(engine.upload(as<T>(l.bias)));
    gammas_.push_back(engine.upload(as<T>(l.gamma)));
    betas_.push_back(engine.upload(as<T>(l.beta)));
  }
}

template <typename T>
typename LayerNormMlp<T>::Saved LayerNormMlp<T>::forward(std::size_t rows, const T* in,
                                                         T* out) const {
  const std::size_t layers = weights_.size();
  Saved saved;
  Buffer<T> activation, z;
  const T* current = in;
  const long n_rows = static_cast<long>(rows);
  for (std::size_t l = 0; l < layers; ++l) {
    const int nin = dims_[l], nout = dims_[l + 1];
    const bool hidden = l + 1 < layers;
    const auto width = rows * static_cast<std::size_t>(nout);
    if (!hidden) {
      dense_layer<T>(engine_, {n_rows, nin, nout, current, weights_[l].data(), biases_[l].data(),
                               out, 0, nullptr, nullptr, T(1)});
      break;
    }
    z = engine_.buffer<T>(width);
    dense_layer<T>(engine_, {n_rows, nin, nout, current, weights_[l].data(), biases_[l].data(),
                             z.data(), 0, nullptr, nullptr, T(1)});
    Buffer<T> normalized = engine_.buffer<T>(width), inverse_std = engine_.buffer<T>(rows);
    Buffer<T> next = engine_.buffer<T>(width);
    engine_.launch(kForward<T>,
                   {n_rows, nout, gammas_[l].data(), betas_[l].data(), eps_, z.data(),
                    normalized.data(), inverse_std.data(), next.data(), nullptr},
                   LaunchShape::over(n_rows));
    saved.arrays.push_back(std::move(normalized));
    saved.arrays.push_back(std::move(inverse_std));
    activation = std::move(next);
    current = activation.data();
  }
  return saved;
}

template <typename T>
void LayerNormMlp<T>::backward(std::size_t rows, const Saved& saved, const T* grad_out,
                               T* grad_in) const {
  const long n_rows = static_cast<long>(rows);
  Buffer<T> grad_activation, grad_z;
  const T* g = grad_out;
  for (std::size_t l = weights_.size(); l-- > 0;) {
    const int nout = dims_[l + 1];
    const bool first = l == 0;
    const int nin = first ? input_gradients_ : dims_[l];
    // d(input of layer l) = dz W^T (dz: the gradient of layer l's dense output).
    Buffer<T> next;
    T* target = grad_in;
    if (!first) {
      next = engine_.buffer<T>(rows * static_cast<std::size_t>(nin));
      target = next.data();
    }
    dense_layer<T>(engine_, {n_rows, nout, nin, g, transposed_[l].data(), nullptr, target, 0,
                             nullptr, nullptr, T(1)});
    if (first) break;
    // Through layer l - 1's layer norm and SiLU to its dense output.
    grad_z = engine_.buffer<T>(rows * static_cast<std::size_t>(nin));
    engine_.launch(
        kBackward<T>,
        {n_rows, nin, gammas_[l - 1].data(), betas_[l - 1].data(), eps_, nullptr,
         const_cast<T*>(saved.arrays[2 * (l - 1)].data()),
         const_cast<T*>(saved.arrays[2 * (l - 1) + 1].data()), next.data(), grad_z.data()},
        LaunchShape::over(n_rows));
    grad_activation = std::move(next);
    g = grad_z.data();
  }
}

template class LayerNormMlp<float>;
template class LayerNormMlp<double>;

}  // namespace equifuse
