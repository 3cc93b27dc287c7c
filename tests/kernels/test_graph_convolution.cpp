// The CPU graph convolution: equal to gather + tensor product + scatter-sum on graphs with
// isolated nodes, a hub and no edges; gradients by finite differences; bitwise reproducible;
// bad graphs and buffers refused.
#include <gtest/gtest.h>

#include "kernels/common/error.hpp"
#include "kernels/convolution/graph_convolution.hpp"
#include "tests/support/test_graphs.hpp"
#include "tests/support/test_problems.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::relative_error;

// Runs every direction of the fused convolution into d's result buffers.
void fused_convolution(const GraphConvolution<double>& conv, const ConvolutionGraphView& graph,
                       testing::ConvolutionData& d) {
  const auto& p = conv.problem();
  const std::size_t n = graph.num_nodes, e = graph.num_edges;
  d.out.assign(p.out_size(n), -1);
  d.gx.assign(p.in1_size(n), -1);
  d.gy.assign(p.in2_size(e), -1);
  d.gw.assign(p.weight_size(e), -1);
  d.dx.assign(p.in1_size(n), -1);
  d.dy.assign(p.in2_size(e), -1);
  d.dw.assign(p.weight_size(e), -1);
  d.dg.assign(p.out_size(n), -1);
  conv.forward(graph, {d.x, d.y, d.w, d.out});
  conv.backward(graph, {d.x, d.y, d.w, d.g, d.gx, d.gy, d.gw});
  conv.double_backward(graph, {d.x, d.y, d.w, d.g, d.ggx, d.ggy, d.ggw, d.dx, d.dy, d.dw, d.dg});
}

class CpuGraphConvolutionTest : public ::testing::TestWithParam<int> {};

TEST_P(CpuGraphConvolutionTest, EqualsUnfusedGatherTensorProductScatter) {
  const auto c = testing::connection_mode_problems()[GetParam()];
  const auto conv = make_graph_convolution<double>(c.problem);
  for (const auto& g : testing::test_graphs()) {
    SCOPED_TRACE(c.name + ", " + g.name);
    const ConvolutionGraph graph(g.num_nodes, g.senders, g.receivers);
    std::mt19937_64 rng(5);
    auto fused = testing::random_convolution_inputs(c.problem, g, rng);
    auto unfused = fused;
    testing::unfused_convolution(c.problem, g, unfused);
    fused_convolution(*conv, graph.host_view(), fused);
    EXPECT_LT(relative_error(fused.out, unfused.out), 1e-13) << "forward";
    EXPECT_LT(relative_error(fused.gx, unfused.gx), 1e-13) << "grad_x";
    EXPECT_LT(relative_error(fused.gy, unfused.gy), 1e-13) << "grad_y";
    EXPECT_LT(relative_error(fused.gw, unfused.gw), 1e-13) << "grad_weights";
    EXPECT_LT(relative_error(fused.dx, unfused.dx), 1e-13) << "double backward grad_x";
    EXPECT_LT(relative_error(fused.dy, unfused.dy), 1e-13) << "double backward grad_y";
    EXPECT_LT(relative_error(fused.dw, unfused.dw), 1e-13) << "double backward grad_weights";
    EXPECT_LT(relative_error(fused.dg, unfused.dg), 1e-13) << "double backward grad_grad_out";
    if (g.senders.empty()) {  // nothing flows: every node output is exactly zero
      for (double v : fused.out) EXPECT_EQ(v, 0.0);
      for (double v : fused.gx) EXPECT_EQ(v, 0.0);
    }
  }
}

