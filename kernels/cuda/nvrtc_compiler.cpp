#include "kernels/cuda/nvrtc_compiler.hpp"

#include <nvrtc.h>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

void check(nvrtcResult r, const char* what) {
  if (r != NVRTC_SUCCESS) throw Error(std::string("NVRTC: ") + what + ": " + nvrtcGetErrorString(r));
}

}  // namespace

int nvrtc_version() {
  int major = 0, minor = 0;
  check(nvrtcVersion(&major, &minor), "nvrtcVersion");
  return major * 1000 + minor * 10;
}

std::vector<char> compile_cuda_to_cubin(const std::string& source, int compute_capability,
                                        const std::string& program_name) {
  nvrtcProgram program = nullptr;
  check(nvrtcCreateProgram(&program, source.c_str(), program_name.c_str(), 0, nullptr, nullptr),
        "nvrtcCreateProgram");
  const std::string arch = "--gpu-architecture=sm_" + std::to_string(compute_capability);
  // No fast-math: the kernels must agree with the float64 CPU reference.
  const char* options[] = {arch.c_str(), "--std=c++17", "-default-device"};
  const nvrtcResult compiled = nvrtcCompileProgram(program, 3, options);
  std::string log;
  std::size_t log_size = 0;
  if (nvrtcGetProgramLogSize(program, &log_size) == NVRTC_SUCCESS && log_size > 1) {
    log.resize(log_size);
    nvrtcGetProgramLog(program, log.data());
  }
  if (compiled != NVRTC_SUCCESS) {
    nvrtcDestroyProgram(&program);
    throw Error("NVRTC failed to compile " + program_name + " for sm_" + std::to_string(compute_capability) +
                ":\n" + log);
  }
  std::size_t size = 0;
  check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
  std::vector<char> cubin(size);
  check(nvrtcGetCUBIN(program, cubin.data()), "nvrtcGetCUBIN");
  nvrtcDestroyProgram(&program);
  return cubin;
}

}  // namespace equifuse
