// The GPU code generator on a machine without a GPU: its CUDA output compiles with NVRTC for
// sm_90 (offline), and the source is deterministic and specialised to the problem and dtype.
#include <gtest/gtest.h>

#include "kernels/common/error.hpp"
#include "kernels/gpu_codegen/graph_convolution_codegen.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/kernel_cache.hpp"
#include "kernels/cuda/nvrtc_compiler.hpp"
#endif

namespace equifuse {
namespace {

TensorProductProblem benchmark_problem(const std::string& name) {
  for (auto& np : load_problem_set(EQUIFUSE_SOURCE_DIR "/bench/problems.json").problems)
    if (np.name == name) return np.problem;
  throw std::runtime_error("no problem " + name);
}

TEST(KernelGenerator, SpecialisedAndDeterministic) {
  const auto p = benchmark_problem("mace-small");
  const auto a = generate_tensor_product_source(p, GpuDtype::float32, GpuDialect::cuda);
  const auto b = generate_tensor_product_source(p, GpuDtype::float32, GpuDialect::cuda);
  EXPECT_EQ(a.source, b.source);
  EXPECT_NE(a.source.find("typedef float T;"), std::string::npos);
  EXPECT_NE(a.source.find(GeneratedTensorProductSource::kForward), std::string::npos);
  EXPECT_NE(a.source.find(GeneratedTensorProductSource::kDoubleBackwardWeights), std::string::npos);
  // Channel-wise problems (MACE, NequIP) get the channel pass: every backward phase in one kernel
  // that reads each row once; a large problem outside it gets one kernel per phase
  // (grad_x, grad_y, per-sample grad_W; dx, dy, dg, dW).
  EXPECT_EQ(a.backward_kernels, 1);
  EXPECT_EQ(a.double_backward_kernels, 1);
  const auto nequip = generate_tensor_product_source(benchmark_problem("nequip-l3-32"),
                                                     GpuDtype::float32, GpuDialect::cuda);
  EXPECT_EQ(nequip.backward_kernels, 1);
  EXPECT_NE(nequip.source.find("for (int c = lane; c < 32; c += LANES)"), std::string::npos);
  EXPECT_NE(nequip.source.find("xa7_6 += "), std::string::npos);  // grad_x accumulator of 32x3e
  const auto large = generate_tensor_product_source(benchmark_problem("high-l6-32"),
                                                    GpuDtype::float32, GpuDialect::cuda);
  EXPECT_EQ(large.backward_kernels, 3);
  EXPECT_EQ(large.double_backward_kernels, 4);
  EXPECT_NE(large.source.find(GeneratedTensorProductSource::phase_kernel(
                GeneratedTensorProductSource::kBackward, 2)),
            std::string::npos);
  const auto d = generate_tensor_product_source(p, GpuDtype::float64, GpuDialect::cuda);
  EXPECT_NE(d.source.find("typedef double T;"), std::string::npos);
  const auto h = generate_tensor_product_source(p, GpuDtype::float32, GpuDialect::hip);
  EXPECT_NE(h.source.find("#include <hip/hip_runtime.h>"), std::string::npos);
  EXPECT_EQ(h.warp_size, 64);
  // Every CG nonzero is a literal: the (0, 1, 1) path of MACE's problem has three of them.
  EXPECT_NE(a.source.find("acc2 += wt*(1.000000000e+00f*x0*y2);"), std::string::npos);
}

// The convolution kernels: grouped sums without atomics (deterministic), or atomics on node rows.
TEST(GraphConvolutionGenerator, KernelsPerAlgorithm) {
  const auto p = benchmark_problem("mace-small");
  const auto det = generate_graph_convolution_source(p, GpuDtype::float32, GpuDialect::cuda,
                                                     ConvolutionAlgorithm::deterministic);
  ASSERT_EQ(det.forward.size(), 1u);
  EXPECT_EQ(det.forward[0].rows, ConvolutionRows::receivers);
  ASSERT_EQ(det.backward.size(), 2u);  // grad_x over senders; grad_y and grad_W per edge
  EXPECT_EQ(det.backward[0].rows, ConvolutionRows::senders);
  EXPECT_EQ(det.backward[1].rows, ConvolutionRows::edges);
  ASSERT_EQ(det.double_backward.size(), 3u);
  EXPECT_EQ(det.double_backward[2].rows, ConvolutionRows::receivers);
  EXPECT_NE(det.source.find("for (int q = OFFS[z]; q < OFFS[z + 1]; ++q)"), std::string::npos);
  EXPECT_NE(det.source.find("const T* x = X + (long)SRC[e] * 128L;"), std::string::npos);
  // Only the shared-weight reductions (unused here: per-edge weights) use atomics.
  const auto before_reductions =
      det.source.substr(0, det.source.find(GeneratedGraphConvolutionSource::kBackwardWeights));
  EXPECT_EQ(before_reductions.find("atomicAdd"), std::string::npos);
  const auto atomic = generate_graph_convolution_source(p, GpuDtype::float32, GpuDialect::cuda,
                                                        ConvolutionAlgorithm::atomic);
  ASSERT_EQ(atomic.forward.size(), 1u);
  EXPECT_EQ(atomic.forward[0].rows, ConvolutionRows::edges);
  EXPECT_TRUE(atomic.forward[0].clears_node_outputs);
  EXPECT_NE(atomic.source.find("T* out = OUT + (long)DST[z] * 2048L;"), std::string::npos);
  EXPECT_NE(atomic.source.find("atomicAdd(&out["), std::string::npos);
}

#ifdef EQUIFUSE_HAVE_CUDA
TEST(NvrtcCompiles, GraphConvolutionForSm90) {
  for (const char* name : {"mace-small", "nequip-l1-32", "fctp-l2-32"}) {
    const auto p = benchmark_problem(name);
    for (auto algorithm : {ConvolutionAlgorithm::deterministic, ConvolutionAlgorithm::atomic}) {
      const auto g =
          generate_graph_convolution_source(p, GpuDtype::float64, GpuDialect::cuda, algorithm);
      EXPECT_GT(compile_cuda_to_cubin(g.source, 90, std::string(name) + "-conv.cu").size(), 1000u)
          << name;
    }
  }
}

class NvrtcCompiles : public ::testing::TestWithParam<std::string> {};

TEST_P(NvrtcCompiles, ForSm90) {
  const auto p = benchmark_problem(GetParam());
  for (GpuDtype dtype : {GpuDtype::float32, GpuDtype::float64}) {
    const auto g = generate_tensor_product_source(p, dtype, GpuDialect::cuda);
    const auto cubin = compile_cuda_to_cubin(g.source, 90, GetParam() + ".cu");
    EXPECT_GT(cubin.size(), 1000u);
  }
}

// Small and mid-sized problems of every shape; the largest take minutes and are compiled on the
// device by the GPU tests and the benchmark.
INSTANTIATE_TEST_SUITE_P(BenchmarkProblems, NvrtcCompiles,
                         ::testing::Values("mace-small", "nequip-l1-32", "diffdock-l1",
                                           "fctp-l2-32"),
                         [](const auto& test_info) {
                           std::string n = test_info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(KernelCache, KeyDependsOnSourceAndArchitecture) {
  EXPECT_NE(kernel_cache_key("a", 90), kernel_cache_key("b", 90));
  EXPECT_NE(kernel_cache_key("a", 90), kernel_cache_key("a", 80));
  EXPECT_EQ(kernel_cache_key("a", 90), kernel_cache_key("a", 90));
}

TEST(KernelCache, StoresAndReusesBinaries) {
  const auto dir = std::filesystem::temp_directory_path() / "equifuse-cache-test";
  std::filesystem::remove_all(dir);
  setenv("EQUIFUSE_KERNEL_CACHE", dir.c_str(), 1);
  const std::string source =
      "extern \"C\" __global__ void k(float* p) { p[threadIdx.x] = 1.0f; }\n";
  const auto first = cached_cubin(source, 90, "k.cu");
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    files += e.path().extension() == ".cubin";
  EXPECT_EQ(files, 1u);
  EXPECT_EQ(cached_cubin(source, 90, "k.cu"), first);
  unsetenv("EQUIFUSE_KERNEL_CACHE");
  std::filesystem::remove_all(dir);
}

TEST(NvrtcCompiler, ReportsCompileErrors) {
  try {
    compile_cuda_to_cubin("this is not CUDA", 90, "broken.cu");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("broken.cu"), std::string::npos);
  }
}
#else
TEST(NvrtcCompiles, ForSm90) {
  GTEST_SKIP() << "this build has no CUDA toolkit (NVRTC)";
}
#endif

}  // namespace
}  // namespace equifuse
