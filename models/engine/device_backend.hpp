// Internal to models/engine: what a GPU backend provides to the Engine (engine.hpp). One
// implementation per GPU platform (cuda/cuda_device_backend.hpp; HIP later). Every operation is
// ordered on the backend's one stream; copies to the host wait for it.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "models/engine/kernel.hpp"
#include "models/engine/memory_space.hpp"

namespace equifuse {

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  virtual Backend backend() const = 0;
  virtual MemorySpace space() const = 0;
  // `args` points at the kernel's argument struct, passed by value.
  virtual void launch(const char* kernel, const void* args, const LaunchShape& shape) const = 0;
  virtual void fill_zero(void* data, std::size_t bytes) const = 0;
  virtual void copy_in(void* data, const void* host, std::size_t bytes) const = 0;
  virtual void copy_out(void* host, const void* data, std::size_t bytes) const = 0;
  virtual void copy_within(void* data, const void* source, std::size_t bytes) const = 0;
  virtual void synchronize() const = 0;
  virtual std::vector<double> column_sums(const double* values, long rows, int columns) const = 0;
  virtual std::unique_ptr<GraphConvolution<float>> graph_convolution_f32(
      const TensorProductProblem& problem) const = 0;
  virtual std::unique_ptr<GraphConvolution<double>> graph_convolution_f64(
      const TensorProductProblem& problem) const = 0;
};

}  // namespace equifuse
