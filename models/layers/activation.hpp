// The scaled SiLU of a whole array on an engine (activation.cuh): MACE's non-linear readouts.
#pragma once

#include <cstddef>

#include "models/engine/elementwise.hpp"
#include "models/layers/activation.cuh"

namespace equifuse {

template <typename T>
void scaled_silu(const Engine& e, std::size_t n, const T* in, T* out, T scale) {
  static constexpr auto kernel =
      elementwise_kernel<ScaledSiluArgs<T>, scaled_silu_at<T>>("scaled_silu");
  const long count = static_cast<long>(n);
  e.launch(kernel, {count, in, out, scale}, LaunchShape::over(count));
}

template <typename T>
void scaled_silu_backward(const Engine& e, std::size_t n, T* grad, const T* pre, T scale) {
  static constexpr auto kernel =
      elementwise_kernel<ScaledSiluBackwardArgs<T>, scaled_silu_backward_at<T>>(
          "scaled_silu_backward");
  const long count = static_cast<long>(n);
  e.launch(kernel, {count, grad, pre, scale}, LaunchShape::over(count));
}

}  // namespace equifuse
