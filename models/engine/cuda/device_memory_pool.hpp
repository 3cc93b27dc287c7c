// Device memory kept for reuse across evaluations (the CUDA backend's Buffers). A model evaluation
// makes dozens of arrays whose sizes change little from one MD step to the next; cudaMalloc and
// the synchronising cudaFree for each cost more than the kernels on small systems. Freed blocks
// wait here, per device, and serve any later request they fit without wasting more than half of
// themselves. All model work on a device runs on the backend's one stream of that device
// (cuda_device_backend.hpp), so a block handed out again is only touched after the kernels that
// used it.
#pragma once

#include <cstddef>

#include "models/engine/memory_space.hpp"

namespace equifuse {

// Returns at least `bytes` (its usable size in `capacity`); on an out-of-memory error the cached
// blocks are returned to CUDA and the allocation is tried once more.
void* device_allocate(std::size_t bytes, std::size_t& capacity);
void device_release(void* block, std::size_t capacity);
// Gives every cached block back to CUDA (memory held by live arrays stays).
void device_release_cached();

// Bytes in live arrays now and at most since the process began (what torch reports as
// memory_allocated / max_memory_allocated), and bytes taken from CUDA (live + cached): the
// benchmarks' peak memory and largest system per GPU.
MemoryUse device_memory_use();
void reset_device_peak_memory();

}  // namespace equifuse
