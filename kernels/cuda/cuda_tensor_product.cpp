#include "kernels/cuda/cuda_tensor_product.hpp"

#include <algorithm>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/cuda/cuda_device.hpp"
#include "kernels/cuda/kernel_cache.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"

namespace equifuse {
namespace {

void check(cudaError_t e, const char* what) {
  check_cuda(e, what);
}

}  // namespace

template <typename T>
CudaTensorProduct<T>::CudaTensorProduct(const TensorProductProblem& problem)
    : TensorProduct<T>(problem) {
  const CudaDevice device = current_cuda_device();
  multiprocessors_ = device.multiprocessors;
  compute_capability_ = device.compute_capability;
  const auto generated = generate_tensor_product_source(
      problem, sizeof(T) == 8 ? GpuDtype::float64 : GpuDtype::float32, GpuDialect::cuda);
  threads_per_block_ = generated.threads_per_block;
  rows_per_block_ = generated.threads_per_block / generated.warp_size;
  const std::vector<char> cubin =
      cached_cubin(generated.source, compute_capability_, "equifuse_tensor_product.cu");
  check(cudaLibraryLoadData(&library_, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
        "load kernels");
  const auto get = [&](cudaKernel_t& k, const char* name) {
    check(cudaLibraryGetKernel(&k, library_, name), name);
  };
  get(forward_, GeneratedTensorProductSource::kForward);
  get(backward_weights_, GeneratedTensorProductSource::kBackwardWeights);
  get(double_backward_weights_, GeneratedTensorProductSource::kDoubleBackwardWeights);
  const auto get_phases = [&](std::vector<cudaKernel_t>& kernels, const char* base, int count) {
    kernels.resize(count);
    for (int k = 0; k < count; ++k)
      get(kernels[k], GeneratedTensorProductSource::phase_kernel(base, k).c_str());
  };
  get_phases(backward_, GeneratedTensorProductSource::kBackward, generated.backward_kernels);
  get_phases(double_backward_, GeneratedTensorProductSource::kDoubleBackward,
             generated.double_backward_kernels);
}

template <typename T>
CudaTensorProduct<T>::~CudaTensorProduct() {
  if (library_ != nullptr) cudaLibraryUnload(library_);
}

template <typename T>
void CudaTensorProduct<T>::launch_rows(cudaKernel_t kernel, std::size_t batch, void** args) const {
  if (batch == 0) return;
  const std::size_t blocks_needed = (batch + rows_per_block_ - 1) / rows_per_block_;
  const auto blocks =
      static_cast<unsigned>(std::min<std::size_t>(blocks_needed, 32ull * multiprocessors_));
  check(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(blocks),
                         dim3(threads_per_block_), args, 0, stream_),
        "launch");
}

template <typename T>
void CudaTensorProduct<T>::launch_weight_reduction(cudaKernel_t kernel, std::size_t batch,
                                                   void** args) const {
  const int numel = this->problem().weight_numel();
  if (batch == 0 || numel == 0) return;
  const unsigned gx = static_cast<unsigned>((numel + threads_per_block_ - 1) / threads_per_block_);
  // Enough chunks of rows to fill the GPU, each at least 32 rows long.
  const std::size_t wanted = std::max<std::size_t>(1, 8ull * multiprocessors_ / gx);
  const auto gy = static_cast<unsigned>(
      std::clamp<std::size_t>(wanted, 1, std::max<std::size_t>(1, batch / 32)));
  check(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(gx, std::min(gy, 65535u)),
                         dim3(threads_per_block_), args, 0, stream_),
        "launch");
}

template <typename T>
void CudaTensorProduct<T>::run_forward(std::size_t batch, const TensorProductForward<T>& a) const {
  long n = static_cast<long>(batch);
  void *x = device_pointer(a.x), *y = device_pointer(a.y), *w = device_pointer(a.weights),
       *out = device_pointer(a.out);
  void* args[] = {&n, &x, &y, &w, &out};
  launch_rows(forward_, batch, args);
}

template <typename T>
void CudaTensorProduct<T>::run_backward(std::size_t batch,
                                        const TensorProductBackward<T>& a) const {
  long n = static_cast<long>(batch);
  void *x = device_pointer(a.x), *y = device_pointer(a.y), *w = device_pointer(a.weights);
  void *g = device_pointer(a.grad_out), *gx = device_pointer(a.grad_x),
       *gy = device_pointer(a.grad_y);
  void* gw = device_pointer(a.grad_weights);
  void* args[] = {&n, &x, &y, &w, &g, &gx, &gy, &gw};
  for (cudaKernel_t k : backward_) launch_rows(k, batch, args);
  if (this->problem().shared_weights() && gw != nullptr) {
    check(cudaMemsetAsync(gw, 0, a.grad_weights.size_bytes(), stream_), "clear grad_weights");
    void* wargs[] = {&n, &x, &y, &g, &gw};
    launch_weight_reduction(backward_weights_, batch, wargs);
  }
}

template <typename T>
void CudaTensorProduct<T>::run_double_backward(std::size_t batch,
                                               const TensorProductDoubleBackward<T>& a) const {
  long n = static_cast<long>(batch);
  void *x = device_pointer(a.x), *y = device_pointer(a.y), *w = device_pointer(a.weights);
  void *g = device_pointer(a.grad_out), *ggx = device_pointer(a.grad_grad_x),
       *ggy = device_pointer(a.grad_grad_y);
  void *ggw = device_pointer(a.grad_grad_weights), *dx = device_pointer(a.grad_x),
       *dy = device_pointer(a.grad_y);
  void *dw = device_pointer(a.grad_weights), *dg = device_pointer(a.grad_grad_out);
  void* args[] = {&n, &x, &y, &w, &g, &ggx, &ggy, &ggw, &dx, &dy, &dw, &dg};
  for (cudaKernel_t k : double_backward_) launch_rows(k, batch, args);
  if (this->problem().shared_weights() && dw != nullptr) {
    check(cudaMemsetAsync(dw, 0, a.grad_weights.size_bytes(), stream_), "clear grad_weights");
    void* wargs[] = {&n, &x, &y, &g, &ggx, &ggy, &dw};
    launch_weight_reduction(double_backward_weights_, batch, wargs);
  }
}

template class CudaTensorProduct<float>;
template class CudaTensorProduct<double>;

}  // namespace equifuse
