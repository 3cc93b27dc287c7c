#include "models/layers/equivariant_linear.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"

namespace equifuse {

template <typename T>
std::size_t EquivariantLinear<T>::weight_numel(const Irreps& in, const Irreps& out) {
  std::size_t n = 0;
  for (const auto& a : in)
    for (const auto& b : out)
      if (a.ir == b.ir) n += static_cast<std::size_t>(a.mul) * static_cast<std::size_t>(b.mul);
  return n;
}

template <typename T>
EquivariantLinear<T>::EquivariantLinear(const Irreps& in, const Irreps& out,
                                        std::span<const double> weights, double scale)
    : dim_in_(in.dim()), dim_out_(out.dim()) {
  if (weights.size() != weight_numel(in, out)) {
    throw Error("linear " + in.to_string() + " -> " + out.to_string() + ": " +
                std::to_string(weights.size()) + " weights, expected " +
                std::to_string(weight_numel(in, out)));
  }
  std::vector<double> fan_in(out.size(), 0.0);
  for (std::size_t i = 0; i < in.size(); ++i)
    for (std::size_t o = 0; o < out.size(); ++o)
      if (in[i].ir == out[o].ir) fan_in[o] += in[i].mul;
  std::size_t offset = 0;
  weights_.resize(weights.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    for (std::size_t o = 0; o < out.size(); ++o) {
      if (in[i].ir != out[o].ir) continue;
      const double alpha = scale / std::sqrt(fan_in[o]);
      const std::size_t n = static_cast<std::size_t>(in[i].mul) * out[o].mul;
      for (std::size_t k = 0; k < n; ++k) weights_[offset + k] = static_cast<T>(alpha * weights[offset + k]);
      if (n > 0) {
        blocks_.push_back({in.offset(i), out.offset(o), in[i].mul, out[o].mul, in[i].ir.dim(), offset});
      }
      offset += n;
    }
  }
}

template <typename T>
void EquivariantLinear<T>::forward(std::size_t rows, const T* x, T* out) const {
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = x + r * static_cast<std::size_t>(dim_in_);
    T* o = out + r * static_cast<std::size_t>(dim_out_);
    std::fill(o, o + dim_out_, T(0));
    for (const Block& b : blocks_) {
      const T* w = weights_.data() + b.weight_offset;
      for (int u = 0; u < b.mul_in; ++u) {
        const T* xu = xr + b.in_offset + u * b.dim;
        const T* wu = w + static_cast<std::size_t>(u) * b.mul_out;
        for (int v = 0; v < b.mul_out; ++v) {
          T* ov = o + b.out_offset + v * b.dim;
          const T c = wu[v];
          for (int m = 0; m < b.dim; ++m) ov[m] += c * xu[m];
        }
      }
    }
  }
}

template <typename T>
void EquivariantLinear<T>::backward_accumulate(std::size_t rows, const T* grad_out, T* grad_x) const {
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < rows; ++r) {
    const T* g = grad_out + r * static_cast<std::size_t>(dim_out_);
    T* gx = grad_x + r * static_cast<std::size_t>(dim_in_);
    for (const Block& b : blocks_) {
      const T* w = weights_.data() + b.weight_offset;
      for (int u = 0; u < b.mul_in; ++u) {
        T* gu = gx + b.in_offset + u * b.dim;
        const T* wu = w + static_cast<std::size_t>(u) * b.mul_out;
        for (int v = 0; v < b.mul_out; ++v) {
          const T* gv = g + b.out_offset + v * b.dim;
          const T c = wu[v];
          for (int m = 0; m < b.dim; ++m) gu[m] += c * gv[m];
        }
      }
    }
  }
}

template class EquivariantLinear<float>;
template class EquivariantLinear<double>;

}  // namespace equifuse
