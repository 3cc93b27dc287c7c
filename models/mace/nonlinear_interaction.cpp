#include "models/mace/nonlinear_interaction.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/engine/elementwise.hpp"
#include "models/mace/nonlinear_interaction_kernels.cuh"
#include "models/mace/species_embedding.hpp"

namespace equifuse {

namespace {

template <typename T>
constexpr auto kMlpInputs =
    elementwise_kernel<EdgeMlpInputsArgs<T>, edge_mlp_inputs_at<T>>("edge_mlp_inputs");

// mace-torch's RadialMLP under <prefix>: <prefix>k.weight [out][in], .bias [out], and for hidden
// layers the LayerNorm's <prefix>k.norm.weight, .norm.bias.
std::vector<LayerNormMlpLayer> layer_norm_mlp_layers(const ParameterStore& p,
                                                     const std::string& prefix,
                                                     const std::vector<int>& dims) {
  std::vector<LayerNormMlpLayer> layers;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
    const std::string name = prefix + std::to_string(k);
    LayerNormMlpLayer l;
    l.weight = p.reals(name + ".weight", {dims[k + 1], dims[k]});
    l.bias = p.reals(name + ".bias", {dims[k + 1]});
    if (k + 2 < dims.size()) {
      l.gamma = p.reals(name + ".norm.weight", {dims[k + 1]});
      l.beta = p.reals(name + ".norm.bias", {dims[k + 1]});
    }
    layers.push_back(std::move(l));
  }
  return layers;
}

template <typename T>
Buffer<T> upload_table(const Engine& engine, const std::vector<double>& table) {
  return engine.upload(std::vector<T>(table.begin(), table.end()));
}

}  // namespace

template <typename T>
NonlinearInteraction<T>::NonlinearInteraction(const Engine& engine, const MaceInteractionConfig& ic,
                                              int index, const MaceProductConfig& product,
                                              const SpeciesSelection& species,
                                              const ParameterStore& p)
    : engine_(engine),
      gives_skip_(product.use_skip_connection),
      num_basis_(ic.radial_mlp.front() - 2 * ic.species_embedding_dim),
      embedding_dim_(ic.species_embedding_dim) {
  const std::string t = std::to_string(index);
  const std::string prefix = "interactions." + t + ".";
  const Irreps embedding({MulIrrep{embedding_dim_, Irrep(0, 1)}});
  source_embedding_ = upload_table<T>(
      engine, species_embedding_table(p, prefix + "source_embedding.weight", embedding, species));
  target_embedding_ = upload_table<T>(
      engine, species_embedding_table(p, prefix + "target_embedding.weight", embedding, species));
  linear_up_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear_up",
                                                     ic.node_feats_irreps, ic.edge_irreps);
  linear_res_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear_res",
                                                      ic.edge_irreps, ic.irreps_nonlin);
  linear_1_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear_1",
                                                    ic.conv_irreps_out, ic.irreps_nonlin);
  linear_2_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear_2",
                                                    ic.target_irreps, ic.target_irreps);
  if (ic.skip_irreps_in != ic.node_feats_irreps || ic.skip_irreps_out != product.irreps_out) {
    throw Error("MACE: layer " + t + " skip connection irreps do not fit");
  }
  skip_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "skip_tp", ic.skip_irreps_in,
                                                ic.skip_irreps_out);
  const TensorProductProblem problem = mace_convolution_problem(ic, "MACE: layer " + t);
  // Both MLPs return the gradient of their radial-basis inputs only.
  convolution_ = std::make_unique<RadialConvolution<T>>(
      engine, problem,
      std::make_unique<LayerNormMlp<T>>(
          engine, ic.radial_mlp, layer_norm_mlp_layers(p, prefix + "radial_mlp.", ic.radial_mlp),
          ic.layer_norm_eps, num_basis_),
      "MACE: layer " + t);
  density_mlp_ = std::make_unique<LayerNormMlp<T>>(
      engine, ic.density_mlp, layer_norm_mlp_layers(p, prefix + "density_mlp.", ic.density_mlp),
      ic.layer_norm_eps, num_basis_);
  density_ = std::make_unique<EdgeDensity<T>>(engine, p.vector(prefix + "alpha", 1)[0],
                                              p.vector(prefix + "beta", 1)[0]);
  gate_ = std::make_unique<Gate<T>>(engine,
                                    gate_parameters(p, prefix + "gate.", ic.irreps_nonlin.dim()));
  if (gate_->dim_out() != ic.target_irreps.dim()) {
    throw Error("MACE: layer " + t + " gate output does not match the target irreps");
  }
}

