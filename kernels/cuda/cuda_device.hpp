// What the CUDA backends need to know about the current device, and CUDA error checking.
#pragma once

#include <cuda_runtime_api.h>

#include <span>

namespace equifuse {

// Throws equifuse::Error("CUDA: <what>: <message>") unless e is cudaSuccess.
void check_cuda(cudaError_t e, const char* what);

struct CudaDevice {
  int compute_capability = 0;  // major * 10 + minor
  int multiprocessors = 1;
};
CudaDevice current_cuda_device();
// GPUs the CUDA runtime can use here; 0 without a driver or device (no error).
int cuda_device_count();
// Makes GPU `index % cuda_device_count()` current for this thread; returns it.
int select_cuda_device(int index);

// A span's address as a kernel argument (nullptr for an empty span).
template <typename S>
void* device_pointer(const S& span) {
  return span.empty() ? nullptr : const_cast<void*>(static_cast<const void*>(span.data()));
}

}  // namespace equifuse
