#include "models/mace/mace_model.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

namespace {

// node_embedding: e3nn's Linear of the one-hot species (of every species of the file: they set its
// normalisation) is the row of its normalised weights of that species.
std::vector<double> embedding_table(const Irreps& out, int num_species,
                                    std::span<const double> weights) {
  const Irreps species({MulIrrep{num_species, Irrep(0, 1)}});
  std::vector<LinearBlock> blocks;
  const std::vector<double> folded =
      EquivariantLinear<double>::folded_weights(species, out, weights, 1.0, &blocks);
  const auto dim = static_cast<std::size_t>(out.dim());
  std::vector<double> table(static_cast<std::size_t>(num_species) * dim, 0.0);
  for (const LinearBlock& b : blocks) {
    for (int u = 0; u < b.mul_in; ++u)
      for (int v = 0; v < b.mul_out; ++v)
        table[static_cast<std::size_t>(u) * dim + static_cast<std::size_t>(b.out_offset + v)] =
            folded[static_cast<std::size_t>(b.weight_offset) +
                   static_cast<std::size_t>(u) * b.mul_out + v];
  }
  return table;
}

}  // namespace

template <typename T>
MaceModel<T>::MaceModel(MaceConfig config, const ParameterStore& p, Backend backend,
                        const std::vector<int>& elements)
    : ModelPotential(
          backend, model_kernel_spec(precision_of<T>(), config.spherical_harmonics_irreps), "MACE"),
      config_(std::move(config)),
      species_(config_.species, elements) {
  config_.species = species_.atomic_numbers();
  const MaceConfig& c = config_;
  PotentialInfo& info = mutable_info();
  info.architecture = "mace";
  info.species = c.species;
  info.r_max = c.r_max;
  info.energy_unit = c.energy_unit;
  info.length_unit = c.length_unit;
  info.num_interactions = static_cast<int>(c.interactions.size());
  info.precision = precision_of<T>();
  const Engine& e = engine();

  const Irreps& first = c.interactions.front().node_feats_irreps;
  for (const MulIrrep& block : first) {
    if (block.ir != Irrep(0, 1)) {
      throw Error("MACE: the node embedding " + first.to_string() + " must be even scalars");
    }
  }
  // Linear(S x 0e -> first) weights are [S][first's multiplicity]: one row per species.
  const auto& embedding = p.reals("embedding.weight", {species_.file_count() * first.dim()});
  embedding_dim_ = first.dim();
  const std::vector<double> table =
      species_.rows(embedding_table(first, species_.file_count(), embedding),
                    static_cast<std::size_t>(first.dim()));
  embedding_ = e.upload(std::vector<T>(table.begin(), table.end()));
  std::vector<double> offset;
  for (double e0 : species_.rows(p.reals("atomic_energies", {species_.file_count()}), 1))
    offset.push_back(e0 + c.shift);
  energy_scale_ = e.upload(std::vector<double>(offset.size(), c.scale));
  energy_offset_ = e.upload(offset);
  edge_embedding_ = std::make_unique<EdgeEmbedding<T>>(
      e, c.spherical_harmonics_irreps,
      RadialBasis(p.reals("radial.bessel_weights", {c.num_bessel}), c.bessel_prefactor, c.r_max,
                  c.polynomial_cutoff_p));
  for (std::size_t t = 0; t < c.interactions.size(); ++t) {
    const int index = static_cast<int>(t);
    interactions_.push_back(std::make_unique<MaceInteraction<T>>(
        e, c.interactions[t], index, c.products[t], species_, c.radial_activation_scale, p));
    products_.push_back(std::make_unique<MaceProduct<T>>(e, c.products[t], index, species_, p));
    readouts_.push_back(std::make_unique<MaceReadout<T>>(e, c.readouts[t], index, p));
  }
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

  // Forward. h: the features between layers (not kept: no backward step needs them).
  const typename EdgeEmbedding<T>::Features edges = edge_embedding_->forward(graph);
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
    const Buffer<T> energy = readouts_[t]->forward(nodes, h.data(), readout_saved[t]);
    add_into(e, readout_sum.data(), energy.data(), nodes);
  }
  Result result;
  result.node_energies = e.buffer<double>(graph.num_local);
  node_energies(e, graph.num_local, species, readout_sum.data(), energy_scale_.data(),
                energy_offset_.data(), result.node_energies.data());

  // Backward: dE/dh layer by layer, accumulating dE/d(spherical harmonics) and dE/d(radial).
  Buffer<T> grad_sh = e.zeros<T>(edges.sh.size()), grad_radial = e.zeros<T>(edges.radial.size());
  Buffer<T> grad_h = e.zeros<T>(h.size());
  h = {};
  Buffer<T> seed = e.buffer<T>(nodes);
  energy_seed(e, nodes, graph.num_local, species, static_cast<T>(config_.scale),
              static_cast<const T*>(nullptr), seed.data());
  for (std::size_t t = layers; t-- > 0;) {
    readouts_[t]->backward(nodes, readout_saved[t], seed.data(), grad_h.data());
    readout_saved[t] = {};
    const Buffer<T> grad_message =
        products_[t]->backward(nodes, species, product_saved[t], grad_h.data());
    product_saved[t] = {};
    Buffer<T> grad_previous = e.zeros<T>(
        nodes * static_cast<std::size_t>(config_.interactions[t].node_feats_irreps.dim()));
    interactions_[t]->backward(graph, edges, interaction_saved[t], grad_message.data(),
                               grad_h.data(), grad_previous.data(), grad_sh, grad_radial);
    interaction_saved[t] = {};
    if (t > 0) return_ghost_gradients(exchange, static_cast<int>(t), grad_previous, graph);
    grad_h = std::move(grad_previous);
  }
  result.edge_gradients = edge_embedding_->backward(graph, edges, grad_sh, grad_radial);
  return result;
}

template class MaceModel<float>;
template class MaceModel<double>;

}  // namespace equifuse
