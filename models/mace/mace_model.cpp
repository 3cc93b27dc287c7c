#include "models/mace/mace_model.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"
#include "kernels/convolution/convolution_graph.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/layers/activation.hpp"

namespace equifuse {

namespace {

std::vector<std::int64_t> shape1(std::size_t n) { return {static_cast<std::int64_t>(n)}; }

std::span<const double> span_of(const std::vector<double>& v) { return {v.data(), v.size()}; }

}  // namespace

template <typename T>
MaceModel<T>::MaceModel(MaceConfig config, const ParameterStore& p)
    : config_(std::move(config)), num_species_(static_cast<int>(config_.species.size())) {
  const MaceConfig& c = config_;
  info_.architecture = "mace";
  info_.species = c.species;
  info_.r_max = c.r_max;
  info_.energy_unit = c.energy_unit;
  info_.length_unit = c.length_unit;
  info_.num_interactions = static_cast<int>(c.interactions.size());
  info_.precision = std::is_same_v<T, float> ? Precision::float32 : Precision::float64;

  const Irreps species_irreps({MulIrrep{num_species_, Irrep(0, 1)}});
  const Irreps& first = c.interactions.front().node_feats_irreps;
  embedding_ = std::make_unique<EquivariantLinear<T>>(
      species_irreps, first,
      span_of(p.reals("embedding.weight",
                      shape1(EquivariantLinear<T>::weight_numel(species_irreps, first)))));
  atomic_energies_ = p.reals("atomic_energies", shape1(c.species.size()));
  edge_embedding_ = std::make_unique<EdgeEmbedding>(
      c.spherical_harmonics_irreps,
      RadialBasis(p.reals("radial.bessel_weights", shape1(static_cast<std::size_t>(c.num_bessel))),
                  c.bessel_prefactor, c.r_max, c.polynomial_cutoff_p));

  for (std::size_t t = 0; t < c.interactions.size(); ++t) {
    const MaceInteractionConfig& ic = c.interactions[t];
    const std::string prefix = "interactions." + std::to_string(t) + ".";
    Interaction layer;
    layer.kind = ic.kind;
    layer.linear_up = std::make_unique<EquivariantLinear<T>>(
        ic.node_feats_irreps, ic.edge_irreps,
        span_of(p.reals(prefix + "linear_up.weight",
                        shape1(EquivariantLinear<T>::weight_numel(ic.node_feats_irreps, ic.edge_irreps)))));
    const TensorProductProblem problem = channelwise_tensor_product(
        ic.edge_irreps, ic.edge_attrs_irreps, ic.target_irreps, {.shared_weights = false});
    if (problem.irreps_out() != ic.conv_irreps_out) {
      throw Error("MACE: layer " + std::to_string(t) + " convolution output " +
                  problem.irreps_out().to_string() + " differs from the file's " +
                  ic.conv_irreps_out.to_string());
    }
    if (ic.radial_mlp.back() != problem.weight_numel()) {
      throw Error("MACE: layer " + std::to_string(t) + " radial MLP gives " +
                  std::to_string(ic.radial_mlp.back()) + " weights, the convolution needs " +
                  std::to_string(problem.weight_numel()));
    }
    layer.convolution = make_graph_convolution<T>(problem, Backend::cpu);
    std::vector<std::span<const double>> mlp_weights;
    for (std::size_t k = 0; k + 1 < ic.radial_mlp.size(); ++k) {
      mlp_weights.push_back(span_of(p.reals(prefix + "radial_mlp." + std::to_string(k) + ".weight",
                                            {ic.radial_mlp[k], ic.radial_mlp[k + 1]})));
    }
    layer.radial_mlp = std::make_unique<RadialMlp<T>>(
        ic.radial_mlp, mlp_weights, RadialMlp<T>::fan_in_scales(ic.radial_mlp),
        c.radial_activation_scale);
    layer.linear = std::make_unique<EquivariantLinear<T>>(
        ic.conv_irreps_out, ic.target_irreps,
        span_of(p.reals(prefix + "linear.weight",
                        shape1(EquivariantLinear<T>::weight_numel(ic.conv_irreps_out, ic.target_irreps)))),
        1.0 / ic.avg_num_neighbors);
    // plain: skip acts on the message (target -> target); residual: on the input (-> output).
    const Irreps& skip_in_expected =
        ic.kind == MaceInteractionConfig::Kind::plain ? ic.target_irreps : ic.node_feats_irreps;
    const Irreps& skip_out_expected =
        ic.kind == MaceInteractionConfig::Kind::plain ? ic.target_irreps : c.products[t].irreps_out;
    if (ic.skip_irreps_in != skip_in_expected || ic.skip_irreps_out != skip_out_expected) {
      throw Error("MACE: layer " + std::to_string(t) + " skip connection irreps do not fit");
    }
    layer.skip = std::make_unique<SpeciesLinear<T>>(
        ic.skip_irreps_in, num_species_, ic.skip_irreps_out,
        span_of(p.reals(prefix + "skip_tp.weight",
                        shape1(SpeciesLinear<T>::weight_numel(ic.skip_irreps_in, num_species_,
                                                              ic.skip_irreps_out)))));
    interactions_.push_back(std::move(layer));

    const MaceProductConfig& pc = c.products[t];
    const std::string pprefix = "products." + std::to_string(t) + ".";
    std::vector<ContractionParameters> contractions;
    const int channels = pc.irreps_in[0].mul;
    for (std::size_t o = 0; o < pc.contractions.size(); ++o) {
      ContractionParameters cp;
      cp.irrep = pc.contractions[o].irrep;
      cp.correlation = pc.contractions[o].correlation;
      const std::string cprefix = pprefix + "contractions." + std::to_string(o) + ".";
      for (int nu = 1; nu <= cp.correlation; ++nu) {
        const std::string n = std::to_string(nu);
        const StoredTensor& w = p.integers(cprefix + "coupling." + n + ".indices", {-1, nu + 2});
        CouplingTensor u;
        u.indices = w.integers;
        u.values = p.reals(cprefix + "coupling." + n + ".values", {w.shape[0]});
        cp.couplings.push_back(std::move(u));
        const auto& weights = p.reals(cprefix + "weights." + n, {num_species_, -1, channels});
        const auto k_count = static_cast<int>(weights.size() / (static_cast<std::size_t>(num_species_) * channels));
        cp.weights.push_back(weights);
        cp.num_coupling_weights.push_back(k_count);
      }
      contractions.push_back(std::move(cp));
    }
    Product product;
    product.contraction = std::make_unique<SymmetricContraction<T>>(pc.irreps_in, pc.irreps_out,
                                                                    num_species_, contractions);
    product.linear = std::make_unique<EquivariantLinear<T>>(
        pc.irreps_out, pc.irreps_out,
        span_of(p.reals(pprefix + "linear.weight",
                        shape1(EquivariantLinear<T>::weight_numel(pc.irreps_out, pc.irreps_out)))));
    product.use_skip_connection = pc.use_skip_connection;
    products_.push_back(std::move(product));

    const MaceReadoutConfig& rc = c.readouts[t];
    const std::string rprefix = "readouts." + std::to_string(t) + ".";
    const Irreps energy_irreps = Irreps::parse("1x0e");
    Readout readout;
    if (rc.kind == MaceReadoutConfig::Kind::linear) {
      readout.linear_1 = std::make_unique<EquivariantLinear<T>>(
          rc.irreps_in, energy_irreps,
          span_of(p.reals(rprefix + "linear.weight",
                          shape1(EquivariantLinear<T>::weight_numel(rc.irreps_in, energy_irreps)))));
    } else {
      for (const auto& block : rc.hidden_irreps) {
        if (block.ir != Irrep(0, 1)) throw Error("MACE: non-linear readouts must be even scalars");
      }
      readout.linear_1 = std::make_unique<EquivariantLinear<T>>(
          rc.irreps_in, rc.hidden_irreps,
          span_of(p.reals(rprefix + "linear_1.weight",
                          shape1(EquivariantLinear<T>::weight_numel(rc.irreps_in, rc.hidden_irreps)))));
      readout.linear_2 = std::make_unique<EquivariantLinear<T>>(
          rc.hidden_irreps, energy_irreps,
          span_of(p.reals(rprefix + "linear_2.weight",
                          shape1(EquivariantLinear<T>::weight_numel(rc.hidden_irreps, energy_irreps)))));
      readout.activation_scale = rc.activation_scale;
      readout.hidden_dim = rc.hidden_irreps.dim();
    }
    readouts_.push_back(std::move(readout));
  }
  p.check_all_used();
}

template <typename T>
MaceModel<T>::~MaceModel() = default;

template <typename T>
PotentialOutput MaceModel<T>::evaluate(const AtomicGraph& graph) const {
  const std::size_t num_nodes = graph.num_nodes;
  const std::size_t num_edges = graph.num_edges();
  const std::size_t num_local = graph.num_local;
  check_atomic_graph(graph, num_species_, "MACE");
  const ConvolutionGraph conv_graph(num_nodes, graph.senders, graph.receivers);
  const ConvolutionGraphView view = conv_graph.host_view();
  const int* species = graph.species.data();
  const std::size_t layers = interactions_.size();

  const EdgeFeatures<T> edges = edge_embedding_->evaluate<T>(graph.edge_vectors);
  const std::vector<T>& sh = edges.sh;
  const std::vector<T>& radial = edges.radial;

  // Forward. h[t] is the input of layer t (h[0] the embedding), h[layers] the last output.
  std::vector<std::vector<T>> h(layers + 1), edge_feats(layers), weights(layers), mlp_saved(layers),
      product_in(layers), readout_hidden(layers);
  {
    std::vector<T> one_hot(num_nodes * static_cast<std::size_t>(num_species_), T(0));
    for (std::size_t n = 0; n < num_nodes; ++n) one_hot[n * num_species_ + species[n]] = T(1);
    h[0].resize(num_nodes * static_cast<std::size_t>(embedding_->dim_out()));
    embedding_->forward(num_nodes, one_hot.data(), h[0].data());
  }
  std::vector<double> readout_sum(num_nodes, 0.0);
  for (std::size_t t = 0; t < layers; ++t) {
    const Interaction& layer = interactions_[t];
    const Product& product = products_[t];
    const Readout& readout = readouts_[t];
    const TensorProductProblem& problem = layer.convolution->problem();
    edge_feats[t].resize(num_nodes * static_cast<std::size_t>(layer.linear_up->dim_out()));
    layer.linear_up->forward(num_nodes, h[t].data(), edge_feats[t].data());
    weights[t].resize(num_edges * static_cast<std::size_t>(problem.weight_numel()));
    mlp_saved[t].resize(layer.radial_mlp->saved_size(num_edges));
    layer.radial_mlp->forward(num_edges, radial.data(), weights[t].data(), mlp_saved[t].data());
    std::vector<T> message(problem.out_size(num_nodes));
    layer.convolution->forward(view, {.x = edge_feats[t], .y = sh, .weights = weights[t], .out = message});
    std::vector<T> mixed(num_nodes * static_cast<std::size_t>(layer.linear->dim_out()));
    layer.linear->forward(num_nodes, message.data(), mixed.data());
    if (layer.kind == MaceInteractionConfig::Kind::plain) {
      product_in[t].resize(num_nodes * static_cast<std::size_t>(layer.skip->dim_out()));
      layer.skip->forward(num_nodes, mixed.data(), species, product_in[t].data());
    } else {
      product_in[t] = std::move(mixed);
    }
    std::vector<T> contracted(num_nodes * static_cast<std::size_t>(product.contraction->dim_out()));
    product.contraction->forward(num_nodes, product_in[t].data(), species, contracted.data());
    h[t + 1].resize(num_nodes * static_cast<std::size_t>(product.linear->dim_out()));
    product.linear->forward(num_nodes, contracted.data(), h[t + 1].data());
    if (layer.kind == MaceInteractionConfig::Kind::residual && product.use_skip_connection) {
      std::vector<T> skip(h[t + 1].size());
      layer.skip->forward(num_nodes, h[t].data(), species, skip.data());
      for (std::size_t k = 0; k < skip.size(); ++k) h[t + 1][k] += skip[k];
    }
    std::vector<T> energy(num_nodes);
    if (readout.linear_2) {
      readout_hidden[t].resize(num_nodes * static_cast<std::size_t>(readout.hidden_dim));
      readout.linear_1->forward(num_nodes, h[t + 1].data(), readout_hidden[t].data());
      std::vector<T> activated(readout_hidden[t].size());
      const T a = static_cast<T>(readout.activation_scale);
      for (std::size_t k = 0; k < activated.size(); ++k) activated[k] = a * silu(readout_hidden[t][k]);
      readout.linear_2->forward(num_nodes, activated.data(), energy.data());
    } else {
      readout.linear_1->forward(num_nodes, h[t + 1].data(), energy.data());
    }
    for (std::size_t n = 0; n < num_nodes; ++n) readout_sum[n] += static_cast<double>(energy[n]);
  }

  PotentialOutput out;
  out.node_energies.resize(num_local);
  for (std::size_t n = 0; n < num_local; ++n) {
    out.node_energies[n] = atomic_energies_[static_cast<std::size_t>(species[n])] + config_.shift +
                           config_.scale * readout_sum[n];
    out.energy += out.node_energies[n];
  }

  // Backward: dE/dh, layer by layer, accumulating dE/d(spherical harmonics) and dE/d(radial).
  std::vector<T> grad_sh(sh.size(), T(0)), grad_radial(radial.size(), T(0));
  std::vector<T> grad_h(h[layers].size(), T(0));
  for (std::size_t t = layers; t-- > 0;) {
    const Interaction& layer = interactions_[t];
    const Product& product = products_[t];
    const Readout& readout = readouts_[t];
    const TensorProductProblem& problem = layer.convolution->problem();
    // Readout: dE/d(readout_t) = scale on local nodes.
    std::vector<T> seed(num_nodes, T(0));
    std::fill(seed.begin(), seed.begin() + static_cast<std::ptrdiff_t>(num_local),
              static_cast<T>(config_.scale));
    if (readout.linear_2) {
      std::vector<T> grad_hidden(readout_hidden[t].size(), T(0));
      readout.linear_2->backward_accumulate(num_nodes, seed.data(), grad_hidden.data());
      const T a = static_cast<T>(readout.activation_scale);
      for (std::size_t k = 0; k < grad_hidden.size(); ++k) {
        grad_hidden[k] *= a * silu_derivative(readout_hidden[t][k]);
      }
      readout.linear_1->backward_accumulate(num_nodes, grad_hidden.data(), grad_h.data());
    } else {
      readout.linear_1->backward_accumulate(num_nodes, seed.data(), grad_h.data());
    }
    // Product: h[t+1] = linear(contraction(product_in)) (+ skip(h[t])).
    std::vector<T> grad_contracted(num_nodes * static_cast<std::size_t>(product.contraction->dim_out()), T(0));
    product.linear->backward_accumulate(num_nodes, grad_h.data(), grad_contracted.data());
    std::vector<T> grad_product_in(product_in[t].size(), T(0));
    product.contraction->backward_accumulate(num_nodes, product_in[t].data(), species,
                                             grad_contracted.data(), grad_product_in.data());
    std::vector<T> grad_previous(h[t].size(), T(0));
    if (layer.kind == MaceInteractionConfig::Kind::residual && product.use_skip_connection) {
      layer.skip->backward_accumulate(num_nodes, grad_h.data(), species, grad_previous.data());
    }
    // Interaction.
    std::vector<T> grad_mixed;
    if (layer.kind == MaceInteractionConfig::Kind::plain) {
      grad_mixed.assign(num_nodes * static_cast<std::size_t>(layer.skip->dim_in()), T(0));
      layer.skip->backward_accumulate(num_nodes, grad_product_in.data(), species, grad_mixed.data());
    } else {
      grad_mixed = std::move(grad_product_in);
    }
    std::vector<T> grad_message(problem.out_size(num_nodes), T(0));
    layer.linear->backward_accumulate(num_nodes, grad_mixed.data(), grad_message.data());
    std::vector<T> grad_edge_feats(edge_feats[t].size()), grad_sh_t(sh.size()),
        grad_weights(weights[t].size());
    layer.convolution->backward(view, {.x = edge_feats[t], .y = sh, .weights = weights[t],
                                       .grad_out = grad_message, .grad_x = grad_edge_feats,
                                       .grad_y = grad_sh_t, .grad_weights = grad_weights});
    for (std::size_t k = 0; k < grad_sh.size(); ++k) grad_sh[k] += grad_sh_t[k];
    std::vector<T> grad_radial_t(grad_radial.size());
    layer.radial_mlp->backward(num_edges, mlp_saved[t].data(), grad_weights.data(), grad_radial_t.data());
    for (std::size_t k = 0; k < grad_radial.size(); ++k) grad_radial[k] += grad_radial_t[k];
    layer.linear_up->backward_accumulate(num_nodes, grad_edge_feats.data(), grad_previous.data());
    grad_h = std::move(grad_previous);
  }

  out.edge_gradients = edge_embedding_->edge_gradients(edges, grad_sh, grad_radial, graph.edge_vectors);
  return out;
}

template class MaceModel<float>;
template class MaceModel<double>;

}  // namespace equifuse
