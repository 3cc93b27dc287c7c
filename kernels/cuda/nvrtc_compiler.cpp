#include "kernels/cuda/nvrtc_compiler.hpp"

#include <nvrtc.h>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

void check(nvrtcResult r, const char* what) {
  if (r != NVRTC_SUCCESS)
    throw Error(std::string("NVRTC: ") + what + ": " + nvrtcGetErrorString(r));
}

}  // namespace

int nvrtc_version() {
  int major = 0, minor = 0;
  check(nvrtcVersion(&major, &minor), "nvrtcVersion");
  return major * 1000 + minor * 10;
}

std::vector<char> compile_cuda_to_cubin(const std::string& source, int compute_capability,
                                        const std::string& program_name) {
  return compile_cuda_to_cubin(CudaProgram{program_name, source, {}, {}}, compute_capability);
}

std::vector<char> compile_cuda_to_cubin(const CudaProgram& p, int compute_capability) {
  const std::string& program_name = p.name;
  std::vector<const char*> header_sources, header_names;
  for (const auto& [name, contents] : p.headers) {
    header_names.push_back(name.c_str());
    header_sources.push_back(contents.c_str());
  }
  nvrtcProgram program = nullptr;
  check(nvrtcCreateProgram(&program, p.source.c_str(), program_name.c_str(),
                           static_cast<int>(p.headers.size()), header_sources.data(),
                           header_names.data()),
        "nvrtcCreateProgram");
  const std::string arch = "--gpu-architecture=sm_" + std::to_string(compute_capability);
  // No fast-math: the kernels must agree with the float64 CPU reference.
  std::vector<const char*> options = {arch.c_str(), "--std=c++17", "-default-device"};
  for (const std::string& o : p.options) options.push_back(o.c_str());
  const nvrtcResult compiled =
      nvrtcCompileProgram(program, static_cast<int>(options.size()), options.data());
  std::string log;
  std::size_t log_size = 0;
  if (nvrtcGetProgramLogSize(program, &log_size) == NVRTC_SUCCESS && log_size > 1) {
    log.resize(log_size);
    nvrtcGetProgramLog(program, log.data());
  }
  if (compiled != NVRTC_SUCCESS) {
    nvrtcDestroyProgram(&program);
    throw Error("NVRTC failed to compile " + program_name + " for sm_" +
                std::to_string(compute_capability) + ":\n" + log);
  }
  std::size_t size = 0;
  check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
  std::vector<char> cubin(size);
  check(nvrtcGetCUBIN(program, cubin.data()), "nvrtcGetCUBIN");
  nvrtcDestroyProgram(&program);
  return cubin;
}

}  // namespace equifuse
