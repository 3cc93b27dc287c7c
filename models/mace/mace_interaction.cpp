#include "models/mace/mace_interaction.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

template <typename T>
MaceInteraction<T>::MaceInteraction(const Engine& engine, const MaceInteractionConfig& ic,
                                    int index, const MaceProductConfig& product,
                                    const SpeciesSelection& species, double radial_activation_scale,
                                    const ParameterStore& p)
    : engine_(engine),
      residual_(ic.kind == MaceInteractionConfig::Kind::residual),
      gives_skip_(residual_ && product.use_skip_connection) {
  const Irreps& product_out = product.irreps_out;
  const std::string t = std::to_string(index);
  const std::string prefix = "interactions." + t + ".";
  linear_up_ = std::make_unique<EquivariantLinear<T>>(
      engine, ic.node_feats_irreps, ic.edge_irreps,
      p.vector(prefix + "linear_up.weight",
               EquivariantLinear<T>::weight_numel(ic.node_feats_irreps, ic.edge_irreps)));
  const TensorProductProblem problem = channelwise_tensor_product(
      ic.edge_irreps, ic.edge_attrs_irreps, ic.target_irreps, {.shared_weights = false});
  if (problem.irreps_out() != ic.conv_irreps_out) {
    throw Error("MACE: layer " + t + " convolution output " + problem.irreps_out().to_string() +
                " differs from the file's " + ic.conv_irreps_out.to_string());
  }
  std::vector<std::span<const double>> mlp_weights;
  for (std::size_t k = 0; k + 1 < ic.radial_mlp.size(); ++k) {
    const auto& w = p.reals(prefix + "radial_mlp." + std::to_string(k) + ".weight",
                            {ic.radial_mlp[k], ic.radial_mlp[k + 1]});
    mlp_weights.emplace_back(w.data(), w.size());
  }
  convolution_ = std::make_unique<RadialConvolution<T>>(
      engine, problem, ic.radial_mlp, mlp_weights, RadialMlp<T>::fan_in_scales(ic.radial_mlp),
      radial_activation_scale, "MACE: layer " + t);
  linear_ = std::make_unique<EquivariantLinear<T>>(
      engine, ic.conv_irreps_out, ic.target_irreps,
      p.vector(prefix + "linear.weight",
               EquivariantLinear<T>::weight_numel(ic.conv_irreps_out, ic.target_irreps)),
      1.0 / ic.avg_num_neighbors);
  // plain: skip acts on the message (target -> target); residual: on the input (-> output).
  const Irreps& skip_in = residual_ ? ic.node_feats_irreps : ic.target_irreps;
  const Irreps& skip_out = residual_ ? product_out : ic.target_irreps;
  if (ic.skip_irreps_in != skip_in || ic.skip_irreps_out != skip_out) {
    throw Error("MACE: layer " + t + " skip connection irreps do not fit");
  }
  // A tensor product with the file's one-hot species, folded for the kept ones.
  skip_ = std::make_unique<SpeciesLinear<T>>(
      engine, ic.skip_irreps_in, species.count(), species.one_hot(), species.file_count(),
      ic.skip_irreps_out,
      p.vector(prefix + "skip_tp.weight",
               SpeciesLinear<T>::weight_numel(ic.skip_irreps_in, species.file_count(),
                                              ic.skip_irreps_out)));
}

template <typename T>
MaceInteraction<T>::~MaceInteraction() = default;

template <typename T>
typename MaceInteraction<T>::Output MaceInteraction<T>::forward(
    const EngineGraph& graph, const typename EdgeEmbedding<T>::Features& edges, const T* h,
    Saved& saved) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  saved.up = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_up_->dim_out()));
  linear_up_->forward(nodes, h, saved.up.data());
  const Buffer<T> convolved = convolution_->forward(graph, edges, saved.up, saved.convolution);
  Output out;
  out.message = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_->dim_out()));
  linear_->forward(nodes, convolved.data(), out.message.data());
  if (gives_skip_) {
    out.skip = engine_.buffer<T>(nodes * static_cast<std::size_t>(skip_->dim_out()));
    skip_->forward(nodes, h, species, out.skip.data());
  } else if (!residual_) {
    Buffer<T> mixed = std::move(out.message);
    out.message = engine_.buffer<T>(nodes * static_cast<std::size_t>(skip_->dim_out()));
    skip_->forward(nodes, mixed.data(), species, out.message.data());
  }
  return out;
}

template <typename T>
void MaceInteraction<T>::backward(const EngineGraph& graph,
                                  const typename EdgeEmbedding<T>::Features& edges,
                                  const Saved& saved, const T* grad_message, const T* grad_skip,
                                  T* grad_h, Buffer<T>& grad_sh, Buffer<T>& grad_radial) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  if (gives_skip_) skip_->backward(nodes, grad_skip, species, grad_h);
  Buffer<T> grad_mixed;
  const T* grad_linear_out = grad_message;
  if (!residual_) {
    grad_mixed = engine_.buffer<T>(nodes * static_cast<std::size_t>(skip_->dim_in()));
    skip_->backward(nodes, grad_message, species, grad_mixed.data(), false);
    grad_linear_out = grad_mixed.data();
  }
  Buffer<T> grad_convolved = engine_.buffer<T>(convolution_->problem().out_size(nodes));
  linear_->backward(nodes, grad_linear_out, grad_convolved.data(), false);
  const Buffer<T> grad_up = convolution_->backward(graph, edges, saved.convolution, saved.up,
                                                   grad_convolved, grad_sh, grad_radial);
  linear_up_->backward(nodes, grad_up.data(), grad_h);
}

template class MaceInteraction<float>;
template class MaceInteraction<double>;

}  // namespace equifuse
