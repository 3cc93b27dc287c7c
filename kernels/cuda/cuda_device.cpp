#include "kernels/cuda/cuda_device.hpp"

#include <string>

#include "kernels/common/error.hpp"

namespace equifuse {

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw Error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(e));
}

CudaDevice current_cuda_device() {
  int device = 0;
  check_cuda(cudaGetDevice(&device), "no CUDA device");
  int major = 0, minor = 0;
  CudaDevice d;
  check_cuda(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device),
             "compute capability");
  check_cuda(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device),
             "compute capability");
  check_cuda(cudaDeviceGetAttribute(&d.multiprocessors, cudaDevAttrMultiProcessorCount, device),
             "SM count");
  d.compute_capability = major * 10 + minor;
  return d;
}

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error so later calls start clean
    return 0;
  }
  return count;
}

int select_cuda_device(int index) {
  const int count = cuda_device_count();
  if (count == 0) throw Error("CUDA: no CUDA device to select");
  const int device = ((index % count) + count) % count;
  check_cuda(cudaSetDevice(device), "select device");
  return device;
}

}  // namespace equifuse
