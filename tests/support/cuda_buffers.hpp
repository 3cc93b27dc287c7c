// Device memory for the GPU tests (CUDA builds only).
#pragma once

#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <span>
#include <vector>

namespace equifuse::testing {

// Whether a CUDA GPU can run kernels here (GPU tests skip, and say so, where none can).
inline bool have_gpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

template <typename T>
struct DeviceBuffer {
  T* data = nullptr;
  std::size_t size = 0;
  explicit DeviceBuffer(const std::vector<T>& host) : size(host.size()) {
    if (size == 0) return;
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data), size * sizeof(T)), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(data, host.data(), size * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(data); }
  std::span<T> span() { return {data, size}; }
  std::span<const T> cspan() const { return {data, size}; }
  std::vector<T> host() const {
    std::vector<T> h(size);
    if (size) {
      EXPECT_EQ(cudaMemcpy(h.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    }
    return h;
  }
};

template <typename T, typename S>
std::vector<T> cast(const std::vector<S>& v) {
  return std::vector<T>(v.begin(), v.end());
}

}  // namespace equifuse::testing
