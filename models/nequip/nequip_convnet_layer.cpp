#include "models/nequip/nequip_convnet_layer.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

namespace {

std::vector<std::int64_t> shape1(std::size_t n) {
  return {static_cast<std::int64_t>(n)};
}
std::span<const double> span_of(const std::vector<double>& v) {
  return {v.data(), v.size()};
}

}  // namespace

std::vector<std::span<const double>> nequip_mlp_weights(const ParameterStore& p,
                                                        const std::string& prefix,
                                                        const std::vector<int>& dims) {
  std::vector<std::span<const double>> weights;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
    weights.push_back(
        span_of(p.reals(prefix + std::to_string(k) + ".weight", {dims[k], dims[k + 1]})));
  }
  return weights;
}

template <typename T>
NequipConvnetLayer<T>::NequipConvnetLayer(const Engine& engine, const NequipConfig& c, int index,
                                          std::span<const double> type_embedding,
                                          const ParameterStore& p)
    : engine_(engine) {
  const NequipLayerConfig& lc = c.layers[static_cast<std::size_t>(index)];
  const int num_species = static_cast<int>(c.species.size());
  const std::string t = std::to_string(index);
  const std::string prefix = "layers." + t + ".";
  resnet_ = lc.resnet;
  if (lc.self_connection) {
    self_connection_ = std::make_unique<SpeciesLinear<T>>(
        engine, lc.irreps_in, num_species, type_embedding, c.type_embedding_dim, lc.irreps_conv_out,
        span_of(p.reals(prefix + "self_connection.weight",
                        shape1(SpeciesLinear<T>::weight_numel(lc.irreps_in, c.type_embedding_dim,
                                                              lc.irreps_conv_out)))));
  }
  linear_1_ = std::make_unique<EquivariantLinear<T>>(
      engine, lc.irreps_in, lc.irreps_in,
      span_of(p.reals(prefix + "linear_1.weight",
                      shape1(EquivariantLinear<T>::weight_numel(lc.irreps_in, lc.irreps_in)))));
  linear_2_ = std::make_unique<EquivariantLinear<T>>(
      engine, lc.linear_2_irreps_in, lc.irreps_conv_out,
      span_of(p.reals(
          prefix + "linear_2.weight",
          shape1(EquivariantLinear<T>::weight_numel(lc.linear_2_irreps_in, lc.irreps_conv_out)))));
  std::vector<InstructionSpec> specs;
  for (const auto& [i1, i2, io] : lc.conv_instructions) {
    specs.push_back({i1, i2, io, ConnectionMode::uvu, true, 1.0});
  }
  const TensorProductProblem problem(lc.irreps_in, c.spherical_harmonics_irreps, lc.conv_irreps_mid,
                                     specs, {.shared_weights = false});
  if (lc.radial_mlp.back() != problem.weight_numel()) {
    throw Error("NequIP: layer " + t + " radial MLP gives " + std::to_string(lc.radial_mlp.back()) +
                " weights, the convolution needs " + std::to_string(problem.weight_numel()));
  }
  convolution_ = engine.graph_convolution<T>(problem);
  radial_mlp_ = std::make_unique<RadialMlp<T>>(
      engine, lc.radial_mlp, nequip_mlp_weights(p, prefix + "radial_mlp.", lc.radial_mlp),
      lc.radial_mlp_scales, 1.0);
  std::vector<T> norm;
  for (double v : p.reals(prefix + "neighbor_norm", shape1(c.species.size())))
    norm.push_back(static_cast<T>(v));
  neighbor_norm_ = engine.upload(norm);
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
  gate_ = std::make_unique<Gate<T>>(engine, gp);
  if (gate_->dim_out() != lc.irreps_out.dim()) {
    throw Error("NequIP: layer " + t + " gate output does not match its irreps");
  }
}

template <typename T>
NequipConvnetLayer<T>::~NequipConvnetLayer() = default;

