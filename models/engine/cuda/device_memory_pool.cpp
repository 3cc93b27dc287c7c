#include "models/engine/cuda/device_memory_pool.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/cuda/cuda_device.hpp"
#include "models/engine/block_cache.hpp"

namespace equifuse {
namespace {

struct Pool {
  std::mutex mutex;
  std::map<int, BlockCache> free_blocks;  // by device
  MemoryUse use;
};

int current_device() {
  int device = 0;
  check_cuda(cudaGetDevice(&device), "current device");
  return device;
}

void count_in_use(MemoryUse& use, std::size_t bytes) {
  use.in_use += bytes;
  use.peak_in_use = std::max(use.peak_in_use, use.in_use);
}

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: CUDA may be gone at exit
  return *p;
}

constexpr std::size_t kGranularity = 512;

}  // namespace

void* device_allocate(std::size_t bytes, std::size_t& capacity) {
  const std::size_t rounded = (bytes + kGranularity - 1) / kGranularity * kGranularity;
  Pool& p = pool();
  const int device = current_device();
  {
    std::lock_guard lock(p.mutex);
    if (void* block = p.free_blocks[device].take(rounded, capacity)) {
      count_in_use(p.use, capacity);
      return block;
    }
  }
  void* block = nullptr;
  if (cudaMalloc(&block, rounded) != cudaSuccess) {
    (void)cudaGetLastError();
    device_release_cached();
    const cudaError_t again = cudaMalloc(&block, rounded);
    if (again != cudaSuccess) {
      (void)cudaGetLastError();
      throw Error("out of GPU memory: " + std::to_string(rounded >> 20) + " MiB for one array, " +
                  std::to_string(device_memory_use().in_use >> 20) + " MiB in use");
    }
  }
  capacity = rounded;
  std::lock_guard lock(p.mutex);
  p.use.held += rounded;
  p.use.peak_held = std::max(p.use.peak_held, p.use.held);
  count_in_use(p.use, rounded);
  return block;
}

void device_release(void* block, std::size_t capacity) {
  if (block == nullptr) return;
  Pool& p = pool();
  const int device = current_device();
  std::lock_guard lock(p.mutex);
  p.free_blocks[device].put(block, capacity);
  p.use.in_use -= capacity;
}

void device_release_cached() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  const int device = current_device();
  p.free_blocks[device].drain([&](void* block, std::size_t capacity) {
    cudaFree(block);
    p.use.held -= capacity;
  });
}

MemoryUse device_memory_use() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  return p.use;
}

void reset_device_peak_memory() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  p.use.peak_in_use = p.use.in_use;
  p.use.peak_held = p.use.held;
}

}  // namespace equifuse
