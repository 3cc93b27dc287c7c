// Freed memory blocks kept for reuse by size (the host's and each GPU's, memory_space.cpp and
// cuda/device_memory_pool.cpp): a model evaluation makes dozens of arrays whose sizes repeat from
// one layer, block of edges or MD step to the next, and fresh memory costs page faults on the
// host and synchronising cudaMalloc/cudaFree calls on a GPU. A request takes the smallest cached
// block that fits without wasting more than half of it. Not thread-safe: callers lock.
#pragma once

#include <cstddef>
#include <map>

namespace equifuse {

class BlockCache {
 public:
  // A cached block of at least `bytes` (its size in `capacity`), or nullptr.
  void* take(std::size_t bytes, std::size_t& capacity) {
    const auto it = blocks_.lower_bound(bytes);
    if (it == blocks_.end() || it->first / 2 > bytes) return nullptr;
    capacity = it->first;
    void* block = it->second;
    blocks_.erase(it);
    bytes_ -= capacity;
    return block;
  }
  void put(void* block, std::size_t capacity) {
    blocks_.emplace(capacity, block);
    bytes_ += capacity;
  }
  // release(block, capacity) for every cached block; the cache is empty after.
  template <typename Release>
  void drain(Release&& release) {
    for (const auto& [capacity, block] : blocks_) release(block, capacity);
    blocks_.clear();
    bytes_ = 0;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::multimap<std::size_t, void*> blocks_;
  std::size_t bytes_ = 0;
};

}  // namespace equifuse
