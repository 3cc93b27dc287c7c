#include "kernels/convolution/graph_convolution.hpp"

#include <string>

#include "kernels/common/error.hpp"
#include "kernels/cpu/cpu_graph_convolution.hpp"
#include "kernels/tensor_product/argument_sizes.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/cuda_graph_convolution.hpp"
#endif

namespace equifuse {
namespace {

constexpr const char* kWhat = "graph convolution";

void check_graph(const ConvolutionGraphView& g) {
  const std::size_t n = g.num_nodes, e = g.num_edges;
  check_buffer_size(kWhat, g.senders, e, "senders");
  check_buffer_size(kWhat, g.receivers, e, "receivers");
  check_buffer_size(kWhat, g.receiver_offsets, n + 1, "receiver_offsets");
  check_buffer_size(kWhat, g.receiver_edges, e, "receiver_edges");
  check_buffer_size(kWhat, g.sender_offsets, n + 1, "sender_offsets");
  check_buffer_size(kWhat, g.sender_edges, e, "sender_edges");
}

// Node buffers (x, out) and edge buffers (y, W).
ArgumentSizes sizes(const TensorProductProblem& p, const ConvolutionGraphView& g) {
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
  check_argument_sizes(kWhat, sizes(problem_, g), a);
  run_forward(g, a);
}

template <typename T>
void GraphConvolution<T>::backward(const ConvolutionGraphView& g,
                                   const TensorProductBackward<T>& a) const {
  check_graph(g);
  check_argument_sizes(kWhat, sizes(problem_, g), a);
  run_backward(g, a);
}

template <typename T>
void GraphConvolution<T>::double_backward(const ConvolutionGraphView& g,
                                          const TensorProductDoubleBackward<T>& a) const {
  check_graph(g);
  check_argument_sizes(kWhat, sizes(problem_, g), a);
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
