// The CPU graph convolution: the reference for the GPU kernels. Each node's sum runs over its
// edges in ascending edge order (OpenMP over nodes), so results do not depend on thread timing.
#pragma once

#include "kernels/convolution/graph_convolution.hpp"
#include "kernels/cpu/cpu_tensor_product.hpp"

namespace equifuse {

template <typename T>
class CpuGraphConvolution final : public GraphConvolution<T> {
 public:
  explicit CpuGraphConvolution(const TensorProductProblem& problem)
      : GraphConvolution<T>(problem, ConvolutionAlgorithm::deterministic), rows_(problem) {}

 protected:
  void run_forward(const ConvolutionGraphView& graph,
                   const TensorProductForward<T>& args) const override;
  void run_backward(const ConvolutionGraphView& graph,
                    const TensorProductBackward<T>& args) const override;
  void run_double_backward(const ConvolutionGraphView& graph,
                           const TensorProductDoubleBackward<T>& args) const override;

 private:
  CpuTensorProduct<T> rows_;  // the per-edge tensor product
};

}  // namespace equifuse
