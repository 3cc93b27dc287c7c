// On-disk and in-memory cache of compiled kernels, keyed by a hash of the program (generated
// source, which spells out the problem, dtype and generator version; headers; options), the target
// architecture and the NVRTC version. Thread-safe; files are written to a temporary name and
// renamed, so concurrent processes sharing the directory never read a partial file.
//
// Directory: $EQUIFUSE_KERNEL_CACHE, else $XDG_CACHE_HOME/equifuse/kernels, else
// ~/.cache/equifuse/kernels. EQUIFUSE_KERNEL_CACHE=off disables the disk cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kernels/cuda/nvrtc_compiler.hpp"

namespace equifuse {

std::filesystem::path kernel_cache_directory();
// Over the root source, every header's name and contents, the options, the architecture and the
// NVRTC version.
std::uint64_t kernel_cache_key(const CudaProgram& program, int compute_capability);
std::uint64_t kernel_cache_key(const std::string& source, int compute_capability);

// Returns the cubin of `program`, compiling it (and storing it) only when no cache has it.
std::vector<char> cached_cubin(const CudaProgram& program, int compute_capability);
std::vector<char> cached_cubin(const std::string& source, int compute_capability,
                               const std::string& program_name);

}  // namespace equifuse