template <typename T>
NonlinearInteraction<T>::~NonlinearInteraction() = default;

template <typename T>
Buffer<T> NonlinearInteraction<T>::mlp_inputs(
    const EngineGraph& block, const typename EdgeEmbedding<T>::Features& edges) const {
  const long n = static_cast<long>(block.num_edges);
  Buffer<T> inputs = engine_.buffer<T>(block.num_edges *
                                       static_cast<std::size_t>(num_basis_ + 2 * embedding_dim_));
  engine_.launch(kMlpInputs<T>,
                 {n, num_basis_, embedding_dim_, edges.radial.data(), block.senders.data(),
                  block.receivers.data(), block.species.data(), source_embedding_.data(),
                  target_embedding_.data(), inputs.data()},
                 LaunchShape::over(n));
  return inputs;
}

template <typename T>
typename NonlinearInteraction<T>::Output NonlinearInteraction<T>::forward(
    const EngineGraph& graph, const EdgeStream<T>& edges, const T* h, Saved& saved) const {
  const std::size_t nodes = graph.num_nodes;
  Output out;
  if (gives_skip_) {
    out.skip = engine_.buffer<T>(nodes * static_cast<std::size_t>(skip_->dim_out()));
    skip_->forward(nodes, h, out.skip.data());
  }
  saved.up = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_up_->dim_out()));
  linear_up_->forward(nodes, h, saved.up.data());
  const int nonlin = linear_1_->dim_out();
  Buffer<T> m = engine_.buffer<T>(nodes * static_cast<std::size_t>(nonlin));
  Buffer<T> densities = engine_.buffer<T>(nodes);
  edges.forward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f) {
    const Buffer<T> inputs = mlp_inputs(*block.graph, f);
    convolution_->forward(block, f, inputs.data(), saved.up.data(), *linear_1_, m.data());
    density_->sum_block(block, *density_mlp_, inputs.data(),
                        f.cutoff.empty() ? nullptr : f.cutoff.data(), densities.data());
  });
  density_->normalize(nodes, std::move(densities), m, nonlin, saved.density);
  linear_res_->forward(nodes, saved.up.data(), m.data(), true);
  Buffer<T> gated = engine_.buffer<T>(nodes * static_cast<std::size_t>(gate_->dim_out()));
  gate_->forward(nodes, m.data(), gated.data());
  saved.gate_in = std::move(m);
  out.message = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_2_->dim_out()));
  linear_2_->forward(nodes, gated.data(), out.message.data());
  return out;
}

template <typename T>
void NonlinearInteraction<T>::backward(const EngineGraph& graph, EdgeStream<T>& edges,
                                       const Saved& saved, const T* grad_message,
                                       const T* grad_skip, T* grad_h) const {
  const std::size_t nodes = graph.num_nodes;
  if (gives_skip_) skip_->backward(nodes, grad_skip, grad_h);
  Buffer<T> grad_gated = engine_.buffer<T>(nodes * static_cast<std::size_t>(gate_->dim_out()));
  linear_2_->backward(nodes, grad_message, grad_gated.data(), false);
  Buffer<T> grad_m = engine_.zeros<T>(saved.gate_in.size());
  gate_->backward(nodes, saved.gate_in.data(), grad_gated.data(), grad_m.data());
  grad_gated = {};
  Buffer<T> grad_up = engine_.buffer<T>(saved.up.size());
  linear_res_->backward(nodes, grad_m.data(), grad_up.data(), false);
  const Buffer<T> grad_density =
      density_->node_backward(nodes, saved.density, grad_m, linear_1_->dim_out());
  edges.backward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f,
                     typename EdgeStream<T>::Gradients& g) {
    const Buffer<T> inputs = mlp_inputs(*block.graph, f);
    convolution_->backward(block, f, inputs.data(), saved.up.data(), *linear_1_, grad_m.data(),
                           grad_up.data(), g.sh, g.radial.data(), g.cutoff_or_null());
    density_->block_backward(block, *density_mlp_, inputs.data(),
                             f.cutoff.empty() ? nullptr : f.cutoff.data(), grad_density.data(),
                             g.radial.data(), g.cutoff_or_null());
  });
  linear_up_->backward(nodes, grad_up.data(), grad_h);
}

template class NonlinearInteraction<float>;
template class NonlinearInteraction<double>;

}  // namespace equifuse
