#include "models/engine/memory_space.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

#include "kernels/common/error.hpp"
#include "models/engine/block_cache.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include <cuda_runtime_api.h>

#include "kernels/cuda/cuda_device.hpp"
#include "models/engine/cuda/device_memory_pool.hpp"
#endif

namespace equifuse {

namespace {

// Host arrays are aligned for vector loads and never initialised (layers overwrite them).
constexpr std::align_val_t kHostAlignment{64};

// Blocks from this size on are kept for reuse (smaller ones come from malloc's own free lists).
constexpr std::size_t kCachedFrom = 64 << 10;
constexpr std::size_t kHostGranularity = 4096;

struct HostUse {
  std::mutex mutex;
  MemoryUse use;
  BlockCache cache;
};

HostUse& host_use() {
  static HostUse* use = new HostUse;  // never destroyed: buffers may outlive static destruction
  return *use;
}

}  // namespace

std::string to_string(MemorySpace space) {
  return space == MemorySpace::host ? "host" : "cuda";
}

void* allocate_memory(MemorySpace space, std::size_t bytes, std::size_t& capacity) {
  capacity = 0;
  if (bytes == 0) return nullptr;
  if (space == MemorySpace::host) {
    HostUse& h = host_use();
    const std::size_t rounded =
        bytes < kCachedFrom ? bytes
                            : (bytes + kHostGranularity - 1) / kHostGranularity * kHostGranularity;
    const std::lock_guard lock(h.mutex);
    void* block = rounded < kCachedFrom ? nullptr : h.cache.take(rounded, capacity);
    if (block == nullptr) {
      capacity = rounded;
      block = ::operator new(rounded, kHostAlignment, std::nothrow);
      if (block == nullptr) {
        h.cache.drain([](void* b, std::size_t) { ::operator delete(b, kHostAlignment); });
        block = ::operator new(rounded, kHostAlignment, std::nothrow);
      }
      if (block == nullptr) {
        throw Error("out of host memory: " + std::to_string(bytes) + " bytes for one array");
      }
    }
    h.use.in_use += capacity;
    h.use.held = h.use.in_use + h.cache.bytes();
    h.use.peak_in_use = std::max(h.use.peak_in_use, h.use.in_use);
    h.use.peak_held = std::max(h.use.peak_held, h.use.held);
    return block;
  }
#ifdef EQUIFUSE_HAVE_CUDA
  return device_allocate(bytes, capacity);
#else
  throw Error("this build of equifuse has no CUDA backend");
#endif
}

void release_memory(MemorySpace space, void* block, std::size_t capacity) {
  if (block == nullptr) return;
  if (space == MemorySpace::host) {
    HostUse& h = host_use();
    const std::lock_guard lock(h.mutex);
    if (capacity >= kCachedFrom) {
      h.cache.put(block, capacity);
    } else {
      ::operator delete(block, kHostAlignment);
    }
    h.use.in_use -= capacity;
    h.use.held = h.use.in_use + h.cache.bytes();
    return;
  }
#ifdef EQUIFUSE_HAVE_CUDA
  device_release(block, capacity);
#else
  (void)capacity;
#endif
}

void copy_memory(void* to, MemorySpace to_space, const void* from, MemorySpace from_space,
                 std::size_t bytes) {
  if (bytes == 0) return;
  if (to_space == MemorySpace::host && from_space == MemorySpace::host) {
    std::memcpy(to, from, bytes);
    return;
  }
#ifdef EQUIFUSE_HAVE_CUDA
  check_cuda(cudaMemcpy(to, from, bytes, cudaMemcpyDefault), "copy between memory spaces");
  // A copy from pageable host memory may return before it reaches the device.
  check_cuda(cudaDeviceSynchronize(), "copy between memory spaces");
#else
  throw Error("this build of equifuse has no CUDA backend");
#endif
}

MemoryUse memory_use(MemorySpace space) {
  if (space == MemorySpace::host) {
    HostUse& h = host_use();
    const std::lock_guard lock(h.mutex);
    return h.use;
  }
#ifdef EQUIFUSE_HAVE_CUDA
  return device_memory_use();
#else
  return {};
#endif
}

void reset_peak_memory(MemorySpace space) {
  if (space == MemorySpace::host) {
    HostUse& h = host_use();
    const std::lock_guard lock(h.mutex);
    h.use.peak_in_use = h.use.in_use;
    h.use.peak_held = h.use.held;
    return;
  }
#ifdef EQUIFUSE_HAVE_CUDA
  reset_device_peak_memory();
#endif
}

}  // namespace equifuse
