// On-disk and in-memory cache of compiled kernels, keyed by a hash of the program (generated
// source, which spells out the problem, dtype and generator version; headers; options), the target
// architecture and the NVRTC version. Thread- and process-safe: processes starting at once on an
// empty cache (the ranks of one job) compile each kernel once, one process while the others wait
// on a lock file per kernel, then read its binary; files are written under a temporary name and
// renamed, and carry a checksum, so that a partial or corrupt file is never used (it is
// recompiled). A directory that cannot be written is reported once, on stderr, and kernels are
// then kept in memory for the process.
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

// Where this process's cubins came from so far (`equifuse precompile` reports them).
struct KernelCacheCounts {
  int compiled = 0;   // by NVRTC, here
  int from_disk = 0;  // read from the cache directory (written by this or another process)
  int in_memory = 0;  // asked for again
};
KernelCacheCounts kernel_cache_counts();

}  // namespace equifuse