// L = <g, out> and L2 = <ggx, grad_x> + <ggy, grad_y> + <ggw, grad_w>: the fused backward and
// double backward must be their gradients (both are polynomials of degree <= 2 in any one
// argument, so central differences are exact up to rounding).
TEST_P(CpuGraphConvolutionTest, GradientsMatchFiniteDifferences) {
  const auto c = testing::connection_mode_problems()[GetParam()];
  SCOPED_TRACE(c.name);
  const auto& p = c.problem;
  const auto conv = make_graph_convolution<double>(p);
  const testing::NamedGraph g{"small", 4, {0, 1, 2, 2, 3, 1}, {1, 1, 0, 3, 3, 2}};
  const ConvolutionGraph graph(g.num_nodes, g.senders, g.receivers);
  const auto view = graph.host_view();
  std::mt19937_64 rng(11);
  auto d = testing::random_convolution_inputs(p, g, rng);
  fused_convolution(*conv, view, d);
  std::vector<double> out(d.out.size()), gx(d.gx.size()), gy(d.gy.size()), gw(d.gw.size());
  const auto loss = [&] {
    conv->forward(view, {d.x, d.y, d.w, out});
    return testing::dot(d.g, out);
  };
  const auto loss2 = [&] {
    conv->backward(view, {d.x, d.y, d.w, d.g, gx, gy, gw});
    return testing::dot(d.ggx, gx) + testing::dot(d.ggy, gy) + testing::dot(d.ggw, gw);
  };
  const double h = 1e-3;
  EXPECT_LT(relative_error(d.gx, testing::finite_difference_gradient(d.x, loss, h)), 1e-9)
      << "grad_x";
  EXPECT_LT(relative_error(d.gy, testing::finite_difference_gradient(d.y, loss, h)), 1e-9)
      << "grad_y";
  EXPECT_LT(relative_error(d.gw, testing::finite_difference_gradient(d.w, loss, h)), 1e-9)
      << "grad_w";
  EXPECT_LT(relative_error(d.dx, testing::finite_difference_gradient(d.x, loss2, h)), 1e-9)
      << "dd x";
  EXPECT_LT(relative_error(d.dy, testing::finite_difference_gradient(d.y, loss2, h)), 1e-9)
      << "dd y";
  EXPECT_LT(relative_error(d.dw, testing::finite_difference_gradient(d.w, loss2, h)), 1e-9)
      << "dd w";
  EXPECT_LT(relative_error(d.dg, testing::finite_difference_gradient(d.g, loss2, h)), 1e-9)
      << "dd grad_out";
}

TEST_P(CpuGraphConvolutionTest, RepeatedRunsAreBitwiseIdentical) {
  const auto c = testing::connection_mode_problems()[GetParam()];
  const auto conv = make_graph_convolution<double>(c.problem);
  const auto g = testing::test_graphs(3)[0];
  const ConvolutionGraph graph(g.num_nodes, g.senders, g.receivers);
  std::mt19937_64 rng(3);
  auto first = testing::random_convolution_inputs(c.problem, g, rng);
  auto second = first;
  fused_convolution(*conv, graph.host_view(), first);
  fused_convolution(*conv, graph.host_view(), second);
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.gx, second.gx);
  EXPECT_EQ(first.gw, second.gw);
  EXPECT_EQ(first.dx, second.dx);
  EXPECT_EQ(first.dw, second.dw);
  EXPECT_EQ(first.dg, second.dg);
}

INSTANTIATE_TEST_SUITE_P(
    ConnectionModes, CpuGraphConvolutionTest,
    ::testing::Range(0, static_cast<int>(testing::connection_mode_problems().size())));

TEST(ConvolutionGraph, GroupsEdgesByReceiverAndSenderInEdgeOrder) {
  const std::vector<std::int32_t> senders = {2, 0, 2, 1}, receivers = {1, 1, 0, 1};
  const ConvolutionGraph g(4, senders, receivers);
  EXPECT_EQ(g.receiver_offsets(), (std::vector<std::int32_t>{0, 1, 4, 4, 4}));
  EXPECT_EQ(g.receiver_edges(), (std::vector<std::int32_t>{2, 0, 1, 3}));
  EXPECT_EQ(g.sender_offsets(), (std::vector<std::int32_t>{0, 1, 2, 4, 4}));
  EXPECT_EQ(g.sender_edges(), (std::vector<std::int32_t>{1, 3, 0, 2}));
}

TEST(ConvolutionGraph, RefusesBadEdges) {
  const std::vector<std::int32_t> two = {0, 1}, one = {0}, out_of_range = {0, 3},
                                  negative = {-1, 0};
  EXPECT_THROW(ConvolutionGraph(3, two, one), Error);
  try {
    ConvolutionGraph(3, two, out_of_range);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "convolution graph: edge 1 refers to node 3, outside [0, 3)");
  }
  EXPECT_THROW(ConvolutionGraph(3, negative, two), Error);
}

TEST(GraphConvolution, RefusesWrongBufferSizes) {
  const auto c = testing::connection_mode_problems()[1];
  const auto conv = make_graph_convolution<double>(c.problem);
  const std::vector<std::int32_t> senders = {0, 1}, receivers = {1, 1};
  const ConvolutionGraph graph(2, senders, receivers);
  const auto& p = c.problem;
  std::vector<double> x(p.in1_size(2)), y(p.in2_size(2)), w(p.weight_size(2)), out(p.out_size(2));
  std::vector<double> y_per_node(p.in2_size(3));
  EXPECT_THROW(conv->forward(graph.host_view(), {x, y_per_node, w, out}), Error);
  std::vector<double> short_out(p.out_size(1));
  try {
    conv->forward(graph.host_view(), {x, y, w, short_out});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("buffer 'out'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_convolution_algorithm("fast"), Error);
}

}  // namespace
}  // namespace equifuse
