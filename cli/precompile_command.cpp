// `equifuse precompile`: compiles GPU kernels for a GPU architecture and stores them in the kernel
// cache, without a GPU (for example on a cluster's login node), so that jobs start without
// compiling: those of a potential file (its model-layer kernels and every graph convolution), or
// the tensor products (or graph convolutions) of a problem set.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_value.hpp"
#include "kernels/common/error.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "model_loader/potential_file.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/kernel_cache.hpp"
#include "kernels/gpu_codegen/graph_convolution_codegen.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"
#include "models/engine/cuda/model_kernel_program.hpp"
#endif

namespace equifuse::cli {

namespace {

constexpr const char* kUsage =
    "usage: equifuse precompile [--arch sm_90] --potential FILE.eqf [--precision "
    "float32|float64]...\n"
    "       equifuse precompile [--arch sm_90] [--problems FILE] [--name NAME]... [--dtype "
    "float32|float64]\n"
    "                          [--convolution deterministic|atomic]...\n"
    "Compiles CUDA kernels into the kernel cache ($EQUIFUSE_KERNEL_CACHE, default\n"
    "~/.cache/equifuse/kernels), with no GPU needed: with --potential, everything a run of that\n"
    "potential compiles (its model-layer kernels and graph convolutions; both precisions unless\n"
    "--precision is given); otherwise the tensor products of the problems (with --convolution: "
    "their\n"
    "graph convolutions).";

}  // namespace

int precompile_command(const std::vector<std::string>& args) {
  std::string problems = EQUIFUSE_DEFAULT_PROBLEMS;
  std::vector<std::string> names, potentials;
  int arch = 90;
  std::vector<std::string> dtypes = {"float32", "float64"};
  std::vector<Precision> precisions;
  std::vector<std::string> convolutions;  // empty: the tensor products
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> const std::string& { return option_value(args, i); };
    if (a == "--problems")
      problems = value();
    else if (a == "--name")
      names.push_back(value());
    else if (a == "--dtype")
      dtypes = {value()};
    else if (a == "--convolution")
      convolutions.push_back(value());
    else if (a == "--potential")
      potentials.push_back(value());
    else if (a == "--precision")
      precisions.push_back(parse_precision(value()));
    else if (a == "--arch") {
      std::string v = value();
      if (v.rfind("sm_", 0) == 0) v = v.substr(3);
      try {
        arch = std::stoi(v);
      } catch (const std::exception&) {
        throw Error("--arch expects an architecture such as sm_90, got \"" + v + "\"");
      }
    } else if (a == "-h" || a == "--help") {
      std::puts(kUsage);
      return 0;
    } else {
      throw Error("equifuse precompile: unknown option \"" + a + "\"\n" + kUsage);
    }
  }
  if (precisions.empty()) precisions = {Precision::float32, Precision::float64};
#ifndef EQUIFUSE_HAVE_CUDA
  (void)arch;
  throw Error("this build of equifuse has no CUDA backend");
#else
  const auto report = [&](const std::string& what, const std::string& dtype,
                          const std::string& kind, const auto& compile) {
    const auto t0 = std::chrono::steady_clock::now();
    const int compiled_before = kernel_cache_counts().compiled;
    const std::vector<char> cubin = compile();
    std::printf("%-24s %-8s %-14s sm_%d  %8zu bytes  %7.2f s  %s\n", what.c_str(), dtype.c_str(),
                kind.c_str(), arch, cubin.size(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                kernel_cache_counts().compiled > compiled_before ? "compiled" : "cached");
    std::fflush(stdout);
  };
  for (const std::string& path : potentials) {
    const std::string name = path.substr(path.find_last_of('/') + 1);
    for (const Precision precision : precisions) {
      // Built on the host, which needs no GPU, to learn what the GPU would compile.
      // Any head: the kernels are the same for every head.
      const auto potential = load_potential(
          path,
          {.precision = precision, .backend = Backend::cpu, .head = potential_heads(path)[0]});
      const KernelManifest& manifest = potential->kernel_manifest();
      const std::string dtype = to_string(precision);
      report(name, dtype, "model-layers",
             [&] { return cached_cubin(model_kernel_program(manifest.model_kernels), arch); });
      const GpuDtype gpu_dtype =
          precision == Precision::float64 ? GpuDtype::float64 : GpuDtype::float32;
      for (std::size_t c = 0; c < manifest.convolutions.size(); ++c) {
        report(name, dtype, "conv-" + std::to_string(c), [&] {
          const auto source = generate_graph_convolution_source(
              manifest.convolutions[c], gpu_dtype, GpuDialect::cuda,
              ConvolutionAlgorithm::deterministic);
          return cached_cubin(source.source, arch, "equifuse_graph_convolution.cu");
        });
      }
    }
  }
  if (potentials.empty()) {
    for (const auto& np : load_problem_set(problems).problems) {
      if (!names.empty() && std::find(names.begin(), names.end(), np.name) == names.end()) continue;
      for (const auto& dt : dtypes) {
        const GpuDtype dtype = dt == "float64" ? GpuDtype::float64 : GpuDtype::float32;
        if (convolutions.empty()) {
          report(np.name, dt, "tp", [&] {
            return cached_cubin(
                generate_tensor_product_source(np.problem, dtype, GpuDialect::cuda).source, arch,
                np.name + ".cu");
          });
        }
        for (const auto& c : convolutions) {
          report(np.name, dt, "conv-" + c, [&] {
            return cached_cubin(
                generate_graph_convolution_source(np.problem, dtype, GpuDialect::cuda,
                                                  parse_convolution_algorithm(c))
                    .source,
                arch, np.name + ".cu");
          });
        }
      }
    }
  }
  const KernelCacheCounts counts = kernel_cache_counts();
  std::printf("kernel cache: %s (%d compiled here, %d read from it)\n",
              kernel_cache_directory().c_str(), counts.compiled,
              counts.from_disk + counts.in_memory);
  return 0;
#endif
}

}  // namespace equifuse::cli
