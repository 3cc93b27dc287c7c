#include "models/layers/dense_layer.hpp"

#include <algorithm>

#include "models/layers/activation.cuh"

namespace equifuse {

namespace {

// Host implementation: a row at a time, out[j] accumulated over k in order (as the device tiles
// sum), then the bias and the epilogue.
template <typename T>
void host_dense_layer(const DenseLayerArgs<T>& a) {
#pragma omp parallel for schedule(static)
  for (long r = 0; r < a.rows; ++r) {
    T* out = a.out + r * a.n;
    std::fill(out, out + a.n, T(0));
    const T* in = a.a + r * a.k;
    for (int i = 0; i < a.k; ++i) {
      const T ai = in[i];
      const T* bi = a.b + static_cast<long>(i) * a.n;
      for (int j = 0; j < a.n; ++j) out[j] += ai * bi[j];
    }
    if (a.bias)
      for (int j = 0; j < a.n; ++j) out[j] += a.bias[j];
    if (a.mode == 1) {
      T* saved = a.saved + r * a.n;
      for (int j = 0; j < a.n; ++j) {
        saved[j] = out[j];
        out[j] = a.scale * silu(out[j]);
      }
    } else if (a.mode == 2) {
      const T* pre = a.pre + r * a.n;
      for (int j = 0; j < a.n; ++j) out[j] = out[j] * a.scale * silu_derivative(pre[j]);
    }
  }
}

template <typename T>
constexpr Kernel<DenseLayerArgs<T>> kDenseLayer{"dense_layer", &host_dense_layer<T>};

}  // namespace

template <typename T>
void dense_layer(const Engine& e, const DenseLayerArgs<T>& args) {
  const auto grid_x = static_cast<unsigned>((args.rows + 31) / 32);
  const auto grid_y = static_cast<unsigned>((args.n + 31) / 32);
  e.launch(kDenseLayer<T>, args, LaunchShape::grid(grid_x, grid_y, 256));
}

template void dense_layer<float>(const Engine&, const DenseLayerArgs<float>&);
template void dense_layer<double>(const Engine&, const DenseLayerArgs<double>&);

}  // namespace equifuse
