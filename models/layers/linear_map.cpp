#include "models/layers/linear_map.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace equifuse {

namespace {

// Host implementations: a row at a time, blocks in order, accumulating over u into each output
// component (the same order of additions as the device kernels' sums).
template <typename T>
const T* weights_of_row(const LinearMapArgs<T>& a, long row) {
  return a.weights + (a.species_stride ? a.species[row] * a.species_stride : 0);
}

template <typename T>
void host_linear_forward(const LinearMapArgs<T>& a) {
#pragma omp parallel
  {
    std::vector<T> sum(a.accumulate ? static_cast<std::size_t>(a.dim_out) : 0);
#pragma omp for schedule(static)
    for (long r = 0; r < a.rows; ++r) {
      const T* x = a.x + r * a.dim_in;
      T* o = a.accumulate ? sum.data() : a.out + r * a.dim_out;
      std::fill(o, o + a.dim_out, T(0));
      const T* ws = weights_of_row(a, r);
      for (int b = 0; b < a.num_blocks; ++b) {
        const LinearBlock& block = a.blocks[b];
        const T* w = ws + block.weight_offset;
        for (int u = 0; u < block.mul_in; ++u) {
          const T* xu = x + block.in_offset + u * block.dim;
          const T* wu = w + static_cast<long>(u) * block.mul_out;
          for (int v = 0; v < block.mul_out; ++v) {
            T* ov = o + block.out_offset + v * block.dim;
            const T c = wu[v];
            for (int m = 0; m < block.dim; ++m) ov[m] += c * xu[m];
          }
        }
      }
      if (a.bias)
        for (int k = 0; k < a.dim_out; ++k) o[k] += a.bias[k];
      if (a.accumulate) {
        T* out = a.out + r * a.dim_out;
        for (int k = 0; k < a.dim_out; ++k) out[k] += o[k];
      }
    }
  }
}

template <typename T>
void host_linear_backward(const LinearMapArgs<T>& a) {
#pragma omp parallel for schedule(static)
  for (long r = 0; r < a.rows; ++r) {
    const T* g = a.x + r * a.dim_out;
    T* gx = a.out + r * a.dim_in;
    if (!a.accumulate) std::fill(gx, gx + a.dim_in, T(0));
    const T* ws = weights_of_row(a, r);
    for (int b = 0; b < a.num_blocks; ++b) {
      const LinearBlock& block = a.blocks[b];
      const T* w = ws + block.weight_offset;
      for (int u = 0; u < block.mul_in; ++u) {
        T* gu = gx + block.in_offset + u * block.dim;
        const T* wu = w + u;  // transposed: [mul_out][mul_in]
        for (int v = 0; v < block.mul_out; ++v) {
          const T* gv = g + block.out_offset + v * block.dim;
          const T c = wu[static_cast<long>(v) * block.mul_in];
          for (int m = 0; m < block.dim; ++m) gu[m] += c * gv[m];
        }
      }
    }
  }
}

template <typename T>
constexpr Kernel<LinearMapArgs<T>> kForward{"linear_forward", &host_linear_forward<T>};
template <typename T>
constexpr Kernel<LinearMapArgs<T>> kBackward{"linear_backward", &host_linear_backward<T>};

// Each block's weights transposed in place of the block (every weight set alike); what lies
// outside the blocks is copied as it is.
template <typename T>
std::vector<T> transpose_blocks(const std::vector<T>& weights, std::size_t species_stride,
                                const std::vector<LinearBlock>& blocks) {
  std::vector<T> t = weights;
  const std::size_t sets = species_stride == 0 ? 1 : weights.size() / species_stride;
  for (std::size_t s = 0; s < sets; ++s) {
    const std::size_t base = s * species_stride;
    for (const LinearBlock& block : blocks) {
      const auto mul_in = static_cast<std::size_t>(block.mul_in);
      const auto mul_out = static_cast<std::size_t>(block.mul_out);
      const std::size_t offset = base + static_cast<std::size_t>(block.weight_offset);
      for (std::size_t u = 0; u < mul_in; ++u)
        for (std::size_t v = 0; v < mul_out; ++v)
          t[offset + v * mul_in + u] = weights[offset + u * mul_out + v];
    }
  }
  return t;
}

}  // namespace

template <typename T>
LinearMap<T>::LinearMap(const Engine& engine, int dim_in, int dim_out,
                        const std::vector<LinearBlock>& blocks, const std::vector<T>& weights,
                        std::size_t species_stride, const std::vector<T>& bias)
    : engine_(engine),
      blocks_(engine.upload(blocks)),
      weights_(engine.upload(weights)),
      transposed_weights_(engine.upload(transpose_blocks(weights, species_stride, blocks))),
      bias_(engine.upload(bias)),
      species_stride_(static_cast<long>(species_stride)),
      num_blocks_(static_cast<int>(blocks.size())),
      dim_in_(dim_in),
      dim_out_(dim_out) {}

template <typename T>
LinearMapArgs<T> LinearMap<T>::args(std::size_t rows, const T* x, T* out, const int* species,
                                    bool accumulate, bool forward) const {
  return {static_cast<long>(rows),
          dim_in_,
          dim_out_,
          num_blocks_,
          blocks_.data(),
          forward ? weights_.data() : transposed_weights_.data(),
          species_stride_,
          species_stride_ ? species : nullptr,
          forward && !bias_.empty() ? bias_.data() : nullptr,
          x,
          out,
          accumulate ? 1 : 0};
}

template <typename T>
void LinearMap<T>::forward(std::size_t rows, const T* x, T* out, const int* species,
                           bool accumulate) const {
  engine_.launch(kForward<T>, args(rows, x, out, species, accumulate, true),
                 LaunchShape::over(static_cast<long>(rows) * dim_out_));
}

template <typename T>
void LinearMap<T>::backward(std::size_t rows, const T* grad_out, T* grad_x, const int* species,
                            bool accumulate) const {
  engine_.launch(kBackward<T>, args(rows, grad_out, grad_x, species, accumulate, false),
                 LaunchShape::over(static_cast<long>(rows) * dim_in_));
}

template class LinearMap<float>;
template class LinearMap<double>;

}  // namespace equifuse
