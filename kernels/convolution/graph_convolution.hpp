// The fused graph convolution of one TensorProductProblem: for every node i,
//   out[i] = sum over edges e = (j -> i) of TP(x[j], y[e], W[e])
// with its backward (grad_x[j] sums over j's outgoing edges, grad_y and grad_W are per edge)
// and double backward, without storing per-edge messages. x, out, grad_x, grad_grad_x and
// grad_grad_out are per node [num_nodes][dim]; y, W and their gradients per edge, in the
// graph's edge order (W may instead be the problem's shared weight vector). The argument
// structs are the tensor product's, with rows meaning nodes or edges as above.
//
// Algorithms: `deterministic` groups edges by receiver (and by sender for dL/dx) and writes every
// node once, with a fixed summation order: bitwise reproducible. `atomic` visits edges in order
// and adds into nodes with atomics: no grouping needed, run-to-run differences at rounding level.
// The CPU backend is always deterministic.
#pragma once

#include <memory>

#include "kernels/convolution/convolution_graph.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse {

enum class ConvolutionAlgorithm { deterministic, atomic };
ConvolutionAlgorithm parse_convolution_algorithm(std::string_view name);

template <typename T>
class GraphConvolution {
 public:
  GraphConvolution(TensorProductProblem problem, ConvolutionAlgorithm algorithm)
      : problem_(std::move(problem)), algorithm_(algorithm) {}
  virtual ~GraphConvolution() = default;
  GraphConvolution(const GraphConvolution&) = delete;
  GraphConvolution& operator=(const GraphConvolution&) = delete;

  const TensorProductProblem& problem() const { return problem_; }
  ConvolutionAlgorithm algorithm() const { return algorithm_; }

  // Buffer sizes are checked against the graph; outputs are overwritten.
  void forward(const ConvolutionGraphView& graph, const TensorProductForward<T>& args) const;
  void backward(const ConvolutionGraphView& graph, const TensorProductBackward<T>& args) const;
  void double_backward(const ConvolutionGraphView& graph,
                       const TensorProductDoubleBackward<T>& args) const;

 protected:
  virtual void run_forward(const ConvolutionGraphView& graph,
                           const TensorProductForward<T>& args) const = 0;
  virtual void run_backward(const ConvolutionGraphView& graph,
                            const TensorProductBackward<T>& args) const = 0;
  virtual void run_double_backward(const ConvolutionGraphView& graph,
                                   const TensorProductDoubleBackward<T>& args) const = 0;

 private:
  TensorProductProblem problem_;
  ConvolutionAlgorithm algorithm_;
};

template <typename T>
std::unique_ptr<GraphConvolution<T>> make_graph_convolution(
    const TensorProductProblem& problem, Backend backend = Backend::cpu,
    ConvolutionAlgorithm algorithm = ConvolutionAlgorithm::deterministic);

}  // namespace equifuse
