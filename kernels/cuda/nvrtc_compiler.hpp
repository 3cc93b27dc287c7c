// Run-time compilation of generated CUDA C++ to a cubin with NVRTC. Needs no GPU, so generated
// code is compile-checked on any machine with the CUDA toolkit.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace equifuse {

// One NVRTC program: a root source, the headers it may #include (by name, with their contents:
// NVRTC reads no files) and extra options (macro definitions).
struct CudaProgram {
  std::string name;  // in NVRTC's messages
  std::string source;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> options;
};

// compute_capability: e.g. 90 for sm_90. Throws equifuse::Error with NVRTC's log on failure.
std::vector<char> compile_cuda_to_cubin(const CudaProgram& program, int compute_capability);
std::vector<char> compile_cuda_to_cubin(const std::string& source, int compute_capability,
                                        const std::string& program_name);

// NVRTC's version as major * 1000 + minor * 10 (the CUDA convention), part of cache keys.
int nvrtc_version();

}  // namespace equifuse
