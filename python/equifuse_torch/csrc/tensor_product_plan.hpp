// TensorProductPlan: the TorchScript class behind every equifuse op (torch.classes.equifuse.
// TensorProductPlan): an immutable problem, plus one executable tensor product per (device,
// dtype) and one graph convolution per (device, dtype, algorithm), created on first use.
#pragma once

#include <torch/custom_class.h>
#include <torch/torch.h>

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <utility>

#include "kernels/common/error.hpp"
#include "kernels/convolution/graph_convolution.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product.hpp"

#if defined(EQUIFUSE_TORCH_CUDA)
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include "kernels/cuda/cuda_graph_convolution.hpp"
#include "kernels/cuda/cuda_tensor_product.hpp"
#endif

namespace equifuse::torch_frontend {

using torch::Tensor;

class TensorProductPlan : public torch::CustomClassHolder {
 public:
  explicit TensorProductPlan(const std::string& problem_json)
      : problem_(parse(problem_json)), json_(problem_json) {}

  const TensorProductProblem& problem() const { return problem_; }
  int64_t weight_numel() const { return problem_.weight_numel(); }
  int64_t dim_in1() const { return problem_.irreps_in1().dim(); }
  int64_t dim_in2() const { return problem_.irreps_in2().dim(); }
  int64_t dim_out() const { return problem_.irreps_out().dim(); }
  bool shared_weights() const { return problem_.shared_weights(); }
  std::string describe() const { return problem_.describe(); }
  std::string problem_json() const { return json_; }

  // The instructions as e3nn reports them after construction: (i_in1, i_in2, i_out, mode,
  // has_weight, path_weight = the applied coefficient, path_shape), as JSON.
  std::string instructions_json() const {
    nlohmann::json list = nlohmann::json::array();
    for (const Instruction& ins : problem_.instructions()) {
      list.push_back({ins.i_in1, ins.i_in2, ins.i_out, to_string(ins.mode), ins.has_weight,
                      ins.coefficient, ins.path_shape});
    }
    return list.dump();
  }

  // Runs `body(tensor_product)` with the backend for (device, T), on the current CUDA stream.
  template <typename T, typename Body>
  void with_backend(const Tensor& like, Body&& body) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (like.is_cpu()) {
      auto& slot = cpu_[sizeof(T)];
      if (!slot) slot = make_tensor_product<T>(problem_, Backend::cpu);
      body(*static_cast<const TensorProduct<T>*>(slot.get()));
      return;
    }
#if defined(EQUIFUSE_TORCH_CUDA)
    if (like.is_cuda()) {
      const c10::cuda::CUDAGuard guard(like.device());
      auto& slot = cuda_[{like.device().index(), sizeof(T)}];
      if (!slot) slot = std::make_unique<CudaTensorProduct<T>>(problem_);
      auto& cuda = *static_cast<CudaTensorProduct<T>*>(slot.get());
      cuda.set_stream(c10::cuda::getCurrentCUDAStream(like.device().index()).stream());
      body(static_cast<const TensorProduct<T>&>(cuda));
      return;
    }
#endif
    TORCH_CHECK(false, "equifuse: no tensor product backend for device ", like.device(),
                " in this build");
  }

  // Runs `body(convolution)` with the graph convolution for (device, T, algorithm), on the
  // current CUDA stream.
  template <typename T, typename Body>
  void with_convolution(const Tensor& like, ConvolutionAlgorithm algorithm, Body&& body) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const int device = like.is_cpu() ? -1 : like.device().index();
    auto& slot = convolutions_[{device, sizeof(T), algorithm}];
    if (like.is_cpu()) {
      if (!slot) slot = make_graph_convolution<T>(problem_, Backend::cpu, algorithm);
      body(*static_cast<const GraphConvolution<T>*>(slot.get()));
      return;
    }
#if defined(EQUIFUSE_TORCH_CUDA)
    if (like.is_cuda()) {
      const c10::cuda::CUDAGuard guard(like.device());
      if (!slot) slot = std::make_unique<CudaGraphConvolution<T>>(problem_, algorithm);
      auto& cuda = *static_cast<CudaGraphConvolution<T>*>(slot.get());
      cuda.set_stream(c10::cuda::getCurrentCUDAStream(like.device().index()).stream());
      body(static_cast<const GraphConvolution<T>&>(cuda));
      return;
    }
#endif
    TORCH_CHECK(false, "equifuse: no graph convolution backend for device ", like.device(),
                " in this build");
  }

 private:
  static TensorProductProblem parse(const std::string& text) {
    try {
      return problem_from_json(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception& e) {
      throw Error(std::string("equifuse: problem description is not valid JSON: ") + e.what());
    }
  }

  // Type-erased holder: TensorProduct<float> and TensorProduct<double> share no base class
  // (likewise the graph convolutions).
  struct AnyTensorProduct {
    std::shared_ptr<void> object;
    explicit operator bool() const { return object != nullptr; }
    void* get() const { return object.get(); }
    template <typename P>
    AnyTensorProduct& operator=(std::unique_ptr<P> p) {
      object = std::shared_ptr<P>(std::move(p));
      return *this;
    }
  };

  TensorProductProblem problem_;
  std::string json_;
  mutable std::mutex mutex_;
  mutable std::map<std::size_t, AnyTensorProduct> cpu_;
  mutable std::map<std::pair<int, std::size_t>, AnyTensorProduct> cuda_;
  mutable std::map<std::tuple<int, std::size_t, ConvolutionAlgorithm>, AnyTensorProduct>
      convolutions_;
};

using Plan = c10::intrusive_ptr<TensorProductPlan>;

}  // namespace equifuse::torch_frontend
