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
void EdgeDensity<T>::forward(const EngineGraph& g, Buffer<T> d, const T* cutoff, Buffer<T>& message,
                             int dim, Saved& saved) const {
  const long edges = static_cast<long>(g.num_edges);
  Buffer<T> rho = engine_.buffer<T>(g.num_edges);
  engine_.launch(kDensity<T>, {edges, d.data(), cutoff, rho.data(), nullptr, nullptr},
                 LaunchShape::over(edges));
  saved.denominators = engine_.buffer<T>(g.num_nodes);
  sum_over_edges(engine_, g.num_nodes, g.receiver_offsets.data(), g.receiver_edges.data(),
                 rho.data(), saved.denominators.data());
  affine(engine_, g.num_nodes, saved.denominators.data(), beta_, alpha_);
  scale_rows(engine_, g.num_nodes, dim, saved.denominators.data(), message.data(), true);
  saved.normalized = engine_.copy_of(message);
  saved.d = std::move(d);
}

template <typename T>
Buffer<T> EdgeDensity<T>::backward(const EngineGraph& g, const Saved& saved, const T* cutoff,
                                   Buffer<T>& grad_message, int dim, T* grad_cutoff) const {
  // dL/d(denominator_i) = -sum_k g_ik m_ik / denominator_i; dL/d(density_i) = beta times that.
  Buffer<T> grad_density = engine_.zeros<T>(g.num_nodes);
  add_row_dots(engine_, g.num_nodes, dim, grad_message.data(), saved.normalized.data(),
               grad_density.data(), -beta_);
  scale_rows(engine_, g.num_nodes, 1, saved.denominators.data(), grad_density.data(), true);
  scale_rows(engine_, g.num_nodes, dim, saved.denominators.data(), grad_message.data(), true);
  const long edges = static_cast<long>(g.num_edges);
  Buffer<T> grad_rho = engine_.buffer<T>(g.num_edges);
  gather(engine_, g.num_edges, g.receivers.data(), grad_density.data(), grad_rho.data());
  Buffer<T> grad_d = engine_.buffer<T>(g.num_edges);
  engine_.launch(kDensityBackward<T>,
                 {edges, saved.d.data(), cutoff, grad_rho.data(), grad_d.data(), grad_cutoff},
                 LaunchShape::over(edges));
  return grad_d;
}

template class EdgeDensity<float>;
template class EdgeDensity<double>;

}  // namespace equifuse
