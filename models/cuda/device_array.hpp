// A device array that owns its memory (cudaMalloc / cudaFree), with host copies in and out.
#pragma once

#include <cuda_runtime_api.h>

#include <span>
#include <vector>

#include "kernels/cuda/cuda_device.hpp"

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
  ~DeviceArray() {
    if (data_ != nullptr) cudaFree(data_);
  }

  // Contents are undefined after a resize that grows.
  void resize(std::size_t size) {
    if (size > capacity_) {
      if (data_ != nullptr) cudaFree(data_);
      data_ = nullptr;
      check_cuda(cudaMalloc(reinterpret_cast<void**>(&data_), size * sizeof(T)), "allocate");
      capacity_ = size;
    }
    size_ = size;
  }
  void zero() {
    if (size_) check_cuda(cudaMemsetAsync(data_, 0, size_ * sizeof(T), nullptr), "clear");
  }
  void upload(const std::vector<T>& host) {
    resize(host.size());
    if (size_) check_cuda(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice), "upload");
  }
  std::vector<T> download() const {
    std::vector<T> host(size_);
    if (size_) check_cuda(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost), "download");
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
