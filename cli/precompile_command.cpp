// `equifuse precompile`: compiles the GPU kernels of a problem set for a GPU architecture and
// stores them in the kernel cache, without a GPU (for example on a cluster's login node), so
// that jobs start without compiling.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_value.hpp"
#include "kernels/common/error.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/kernel_cache.hpp"
#include "kernels/gpu_codegen/graph_convolution_codegen.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"
#endif

namespace equifuse::cli {

int precompile_command(const std::vector<std::string>& args) {
  std::string problems = EQUIFUSE_DEFAULT_PROBLEMS;
  std::vector<std::string> names;
  int arch = 90;
  std::vector<std::string> dtypes = {"float32", "float64"};
  std::vector<std::string> convolutions;  // empty: the tensor products
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> const std::string& { return option_value(args, i); };
    if (a == "--problems") problems = value();
    else if (a == "--name") names.push_back(value());
    else if (a == "--dtype") dtypes = {value()};
    else if (a == "--convolution") convolutions.push_back(value());
    else if (a == "--arch") {
      std::string v = value();
      if (v.rfind("sm_", 0) == 0) v = v.substr(3);
      try {
        arch = std::stoi(v);
      } catch (const std::exception&) {
        throw Error("--arch expects an architecture such as sm_90, got \"" + v + "\"");
      }
    } else if (a == "-h" || a == "--help") {
      std::puts("usage: equifuse precompile [--arch sm_90] [--problems FILE] [--name NAME]... [--dtype float32|float64]\n"
                "                          [--convolution deterministic|atomic]...\n"
                "Compiles the CUDA kernels of the problems' tensor products (with --convolution: of their\n"
                "graph convolutions instead) into the kernel cache ($EQUIFUSE_KERNEL_CACHE, default\n"
                "~/.cache/equifuse/kernels). Needs no GPU.");
      return 0;
    } else {
      throw Error("equifuse precompile: unknown option \"" + a + "\"");
    }
  }
#ifndef EQUIFUSE_HAVE_CUDA
  (void)arch;
  throw Error("this build of equifuse has no CUDA backend");
#else
  for (const auto& np : load_problem_set(problems).problems) {
    if (!names.empty() && std::find(names.begin(), names.end(), np.name) == names.end()) continue;
    for (const auto& dt : dtypes) {
      const GpuDtype dtype = dt == "float64" ? GpuDtype::float64 : GpuDtype::float32;
      const auto compile = [&](const std::string& source, const std::string& what) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto cubin = cached_cubin(source, arch, np.name + ".cu");
        std::printf("%-16s %-8s %-14s sm_%d  %8zu bytes  %7.2f s\n", np.name.c_str(), dt.c_str(), what.c_str(), arch,
                    cubin.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        std::fflush(stdout);
      };
      if (convolutions.empty()) compile(generate_tensor_product_source(np.problem, dtype, GpuDialect::cuda).source, "tp");
      for (const auto& c : convolutions) {
        compile(generate_graph_convolution_source(np.problem, dtype, GpuDialect::cuda, parse_convolution_algorithm(c))
                    .source,
                "conv-" + c);
      }
    }
  }
  std::printf("kernel cache: %s\n", kernel_cache_directory().c_str());
  return 0;
#endif
}

}  // namespace equifuse::cli
