// Helpers shared by the op files: tensors as spans, error translation, dispatcher calls.
#pragma once

#include <torch/torch.h>

#include <span>

#include "kernels/common/error.hpp"

namespace equifuse::torch_frontend {

using torch::Tensor;

template <typename T>
std::span<const T> const_span(const Tensor& t) {
  return {t.data_ptr<T>(), static_cast<std::size_t>(t.numel())};
}
template <typename T>
std::span<T> mutable_span(Tensor& t) {
  return {t.data_ptr<T>(), static_cast<std::size_t>(t.numel())};
}

inline Tensor zeros_if_undefined(const Tensor& t, const Tensor& like) {
  return t.defined() ? t.contiguous() : torch::zeros_like(like);
}

// Forwards equifuse::Error as a c10::Error with the same message (a RuntimeError in Python).
template <typename F>
auto translate_errors(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    TORCH_CHECK(false, e.what());
  }
}

// Calls an op below the autograd key (the device kernels above).
template <typename Signature>
c10::TypedOperatorHandle<Signature> op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Signature>();
}

}  // namespace equifuse::torch_frontend
