#include "models/nequip/nequip_model.hpp"

#include <algorithm>

#include "kernels/common/error.hpp"
#include "kernels/convolution/convolution_graph.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

namespace {

std::vector<std::int64_t> shape1(std::size_t n) { return {static_cast<std::int64_t>(n)}; }
std::span<const double> span_of(const std::vector<double>& v) { return {v.data(), v.size()}; }

std::vector<std::span<const double>> mlp_weights(const ParameterStore& p, const std::string& prefix,
                                                 const std::vector<int>& dims) {
  std::vector<std::span<const double>> weights;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
    weights.push_back(span_of(p.reals(prefix + std::to_string(k) + ".weight", {dims[k], dims[k + 1]})));
  }
  return weights;
}

}  // namespace

template <typename T>
NequipModel<T>::NequipModel(NequipConfig config, const ParameterStore& p)
    : config_(std::move(config)), num_species_(static_cast<int>(config_.species.size())) {
  const NequipConfig& c = config_;
  info_ = {"nequip", c.species, c.r_max, c.energy_unit, c.length_unit,
           static_cast<int>(c.layers.size()),
           std::is_same_v<T, float> ? Precision::float32 : Precision::float64};
  const auto& embedding = p.reals("type_embedding", {num_species_, c.type_embedding_dim});
  type_embedding_.assign(embedding.begin(), embedding.end());
  edge_embedding_ = std::make_unique<EdgeEmbedding>(
      c.spherical_harmonics_irreps,
      RadialBasis(p.reals("radial.bessel_weights", shape1(static_cast<std::size_t>(c.num_bessel))),
                  c.bessel_prefactor, c.r_max, c.polynomial_cutoff_p));
  for (std::size_t t = 0; t < c.layers.size(); ++t) {
    const NequipLayerConfig& lc = c.layers[t];
    const std::string prefix = "layers." + std::to_string(t) + ".";
    Layer layer;
    layer.resnet = lc.resnet;
    if (lc.self_connection) {
      layer.self_connection = std::make_unique<SpeciesLinear<T>>(
          lc.irreps_in, num_species_, span_of(embedding), c.type_embedding_dim, lc.irreps_conv_out,
          span_of(p.reals(prefix + "self_connection.weight",
                          shape1(SpeciesLinear<T>::weight_numel(lc.irreps_in, c.type_embedding_dim,
                                                                lc.irreps_conv_out)))));
    }
    layer.linear_1 = std::make_unique<EquivariantLinear<T>>(
        lc.irreps_in, lc.irreps_in,
        span_of(p.reals(prefix + "linear_1.weight",
                        shape1(EquivariantLinear<T>::weight_numel(lc.irreps_in, lc.irreps_in)))));
    layer.linear_2 = std::make_unique<EquivariantLinear<T>>(
        lc.linear_2_irreps_in, lc.irreps_conv_out,
        span_of(p.reals(prefix + "linear_2.weight",
                        shape1(EquivariantLinear<T>::weight_numel(lc.linear_2_irreps_in, lc.irreps_conv_out)))));
    std::vector<InstructionSpec> specs;
    for (const auto& [i1, i2, io] : lc.conv_instructions) {
      specs.push_back({i1, i2, io, ConnectionMode::uvu, true, 1.0});
    }
    const TensorProductProblem problem(lc.irreps_in, c.spherical_harmonics_irreps, lc.conv_irreps_mid,
                                       specs, {.shared_weights = false});
    if (lc.radial_mlp.back() != problem.weight_numel()) {
      throw Error("NequIP: layer " + std::to_string(t) + " radial MLP gives " +
                  std::to_string(lc.radial_mlp.back()) + " weights, the convolution needs " +
                  std::to_string(problem.weight_numel()));
    }
    layer.convolution = make_graph_convolution<T>(problem, Backend::cpu);
    layer.radial_mlp = std::make_unique<RadialMlp<T>>(
        lc.radial_mlp, mlp_weights(p, prefix + "radial_mlp.", lc.radial_mlp), lc.radial_mlp_scales, 1.0);
    for (double v : p.reals(prefix + "neighbor_norm", shape1(c.species.size()))) {
      layer.neighbor_norm.push_back(static_cast<T>(v));
    }
    GateParameters gp;
    gp.dim_in = lc.irreps_conv_out.dim();
    const auto ints = [&](const char* name) {
      return p.integers(prefix + "gate." + name, {-1}).integers;
    };
    gp.scalar_index = ints("scalar_index");
    gp.scalar_activation = ints("scalar_activation");
    gp.scalar_scale = p.reals(prefix + "gate.scalar_scale", {-1});
    gp.gate_index = ints("gate_index");
    gp.gate_activation = ints("gate_activation");
    gp.gate_scale = p.reals(prefix + "gate.gate_scale", {-1});
    gp.gated_index = ints("gated_index");
    gp.gated_gate = ints("gated_gate");
    layer.gate = std::make_unique<Gate<T>>(std::move(gp));
    if (layer.gate->dim_out() != lc.irreps_out.dim()) {
      throw Error("NequIP: layer " + std::to_string(t) + " gate output does not match its irreps");
    }
    layers_.push_back(std::move(layer));
  }
  readout_ = std::make_unique<RadialMlp<T>>(c.readout_mlp, mlp_weights(p, "readout.", c.readout_mlp),
                                            c.readout_mlp_scales, 1.0);
  energy_scales_ = p.reals("energy_scales", shape1(c.species.size()));
  energy_shifts_ = p.reals("energy_shifts", shape1(c.species.size()));
  p.check_all_used();
}

