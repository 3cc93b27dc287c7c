#include "models/layers/dense_layer.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <type_traits>

namespace equifuse {

namespace {

// Host implementation: a row at a time, out[j] accumulated over k in order (as the device tiles
// sum), then the bias and the epilogue (dense_layer_store).
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
    for (int j = 0; j < a.n; ++j)
      dense_layer_store(a, r * a.n + j, a.bias ? out[j] + a.bias[j] : out[j]);
  }
}

// float32 runs the register-blocked kernel (64 x 64 output tiles), float64 the 32 x 32 one
// (dense_layer.cu says why). EQUIFUSE_DENSE_TENSOR_CORES=1 runs float32's tiles on the tensor
// cores in 3xTF32 instead (measured on an H200: exact against the CPU, 7% faster than FFMA), =2 the
// same tiles fed by a cp.async pipeline (only compiled so far). FFMA stays the default until the
// two are measured side by side.
template <typename T>
constexpr bool kRegisterBlocked = std::is_same_v<T, float>;
template <typename T>
constexpr Kernel<DenseLayerArgs<T>> kDenseLayer{
    kRegisterBlocked<T> ? "dense_layer" : "dense_layer_small_tiles", &host_dense_layer<T>};
constexpr Kernel<DenseLayerArgs<float>> kDenseLayerTensorCores{"dense_layer_tensor_cores",
                                                               &host_dense_layer<float>};
constexpr Kernel<DenseLayerArgs<float>> kDenseLayerTensorCoresPipelined{
    "dense_layer_tensor_cores_pipelined", &host_dense_layer<float>};
template <typename T>
constexpr long kDenseTile = kRegisterBlocked<T> ? 64 : 32;

// 0: FFMA, 1: tensor cores, 2: tensor cores fed by the cp.async pipeline.
int tensor_cores_requested() {
  static const int requested = [] {
    const char* setting = std::getenv("EQUIFUSE_DENSE_TENSOR_CORES");
    if (setting == nullptr) return 0;
    const std::string_view v(setting);
    return v == "1" ? 1 : v == "2" ? 2 : 0;
  }();
  return requested;
}

}  // namespace

template <typename T>
void dense_layer(const Engine& e, const DenseLayerArgs<T>& args) {
  const auto grid_x = static_cast<unsigned>((args.rows + kDenseTile<T> - 1) / kDenseTile<T>);
  const auto grid_y = static_cast<unsigned>((args.n + kDenseTile<T> - 1) / kDenseTile<T>);
  const LaunchShape shape = LaunchShape::grid(grid_x, grid_y, 256);
  if constexpr (std::is_same_v<T, float>) {
    if (const int tc = tensor_cores_requested(); tc != 0) {
      e.launch(tc == 2 ? kDenseLayerTensorCoresPipelined : kDenseLayerTensorCores, args, shape);
      return;
    }
  }
  e.launch(kDenseLayer<T>, args, shape);
}

template void dense_layer<float>(const Engine&, const DenseLayerArgs<float>&);
template void dense_layer<double>(const Engine&, const DenseLayerArgs<double>&);

}  // namespace equifuse
