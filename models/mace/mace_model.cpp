#include "models/mace/mace_model.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"
#include "models/mace/species_embedding.hpp"

namespace equifuse {

namespace {

// The radial embedding of the config with the kept species' covalent radii.
RadialBasis radial_basis(const MaceConfig& c, const ParameterStore& p,
                         const SpeciesSelection& species) {
  const MaceRadialConfig& r = c.radial;
  std::vector<double> centers;
  if (r.basis == kBesselBasis) {
    centers = p.reals("radial.bessel_weights", {r.num_basis});
  } else if (r.basis == kGaussianBasis) {
    centers = p.reals("radial.gaussian_means", {r.num_basis});
  } else {
    for (int n = 1; n <= r.num_basis; ++n) centers.push_back(n);  // the Chebyshev orders
  }
  DistanceTransform transform{r.transform, r.transform_q, r.transform_p, r.transform_a, {}};
  if (r.transform != kNoTransform) {
    transform.covalent_radii =
        species.rows(p.reals("radial.covalent_radii", {species.file_count()}), 1);
  }
  return RadialBasis(r.basis, centers, r.prefactor, c.r_max, r.polynomial_cutoff_p, r.apply_cutoff,
                     transform);
}

// The joint embedding of the structure's inputs: silu(W cat(embedding rows)), the same for every
// node.
std::vector<double> joint_embedding(const MaceJointEmbeddingConfig& j, const ParameterStore& p,
                                    int channels, const ModelOptions& options) {
  std::vector<double> features;
  for (const auto& in : j.inputs) {
    double value = 0;
    if (in.name == "total_charge") {
      value = options.total_charge;
    } else if (in.name == "total_spin") {
      value = options.total_spin;
    } else {
      throw Error("MACE: the joint embedding's input \"" + in.name +
                  "\" is not supported (total_charge, total_spin)");
    }
    const long index = static_cast<long>(value + in.offset);  // truncated, as mace-torch's .long()
    if (index < 0 || index >= in.num_classes) {
      throw Error("MACE: " + in.name + " " + std::to_string(value) + " is outside the model's " +
                  std::to_string(in.num_classes) + " classes");
    }
    const auto& table = p.reals("joint_embedding." + in.name + ".weight", {in.num_classes, in.dim});
    features.insert(features.end(), table.begin() + index * in.dim,
                    table.begin() + (index + 1) * in.dim);
  }
  const auto width = static_cast<int>(features.size());
  const auto& w = p.reals("joint_embedding.project.weight", {channels, width});
  std::vector<double> out(static_cast<std::size_t>(channels));
  for (int c = 0; c < channels; ++c) {
    double z = 0;
    for (int k = 0; k < width; ++k) z += w[static_cast<std::size_t>(c * width + k)] * features[k];
    out[static_cast<std::size_t>(c)] = z / (1 + std::exp(-z));
  }
  return out;
}

}  // namespace

template <typename T>
MaceModel<T>::MaceModel(MaceConfig config, const ParameterStore& p, const ModelOptions& options)
    : ModelPotential(options.backend,
                     model_kernel_spec(precision_of<T>(), config.spherical_harmonics_irreps),
                     "MACE"),
      config_(std::move(config)),
      species_(config_.species, options.elements),
      head_(select_head(config_.heads, options.head)) {
  config_.species = species_.atomic_numbers();
  const MaceConfig& c = config_;
  PotentialInfo& info = mutable_info();
  info.architecture = "mace";
  info.species = c.species;
  info.r_max = c.r_max;
  info.energy_unit = c.energy_unit;
  info.length_unit = c.length_unit;
  info.num_interactions = static_cast<int>(c.interactions.size());
  for (std::size_t t = 1; t < c.interactions.size(); ++t)
    info.exchanged_widths.push_back(c.interactions[t].node_feats_irreps.dim());
  info.precision = precision_of<T>();
  info.heads = c.heads;
  info.head = c.heads[static_cast<std::size_t>(head_)];
  const Engine& e = engine();
  const int file_species = species_.file_count();
  const int heads = static_cast<int>(c.heads.size());

  const Irreps& first = c.interactions.front().node_feats_irreps;
  embedding_dim_ = first.dim();
  std::vector<double> table = species_embedding_table(p, "embedding.weight", first, species_);
  if (c.joint_embedding) {
    const std::vector<double> joint =
        joint_embedding(*c.joint_embedding, p, embedding_dim_, options);
    for (std::size_t k = 0; k < table.size(); ++k) table[k] += joint[k % joint.size()];
  }
  embedding_ = e.upload(std::vector<T>(table.begin(), table.end()));
  // E0 [heads][species] (format 1: [species]).
  const auto& e0 = p.contains("atomic_energies") && p.shape("atomic_energies").size() == 2
                       ? p.reals("atomic_energies", {heads, file_species})
                       : p.reals("atomic_energies", {file_species});
  const std::vector<double> head_e0(e0.end() - (heads - head_) * file_species,
                                    e0.end() - (heads - head_ - 1) * file_species);
  const double scale = c.scale[static_cast<std::size_t>(head_)];
  const double shift = c.shift[static_cast<std::size_t>(head_)];
  std::vector<double> offset;
  for (double v : species_.rows(e0.size() == head_e0.size() ? e0 : head_e0, 1))
    offset.push_back(v + shift);
  energy_scale_ = e.upload(std::vector<double>(offset.size(), scale));
  energy_offset_ = e.upload(offset);
  edge_embedding_ = std::make_unique<EdgeEmbedding<T>>(e, c.spherical_harmonics_irreps,
                                                       radial_basis(c, p, species_));
  readouts_.resize(c.interactions.size());
  for (std::size_t t = 0; t < c.interactions.size(); ++t) {
    const int index = static_cast<int>(t);
    interactions_.push_back(make_mace_interaction<T>(e, c.interactions[t], index, c.products[t],
                                                     species_, c.radial_activation_scale, p));
    products_.push_back(std::make_unique<MaceProduct<T>>(e, c.products[t], index, species_, p));
  }
  for (std::size_t r = 0; r < c.readouts.size(); ++r) {
    readouts_[static_cast<std::size_t>(c.readouts[r].layer)] =
        std::make_unique<MaceReadout<T>>(e, c.readouts[r], static_cast<int>(r), head_, heads, p);
  }
  if (c.pair_repulsion) {
    pair_repulsion_ = std::make_unique<PairRepulsion>(
        e, pair_repulsion_parameters(*c.pair_repulsion, species_, p, c.r_max));
  }
  std::size_t edge_bytes = 0;
  for (const auto& interaction : interactions_)
    edge_bytes = std::max(edge_bytes, interaction->bytes_per_edge());
  set_edge_memory(options.edge_memory, edge_bytes);
  p.check_all_used();
}

template <typename T>
MaceModel<T>::~MaceModel() = default;

template <typename T>
ModelPotential::Result MaceModel<T>::run(const EngineGraph& graph,
                                         const GhostExchange* exchange) const {
  const Engine& e = engine();
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  const std::size_t layers = interactions_.size();
  const double scale = config_.scale[static_cast<std::size_t>(head_)];

  // Forward. h: the features between layers (not kept: no backward step needs them). The edges
  // are streamed in blocks: every per-edge array lives inside one layer's pass over a block.
  const EdgeBlocks blocks(e, graph, max_block_edges());
  EdgeStream<T> edges(e, *edge_embedding_, blocks, graph.num_edges);
  Buffer<T> h = e.buffer<T>(nodes * static_cast<std::size_t>(embedding_dim_));
  gather_species_rows(e, nodes, embedding_dim_, species, embedding_.data(), h.data());
  std::vector<typename MaceInteraction<T>::Saved> interaction_saved(layers);
  std::vector<typename MaceProduct<T>::Saved> product_saved(layers);
  std::vector<typename MaceReadout<T>::Saved> readout_saved(layers);
  Buffer<double> readout_sum = e.zeros<double>(nodes);
  for (std::size_t t = 0; t < layers; ++t) {
    if (t > 0) exchange_ghost_features(exchange, static_cast<int>(t), h, graph);
    typename MaceInteraction<T>::Output message =
        interactions_[t]->forward(graph, edges, h.data(), interaction_saved[t]);
    h = products_[t]->forward(nodes, species, std::move(message.message), message.skip,
                              product_saved[t]);
    if (readouts_[t]) {
      const Buffer<T> energy = readouts_[t]->forward(nodes, h.data(), readout_saved[t]);
      add_into(e, readout_sum.data(), energy.data(), nodes);
    }
  }
  if (pair_repulsion_) pair_repulsion_->evaluate(graph, 0.0, &readout_sum, nullptr);
  Result result;
  result.node_energies = e.buffer<double>(graph.num_local);
  node_energies(e, graph.num_local, species, readout_sum.data(), energy_scale_.data(),
                energy_offset_.data(), result.node_energies.data());

  // Backward: dE/dh layer by layer; each layer adds its part of dE/d(edge vector) block by block.
  Buffer<T> grad_h = e.zeros<T>(h.size());
  h = {};
  Buffer<T> seed = e.buffer<T>(nodes);
  energy_seed(e, nodes, graph.num_local, species, static_cast<T>(scale),
              static_cast<const T*>(nullptr), seed.data());
  for (std::size_t t = layers; t-- > 0;) {
    if (readouts_[t]) {
      readouts_[t]->backward(nodes, readout_saved[t], seed.data(), grad_h.data());
      readout_saved[t] = {};
    }
    const Buffer<T> grad_message =
        products_[t]->backward(nodes, species, product_saved[t], grad_h.data());
    product_saved[t] = {};
    Buffer<T> grad_previous = e.zeros<T>(
        nodes * static_cast<std::size_t>(config_.interactions[t].node_feats_irreps.dim()));
    interactions_[t]->backward(graph, edges, interaction_saved[t], grad_message.data(),
                               grad_h.data(), grad_previous.data());
    interaction_saved[t] = {};
    if (t > 0) return_ghost_gradients(exchange, static_cast<int>(t), grad_previous, graph);
    grad_h = std::move(grad_previous);
  }
  result.edge_gradients = edges.take_edge_gradients();
  if (pair_repulsion_) pair_repulsion_->evaluate(graph, scale, nullptr, &result.edge_gradients);
  return result;
}

template class MaceModel<float>;
template class MaceModel<double>;

}  // namespace equifuse
