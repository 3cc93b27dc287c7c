// Graphs and the unfused reference (gather, tensor product per edge, scatter-sum) shared by the
// CPU and GPU graph-convolution tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/convolution/convolution_graph.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse::testing {

struct NamedGraph {
  std::string name;
  std::size_t num_nodes;
  std::vector<std::int32_t> senders, receivers;
};

// Random edges among the first nodes (the last ones isolated), a hub with hundreds of incoming
// and outgoing edges, a graph without edges and one without nodes. Edges are unsorted and
// include self-loops and repeated pairs.
inline std::vector<NamedGraph> test_graphs(std::size_t scale = 1) {
  std::mt19937_64 rng(99);
  std::vector<NamedGraph> graphs;
  {
    NamedGraph g{"random with isolated nodes", 40 * scale, {}, {}};
    std::uniform_int_distribution<std::int32_t> node(0, static_cast<std::int32_t>(35 * scale - 1));
    for (std::size_t e = 0; e < 300 * scale; ++e) {
      g.senders.push_back(node(rng));
      g.receivers.push_back(node(rng));
    }
    graphs.push_back(std::move(g));
  }
  {
    NamedGraph g{"hub", 30, {}, {}};
    std::uniform_int_distribution<std::int32_t> node(1, 29);
    for (int e = 0; e < 500; ++e) {
      const bool into_hub = e % 5 != 0;  // 400 edges into node 0, 100 out of it
      g.senders.push_back(into_hub ? node(rng) : 0);
      g.receivers.push_back(into_hub ? 0 : node(rng));
    }
    graphs.push_back(std::move(g));
  }
  graphs.push_back({"no edges", 9, {}, {}});
  graphs.push_back({"no nodes", 0, {}, {}});
  return graphs;
}

// Rows of `from` ([n][dim]) picked by `index`.
inline std::vector<double> gather_rows(const std::vector<double>& from, std::size_t dim,
                                       const std::vector<std::int32_t>& index) {
  std::vector<double> out(index.size() * dim);
  for (std::size_t r = 0; r < index.size(); ++r)
    for (std::size_t c = 0; c < dim; ++c) out[r * dim + c] = from[index[r] * dim + c];
  return out;
}

// Sum of rows of `from` into rows `index` of a [num_rows][dim] buffer.
inline std::vector<double> scatter_sum(const std::vector<double>& from, std::size_t dim,
                                       const std::vector<std::int32_t>& index,
                                       std::size_t num_rows) {
  std::vector<double> out(num_rows * dim, 0.0);
  for (std::size_t r = 0; r < index.size(); ++r)
    for (std::size_t c = 0; c < dim; ++c) out[index[r] * dim + c] += from[r * dim + c];
  return out;
}

// Inputs and outputs of all three directions of a convolution, in float64.
struct ConvolutionData {
  std::vector<double> x, y, w, g, ggx, ggy, ggw;        // inputs (node, edge, weight, ...)
  std::vector<double> out, gx, gy, gw, dx, dy, dw, dg;  // results
};

inline ConvolutionData random_convolution_inputs(const TensorProductProblem& p,
                                                 const NamedGraph& graph, std::mt19937_64& rng) {
  std::normal_distribution<double> dist(0.0, 1.0);
  const auto random = [&](std::size_t n) {
    std::vector<double> v(n);
    for (auto& e : v) e = dist(rng);
    return v;
  };
  const std::size_t n = graph.num_nodes, e = graph.senders.size();
  ConvolutionData d;
  d.x = random(p.in1_size(n));
  d.y = random(p.in2_size(e));
  d.w = random(p.weight_size(e));
  d.g = random(p.out_size(n));
  d.ggx = random(p.in1_size(n));
  d.ggy = random(p.in2_size(e));
  d.ggw = random(p.weight_size(e));
  return d;
}

// The unfused computation: per-edge tensor products on gathered rows, scatter-summed.
inline void unfused_convolution(const TensorProductProblem& p, const NamedGraph& graph,
                                ConvolutionData& d) {
  const auto tp = make_tensor_product<double>(p, Backend::cpu);
  const std::size_t n = graph.num_nodes, e = graph.senders.size();
  const std::size_t d1 = p.irreps_in1().dim(), d3 = p.irreps_out().dim();
  const auto xe = gather_rows(d.x, d1, graph.senders), ge = gather_rows(d.g, d3, graph.receivers);
  const auto ggxe = gather_rows(d.ggx, d1, graph.senders);
  std::vector<double> messages(p.out_size(e)), gxe(p.in1_size(e)), dxe(p.in1_size(e)),
      dge(p.out_size(e));
  d.gy.assign(d.y.size(), 0);
  d.gw.assign(d.w.size(), 0);
  d.dy.assign(d.y.size(), 0);
  d.dw.assign(d.w.size(), 0);
  tp->forward(e, {xe, d.y, d.w, messages});
  tp->backward(e, {xe, d.y, d.w, ge, gxe, d.gy, d.gw});
  tp->double_backward(e, {xe, d.y, d.w, ge, ggxe, d.ggy, d.ggw, dxe, d.dy, d.dw, dge});
  d.out = scatter_sum(messages, d3, graph.receivers, n);
  d.gx = scatter_sum(gxe, d1, graph.senders, n);
  d.dx = scatter_sum(dxe, d1, graph.senders, n);
  d.dg = scatter_sum(dge, d3, graph.receivers, n);
}

}  // namespace equifuse::testing
