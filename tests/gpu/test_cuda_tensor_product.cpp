// The CUDA backend against the CPU float64 reference: every benchmark problem and every
// connection mode, forward, backward and double backward, float32 and float64. Outputs are
// poisoned with NaN first, so an element a kernel forgets to write fails the comparison.
// Skips (visibly) where the build has no CUDA backend or the machine no GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#ifdef EQUIFUSE_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product.hpp"
#include "tests/support/cuda_buffers.hpp"
#include "tests/support/test_problems.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::cast;
using testing::DeviceBuffer;
using testing::random_vector;
using testing::relative_error;

using GpuCase = testing::NamedTestProblem;

std::vector<GpuCase> gpu_cases() {
  std::vector<GpuCase> cases = testing::connection_mode_problems();
  for (bool shared : {true, false}) {  // more channels than lanes in a warp
    cases.push_back({std::string("uvw_many_lanes") + (shared ? "_shared" : "_per_sample"),
                     fully_connected_tensor_product(
                         Irreps::parse("37x0e+33x1o"), Irreps::parse("0e+1o"),
                         Irreps::parse("35x0e+40x1o+3x1e"), {.shared_weights = shared})});
  }
  const ProblemSet set = load_problem_set(EQUIFUSE_SOURCE_DIR "/bench/problems.json");
  const char* all = std::getenv("EQUIFUSE_GPU_TEST_ALL");
  for (const auto& np : set.problems) {
    // high-l6-32's kernels take minutes to compile the first time; opt in to it.
    if (np.name == "high-l6-32" && (all == nullptr || std::string(all) != "1")) continue;
    cases.push_back({np.name, np.problem});
  }
  return cases;
}

#ifdef EQUIFUSE_HAVE_CUDA
using testing::have_gpu;

template <typename T>
void check_against_cpu(const TensorProductProblem& p, std::size_t batch, double tol) {
  SCOPED_TRACE(sizeof(T) == 8 ? "float64" : "float32");
  std::mt19937_64 rng(2024);
  const auto x = random_vector(p.in1_size(batch), rng), y = random_vector(p.in2_size(batch), rng);
  const auto w = random_vector(p.weight_size(batch), rng),
             g = random_vector(p.out_size(batch), rng);
  const auto ggx = random_vector(p.in1_size(batch), rng),
             ggy = random_vector(p.in2_size(batch), rng);
  const auto ggw = random_vector(p.weight_size(batch), rng);
  // CPU float64 reference on the same (rounded) inputs.
  const auto r = [](const std::vector<double>& v) { return cast<double>(cast<T>(v)); };
  const auto cx = r(x), cy = r(y), cw = r(w), cg = r(g), cggx = r(ggx), cggy = r(ggy),
             cggw = r(ggw);
  const auto cpu = make_tensor_product<double>(p, Backend::cpu);
  std::vector<double> out(p.out_size(batch)), gx(x.size()), gy(y.size()), gw(w.size());
  std::vector<double> dx(x.size()), dy(y.size()), dw(w.size()), dg(g.size());
  cpu->forward(batch, {cx, cy, cw, out});
  cpu->backward(batch, {cx, cy, cw, cg, gx, gy, gw});
  cpu->double_backward(batch, {cx, cy, cw, cg, cggx, cggy, cggw, dx, dy, dw, dg});

  const auto gpu = make_tensor_product<T>(p, Backend::cuda);
  DeviceBuffer<T> X(cast<T>(x)), Y(cast<T>(y)), W(cast<T>(w)), G(cast<T>(g)), GGX(cast<T>(ggx)),
      GGY(cast<T>(ggy)), GGW(cast<T>(ggw));
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const auto poisoned = [&](std::size_t n) { return DeviceBuffer<T>(std::vector<T>(n, nan)); };
  auto OUT = poisoned(out.size());
  gpu->forward(batch, {X.cspan(), Y.cspan(), W.cspan(), OUT.span()});
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_LT(relative_error(OUT.host(), out), tol) << "forward";

  auto GX = poisoned(x.size()), GY = poisoned(y.size()), GW = poisoned(w.size());
  gpu->backward(batch,
                {X.cspan(), Y.cspan(), W.cspan(), G.cspan(), GX.span(), GY.span(), GW.span()});
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_LT(relative_error(GX.host(), gx), tol) << "backward grad_x";
  EXPECT_LT(relative_error(GY.host(), gy), tol) << "backward grad_y";
  EXPECT_LT(relative_error(GW.host(), gw), tol) << "backward grad_weights";

  auto DX = poisoned(x.size()), DY = poisoned(y.size()), DW = poisoned(w.size()),
       DG = poisoned(g.size());
  gpu->double_backward(batch, {X.cspan(), Y.cspan(), W.cspan(), G.cspan(), GGX.cspan(), GGY.cspan(),
                               GGW.cspan(), DX.span(), DY.span(), DW.span(), DG.span()});
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_LT(relative_error(DX.host(), dx), tol) << "double backward grad_x";
  EXPECT_LT(relative_error(DY.host(), dy), tol) << "double backward grad_y";
  EXPECT_LT(relative_error(DW.host(), dw), tol) << "double backward grad_weights";
  EXPECT_LT(relative_error(DG.host(), dg), tol) << "double backward grad_grad_out";
}
#endif

class CudaTensorProductTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaTensorProductTest, MatchesCpuReference) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  if (!have_gpu()) GTEST_SKIP() << "no CUDA GPU on this machine";
  for (const auto& c : gpu_cases()) {
    if (c.name != GetParam()) continue;
    // An odd batch that is not a multiple of the rows per block; larger for the small problems.
    const std::size_t batch =
        c.problem.irreps_in1().dim() * c.problem.irreps_out().dim() > 200000 ? 67 : 301;
    check_against_cpu<double>(c.problem, batch, 1e-10);
    check_against_cpu<float>(c.problem, batch, 1e-4);
    return;
  }
  GTEST_SKIP() << "not selected (set EQUIFUSE_GPU_TEST_ALL=1)";
#endif
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : gpu_cases()) names.push_back(c.name);
  // Listed even when not selected, so that it prints as skipped (unless EQUIFUSE_GPU_TEST_ALL=1).
  if (std::find(names.begin(), names.end(), "high-l6-32") == names.end())
    names.push_back("high-l6-32");
  return names;
}

INSTANTIATE_TEST_SUITE_P(Problems, CudaTensorProductTest, ::testing::ValuesIn(case_names()),
                         [](const auto& test_info) {
                           std::string n = test_info.param;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace equifuse
