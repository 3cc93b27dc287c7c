#include "models/engine/cuda/cuda_device_backend.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/common/error.hpp"
#include "kernels/cuda/cuda_device.hpp"
#include "kernels/cuda/cuda_graph_convolution.hpp"
#include "kernels/cuda/kernel_cache.hpp"
#include "models/engine/cuda/model_kernel_program.hpp"
#include "models/engine/graph_kernels.cuh"

namespace equifuse {

namespace {

int current_device() {
  int device = 0;
  check_cuda(cudaGetDevice(&device), "no CUDA device");
  return device;
}

// A loaded model kernel library, shared by every engine of one device with the same spec.
struct LoadedLibrary {
  cudaLibrary_t library = nullptr;  // never unloaded: CUDA may be gone at exit
};

cudaLibrary_t load_library(const ModelKernelSpec& spec) {
  static std::mutex mutex;
  static std::map<std::pair<int, std::uint64_t>, LoadedLibrary> loaded;
  const CudaDevice device = current_cuda_device();
  const CudaProgram program = model_kernel_program(spec);
  const auto key =
      std::make_pair(current_device(), kernel_cache_key(program, device.compute_capability));
  const std::lock_guard lock(mutex);
  LoadedLibrary& entry = loaded[key];
  if (entry.library == nullptr) {
    const std::vector<char> cubin = cached_cubin(program, device.compute_capability);
    check_cuda(
        cudaLibraryLoadData(&entry.library, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "load model kernels");
  }
  return entry.library;
}

// Pinned host memory mapped into the device: column_sums' kernel writes there and the host reads
// it after the stream, with no copy operation (as Kokkos returns its reductions), so that an MD
// step that tallies energy and virial copies nothing. One buffer per thread, grown as needed,
// never freed (CUDA may be gone at exit).
struct MappedSums {
  double* host = nullptr;
  double* device = nullptr;
  std::size_t capacity = 0;
};

const MappedSums& mapped_sums(std::size_t count) {
  thread_local MappedSums sums;
  if (count > sums.capacity) {
    if (sums.host != nullptr) cudaFreeHost(sums.host);
    sums = {};
    void* host = nullptr;
    check_cuda(cudaHostAlloc(&host, count * sizeof(double), cudaHostAllocMapped), "pinned sums");
    void* device = nullptr;
    check_cuda(cudaHostGetDevicePointer(&device, host, 0), "pinned sums");
    sums = {static_cast<double*>(host), static_cast<double*>(device), count};
  }
  return sums;
}

class CudaDeviceBackend final : public DeviceBackend {
 public:
  explicit CudaDeviceBackend(const ModelKernelSpec& spec)
      : library_(load_library(spec)), stream_(model_stream()) {}

  Backend backend() const override { return Backend::cuda; }
  MemorySpace space() const override { return MemorySpace::cuda; }

  void launch(const char* name, const void* args, const LaunchShape& shape) const override {
    dim3 grid, block;
    if (shape.threads > 0) {
      grid = dim3(static_cast<unsigned>(std::min<long>((shape.threads + 127) / 128, 65535L * 8)));
      block = dim3(128);
    } else {
      if (shape.grid_x == 0 || shape.grid_y == 0 || shape.block == 0) return;
      grid = dim3(shape.grid_x, shape.grid_y);
      block = dim3(shape.block);
    }
    if (shape.threads <= 0 && shape.grid_x == 0) return;
    cudaKernel_t kernel = nullptr;
    check_cuda(cudaLibraryGetKernel(&kernel, library_, name), name);
    void* parameters[] = {const_cast<void*>(args)};  // cudaLaunchKernel's type
    check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), grid, block, parameters, 0,
                                stream_),
               name);
  }

  void fill_zero(void* data, std::size_t bytes) const override {
    check_cuda(cudaMemsetAsync(data, 0, bytes, stream_), "clear");
  }
  void copy_in(void* data, const void* host, std::size_t bytes) const override {
    // From pageable memory the copy has left `host` when the call returns.
    check_cuda(cudaMemcpyAsync(data, host, bytes, cudaMemcpyHostToDevice, stream_), "upload");
  }
  void copy_out(void* host, const void* data, std::size_t bytes) const override {
    check_cuda(cudaMemcpyAsync(host, data, bytes, cudaMemcpyDeviceToHost, stream_), "download");
    synchronize();
  }
  void copy_within(void* data, const void* source, std::size_t bytes) const override {
    check_cuda(cudaMemcpyAsync(data, source, bytes, cudaMemcpyDeviceToDevice, stream_), "copy");
  }
  void synchronize() const override { check_cuda(cudaStreamSynchronize(stream_), "synchronize"); }

  std::vector<double> column_sums(const double* values, long rows, int columns) const override {
    const MappedSums& sums = mapped_sums(static_cast<std::size_t>(columns));
    const ColumnSumsArgs args{rows, columns, values, sums.device};
    launch("column_sums", &args, LaunchShape::grid(1, 1, 1024));
    synchronize();
    return std::vector<double>(sums.host, sums.host + columns);
  }

  std::unique_ptr<GraphConvolution<float>> graph_convolution_f32(
      const TensorProductProblem& problem) const override {
    return convolution<float>(problem);
  }
  std::unique_ptr<GraphConvolution<double>> graph_convolution_f64(
      const TensorProductProblem& problem) const override {
    return convolution<double>(problem);
  }

 private:
  template <typename T>
  std::unique_ptr<GraphConvolution<T>> convolution(const TensorProductProblem& problem) const {
    auto c =
        std::make_unique<CudaGraphConvolution<T>>(problem, ConvolutionAlgorithm::deterministic);
    c->set_stream(stream_);
    return c;
  }

  cudaLibrary_t library_;
  cudaStream_t stream_;
};

}  // namespace

cudaStream_t model_stream() {
  static std::mutex mutex;
  static std::map<int, cudaStream_t> streams;
  const int device = current_device();
  const std::lock_guard lock(mutex);
  cudaStream_t& stream = streams[device];
  if (stream == nullptr) check_cuda(cudaStreamCreate(&stream), "create the model stream");
  return stream;
}

std::shared_ptr<const DeviceBackend> make_cuda_device_backend(const ModelKernelSpec& spec) {
  return std::make_shared<CudaDeviceBackend>(spec);
}

}  // namespace equifuse
