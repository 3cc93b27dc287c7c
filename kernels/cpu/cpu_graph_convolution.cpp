#include "kernels/cpu/cpu_graph_convolution.hpp"

#include <algorithm>

#include "kernels/cpu/parallel_over_rows.hpp"

namespace equifuse {
namespace {

// Row strides of one call: node buffers (d1, d3), edge buffers (d2) and weights (0 if shared).
struct Strides {
  std::size_t d1, d2, d3, wn;
};
Strides strides(const TensorProductProblem& p) {
  return {static_cast<std::size_t>(p.irreps_in1().dim()),
          static_cast<std::size_t>(p.irreps_in2().dim()),
          static_cast<std::size_t>(p.irreps_out().dim()),
          p.shared_weights() ? 0 : static_cast<std::size_t>(p.weight_numel())};
}

// Calls f(e) for the edges of `node` in a CSR grouping.
template <typename F>
void for_each_edge(std::span<const std::int32_t> offsets, std::span<const std::int32_t> edges,
                   std::ptrdiff_t node, F&& f) {
  for (std::int32_t q = offsets[node]; q < offsets[node + 1]; ++q)
    f(static_cast<std::size_t>(edges[q]));
}

}  // namespace

template <typename T>
void CpuGraphConvolution<T>::run_forward(const ConvolutionGraphView& g,
                                         const TensorProductForward<T>& a) const {
  const Strides s = strides(this->problem());
  std::fill(a.out.begin(), a.out.end(), T(0));
#pragma omp parallel for schedule(dynamic, 64)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(g.num_nodes); ++i) {
    for_each_edge(g.receiver_offsets, g.receiver_edges, i, [&](std::size_t e) {
      rows_.forward_row(a.x.data() + g.senders[e] * s.d1, a.y.data() + e * s.d2,
                        a.weights.data() + e * s.wn, a.out.data() + i * s.d3);
    });
  }
}

// Over senders: grad_x[j] sums j's outgoing edges; grad_y and per-edge grad_W are written per edge.
template <typename T>
void CpuGraphConvolution<T>::run_backward(const ConvolutionGraphView& g,
                                          const TensorProductBackward<T>& a) const {
  const auto& p = this->problem();
  const Strides s = strides(p);
  std::fill(a.grad_x.begin(), a.grad_x.end(), T(0));
  std::fill(a.grad_y.begin(), a.grad_y.end(), T(0));
  std::fill(a.grad_weights.begin(), a.grad_weights.end(), T(0));
  const bool shared = p.shared_weights();
  parallel_over_rows<T>(
      g.num_nodes, shared, shared ? a.grad_weights : std::span<T>{}, p.weight_numel(),
      [&](std::ptrdiff_t j, T* shared_grad_w) {
        for_each_edge(g.sender_offsets, g.sender_edges, j, [&](std::size_t e) {
          T* grad_w = shared
                          ? shared_grad_w
                          : (a.grad_weights.empty() ? nullptr : a.grad_weights.data() + e * s.wn);
          rows_.backward_row(a.x.data() + j * s.d1, a.y.data() + e * s.d2,
                             a.weights.data() + e * s.wn, a.grad_out.data() + g.receivers[e] * s.d3,
                             a.grad_x.data() + j * s.d1, a.grad_y.data() + e * s.d2, grad_w);
        });
      });
}

// Two passes: over senders for dL/dx (and the per-edge dL/dy, dL/dW), over receivers for dL/dg.
template <typename T>
void CpuGraphConvolution<T>::run_double_backward(const ConvolutionGraphView& g,
                                                 const TensorProductDoubleBackward<T>& a) const {
  const auto& p = this->problem();
  const Strides s = strides(p);
  std::fill(a.grad_x.begin(), a.grad_x.end(), T(0));
  std::fill(a.grad_y.begin(), a.grad_y.end(), T(0));
  std::fill(a.grad_weights.begin(), a.grad_weights.end(), T(0));
  std::fill(a.grad_grad_out.begin(), a.grad_grad_out.end(), T(0));
  const bool shared = p.shared_weights();
  parallel_over_rows<T>(
      g.num_nodes, shared, shared ? a.grad_weights : std::span<T>{}, p.weight_numel(),
      [&](std::ptrdiff_t j, T* shared_grad_w) {
        for_each_edge(g.sender_offsets, g.sender_edges, j, [&](std::size_t e) {
          T* grad_w = shared
                          ? shared_grad_w
                          : (a.grad_weights.empty() ? nullptr : a.grad_weights.data() + e * s.wn);
          rows_.double_backward_row(
              a.x.data() + j * s.d1, a.y.data() + e * s.d2, a.weights.data() + e * s.wn,
              a.grad_out.data() + g.receivers[e] * s.d3, a.grad_grad_x.data() + j * s.d1,
              a.grad_grad_y.data() + e * s.d2, a.grad_grad_weights.data() + e * s.wn,
              a.grad_x.data() + j * s.d1, a.grad_y.data() + e * s.d2, grad_w, nullptr);
        });
      });
#pragma omp parallel for schedule(dynamic, 64)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(g.num_nodes); ++i) {
    for_each_edge(g.receiver_offsets, g.receiver_edges, i, [&](std::size_t e) {
      const std::size_t j = g.senders[e];
      rows_.double_backward_row(a.x.data() + j * s.d1, a.y.data() + e * s.d2,
                                a.weights.data() + e * s.wn, a.grad_out.data() + i * s.d3,
                                a.grad_grad_x.data() + j * s.d1, a.grad_grad_y.data() + e * s.d2,
                                a.grad_grad_weights.data() + e * s.wn, nullptr, nullptr, nullptr,
                                a.grad_grad_out.data() + i * s.d3);
    });
  }
}

template class CpuGraphConvolution<float>;
template class CpuGraphConvolution<double>;

}  // namespace equifuse
