// The CUDA graph convolution, both algorithms, against the unfused CPU float64 reference on graphs
// with isolated nodes, a hub and no edges; the deterministic algorithm must be bitwise
// reproducible. Outputs are poisoned with NaN first. Skips (visibly) without a CUDA GPU.
#include <gtest/gtest.h>

#include <limits>

#include "kernels/convolution/graph_convolution.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "tests/support/test_graphs.hpp"
#include "tests/support/test_problems.hpp"
#include "tests/support/test_support.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "tests/support/cuda_buffers.hpp"
#endif

namespace equifuse {
namespace {

std::vector<testing::NamedTestProblem> convolution_cases() {
  std::vector<testing::NamedTestProblem> cases = testing::connection_mode_problems();
  for (auto& np : load_problem_set(EQUIFUSE_SOURCE_DIR "/bench/problems.json").problems)
    if (np.name == "mace-small" || np.name == "nequip-l2-32" || np.name == "mace-large")
      cases.push_back({np.name, np.problem});
  return cases;
}

#ifdef EQUIFUSE_HAVE_CUDA
using testing::cast;
using testing::DeviceBuffer;
using testing::relative_error;

using testing::have_gpu;

struct DeviceGraph {
  DeviceBuffer<std::int32_t> senders, receivers, receiver_offsets, receiver_edges, sender_offsets,
      sender_edges;
  std::size_t num_nodes, num_edges;
  explicit DeviceGraph(const ConvolutionGraph& g)
      : senders(g.senders()),
        receivers(g.receivers()),
        receiver_offsets(g.receiver_offsets()),
        receiver_edges(g.receiver_edges()),
        sender_offsets(g.sender_offsets()),
        sender_edges(g.sender_edges()),
        num_nodes(g.num_nodes()),
        num_edges(g.num_edges()) {}
  ConvolutionGraphView view() const {
    return {num_nodes,
            num_edges,
            senders.cspan(),
            receivers.cspan(),
            receiver_offsets.cspan(),
            receiver_edges.cspan(),
            sender_offsets.cspan(),
            sender_edges.cspan()};
  }
};

// All outputs of one run, copied to the host.
template <typename T>
struct Outputs {
  std::vector<T> out, gx, gy, gw, dx, dy, dw, dg;
  bool operator==(const Outputs&) const = default;
};

template <typename T>
Outputs<T> run_on_gpu(const GraphConvolution<T>& conv, const ConvolutionGraphView& graph,
                      const testing::ConvolutionData& in) {
  DeviceBuffer<T> X(cast<T>(in.x)), Y(cast<T>(in.y)), W(cast<T>(in.w)), G(cast<T>(in.g)),
      GGX(cast<T>(in.ggx)), GGY(cast<T>(in.ggy)), GGW(cast<T>(in.ggw));
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const auto poisoned = [&](std::size_t n) { return DeviceBuffer<T>(std::vector<T>(n, nan)); };
  auto OUT = poisoned(in.g.size()), GX = poisoned(in.x.size()), GY = poisoned(in.y.size()),
       GW = poisoned(in.w.size()), DX = poisoned(in.x.size()), DY = poisoned(in.y.size()),
       DW = poisoned(in.w.size()), DG = poisoned(in.g.size());
  conv.forward(graph, {X.cspan(), Y.cspan(), W.cspan(), OUT.span()});
  conv.backward(graph,
                {X.cspan(), Y.cspan(), W.cspan(), G.cspan(), GX.span(), GY.span(), GW.span()});
  conv.double_backward(graph, {X.cspan(), Y.cspan(), W.cspan(), G.cspan(), GGX.cspan(), GGY.cspan(),
                               GGW.cspan(), DX.span(), DY.span(), DW.span(), DG.span()});
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  return {OUT.host(), GX.host(), GY.host(), GW.host(), DX.host(), DY.host(), DW.host(), DG.host()};
}

template <typename T>
void check_against_cpu(const TensorProductProblem& p, ConvolutionAlgorithm algorithm, double tol) {
  SCOPED_TRACE(sizeof(T) == 8 ? "float64" : "float32");
  const auto conv = make_graph_convolution<T>(p, Backend::cuda, algorithm);
  for (const auto& g : testing::test_graphs()) {
    SCOPED_TRACE(g.name);
    std::mt19937_64 rng(17);
    auto in = testing::random_convolution_inputs(p, g, rng);
    const auto r = [](std::vector<double>& v) { v = cast<double>(cast<T>(v)); };
    for (auto* v : {&in.x, &in.y, &in.w, &in.g, &in.ggx, &in.ggy, &in.ggw}) r(*v);
    auto ref = in;
    testing::unfused_convolution(p, g, ref);
    const ConvolutionGraph graph(g.num_nodes, g.senders, g.receivers);
    const DeviceGraph device_graph(graph);
    const Outputs<T> o = run_on_gpu(*conv, device_graph.view(), in);
    EXPECT_LT(relative_error(o.out, ref.out), tol) << "forward";
    EXPECT_LT(relative_error(o.gx, ref.gx), tol) << "grad_x";
    EXPECT_LT(relative_error(o.gy, ref.gy), tol) << "grad_y";
    EXPECT_LT(relative_error(o.gw, ref.gw), tol) << "grad_weights";
    EXPECT_LT(relative_error(o.dx, ref.dx), tol) << "double backward grad_x";
    EXPECT_LT(relative_error(o.dy, ref.dy), tol) << "double backward grad_y";
    EXPECT_LT(relative_error(o.dw, ref.dw), tol) << "double backward grad_weights";
    EXPECT_LT(relative_error(o.dg, ref.dg), tol) << "double backward grad_grad_out";
    if (algorithm == ConvolutionAlgorithm::deterministic) {
      // Shared-weight gradients are reduced with atomics in both algorithms (see the generator).
      Outputs<T> again = run_on_gpu(*conv, device_graph.view(), in);
      if (p.shared_weights()) {
        again.gw = o.gw;
        again.dw = o.dw;
      }
      EXPECT_TRUE(again == o) << "not bitwise reproducible";
    }
  }
}
#endif

struct ConvolutionCase {
  std::string problem;
  ConvolutionAlgorithm algorithm;
};

void PrintTo(const ConvolutionCase& c, std::ostream* os) {
  *os << c.problem
      << (c.algorithm == ConvolutionAlgorithm::atomic ? ", atomic" : ", deterministic");
}

class CudaGraphConvolutionTest : public ::testing::TestWithParam<ConvolutionCase> {};

TEST_P(CudaGraphConvolutionTest, MatchesUnfusedCpuReference) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU on this machine";
  for (const auto& c : convolution_cases()) {
    if (c.name != GetParam().problem) continue;
    check_against_cpu<double>(c.problem, GetParam().algorithm, 1e-10);
    check_against_cpu<float>(c.problem, GetParam().algorithm, 1e-4);
  }
#endif
}

std::vector<ConvolutionCase> cases() {
  std::vector<ConvolutionCase> out;
  for (const auto& c : convolution_cases())
    for (auto a : {ConvolutionAlgorithm::deterministic, ConvolutionAlgorithm::atomic})
      out.push_back({c.name, a});
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Problems, CudaGraphConvolutionTest, ::testing::ValuesIn(cases()), [](const auto& test_info) {
      std::string n =
          test_info.param.problem + "_" +
          (test_info.param.algorithm == ConvolutionAlgorithm::atomic ? "atomic" : "deterministic");
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace equifuse
