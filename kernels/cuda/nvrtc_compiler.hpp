// Run-time compilation of generated CUDA C++ to a cubin with NVRTC. Needs no GPU, so generated
// code is compile-checked on any machine with the CUDA toolkit.
#pragma once

#include <string>
#include <vector>

namespace equifuse {

// compute_capability: e.g. 90 for sm_90. Throws equifuse::Error with NVRTC's log on failure.
std::vector<char> compile_cuda_to_cubin(const std::string& source, int compute_capability,
                                        const std::string& program_name);

// NVRTC's version as major * 1000 + minor * 10 (the CUDA convention), part of cache keys.
int nvrtc_version();

}  // namespace equifuse
