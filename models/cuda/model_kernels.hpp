// CUDA kernels of the model layers other than the graph convolution (which is generated per
// problem in kernels/gpu_codegen): linear and species-dependent linear layers from their block
// tables, MLP layers (tiled GEMMs), the symmetric contraction from its monomial tables, edge embeddings, the
// gate-free elementwise steps and the final reductions, in both directions. Generic in the
// tables; the spherical harmonics are emitted as straight-line code per model. Compiled with
// NVRTC and cached like every generated kernel (kernels/cuda/kernel_cache).
#pragma once

#include <cuda_runtime_api.h>

#include <initializer_list>
#include <string>

#include "kernels/spherical_harmonics/spherical_harmonics.hpp"

namespace equifuse {

// The source for one scalar type ("float"/"double") and one set of spherical harmonics.
std::string model_kernel_source(const std::string& real, const SphericalHarmonics& sh);

class ModelKernels {
 public:
  ModelKernels(const std::string& real, const SphericalHarmonics& sh);
  ~ModelKernels();
  ModelKernels(const ModelKernels&) = delete;
  ModelKernels& operator=(const ModelKernels&) = delete;

  // Launches kernel `name` over `threads` threads (blocks of 128) with the given arguments.
  void launch(const char* name, long threads, std::initializer_list<const void*> args) const;
  // Launches over a grid_x x grid_y grid of `block` threads.
  void launch_grid(const char* name, unsigned grid_x, unsigned grid_y, unsigned block,
                   std::initializer_list<const void*> args) const;

 private:
  cudaLibrary_t library_ = nullptr;
};

}  // namespace equifuse
