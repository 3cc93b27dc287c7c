// Where a model's arrays live: host memory (the host backend) or the memory of the current CUDA
// device (the CUDA backend). Allocation and release by space; device memory comes from the
// reuse pool of the CUDA backend (cuda/device_memory_pool.hpp); host arrays of 64 KiB and more are
// kept for reuse too (block_cache.hpp).
#pragma once

#include <cstddef>
#include <string>

namespace equifuse {

enum class MemorySpace { host, cuda };

std::string to_string(MemorySpace space);

// At least `bytes` (0 gives nullptr); `capacity` receives the usable size. Throws equifuse::Error
// when the memory cannot be had, naming the size.
void* allocate_memory(MemorySpace space, std::size_t bytes, std::size_t& capacity);
void release_memory(MemorySpace space, void* block, std::size_t capacity);

// Copies `bytes` between any two spaces and returns once the copy is complete; the caller has
// synchronised the engine whose arrays it copies (on a GPU the call waits for the whole device).
void copy_memory(void* to, MemorySpace to_space, const void* from, MemorySpace from_space,
                 std::size_t bytes);

// Bytes in live arrays now and at most since the process began (what torch reports as
// memory_allocated / max_memory_allocated), and bytes taken from the system (live + cached for
// reuse): the benchmarks' peak memory and bytes per atom.
struct MemoryUse {
  std::size_t in_use = 0, peak_in_use = 0, held = 0, peak_held = 0;
};
MemoryUse memory_use(MemorySpace space);
// Starts the peaks again from what is in use now (torch's reset_peak_memory_stats): the peak of
// one evaluation above what outlives it (weights, the caller's graph).
void reset_peak_memory(MemorySpace space);

}  // namespace equifuse
