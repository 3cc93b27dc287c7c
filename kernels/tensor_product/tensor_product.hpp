// The executable tensor product: forward, backward and double backward of one
// TensorProductProblem on one backend. All buffers are row-major [batch][dim] in e3nn's layout;
// outputs are overwritten. Buffer sizes are checked here, once, for every backend.
// Backend::cpu takes host memory and returns when done; Backend::cuda takes device memory and
// runs asynchronously on its stream (see kernels/cuda/cuda_tensor_product.hpp).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

enum class Backend { cpu, cuda };
// Whether this build has the backend (the CUDA backend also needs a GPU at run time).
bool backend_available(Backend backend);
// Whether the backend can run on this machine: built, and for CUDA a GPU is visible.
bool backend_runs_here(Backend backend);
// Makes device `index` (modulo the devices visible) the one this thread's later work of `backend`
// runs on, and returns it; several MPI ranks on one node pass their node-local rank. No-op (0) on
// the CPU.
int select_device(Backend backend, int index);
Backend parse_backend(std::string_view name);

template <typename T>
struct TensorProductForward {
  std::span<const T> x, y, weights;
  std::span<T> out;
};

// Gradients of <grad_out, out> with respect to x, y and the weights (shared weights: summed
// over the batch).
template <typename T>
struct TensorProductBackward {
  std::span<const T> x, y, weights, grad_out;
  std::span<T> grad_x, grad_y, grad_weights;
};

// The backward pass is a function (x, y, W, grad_out) -> (grad_x, grad_y, grad_W). Given
// cotangents grad_grad_{x,y,W} of its outputs, double backward returns the gradients of
// L = <grad_grad_x, grad_x> + <grad_grad_y, grad_y> + <grad_grad_W, grad_W> with respect to
// x, y, W and grad_out: what training with a force loss needs.
template <typename T>
struct TensorProductDoubleBackward {
  std::span<const T> x, y, weights, grad_out;
  std::span<const T> grad_grad_x, grad_grad_y, grad_grad_weights;
  std::span<T> grad_x, grad_y, grad_weights, grad_grad_out;
};

template <typename T>
class TensorProduct {
 public:
  explicit TensorProduct(TensorProductProblem problem) : problem_(std::move(problem)) {}
  virtual ~TensorProduct() = default;
  TensorProduct(const TensorProduct&) = delete;
  TensorProduct& operator=(const TensorProduct&) = delete;

  const TensorProductProblem& problem() const { return problem_; }

  void forward(std::size_t batch, const TensorProductForward<T>& args) const;
  void backward(std::size_t batch, const TensorProductBackward<T>& args) const;
  void double_backward(std::size_t batch, const TensorProductDoubleBackward<T>& args) const;

 protected:
  virtual void run_forward(std::size_t batch, const TensorProductForward<T>& args) const = 0;
  virtual void run_backward(std::size_t batch, const TensorProductBackward<T>& args) const = 0;
  virtual void run_double_backward(std::size_t batch,
                                   const TensorProductDoubleBackward<T>& args) const = 0;

 private:
  TensorProductProblem problem_;
};

template <typename T>
std::unique_ptr<TensorProduct<T>> make_tensor_product(const TensorProductProblem& problem,
                                                      Backend backend = Backend::cpu);

}  // namespace equifuse
