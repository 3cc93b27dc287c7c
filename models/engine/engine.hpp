// What a model computes with: one backend (the host, or a CUDA GPU) and the model's layer
// kernels there. Models allocate Buffers, launch Kernels and build graph convolutions through
// it and never name a backend; the host backend runs each kernel's host implementation in
// place, the CUDA backend its device implementation on the backend's stream, so that one model
// definition serves both. Work is asynchronous on a GPU: the host waits only where it reads a
// result (download, column_sums, synchronize).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "models/engine/buffer.hpp"
#include "models/engine/kernel.hpp"
#include "models/potential/precision.hpp"

namespace equifuse {

// The model kernel library a model needs on a GPU: its scalar type and the spherical harmonics
// its edge embedding evaluates (emitted as straight-line code).
struct ModelKernelSpec {
  Precision precision = Precision::float64;
  std::vector<int> sh_degrees;  // l of each spherical-harmonics block, in order
};

// Every GPU program a model runs: its kernel library and its graph convolutions (what `equifuse
// precompile --potential` compiles ahead of a run, on a machine without a GPU).
struct KernelManifest {
  ModelKernelSpec model_kernels;
  std::vector<TensorProductProblem> convolutions;
};

class DeviceBackend;  // engine/device_backend.hpp

class Engine {
 public:
  // The host backend.
  Engine();
  // `backend` with the kernels of `spec` (on a GPU: compiled with NVRTC, or from the kernel cache,
  // and loaded on the current device). Throws equifuse::Error where the backend cannot run.
  Engine(Backend backend, const ModelKernelSpec& spec);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Backend backend() const;
  MemorySpace space() const;
  // The kernels of the model built on this engine so far (on any backend).
  const KernelManifest& manifest() const { return manifest_; }

  template <typename Args>
  void launch(const Kernel<Args>& kernel, const Args& args, const LaunchShape& shape) const {
    if (device_ == nullptr) {
      if (kernel.host == nullptr) no_host_implementation(kernel.name);
      kernel.host(args);
    } else {
      launch_on_device(kernel.name, &args, shape);
    }
  }

  template <typename T>
  Buffer<T> buffer(std::size_t size) const {
    return Buffer<T>(space(), size);
  }
  template <typename T>
  Buffer<T> zeros(std::size_t size) const {
    Buffer<T> b(space(), size);
    fill_zero(b);
    return b;
  }
  template <typename T>
  void fill_zero(Buffer<T>& b) const {
    fill_zero_bytes(b.data(), b.bytes());
  }
  template <typename T>
  Buffer<T> upload(std::span<const T> host) const {
    Buffer<T> b(space(), host.size());
    copy_in_bytes(b.data(), host.data(), b.bytes());
    return b;
  }
  template <typename T>
  Buffer<T> upload(const std::vector<T>& host) const {
    return upload(std::span<const T>(host));
  }
  // Waits for the work that writes `b`.
  template <typename T>
  std::vector<T> download(const Buffer<T>& b) const {
    std::vector<T> host(b.size());
    copy_out_bytes(host.data(), b.data(), b.bytes());
    return host;
  }
  // From memory of this backend's space (a caller's arrays, e.g. Kokkos views on the same GPU).
  template <typename T>
  Buffer<T> copy_of(const T* source, std::size_t size) const {
    Buffer<T> b(space(), size);
    copy_within_bytes(b.data(), source, b.bytes());
    return b;
  }
  template <typename T>
  Buffer<T> copy_of(const Buffer<T>& source) const {
    return copy_of(source.data(), source.size());
  }

  // make_graph_convolution on this backend (deterministic algorithm, this backend's stream).
  template <typename T>
  std::unique_ptr<GraphConvolution<T>> graph_convolution(const TensorProductProblem& problem) const;

  // Column sums of a [rows][columns] array, in a fixed order, on the host (waits).
  std::vector<double> column_sums(const Buffer<double>& values, int columns) const;
  void synchronize() const;

 private:
  void launch_on_device(const char* name, const void* args, const LaunchShape& shape) const;
  [[noreturn]] static void no_host_implementation(const char* name);
  void fill_zero_bytes(void* data, std::size_t bytes) const;
  void copy_in_bytes(void* data, const void* host, std::size_t bytes) const;
  void copy_out_bytes(void* host, const void* data, std::size_t bytes) const;
  void copy_within_bytes(void* data, const void* source, std::size_t bytes) const;

  std::shared_ptr<const DeviceBackend> device_;  // null: the host
  mutable KernelManifest manifest_;  // convolutions recorded as the model's layers ask for them
};

}  // namespace equifuse
