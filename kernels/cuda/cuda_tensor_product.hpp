// The CUDA backend: kernels generated for the problem (kernels/gpu_codegen), compiled at run time
// with NVRTC for the current device, cached on disk, launched with the CUDA runtime. Spans refer
// to device memory; calls are asynchronous on the backend's stream (the default stream unless
// set_stream is called), like any CUDA library.
#pragma once

#include <cuda_runtime_api.h>

#include <vector>

#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse {

template <typename T>
class CudaTensorProduct final : public TensorProduct<T> {
 public:
  explicit CudaTensorProduct(const TensorProductProblem& problem);
  ~CudaTensorProduct() override;

  void set_stream(cudaStream_t stream) { stream_ = stream; }
  int compute_capability() const { return compute_capability_; }

 protected:
  void run_forward(std::size_t batch, const TensorProductForward<T>& args) const override;
  void run_backward(std::size_t batch, const TensorProductBackward<T>& args) const override;
  void run_double_backward(std::size_t batch,
                           const TensorProductDoubleBackward<T>& args) const override;

 private:
  cudaLibrary_t library_ = nullptr;
  cudaKernel_t forward_ = nullptr, backward_weights_ = nullptr, double_backward_weights_ = nullptr;
  std::vector<cudaKernel_t> backward_, double_backward_;  // one kernel per phase, run in order
  cudaStream_t stream_ = nullptr;
  int compute_capability_ = 0;
  int multiprocessors_ = 1;
  int threads_per_block_ = 128;
  int rows_per_block_ = 4;

  void launch_rows(cudaKernel_t kernel, std::size_t batch, void** args) const;
  void launch_weight_reduction(cudaKernel_t kernel, std::size_t batch, void** args) const;
};

}  // namespace equifuse
