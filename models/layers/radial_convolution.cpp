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
MlpSaved<T> RadialConvolution<T>::edge_weights(std::size_t edges, const T* mlp_input,
                                               Buffer<T>& weights) const {
  weights = engine_.buffer<T>(edges * static_cast<std::size_t>(problem().weight_numel()));
  return mlp_->forward(edges, mlp_input, weights.data());
}

template <typename T>
std::size_t RadialConvolution<T>::bytes_per_edge() const {
  // The backward's weights, cutoff-scaled weights and their gradient, the MLP's arrays (about one
  // more set) and input gradient, and the edge embedding's features, gradients and graph.
  const auto w = static_cast<std::size_t>(problem().weight_numel());
  const auto in = static_cast<std::size_t>(mlp_->dim_in());
  return sizeof(T) * (4 * w + 2 * in) + 512;
}

template <typename T>
void RadialConvolution<T>::forward(const EdgeBlock& block,
                                   const typename EdgeEmbedding<T>::Features& edges,
                                   const T* mlp_input, const T* x, const EquivariantLinear<T>& then,
                                   T* out) const {
  const TensorProductProblem& p = problem();
  const EngineGraph& g = *block.graph;
  Buffer<T> weights;
  edge_weights(g.num_edges, mlp_input, weights);
  if (!edges.cutoff.empty()) {
    scale_rows(engine_, g.num_edges, p.weight_numel(), edges.cutoff.data(), weights.data());
  }
  Buffer<T> x_local;
  const T* xb = block_node_rows(engine_, block, p.irreps_in1().dim(), x, x_local);
  Buffer<T> convolved = engine_.buffer<T>(p.out_size(g.num_nodes));
  convolution_->forward(g.view(), {.x = {xb, p.in1_size(g.num_nodes)},
                                   .y = edges.sh.span(),
                                   .weights = weights.span(),
                                   .out = convolved.span()});
  then.forward(block.num_receivers, convolved.data(),
               out + block.first_receiver * static_cast<std::size_t>(then.dim_out()));
}

template <typename T>
void RadialConvolution<T>::backward(const EdgeBlock& block,
                                    const typename EdgeEmbedding<T>::Features& edges,
                                    const T* mlp_input, const T* x,
                                    const EquivariantLinear<T>& then, const T* grad_out, T* grad_x,
                                    Buffer<T>& grad_sh, T* grad_mlp_input, T* grad_cutoff) const {
  const TensorProductProblem& p = problem();
  const EngineGraph& g = *block.graph;
  const int width = p.weight_numel();
  Buffer<T> weights;
  const MlpSaved<T> mlp = edge_weights(g.num_edges, mlp_input, weights);
  const bool apart = !edges.cutoff.empty();
  Buffer<T> scaled;
  if (apart) {
    scaled = engine_.copy_of(weights);
    scale_rows(engine_, g.num_edges, width, edges.cutoff.data(), scaled.data());
  }
  Buffer<T> x_local;
  const T* xb = block_node_rows(engine_, block, p.irreps_in1().dim(), x, x_local);
  // dE/d(the block's convolution output): its receivers' rows through `then` (the other rows are
  // never read).
  Buffer<T> grad_convolved = engine_.zeros<T>(p.out_size(g.num_nodes));
  then.backward(block.num_receivers,
                grad_out + block.first_receiver * static_cast<std::size_t>(then.dim_out()),
                grad_convolved.data(), false);
  Buffer<T> grad_x_here = engine_.buffer<T>(p.in1_size(g.num_nodes));
  Buffer<T> grad_sh_here = engine_.buffer<T>(grad_sh.size());
  Buffer<T> grad_weights = engine_.buffer<T>(weights.size());
  convolution_->backward(g.view(), {.x = {xb, p.in1_size(g.num_nodes)},
                                    .y = edges.sh.span(),
                                    .weights = apart ? scaled.span() : weights.span(),
                                    .grad_out = grad_convolved.span(),
                                    .grad_x = grad_x_here.span(),
                                    .grad_y = grad_sh_here.span(),
                                    .grad_weights = grad_weights.span()});
  scaled = {};
  add_node_rows(engine_, block, p.irreps_in1().dim(), grad_x_here.data(), grad_x);
  add_into(engine_, grad_sh.data(), grad_sh_here.data(), grad_sh.size());
  if (apart) {
    // w = mlp * cutoff: dL/d(cutoff) = sum_k dL/dw_k mlp_k, dL/d(mlp) = dL/dw cutoff.
    add_row_dots(engine_, g.num_edges, width, grad_weights.data(), weights.data(), grad_cutoff);
    scale_rows(engine_, g.num_edges, width, edges.cutoff.data(), grad_weights.data());
  }
  weights = {};
  const auto inputs = static_cast<std::size_t>(mlp_->input_gradients());
  Buffer<T> grad_input = engine_.buffer<T>(g.num_edges * inputs);
  mlp_->backward(g.num_edges, mlp, grad_weights.data(), grad_input.data());
  add_into(engine_, grad_mlp_input, grad_input.data(), grad_input.size());
}

template class RadialConvolution<float>;
template class RadialConvolution<double>;

}  // namespace equifuse
