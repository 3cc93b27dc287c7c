#include "models/nequip/nequip_model.hpp"

#include <algorithm>

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
NequipModel<T>::NequipModel(NequipConfig config, const ParameterStore& p,
                            const ModelOptions& options)
    : ModelPotential(options.backend,
                     model_kernel_spec(precision_of<T>(), config.spherical_harmonics_irreps),
                     "NequIP"),
      config_(std::move(config)) {
  select_head({"default"}, options.head);
  const SpeciesSelection species(config_.species, options.elements);
  const int file_species = species.file_count();
  config_.species = species.atomic_numbers();
  const NequipConfig& c = config_;
  const Engine& e = engine();
  mutable_info() = {"nequip",         c.species,     c.r_max,
                    c.energy_unit,    c.length_unit, static_cast<int>(c.layers.size()),
                    precision_of<T>()};
  for (std::size_t t = 1; t < c.layers.size(); ++t)
    mutable_info().exchanged_widths.push_back(c.layers[t].irreps_in.dim());
  const std::vector<double> embedding =
      species.rows(p.reals("type_embedding", {file_species, c.type_embedding_dim}),
                   static_cast<std::size_t>(c.type_embedding_dim));
  type_embedding_ = e.upload(std::vector<T>(embedding.begin(), embedding.end()));
  edge_embedding_ = std::make_unique<EdgeEmbedding<T>>(
      e, c.spherical_harmonics_irreps,
      RadialBasis(p.reals("radial.bessel_weights", {c.num_bessel}), c.bessel_prefactor, c.r_max,
                  c.polynomial_cutoff_p));
  for (std::size_t t = 0; t < c.layers.size(); ++t) {
    layers_.push_back(std::make_unique<NequipConvnetLayer<T>>(
        e, c, static_cast<int>(t), species, std::span<const double>(embedding), p));
  }
  readout_ = std::make_unique<RadialMlp<T>>(
      e, c.readout_mlp, p.mlp_weights("readout.", c.readout_mlp), c.readout_mlp_scales, 1.0);
  const std::vector<double> scales = species.rows(p.reals("energy_scales", {file_species}), 1);
  energy_seed_ = e.upload(std::vector<T>(scales.begin(), scales.end()));
  energy_scale_ = e.upload(scales);
  energy_shift_ = e.upload(species.rows(p.reals("energy_shifts", {file_species}), 1));
  if (c.pair_repulsion) {
    pair_repulsion_ = std::make_unique<PairRepulsion>(
        e, pair_repulsion_parameters(*c.pair_repulsion, species, p, c.r_max));
  }
  std::size_t edge_bytes = 0;
  for (const auto& layer : layers_) edge_bytes = std::max(edge_bytes, layer->bytes_per_edge());
  set_edge_memory(options.edge_memory, edge_bytes);
  p.check_all_used();
}

template <typename T>
NequipModel<T>::~NequipModel() = default;

template <typename T>
ModelPotential::Result NequipModel<T>::run(const EngineGraph& graph,
                                           const GhostExchange* exchange) const {
  const Engine& e = engine();
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const std::size_t layers = layers_.size();

  // The edges are streamed in blocks: every per-edge array lives inside one layer's pass.
  const EdgeBlocks blocks(e, graph, max_block_edges());
  EdgeStream<T> edges(e, *edge_embedding_, blocks, graph.num_edges);
  const int embedding_dim = config_.type_embedding_dim;
  Buffer<T> h = e.buffer<T>(nodes * static_cast<std::size_t>(embedding_dim));
  gather_species_rows(e, nodes, embedding_dim, species, type_embedding_.data(), h.data());
  std::vector<typename NequipConvnetLayer<T>::Saved> saved(layers);
  for (std::size_t t = 0; t < layers; ++t) {
    if (t > 0) exchange_ghost_features(exchange, static_cast<int>(t), h, graph);
    h = layers_[t]->forward(graph, edges, h, saved[t]);
  }
  Buffer<T> atomic = e.buffer<T>(nodes);
  const typename RadialMlp<T>::Saved readout_saved =
      readout_->forward(nodes, h.data(), atomic.data());
  Result result;
  result.node_energies = e.buffer<double>(graph.num_local);
  node_energies(e, graph.num_local, species, atomic.data(), energy_scale_.data(),
                energy_shift_.data(), result.node_energies.data());
  if (pair_repulsion_) pair_repulsion_->evaluate(graph, 0.0, &result.node_energies, nullptr);

  Buffer<T> seed = e.buffer<T>(nodes);
  energy_seed(e, nodes, graph.num_local, species, T(0), energy_seed_.data(), seed.data());
  Buffer<T> grad_h = e.buffer<T>(h.size());
  h = {};
  readout_->backward(nodes, readout_saved, seed.data(), grad_h.data());
  for (std::size_t t = layers; t-- > 0;) {
    grad_h = layers_[t]->backward(graph, edges, saved[t], grad_h);
    saved[t] = {};
    if (t > 0) return_ghost_gradients(exchange, static_cast<int>(t), grad_h, graph);
  }
  result.edge_gradients = edges.take_edge_gradients();
  if (pair_repulsion_) pair_repulsion_->evaluate(graph, 1.0, nullptr, &result.edge_gradients);
  return result;
}

template class NequipModel<float>;
template class NequipModel<double>;

}  // namespace equifuse
