// `equifuse`: the project's command-line entry point.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "kernels/common/error.hpp"

namespace {

void print_usage() {
  std::puts(
      "usage: equifuse <command> [options]\n"
      "\n"
      "commands:\n"
      "  eval        energy, forces and stress of structures with a potential file\n"
      "              (equifuse eval --help)\n"
      "  tp          run tensor-product problems on random inputs: time per call and checksums\n"
      "              (equifuse tp --help for options)\n"
      "  generate    print the GPU kernel source generated for a problem (CUDA or HIP)\n"
      "  precompile  compile GPU kernels into the kernel cache without a GPU\n"
      "  validate    errors of a potential against labelled structures, with parity plots\n"
      "              (the Python package's equifuse command: pip install ., docs/python.md)\n"
      "  version     print the version");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage();
    return args.empty() ? 2 : 0;
  }
  try {
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "eval") return equifuse::cli::eval_command(rest);
    if (args[0] == "tp") return equifuse::cli::tensor_product_command(rest);
    if (args[0] == "precompile") return equifuse::cli::precompile_command(rest);
    if (args[0] == "generate") return equifuse::cli::generate_command(rest);
    if (args[0] == "validate") {
      // It reads labels with ASE and plots with matplotlib: the Python package's command.
      std::fputs(
          "equifuse validate is a command of the Python package: pip install . (from the "
          "repository),\nthen run equifuse validate from that environment (docs/python.md)\n",
          stderr);
      return 2;
    }
    if (args[0] == "version" || args[0] == "--version") {
      std::puts("equifuse " EQUIFUSE_VERSION);
      return 0;
    }
    std::fprintf(stderr, "equifuse: unknown command \"%s\"\n", args[0].c_str());
    print_usage();
    return 2;
  } catch (const equifuse::Error& e) {
    std::fprintf(stderr, "equifuse: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "equifuse: internal error: %s\n", e.what());
    return 1;
  }
}
