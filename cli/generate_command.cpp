// `equifuse generate`: prints the GPU source the code generator emits for one problem, in the
// CUDA or HIP dialect, to read it or to compile it offline (CI compile-checks the HIP output):
// the tensor product's kernels, or with --convolution those of its fused graph convolution.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_value.hpp"
#include "kernels/common/error.hpp"
#include "kernels/gpu_codegen/graph_convolution_codegen.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"
#include "kernels/tensor_product/problem_json.hpp"

namespace equifuse::cli {

int generate_command(const std::vector<std::string>& args) {
  std::string problems = EQUIFUSE_DEFAULT_PROBLEMS, name, dialect = "cuda", dtype = "float32",
              convolution;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> const std::string& { return option_value(args, i); };
    if (a == "--problems")
      problems = value();
    else if (a == "--name")
      name = value();
    else if (a == "--dialect")
      dialect = value();
    else if (a == "--dtype")
      dtype = value();
    else if (a == "--convolution")
      convolution = value();
    else if (a == "-h" || a == "--help") {
      std::puts(
          "usage: equifuse generate --name PROBLEM [--problems FILE] [--dialect cuda|hip] "
          "[--dtype float32|float64]\n"
          "       [--convolution deterministic|atomic]\n"
          "Prints the generated kernel source (with --convolution: of the fused graph "
          "convolution).");
      return 0;
    } else {
      throw Error("equifuse generate: unknown option \"" + a + "\"");
    }
  }
  if (dialect != "cuda" && dialect != "hip")
    throw Error("--dialect expects cuda or hip, got \"" + dialect + "\"");
  if (dtype != "float32" && dtype != "float64")
    throw Error("--dtype expects float32 or float64, got \"" + dtype + "\"");
  for (const auto& np : load_problem_set(problems).problems) {
    if (np.name != name) continue;
    const GpuDtype d = dtype == "float64" ? GpuDtype::float64 : GpuDtype::float32;
    const GpuDialect l = dialect == "hip" ? GpuDialect::hip : GpuDialect::cuda;
    const std::string source = convolution.empty()
                                   ? generate_tensor_product_source(np.problem, d, l).source
                                   : generate_graph_convolution_source(
                                         np.problem, d, l, parse_convolution_algorithm(convolution))
                                         .source;
    std::fputs(source.c_str(), stdout);
    return 0;
  }
  throw Error("no problem named \"" + name + "\" in " + problems);
}

}  // namespace equifuse::cli
