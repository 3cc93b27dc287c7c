// Size checks of the argument structs of tensor_product.hpp, shared by the tensor product (rows =
// batch rows) and the graph convolution (x and out per node, y and W per edge).
#pragma once

#include <cstddef>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse {

// Expected element counts of the x, y, weight and out buffers (and of their gradients).
struct ArgumentSizes {
  std::size_t x, y, weights, out;
};

// Throws "<what>: buffer '<name>' has N elements, expected M".
template <typename Span>
void check_buffer_size(const char* what, const Span& buffer, std::size_t expected,
                       const char* name) {
  if (buffer.size() != expected) {
    throw Error(std::string(what) + ": buffer '" + name + "' has " + std::to_string(buffer.size()) +
                " elements, expected " + std::to_string(expected));
  }
}

template <typename T>
void check_argument_sizes(const char* what, const ArgumentSizes& s,
                          const TensorProductForward<T>& a) {
  check_buffer_size(what, a.x, s.x, "x");
  check_buffer_size(what, a.y, s.y, "y");
  check_buffer_size(what, a.weights, s.weights, "weights");
  check_buffer_size(what, a.out, s.out, "out");
}

template <typename T>
void check_argument_sizes(const char* what, const ArgumentSizes& s,
                          const TensorProductBackward<T>& a) {
  check_buffer_size(what, a.x, s.x, "x");
  check_buffer_size(what, a.y, s.y, "y");
  check_buffer_size(what, a.weights, s.weights, "weights");
  check_buffer_size(what, a.grad_out, s.out, "grad_out");
  check_buffer_size(what, a.grad_x, s.x, "grad_x");
  check_buffer_size(what, a.grad_y, s.y, "grad_y");
  check_buffer_size(what, a.grad_weights, s.weights, "grad_weights");
}

template <typename T>
void check_argument_sizes(const char* what, const ArgumentSizes& s,
                          const TensorProductDoubleBackward<T>& a) {
  check_buffer_size(what, a.x, s.x, "x");
  check_buffer_size(what, a.y, s.y, "y");
  check_buffer_size(what, a.weights, s.weights, "weights");
  check_buffer_size(what, a.grad_out, s.out, "grad_out");
  check_buffer_size(what, a.grad_grad_x, s.x, "grad_grad_x");
  check_buffer_size(what, a.grad_grad_y, s.y, "grad_grad_y");
  check_buffer_size(what, a.grad_grad_weights, s.weights, "grad_grad_weights");
  check_buffer_size(what, a.grad_x, s.x, "grad_x");
  check_buffer_size(what, a.grad_y, s.y, "grad_y");
  check_buffer_size(what, a.grad_weights, s.weights, "grad_weights");
  check_buffer_size(what, a.grad_grad_out, s.out, "grad_grad_out");
}

}  // namespace equifuse
