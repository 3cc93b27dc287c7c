#include "models/nequip/nequip_convnet_layer.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
NequipConvnetLayer<T>::NequipConvnetLayer(const Engine& engine, const NequipConfig& c, int index,
                                          const SpeciesSelection& species,
                                          std::span<const double> type_embedding,
                                          const ParameterStore& p)
    : engine_(engine) {
  const NequipLayerConfig& lc = c.layers[static_cast<std::size_t>(index)];
  const int num_species = species.count();
  const std::string t = std::to_string(index);
  const std::string prefix = "layers." + t + ".";
  resnet_ = lc.resnet;
  if (lc.self_connection) {
    self_connection_ = std::make_unique<SpeciesLinear<T>>(
        engine, lc.irreps_in, num_species, type_embedding, c.type_embedding_dim, lc.irreps_conv_out,
        p.vector(prefix + "self_connection.weight",
                 SpeciesLinear<T>::weight_numel(lc.irreps_in, c.type_embedding_dim,
                                                lc.irreps_conv_out)));
  }
  linear_1_ = std::make_unique<EquivariantLinear<T>>(
      engine, lc.irreps_in, lc.irreps_in,
      p.vector(prefix + "linear_1.weight",
               EquivariantLinear<T>::weight_numel(lc.irreps_in, lc.irreps_in)));
  linear_2_ = std::make_unique<EquivariantLinear<T>>(
      engine, lc.linear_2_irreps_in, lc.irreps_conv_out,
      p.vector(prefix + "linear_2.weight",
               EquivariantLinear<T>::weight_numel(lc.linear_2_irreps_in, lc.irreps_conv_out)));
  std::vector<InstructionSpec> specs;
  for (const auto& [i1, i2, io] : lc.conv_instructions) {
    specs.push_back({i1, i2, io, ConnectionMode::uvu, true, 1.0});
  }
  const TensorProductProblem problem(lc.irreps_in, c.spherical_harmonics_irreps, lc.conv_irreps_mid,
                                     specs, {.shared_weights = false});
  convolution_ = std::make_unique<RadialConvolution<T>>(
      engine, problem,
      std::make_unique<RadialMlp<T>>(engine, lc.radial_mlp,
                                     p.mlp_weights(prefix + "radial_mlp.", lc.radial_mlp),
                                     lc.radial_mlp_scales, 1.0),
      "NequIP: layer " + t);
  std::vector<T> norm;
  const auto& file_norm = p.reals(prefix + "neighbor_norm", {species.file_count()});
  for (double v : species.rows(file_norm, 1)) norm.push_back(static_cast<T>(v));
  neighbor_norm_ = engine.upload(norm);
  gate_ = std::make_unique<Gate<T>>(engine,
                                    gate_parameters(p, prefix + "gate.", lc.irreps_conv_out.dim()));
  if (gate_->dim_out() != lc.irreps_out.dim()) {
    throw Error("NequIP: layer " + t + " gate output does not match its irreps");
  }
}

template <typename T>
NequipConvnetLayer<T>::~NequipConvnetLayer() = default;

template <typename T>
Buffer<T> NequipConvnetLayer<T>::forward(const EngineGraph& graph, const EdgeStream<T>& edges,
                                         const Buffer<T>& h, Saved& saved) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const int dim_in = linear_1_->dim_in();
  saved.normalized = engine_.buffer<T>(nodes * static_cast<std::size_t>(dim_in));
  linear_1_->forward(nodes, h.data(), saved.normalized.data());
  scale_rows_by_species(engine_, nodes, dim_in, species, neighbor_norm_.data(),
                        saved.normalized.data());
  saved.gate_in = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_2_->dim_out()));
  edges.forward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f) {
    convolution_->forward(block, f, f.radial.data(), saved.normalized.data(), *linear_2_,
                          saved.gate_in.data());
  });
  if (self_connection_)
    self_connection_->forward(nodes, h.data(), species, saved.gate_in.data(), true);
  Buffer<T> next = engine_.buffer<T>(nodes * static_cast<std::size_t>(gate_->dim_out()));
  gate_->forward(nodes, saved.gate_in.data(), next.data());
  if (resnet_) add_into(engine_, next.data(), h.data(), next.size());
  return next;
}

template <typename T>
Buffer<T> NequipConvnetLayer<T>::backward(const EngineGraph& graph, EdgeStream<T>& edges,
                                          const Saved& saved, const Buffer<T>& grad_next) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const int dim_in = linear_1_->dim_in();
  Buffer<T> grad_h = resnet_ ? engine_.copy_of(grad_next)
                             : engine_.zeros<T>(nodes * static_cast<std::size_t>(dim_in));
  Buffer<T> grad_gate_in = engine_.zeros<T>(saved.gate_in.size());
  gate_->backward(nodes, saved.gate_in.data(), grad_next.data(), grad_gate_in.data());
  if (self_connection_)
    self_connection_->backward(nodes, grad_gate_in.data(), species, grad_h.data());
  Buffer<T> grad_normalized = engine_.zeros<T>(saved.normalized.size());
  edges.backward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f,
                     typename EdgeStream<T>::Gradients& g) {
    convolution_->backward(block, f, f.radial.data(), saved.normalized.data(), *linear_2_,
                           grad_gate_in.data(), grad_normalized.data(), g.sh, g.radial.data(),
                           g.cutoff_or_null());
  });
  grad_gate_in = {};
  scale_rows_by_species(engine_, nodes, dim_in, species, neighbor_norm_.data(),
                        grad_normalized.data());
  linear_1_->backward(nodes, grad_normalized.data(), grad_h.data());
  return grad_h;
}

template class NequipConvnetLayer<float>;
template class NequipConvnetLayer<double>;

}  // namespace equifuse
