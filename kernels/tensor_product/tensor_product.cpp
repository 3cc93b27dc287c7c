#include "kernels/tensor_product/tensor_product.hpp"

#include <string>

#include "kernels/common/error.hpp"
#include "kernels/cpu/cpu_tensor_product.hpp"
#include "kernels/tensor_product/argument_sizes.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include "kernels/cuda/cuda_device.hpp"
#include "kernels/cuda/cuda_tensor_product.hpp"
#endif

namespace equifuse {
namespace {

constexpr const char* kWhat = "tensor product";

ArgumentSizes sizes(const TensorProductProblem& p, std::size_t batch) {
  return {p.in1_size(batch), p.in2_size(batch), p.weight_size(batch), p.out_size(batch)};
}

}  // namespace

Backend parse_backend(std::string_view name) {
  if (name == "cpu") return Backend::cpu;
  if (name == "cuda") return Backend::cuda;
  throw Error("unknown backend \"" + std::string(name) + "\" (expected cpu or cuda)");
}

bool backend_available(Backend backend) {
#ifdef EQUIFUSE_HAVE_CUDA
  return backend == Backend::cpu || backend == Backend::cuda;
#else
  return backend == Backend::cpu;
#endif
}

bool backend_runs_here(Backend backend) {
  if (!backend_available(backend)) return false;
#ifdef EQUIFUSE_HAVE_CUDA
  if (backend == Backend::cuda) return cuda_device_count() > 0;
#endif
  return true;
}

int select_device(Backend backend, int index) {
#ifdef EQUIFUSE_HAVE_CUDA
  if (backend == Backend::cuda) return select_cuda_device(index);
#endif
  if (backend != Backend::cpu) throw Error("select_device: this build has no such backend");
  (void)index;
  return 0;
}

template <typename T>
void TensorProduct<T>::forward(std::size_t batch, const TensorProductForward<T>& a) const {
  check_argument_sizes(kWhat, sizes(problem_, batch), a);
  run_forward(batch, a);
}

template <typename T>
void TensorProduct<T>::backward(std::size_t batch, const TensorProductBackward<T>& a) const {
  check_argument_sizes(kWhat, sizes(problem_, batch), a);
  run_backward(batch, a);
}

template <typename T>
void TensorProduct<T>::double_backward(std::size_t batch,
                                       const TensorProductDoubleBackward<T>& a) const {
  check_argument_sizes(kWhat, sizes(problem_, batch), a);
  run_double_backward(batch, a);
}

template <typename T>
std::unique_ptr<TensorProduct<T>> make_tensor_product(const TensorProductProblem& problem,
                                                      Backend backend) {
  switch (backend) {
    case Backend::cpu:
      return std::make_unique<CpuTensorProduct<T>>(problem);
    case Backend::cuda:
#ifdef EQUIFUSE_HAVE_CUDA
      return std::make_unique<CudaTensorProduct<T>>(problem);
#else
      throw Error(
          "this build of equifuse has no CUDA backend (configure with the CUDA toolkit present)");
#endif
  }
  throw Error("unsupported backend");
}

template class TensorProduct<float>;
template class TensorProduct<double>;
template std::unique_ptr<TensorProduct<float>> make_tensor_product<float>(
    const TensorProductProblem&, Backend);
template std::unique_ptr<TensorProduct<double>> make_tensor_product<double>(
    const TensorProductProblem&, Backend);

}  // namespace equifuse