template <typename T>
NequipModel<T>::~NequipModel() = default;

template <typename T>
PotentialOutput NequipModel<T>::evaluate(const AtomicGraph& graph) const {
  const std::size_t num_nodes = graph.num_nodes, num_edges = graph.num_edges(), num_local = graph.num_local;
  check_atomic_graph(graph, num_species_, "NequIP");
  const ConvolutionGraph conv_graph(num_nodes, graph.senders, graph.receivers);
  const ConvolutionGraphView view = conv_graph.host_view();
  const int* species = graph.species.data();
  const std::size_t num_layers = layers_.size();
  const auto embed_dim = static_cast<std::size_t>(config_.type_embedding_dim);

  const EdgeFeatures<T> edges = edge_embedding_->evaluate<T>(graph.edge_vectors);
  std::vector<std::vector<T>> h(num_layers + 1), normalized(num_layers), weights(num_layers),
      mlp_saved(num_layers), gate_in(num_layers);
  h[0].resize(num_nodes * embed_dim);
  for (std::size_t n = 0; n < num_nodes; ++n) {
    std::copy_n(&type_embedding_[static_cast<std::size_t>(species[n]) * embed_dim], embed_dim, &h[0][n * embed_dim]);
  }
  for (std::size_t t = 0; t < num_layers; ++t) {
    const Layer& layer = layers_[t];
    const TensorProductProblem& problem = layer.convolution->problem();
    const auto dim_in = static_cast<std::size_t>(layer.linear_1->dim_in());
    normalized[t].resize(num_nodes * dim_in);
    layer.linear_1->forward(num_nodes, h[t].data(), normalized[t].data());
    for (std::size_t n = 0; n < num_nodes; ++n) {
      const T factor = layer.neighbor_norm[static_cast<std::size_t>(species[n])];
      for (std::size_t k = 0; k < dim_in; ++k) normalized[t][n * dim_in + k] *= factor;
    }
    weights[t].resize(num_edges * static_cast<std::size_t>(problem.weight_numel()));
    mlp_saved[t].resize(layer.radial_mlp->saved_size(num_edges));
    layer.radial_mlp->forward(num_edges, edges.radial.data(), weights[t].data(), mlp_saved[t].data());
    std::vector<T> message(problem.out_size(num_nodes));
    layer.convolution->forward(view, {.x = normalized[t], .y = edges.sh, .weights = weights[t], .out = message});
    gate_in[t].resize(num_nodes * static_cast<std::size_t>(layer.linear_2->dim_out()));
    layer.linear_2->forward(num_nodes, message.data(), gate_in[t].data());
    if (layer.self_connection) {
      std::vector<T> sc(gate_in[t].size());
      layer.self_connection->forward(num_nodes, h[t].data(), species, sc.data());
      for (std::size_t k = 0; k < sc.size(); ++k) gate_in[t][k] += sc[k];
    }
    h[t + 1].resize(num_nodes * static_cast<std::size_t>(layer.gate->dim_out()));
    layer.gate->forward(num_nodes, gate_in[t].data(), h[t + 1].data());
    if (layer.resnet) {
      for (std::size_t k = 0; k < h[t + 1].size(); ++k) h[t + 1][k] += h[t][k];
    }
  }
  std::vector<T> atomic(num_nodes), readout_saved(readout_->saved_size(num_nodes));
  readout_->forward(num_nodes, h[num_layers].data(), atomic.data(), readout_saved.data());

  PotentialOutput out;
  out.node_energies.resize(num_local);
  for (std::size_t n = 0; n < num_local; ++n) {
    const auto s = static_cast<std::size_t>(species[n]);
    out.node_energies[n] = energy_scales_[s] * static_cast<double>(atomic[n]) + energy_shifts_[s];
    out.energy += out.node_energies[n];
  }

  // Backward.
  std::vector<T> seed(num_nodes, T(0));
  for (std::size_t n = 0; n < num_local; ++n) seed[n] = static_cast<T>(energy_scales_[static_cast<std::size_t>(species[n])]);
  std::vector<T> grad_h(h[num_layers].size());
  readout_->backward(num_nodes, readout_saved.data(), seed.data(), grad_h.data());
  std::vector<T> grad_sh(edges.sh.size(), T(0)), grad_radial(edges.radial.size(), T(0));
  for (std::size_t t = num_layers; t-- > 0;) {
    const Layer& layer = layers_[t];
    const TensorProductProblem& problem = layer.convolution->problem();
    std::vector<T> grad_previous(h[t].size(), T(0));
    if (layer.resnet) grad_previous = grad_h;
    std::vector<T> grad_gate_in(gate_in[t].size(), T(0));
    layer.gate->backward_accumulate(num_nodes, gate_in[t].data(), grad_h.data(), grad_gate_in.data());
    if (layer.self_connection) {
      layer.self_connection->backward_accumulate(num_nodes, grad_gate_in.data(), species, grad_previous.data());
    }
    std::vector<T> grad_message(problem.out_size(num_nodes), T(0));
    layer.linear_2->backward_accumulate(num_nodes, grad_gate_in.data(), grad_message.data());
    std::vector<T> grad_normalized(normalized[t].size()), grad_sh_t(edges.sh.size()), grad_weights(weights[t].size());
    layer.convolution->backward(view, {.x = normalized[t], .y = edges.sh, .weights = weights[t],
                                       .grad_out = grad_message, .grad_x = grad_normalized,
                                       .grad_y = grad_sh_t, .grad_weights = grad_weights});
    for (std::size_t k = 0; k < grad_sh.size(); ++k) grad_sh[k] += grad_sh_t[k];
    std::vector<T> grad_radial_t(grad_radial.size());
    layer.radial_mlp->backward(num_edges, mlp_saved[t].data(), grad_weights.data(), grad_radial_t.data());
    for (std::size_t k = 0; k < grad_radial.size(); ++k) grad_radial[k] += grad_radial_t[k];
    const auto dim_in = static_cast<std::size_t>(layer.linear_1->dim_in());
    for (std::size_t n = 0; n < num_nodes; ++n) {
      const T factor = layer.neighbor_norm[static_cast<std::size_t>(species[n])];
      for (std::size_t k = 0; k < dim_in; ++k) grad_normalized[n * dim_in + k] *= factor;
    }
    layer.linear_1->backward_accumulate(num_nodes, grad_normalized.data(), grad_previous.data());
    grad_h = std::move(grad_previous);
  }
  out.edge_gradients = edge_embedding_->edge_gradients(edges, grad_sh, grad_radial, graph.edge_vectors);
  return out;
}

template class NequipModel<float>;
template class NequipModel<double>;

}  // namespace equifuse
