#include "kernels/cuda/cuda_graph_convolution.hpp"

#include <algorithm>
#include <string>

#include "kernels/cuda/cuda_device.hpp"
#include "kernels/cuda/kernel_cache.hpp"
#include "kernels/gpu_codegen/graph_convolution_codegen.hpp"

namespace equifuse {

template <typename T>
CudaGraphConvolution<T>::CudaGraphConvolution(const TensorProductProblem& problem,
                                              ConvolutionAlgorithm algorithm)
    : GraphConvolution<T>(problem, algorithm) {
  const CudaDevice device = current_cuda_device();
  multiprocessors_ = device.multiprocessors;
  const auto generated = generate_graph_convolution_source(
      problem, sizeof(T) == 8 ? GpuDtype::float64 : GpuDtype::float32, GpuDialect::cuda, algorithm);
  threads_per_block_ = generated.threads_per_block;
  rows_per_block_ = generated.threads_per_block / generated.warp_size;
  const std::vector<char> cubin =
      cached_cubin(generated.source, device.compute_capability, "equifuse_graph_convolution.cu");
  check_cuda(cudaLibraryLoadData(&library_, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
             "load kernels");
  const auto get = [&](const std::string& name) {
    cudaKernel_t k = nullptr;
    check_cuda(cudaLibraryGetKernel(&k, library_, name.c_str()), name.c_str());
    return k;
  };
  const auto get_all = [&](const std::vector<ConvolutionKernel>& from, std::vector<Kernel>& to) {
    for (const ConvolutionKernel& k : from) {
      const Rows rows = k.rows == ConvolutionRows::edges       ? Rows::edges
                        : k.rows == ConvolutionRows::receivers ? Rows::receivers
                                                               : Rows::senders;
      to.push_back({get(k.name), rows, k.clears_node_outputs});
    }
  };
  get_all(generated.forward, forward_);
  get_all(generated.backward, backward_);
  get_all(generated.double_backward, double_backward_);
  backward_weights_ = get(GeneratedGraphConvolutionSource::kBackwardWeights);
  double_backward_weights_ = get(GeneratedGraphConvolutionSource::kDoubleBackwardWeights);
}

template <typename T>
CudaGraphConvolution<T>::~CudaGraphConvolution() {
  if (library_ != nullptr) cudaLibraryUnload(library_);
}

template <typename T>
void CudaGraphConvolution<T>::run(
    const std::vector<Kernel>& kernels, const ConvolutionGraphView& g, std::vector<void*> buffers,
    const std::vector<std::pair<void*, std::size_t>>& node_outputs) const {
  bool cleared = false;
  for (const Kernel& k : kernels) {
    if (k.clears_node_outputs && !cleared) {
      for (const auto& [pointer, bytes] : node_outputs)
        if (pointer != nullptr)
          check_cuda(cudaMemsetAsync(pointer, 0, bytes, stream_), "clear node outputs");
      cleared = true;
    }
    long rows = static_cast<long>(k.rows == Rows::edges ? g.num_edges : g.num_nodes);
    if (rows == 0) continue;
    void* src = device_pointer(g.senders);
    void* dst = device_pointer(g.receivers);
    void* offsets = device_pointer(k.rows == Rows::senders ? g.sender_offsets : g.receiver_offsets);
    void* edges = device_pointer(k.rows == Rows::senders ? g.sender_edges : g.receiver_edges);
    std::vector<void*> args = {&rows, &src, &dst, &offsets, &edges};
    for (void*& b : buffers) args.push_back(&b);
    const std::size_t blocks_needed =
        (static_cast<std::size_t>(rows) + rows_per_block_ - 1) / rows_per_block_;
    const auto blocks =
        static_cast<unsigned>(std::min<std::size_t>(blocks_needed, 32ull * multiprocessors_));
    check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(k.kernel), dim3(blocks),
                                dim3(threads_per_block_), args.data(), 0, stream_),
               "launch");
  }
}

template <typename T>
void CudaGraphConvolution<T>::reduce_shared_weights(cudaKernel_t kernel,
                                                    const ConvolutionGraphView& g,
                                                    std::vector<void*> buffers,
                                                    void* grad_weights) const {
  const int numel = this->problem().weight_numel();
  if (grad_weights == nullptr || numel == 0) return;
  check_cuda(cudaMemsetAsync(grad_weights, 0, sizeof(T) * numel, stream_), "clear grad_weights");
  if (g.num_edges == 0) return;
  long rows = static_cast<long>(g.num_edges);
  void* src = device_pointer(g.senders);
  void* dst = device_pointer(g.receivers);
  void* unused = nullptr;
  std::vector<void*> args = {&rows, &src, &dst, &unused, &unused};
  for (void*& b : buffers) args.push_back(&b);
  const unsigned gx = static_cast<unsigned>((numel + threads_per_block_ - 1) / threads_per_block_);
  const std::size_t wanted = std::max<std::size_t>(1, 8ull * multiprocessors_ / gx);
  const auto gy = static_cast<unsigned>(
      std::clamp<std::size_t>(wanted, 1, std::max<std::size_t>(1, g.num_edges / 32)));
  check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(gx, std::min(gy, 65535u)),
                              dim3(threads_per_block_), args.data(), 0, stream_),
             "launch");
}

template <typename T>
void CudaGraphConvolution<T>::run_forward(const ConvolutionGraphView& g,
                                          const TensorProductForward<T>& a) const {
  run(forward_, g,
      {device_pointer(a.x), device_pointer(a.y), device_pointer(a.weights), device_pointer(a.out)},
      {{device_pointer(a.out), a.out.size_bytes()}});
}

template <typename T>
void CudaGraphConvolution<T>::run_backward(const ConvolutionGraphView& g,
                                           const TensorProductBackward<T>& a) const {
  void *x = device_pointer(a.x), *y = device_pointer(a.y), *w = device_pointer(a.weights);
  void *go = device_pointer(a.grad_out), *gx = device_pointer(a.grad_x),
       *gy = device_pointer(a.grad_y);
  void* gw = device_pointer(a.grad_weights);
  run(backward_, g, {x, y, w, go, gx, gy, gw}, {{gx, a.grad_x.size_bytes()}});
  if (this->problem().shared_weights())
    reduce_shared_weights(backward_weights_, g, {x, y, go, gw}, gw);
}

template <typename T>
void CudaGraphConvolution<T>::run_double_backward(const ConvolutionGraphView& g,
                                                  const TensorProductDoubleBackward<T>& a) const {
  void *x = device_pointer(a.x), *y = device_pointer(a.y), *w = device_pointer(a.weights);
  void *go = device_pointer(a.grad_out), *ggx = device_pointer(a.grad_grad_x),
       *ggy = device_pointer(a.grad_grad_y);
  void *ggw = device_pointer(a.grad_grad_weights), *dx = device_pointer(a.grad_x),
       *dy = device_pointer(a.grad_y);
  void *dw = device_pointer(a.grad_weights), *dg = device_pointer(a.grad_grad_out);
  run(double_backward_, g, {x, y, w, go, ggx, ggy, ggw, dx, dy, dw, dg},
      {{dx, a.grad_x.size_bytes()}, {dg, a.grad_grad_out.size_bytes()}});
  if (this->problem().shared_weights())
    reduce_shared_weights(double_backward_weights_, g, {x, y, go, ggx, ggy, dw}, dw);
}

template class CudaGraphConvolution<float>;
template class CudaGraphConvolution<double>;

}  // namespace equifuse
