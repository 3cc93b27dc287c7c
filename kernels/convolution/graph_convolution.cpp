#include "kernels/convolution/graph_convolution.hpp"

#include <string>

#include "kernels/common/error.hpp"
#include "kernels/cpu/cpu_graph_convolution.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/cuda_graph_convolution.hpp"
#endif

namespace equifuse {
namespace {

template <typename Span>
void check_size(const Span& buffer, std::size_t expected, const char* name) {
  if (buffer.size() != expected) {
    throw Error(std::string("graph convolution: buffer '") + name + "' has " +
                std::to_string(buffer.size()) + " elements, expected " + std::to_string(expected));
  }
}

void check_graph(const ConvolutionGraphView& g) {
  const std::size_t n = g.num_nodes, e = g.num_edges;
  check_size(g.senders, e, "senders");
  check_size(g.receivers, e, "receivers");
  check_size(g.receiver_offsets, n + 1, "receiver_offsets");
  check_size(g.receiver_edges, e, "receiver_edges");
  check_size(g.sender_offsets, n + 1, "sender_offsets");
  check_size(g.sender_edges, e, "sender_edges");
}

// Sizes of node buffers (x, out) and edge buffers (y, W).
struct Sizes {
  std::size_t x, y, w, out;
};
Sizes sizes(const TensorProductProblem& p, const ConvolutionGraphView& g) {
  return {p.in1_size(g.num_nodes), p.in2_size(g.num_edges), p.weight_size(g.num_edges),
          p.out_size(g.num_nodes)};
}

}  // namespace

ConvolutionAlgorithm parse_convolution_algorithm(std::string_view name) {
  if (name == "deterministic") return ConvolutionAlgorithm::deterministic;
  if (name == "atomic") return ConvolutionAlgorithm::atomic;
  throw Error("unknown convolution algorithm \"" + std::string(name) +
              "\" (expected deterministic or atomic)");
}

template <typename T>
void GraphConvolution<T>::forward(const ConvolutionGraphView& g,
                                  const TensorProductForward<T>& a) const {
  check_graph(g);
  const Sizes s = sizes(problem_, g);
  check_size(a.x, s.x, "x");
  check_size(a.y, s.y, "y");
  check_size(a.weights, s.w, "weights");
  check_size(a.out, s.out, "out");
  run_forward(g, a);
}

template <typename T>
void GraphConvolution<T>::backward(const ConvolutionGraphView& g,
                                   const TensorProductBackward<T>& a) const {
  check_graph(g);
  const Sizes s = sizes(problem_, g);
  check_size(a.x, s.x, "x");
  check_size(a.y, s.y, "y");
  check_size(a.weights, s.w, "weights");
  check_size(a.grad_out, s.out, "grad_out");
  check_size(a.grad_x, s.x, "grad_x");
  check_size(a.grad_y, s.y, "grad_y");
  check_size(a.grad_weights, s.w, "grad_weights");
  run_backward(g, a);
}

template <typename T>
void GraphConvolution<T>::double_backward(const ConvolutionGraphView& g,
                                          const TensorProductDoubleBackward<T>& a) const {
  check_graph(g);
  const Sizes s = sizes(problem_, g);
  check_size(a.x, s.x, "x");
  check_size(a.y, s.y, "y");
  check_size(a.weights, s.w, "weights");
  check_size(a.grad_out, s.out, "grad_out");
  check_size(a.grad_grad_x, s.x, "grad_grad_x");
  check_size(a.grad_grad_y, s.y, "grad_grad_y");
  check_size(a.grad_grad_weights, s.w, "grad_grad_weights");
  check_size(a.grad_x, s.x, "grad_x");
  check_size(a.grad_y, s.y, "grad_y");
  check_size(a.grad_weights, s.w, "grad_weights");
  check_size(a.grad_grad_out, s.out, "grad_grad_out");
  run_double_backward(g, a);
}

template <typename T>
std::unique_ptr<GraphConvolution<T>> make_graph_convolution(const TensorProductProblem& problem,
                                                            Backend backend,
                                                            ConvolutionAlgorithm algorithm) {
  switch (backend) {
    case Backend::cpu:
      return std::make_unique<CpuGraphConvolution<T>>(problem);
    case Backend::cuda:
#ifdef EQUIFUSE_HAVE_CUDA
      return std::make_unique<CudaGraphConvolution<T>>(problem, algorithm);
#else
      (void)algorithm;
      throw Error(
          "this build of equifuse has no CUDA backend (configure with the CUDA toolkit present)");
#endif
  }
  throw Error("unsupported backend");
}

template class GraphConvolution<float>;
template class GraphConvolution<double>;
template std::unique_ptr<GraphConvolution<float>> make_graph_convolution<float>(
    const TensorProductProblem&, Backend, ConvolutionAlgorithm);
template std::unique_ptr<GraphConvolution<double>> make_graph_convolution<double>(
    const TensorProductProblem&, Backend, ConvolutionAlgorithm);

}  // namespace equifuse
