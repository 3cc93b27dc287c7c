// A device array that owns its memory (from the reuse pool, device_memory_pool.hpp), with host
// copies in and out.
#pragma once

#include <cuda_runtime_api.h>

#include <span>
#include <vector>

#include "kernels/cuda/cuda_device.hpp"
#include "models/cuda/device_memory_pool.hpp"

namespace equifuse {

template <typename T>
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t size) { resize(size); }
  explicit DeviceArray(const std::vector<T>& host) { upload(host); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept { swap(other); }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    swap(other);
    return *this;
  }
  ~DeviceArray() { device_release(data_, capacity_ * sizeof(T)); }

  // Contents are undefined after a resize that grows.
  void resize(std::size_t size) {
    if (size > capacity_) {
      device_release(data_, capacity_ * sizeof(T));
      data_ = nullptr;
      capacity_ = 0;
      std::size_t bytes = 0;
      data_ = static_cast<T*>(device_allocate(size * sizeof(T), bytes));
      capacity_ = bytes / sizeof(T);
    }
    size_ = size;
  }
  void zero() {
    if (size_) check_cuda(cudaMemsetAsync(data_, 0, size_ * sizeof(T), nullptr), "clear");
  }
  void upload(const std::vector<T>& host) {
    resize(host.size());
    if (size_)
      check_cuda(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice),
                 "upload");
  }
  // From memory already on the device (a caller's arrays).
  void copy_from_device(const T* source, std::size_t size) {
    resize(size);
    if (size_)
      check_cuda(cudaMemcpy(data_, source, size_ * sizeof(T), cudaMemcpyDeviceToDevice), "copy");
  }
  std::vector<T> download() const {
    std::vector<T> host(size_);
    if (size_)
      check_cuda(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost),
                 "download");
    return host;
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::span<T> span() { return {data_, size_}; }
  std::span<const T> span() const { return {data_, size_}; }

 private:
  void swap(DeviceArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }
  T* data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace equifuse
