#include "models/layers/radial_convolution.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
RadialConvolution<T>::RadialConvolution(const Engine& engine, const TensorProductProblem& problem,
                                        std::unique_ptr<EdgeMlp<T>> mlp, const std::string& what)
    : engine_(engine), mlp_(std::move(mlp)) {
  if (mlp_->dim_out() != problem.weight_numel()) {
    throw Error(what + " radial MLP gives " + std::to_string(mlp_->dim_out()) +
                " weights, the convolution needs " + std::to_string(problem.weight_numel()));
  }
  convolution_ = engine.graph_convolution<T>(problem);
}

template <typename T>
RadialConvolution<T>::~RadialConvolution() = default;

template <typename T>
Buffer<T> RadialConvolution<T>::edge_weights(const typename EdgeEmbedding<T>::Features& edges,
                                             const Saved& saved) const {
  Buffer<T> scaled = engine_.copy_of(saved.weights);
  scale_rows(engine_, edges.cutoff.size(), problem().weight_numel(), edges.cutoff.data(),
             scaled.data());
  return scaled;
}

template <typename T>
Buffer<T> RadialConvolution<T>::forward(const EngineGraph& graph,
                                        const typename EdgeEmbedding<T>::Features& edges,
                                        const T* mlp_input, const Buffer<T>& x,
                                        Saved& saved) const {
  const TensorProductProblem& p = problem();
  saved.weights = engine_.buffer<T>(graph.num_edges * static_cast<std::size_t>(p.weight_numel()));
  saved.mlp = mlp_->forward(graph.num_edges, mlp_input, saved.weights.data());
  const bool apart = !edges.cutoff.empty();
  const Buffer<T> scaled = apart ? edge_weights(edges, saved) : Buffer<T>();
  Buffer<T> out = engine_.buffer<T>(p.out_size(graph.num_nodes));
  convolution_->forward(graph.view(), {.x = x.span(),
                                       .y = edges.sh.span(),
                                       .weights = apart ? scaled.span() : saved.weights.span(),
                                       .out = out.span()});
  return out;
}

template <typename T>
Buffer<T> RadialConvolution<T>::backward(const EngineGraph& graph,
                                         const typename EdgeEmbedding<T>::Features& edges,
                                         const Saved& saved, const Buffer<T>& x,
                                         const Buffer<T>& grad_out, Buffer<T>& grad_sh,
                                         T* grad_mlp_input, T* grad_cutoff) const {
  const bool apart = !edges.cutoff.empty();
  const Buffer<T> scaled = apart ? edge_weights(edges, saved) : Buffer<T>();
  Buffer<T> grad_x = engine_.buffer<T>(x.size());
  Buffer<T> grad_sh_here = engine_.buffer<T>(grad_sh.size());
  Buffer<T> grad_weights = engine_.buffer<T>(saved.weights.size());
  convolution_->backward(graph.view(), {.x = x.span(),
                                        .y = edges.sh.span(),
                                        .weights = apart ? scaled.span() : saved.weights.span(),
                                        .grad_out = grad_out.span(),
                                        .grad_x = grad_x.span(),
                                        .grad_y = grad_sh_here.span(),
                                        .grad_weights = grad_weights.span()});
  add_into(engine_, grad_sh.data(), grad_sh_here.data(), grad_sh.size());
  if (apart) {
    // w = mlp * cutoff: dL/d(cutoff) = sum_k dL/dw_k mlp_k, dL/d(mlp) = dL/dw cutoff.
    const int width = problem().weight_numel();
    add_row_dots(engine_, graph.num_edges, width, grad_weights.data(), saved.weights.data(),
                 grad_cutoff);
    scale_rows(engine_, graph.num_edges, width, edges.cutoff.data(), grad_weights.data());
  }
  const auto inputs = static_cast<std::size_t>(mlp_->input_gradients());
  Buffer<T> grad_input = engine_.buffer<T>(graph.num_edges * inputs);
  mlp_->backward(graph.num_edges, saved.mlp, grad_weights.data(), grad_input.data());
  add_into(engine_, grad_mlp_input, grad_input.data(), grad_input.size());
  return grad_x;
}

template class RadialConvolution<float>;
template class RadialConvolution<double>;

}  // namespace equifuse
