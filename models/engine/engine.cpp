#include "models/engine/engine.hpp"

#include <cstring>

#include "kernels/common/error.hpp"
#include "models/engine/device_backend.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "models/engine/cuda/cuda_device_backend.hpp"
#endif

namespace equifuse {

Engine::Engine() = default;

Engine::Engine(Backend backend, const ModelKernelSpec& spec) {
  manifest_.model_kernels = spec;
  if (backend == Backend::cpu) return;
#ifdef EQUIFUSE_HAVE_CUDA
  if (backend == Backend::cuda) {
    device_ = make_cuda_device_backend(spec);
    return;
  }
#else
  (void)spec;
#endif
  throw Error("this build of equifuse has no CUDA backend");
}

Engine::~Engine() = default;

Backend Engine::backend() const {
  return device_ ? device_->backend() : Backend::cpu;
}

MemorySpace Engine::space() const {
  return device_ ? device_->space() : MemorySpace::host;
}

void Engine::launch_on_device(const char* name, const void* args, const LaunchShape& shape) const {
  device_->launch(name, args, shape);
}

void Engine::no_host_implementation(const char* name) {
  throw Error(std::string("model kernel ") + name + " has no host implementation");
}

void Engine::fill_zero_bytes(void* data, std::size_t bytes) const {
  if (bytes == 0) return;
  if (device_) {
    device_->fill_zero(data, bytes);
  } else {
    std::memset(data, 0, bytes);
  }
}

void Engine::copy_in_bytes(void* data, const void* host, std::size_t bytes) const {
  if (bytes == 0) return;
  if (device_) {
    device_->copy_in(data, host, bytes);
  } else {
    std::memcpy(data, host, bytes);
  }
}

void Engine::copy_out_bytes(void* host, const void* data, std::size_t bytes) const {
  if (bytes == 0) return;
  if (device_) {
    device_->copy_out(host, data, bytes);
  } else {
    std::memcpy(host, data, bytes);
  }
}

void Engine::copy_within_bytes(void* data, const void* source, std::size_t bytes) const {
  if (bytes == 0) return;
  if (device_) {
    device_->copy_within(data, source, bytes);
  } else {
    std::memcpy(data, source, bytes);
  }
}

template <>
std::unique_ptr<GraphConvolution<float>> Engine::graph_convolution<float>(
    const TensorProductProblem& problem) const {
  manifest_.convolutions.push_back(problem);
  if (device_) return device_->graph_convolution_f32(problem);
  return make_graph_convolution<float>(problem, Backend::cpu);
}

template <>
std::unique_ptr<GraphConvolution<double>> Engine::graph_convolution<double>(
    const TensorProductProblem& problem) const {
  manifest_.convolutions.push_back(problem);
  if (device_) return device_->graph_convolution_f64(problem);
  return make_graph_convolution<double>(problem, Backend::cpu);
}

std::vector<double> Engine::column_sums(const Buffer<double>& values, int columns) const {
  if (columns <= 0 || values.size() % static_cast<std::size_t>(columns) != 0) {
    throw Error("column sums: the array is not [rows][columns]");
  }
  const long rows = static_cast<long>(values.size() / static_cast<std::size_t>(columns));
  if (device_) return device_->column_sums(values.data(), rows, columns);
  // In row order, as a host loop over the rows would sum them.
  std::vector<double> sums(static_cast<std::size_t>(columns), 0.0);
  const double* v = values.data();
  for (long r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) sums[static_cast<std::size_t>(c)] += v[r * columns + c];
  return sums;
}

void Engine::synchronize() const {
  if (device_) device_->synchronize();
}

}  // namespace equifuse
