#include "models/mace/edge_density.hpp"

#include "models/engine/elementwise.hpp"
#include "models/mace/edge_density_kernels.cuh"

namespace equifuse {

namespace {

template <typename T>
constexpr auto kDensity =
    elementwise_kernel<EdgeDensityArgs<T>, edge_density_at<T>>("edge_density");
template <typename T>
constexpr auto kDensityBackward =
    elementwise_kernel<EdgeDensityArgs<T>, edge_density_backward_at<T>>("edge_density_backward");

}  // namespace

template <typename T>
EdgeDensity<T>::EdgeDensity(const Engine& engine, double alpha, double beta)
    : engine_(engine), alpha_(static_cast<T>(alpha)), beta_(static_cast<T>(beta)) {}

template <typename T>
void EdgeDensity<T>::sum_block(const EdgeBlock& block, const T* d, const T* cutoff,
                               T* densities) const {
  const EngineGraph& g = *block.graph;
  const long edges = static_cast<long>(g.num_edges);
  Buffer<T> rho = engine_.buffer<T>(g.num_edges);
  engine_.launch(kDensity<T>, {edges, d, cutoff, rho.data(), nullptr, nullptr},
                 LaunchShape::over(edges));
  sum_over_edges(engine_, block.num_receivers, g.receiver_offsets.data(), g.receiver_edges.data(),
                 rho.data(), densities + block.first_receiver);
}

template <typename T>
void EdgeDensity<T>::sum_block(const EdgeBlock& block, const EdgeMlp<T>& mlp, const T* mlp_input,
                               const T* cutoff, T* densities) const {
  Buffer<T> d = engine_.buffer<T>(block.graph->num_edges);
  mlp.forward(block.graph->num_edges, mlp_input, d.data());
  sum_block(block, d.data(), cutoff, densities);
}

template <typename T>
void EdgeDensity<T>::normalize(std::size_t nodes, Buffer<T> densities, Buffer<T>& message, int dim,
                               Saved& saved) const {
  saved.denominators = std::move(densities);
  affine(engine_, nodes, saved.denominators.data(), beta_, alpha_);
  scale_rows(engine_, nodes, dim, saved.denominators.data(), message.data(), true);
  saved.normalized = engine_.copy_of(message);
}

template <typename T>
Buffer<T> EdgeDensity<T>::node_backward(std::size_t nodes, const Saved& saved,
                                        Buffer<T>& grad_message, int dim) const {
  // dL/d(denominator_i) = -sum_k g_ik m_ik / denominator_i; dL/d(density_i) = beta times that.
  Buffer<T> grad_density = engine_.zeros<T>(nodes);
  add_row_dots(engine_, nodes, dim, grad_message.data(), saved.normalized.data(),
               grad_density.data(), -beta_);
  scale_rows(engine_, nodes, 1, saved.denominators.data(), grad_density.data(), true);
  scale_rows(engine_, nodes, dim, saved.denominators.data(), grad_message.data(), true);
  return grad_density;
}

template <typename T>
Buffer<T> EdgeDensity<T>::block_backward(const EdgeBlock& block, const T* d, const T* cutoff,
                                         const T* grad_density, T* grad_cutoff) const {
  const EngineGraph& g = *block.graph;
  const long edges = static_cast<long>(g.num_edges);
  // The block's receivers are the nodes from first_receiver on, in order.
  Buffer<T> grad_rho = engine_.buffer<T>(g.num_edges);
  gather(engine_, g.num_edges, g.receivers.data(), grad_density + block.first_receiver,
         grad_rho.data());
  Buffer<T> grad_d = engine_.buffer<T>(g.num_edges);
  engine_.launch(kDensityBackward<T>,
                 {edges, d, cutoff, grad_rho.data(), grad_d.data(), grad_cutoff},
                 LaunchShape::over(edges));
  return grad_d;
}

template <typename T>
void EdgeDensity<T>::block_backward(const EdgeBlock& block, const EdgeMlp<T>& mlp,
                                    const T* mlp_input, const T* cutoff, const T* grad_density,
                                    T* grad_mlp_input, T* grad_cutoff) const {
  const std::size_t edges = block.graph->num_edges;
  Buffer<T> d = engine_.buffer<T>(edges);
  const MlpSaved<T> saved = mlp.forward(edges, mlp_input, d.data());
  const Buffer<T> grad_d = block_backward(block, d.data(), cutoff, grad_density, grad_cutoff);
  const auto width = static_cast<std::size_t>(mlp.input_gradients());
  Buffer<T> grad_input = engine_.buffer<T>(edges * width);
  mlp.backward(edges, saved, grad_d.data(), grad_input.data());
  add_into(engine_, grad_mlp_input, grad_input.data(), grad_input.size());
}

template class EdgeDensity<float>;
template class EdgeDensity<double>;

}  // namespace equifuse
