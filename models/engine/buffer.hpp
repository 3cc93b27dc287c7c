// A typed array in one memory space (memory_space.hpp) that owns its memory: what every layer
// reads and writes. Copies in and out of it go through the Engine (engine.hpp), which knows the
// backend's stream.
#pragma once

#include <cstddef>
#include <span>
#include <utility>

#include "models/engine/memory_space.hpp"

namespace equifuse {

template <typename T>
class Buffer {
 public:
  Buffer() = default;
  // Uninitialised contents.
  Buffer(MemorySpace space, std::size_t size) : space_(space) { resize(size); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept { swap(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ~Buffer() { release_memory(space_, data_, capacity_ * sizeof(T)); }

  // Contents are undefined after a resize that grows.
  void resize(std::size_t size) {
    if (size > capacity_) {
      release_memory(space_, data_, capacity_ * sizeof(T));
      data_ = nullptr;
      capacity_ = 0;
      std::size_t bytes = 0;
      data_ = static_cast<T*>(allocate_memory(space_, size * sizeof(T), bytes));
      capacity_ = bytes / sizeof(T);
    }
    size_ = size;
  }

  MemorySpace space() const { return space_; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * sizeof(T); }
  bool empty() const { return size_ == 0; }
  std::span<T> span() { return {data_, size_}; }
  std::span<const T> span() const { return {data_, size_}; }

 private:
  void swap(Buffer& other) noexcept {
    std::swap(space_, other.space_);
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }
  MemorySpace space_ = MemorySpace::host;
  T* data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace equifuse
