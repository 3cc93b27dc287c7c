// The CUDA graph convolution: kernels generated for the problem and algorithm
// (kernels/gpu_codegen/graph_convolution_codegen.hpp), compiled with NVRTC and cached like the
// tensor product's. The graph view and all buffers are device memory; calls are asynchronous on
// the backend's stream. No per-edge message buffer is ever allocated.
#pragma once

#include <cuda_runtime_api.h>

#include <vector>

#include "kernels/convolution/graph_convolution.hpp"

namespace equifuse {

template <typename T>
class CudaGraphConvolution final : public GraphConvolution<T> {
 public:
  CudaGraphConvolution(const TensorProductProblem& problem, ConvolutionAlgorithm algorithm);
  ~CudaGraphConvolution() override;

  void set_stream(cudaStream_t stream) { stream_ = stream; }

 protected:
  void run_forward(const ConvolutionGraphView& graph,
                   const TensorProductForward<T>& args) const override;
  void run_backward(const ConvolutionGraphView& graph,
                    const TensorProductBackward<T>& args) const override;
  void run_double_backward(const ConvolutionGraphView& graph,
                           const TensorProductDoubleBackward<T>& args) const override;

 private:
  enum class Rows { edges, receivers, senders };
  struct Kernel {
    cudaKernel_t kernel;
    Rows rows;
    bool clears_node_outputs;
  };
  cudaLibrary_t library_ = nullptr;
  std::vector<Kernel> forward_, backward_, double_backward_;
  cudaKernel_t backward_weights_ = nullptr, double_backward_weights_ = nullptr;
  cudaStream_t stream_ = nullptr;
  int multiprocessors_ = 1;
  int threads_per_block_ = 128;
  int rows_per_block_ = 4;

  // Runs a direction's kernels with its buffer pointers; `node_outputs` are cleared first when
  // an atomic kernel adds into them.
  void run(const std::vector<Kernel>& kernels, const ConvolutionGraphView& graph,
           std::vector<void*> buffers,
           const std::vector<std::pair<void*, std::size_t>>& node_outputs) const;
  void reduce_shared_weights(cudaKernel_t kernel, const ConvolutionGraphView& graph,
                             std::vector<void*> buffers, void* grad_weights) const;
};

}  // namespace equifuse
