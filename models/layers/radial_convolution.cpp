#include "models/layers/radial_convolution.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
RadialConvolution<T>::RadialConvolution(const Engine& engine, const TensorProductProblem& problem,
                                        const std::vector<int>& mlp_dims,
                                        const std::vector<std::span<const double>>& mlp_weights,
                                        const std::vector<double>& mlp_layer_scales,
                                        double mlp_activation_scale, const std::string& what)
    : engine_(engine) {
  if (mlp_dims.empty() || mlp_dims.back() != problem.weight_numel()) {
    throw Error(what + " radial MLP gives " +
                std::to_string(mlp_dims.empty() ? 0 : mlp_dims.back()) +
                " weights, the convolution needs " + std::to_string(problem.weight_numel()));
  }
  mlp_ = std::make_unique<RadialMlp<T>>(engine, mlp_dims, mlp_weights, mlp_layer_scales,
                                        mlp_activation_scale);
  convolution_ = engine.graph_convolution<T>(problem);
}

template <typename T>
RadialConvolution<T>::~RadialConvolution() = default;

template <typename T>
Buffer<T> RadialConvolution<T>::forward(const EngineGraph& graph,
                                        const typename EdgeEmbedding<T>::Features& edges,
                                        const Buffer<T>& x, Saved& saved) const {
  const TensorProductProblem& p = problem();
  saved.weights = engine_.buffer<T>(graph.num_edges * static_cast<std::size_t>(p.weight_numel()));
  saved.mlp = mlp_->forward(graph.num_edges, edges.radial.data(), saved.weights.data());
  Buffer<T> out = engine_.buffer<T>(p.out_size(graph.num_nodes));
  convolution_->forward(
      graph.view(),
      {.x = x.span(), .y = edges.sh.span(), .weights = saved.weights.span(), .out = out.span()});
  return out;
}

template <typename T>
Buffer<T> RadialConvolution<T>::backward(const EngineGraph& graph,
                                         const typename EdgeEmbedding<T>::Features& edges,
                                         const Saved& saved, const Buffer<T>& x,
                                         const Buffer<T>& grad_out, Buffer<T>& grad_sh,
                                         Buffer<T>& grad_radial) const {
  Buffer<T> grad_x = engine_.buffer<T>(x.size());
  Buffer<T> grad_sh_here = engine_.buffer<T>(grad_sh.size());
  Buffer<T> grad_weights = engine_.buffer<T>(saved.weights.size());
  convolution_->backward(graph.view(), {.x = x.span(),
                                        .y = edges.sh.span(),
                                        .weights = saved.weights.span(),
                                        .grad_out = grad_out.span(),
                                        .grad_x = grad_x.span(),
                                        .grad_y = grad_sh_here.span(),
                                        .grad_weights = grad_weights.span()});
  add_into(engine_, grad_sh.data(), grad_sh_here.data(), grad_sh.size());
  Buffer<T> grad_radial_here = engine_.buffer<T>(grad_radial.size());
  mlp_->backward(graph.num_edges, saved.mlp, grad_weights.data(), grad_radial_here.data());
  add_into(engine_, grad_radial.data(), grad_radial_here.data(), grad_radial.size());
  return grad_x;
}

template class RadialConvolution<float>;
template class RadialConvolution<double>;

}  // namespace equifuse