template <typename T>
Buffer<T> NequipConvnetLayer<T>::forward(const EngineGraph& graph,
                                         const typename EdgeEmbedding<T>::Features& edges,
                                         const Buffer<T>& h, Saved& saved) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const TensorProductProblem& problem = convolution_->problem();
  const int dim_in = linear_1_->dim_in();
  saved.normalized = engine_.buffer<T>(nodes * static_cast<std::size_t>(dim_in));
  linear_1_->forward(nodes, h.data(), saved.normalized.data());
  scale_rows_by_species(engine_, nodes, dim_in, species, neighbor_norm_.data(),
                        saved.normalized.data());
  saved.weights =
      engine_.buffer<T>(graph.num_edges * static_cast<std::size_t>(problem.weight_numel()));
  saved.mlp = radial_mlp_->forward(graph.num_edges, edges.radial.data(), saved.weights.data());
  Buffer<T> message = engine_.buffer<T>(problem.out_size(nodes));
  convolution_->forward(graph.view(), {.x = saved.normalized.span(),
                                       .y = edges.sh.span(),
                                       .weights = saved.weights.span(),
                                       .out = message.span()});
  saved.gate_in = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_2_->dim_out()));
  linear_2_->forward(nodes, message.data(), saved.gate_in.data());
  if (self_connection_)
    self_connection_->forward(nodes, h.data(), species, saved.gate_in.data(), true);
  Buffer<T> next = engine_.buffer<T>(nodes * static_cast<std::size_t>(gate_->dim_out()));
  gate_->forward(nodes, saved.gate_in.data(), next.data());
  if (resnet_) add_into(engine_, next.data(), h.data(), next.size());
  return next;
}

template <typename T>
Buffer<T> NequipConvnetLayer<T>::backward(const EngineGraph& graph,
                                          const typename EdgeEmbedding<T>::Features& edges,
                                          const Saved& saved, const Buffer<T>& grad_next,
                                          Buffer<T>& grad_sh, Buffer<T>& grad_radial) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const TensorProductProblem& problem = convolution_->problem();
  const int dim_in = linear_1_->dim_in();
  Buffer<T> grad_h = resnet_ ? engine_.copy_of(grad_next)
                             : engine_.zeros<T>(nodes * static_cast<std::size_t>(dim_in));
  Buffer<T> grad_gate_in = engine_.zeros<T>(saved.gate_in.size());
  gate_->backward(nodes, saved.gate_in.data(), grad_next.data(), grad_gate_in.data());
  if (self_connection_)
    self_connection_->backward(nodes, grad_gate_in.data(), species, grad_h.data());
  Buffer<T> grad_message = engine_.buffer<T>(problem.out_size(nodes));
  linear_2_->backward(nodes, grad_gate_in.data(), grad_message.data(), false);
  Buffer<T> grad_normalized = engine_.buffer<T>(saved.normalized.size());
  Buffer<T> grad_sh_here = engine_.buffer<T>(grad_sh.size());
  Buffer<T> grad_weights = engine_.buffer<T>(saved.weights.size());
  convolution_->backward(graph.view(), {.x = saved.normalized.span(),
                                        .y = edges.sh.span(),
                                        .weights = saved.weights.span(),
                                        .grad_out = grad_message.span(),
                                        .grad_x = grad_normalized.span(),
                                        .grad_y = grad_sh_here.span(),
                                        .grad_weights = grad_weights.span()});
  add_into(engine_, grad_sh.data(), grad_sh_here.data(), grad_sh.size());
  Buffer<T> grad_radial_here = engine_.buffer<T>(grad_radial.size());
  radial_mlp_->backward(graph.num_edges, saved.mlp, grad_weights.data(), grad_radial_here.data());
  add_into(engine_, grad_radial.data(), grad_radial_here.data(), grad_radial.size());
  scale_rows_by_species(engine_, nodes, dim_in, species, neighbor_norm_.data(),
                        grad_normalized.data());
  linear_1_->backward(nodes, grad_normalized.data(), grad_h.data());
  return grad_h;
}

template class NequipConvnetLayer<float>;
template class NequipConvnetLayer<double>;

}  // namespace equifuse
