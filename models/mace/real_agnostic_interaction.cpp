#include "models/mace/real_agnostic_interaction.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
RealAgnosticInteraction<T>::RealAgnosticInteraction(const Engine& engine,
                                                    const MaceInteractionConfig& ic, int index,
                                                    const MaceProductConfig& product,
                                                    const SpeciesSelection& species,
                                                    double radial_activation_scale,
                                                    const ParameterStore& p)
    : engine_(engine),
      residual_(ic.residual()),
      gives_skip_(residual_ && product.use_skip_connection) {
  const Irreps& product_out = product.irreps_out;
  const std::string t = std::to_string(index);
  const std::string prefix = "interactions." + t + ".";
  linear_up_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear_up",
                                                     ic.node_feats_irreps, ic.edge_irreps);
  const TensorProductProblem problem = mace_convolution_problem(ic, "MACE: layer " + t);
  convolution_ = std::make_unique<RadialConvolution<T>>(
      engine, problem,
      std::make_unique<RadialMlp<T>>(
          engine, ic.radial_mlp, p.mlp_weights(prefix + "radial_mlp.", ic.radial_mlp),
          RadialMlp<T>::fan_in_scales(ic.radial_mlp), radial_activation_scale),
      "MACE: layer " + t);
  // The Density blocks divide by 1 + density instead of avg_num_neighbors.
  linear_ = EquivariantLinear<T>::from_parameters(engine, p, prefix + "linear", ic.conv_irreps_out,
                                                  ic.target_irreps,
                                                  ic.density() ? 1.0 : 1.0 / ic.avg_num_neighbors);
  if (ic.density()) {
    // e3nn FullyConnectedNet([num_basis, 1]): one linear layer, no activation.
    density_mlp_ = std::make_unique<RadialMlp<T>>(
        engine, ic.density_mlp, p.mlp_weights(prefix + "density_mlp.", ic.density_mlp),
        RadialMlp<T>::fan_in_scales(ic.density_mlp), radial_activation_scale);
    density_ = std::make_unique<EdgeDensity<T>>(engine, 1.0, 1.0);
  }
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
RealAgnosticInteraction<T>::~RealAgnosticInteraction() = default;

template <typename T>
typename RealAgnosticInteraction<T>::Output RealAgnosticInteraction<T>::forward(
    const EngineGraph& graph, const EdgeStream<T>& edges, const T* h, Saved& saved) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  saved.up = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_up_->dim_out()));
  linear_up_->forward(nodes, h, saved.up.data());
  Output out;
  out.message = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_->dim_out()));
  Buffer<T> densities = density_ ? engine_.buffer<T>(nodes) : Buffer<T>();
  edges.forward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f) {
    convolution_->forward(block, f, f.radial.data(), saved.up.data(), *linear_, out.message.data());
    if (density_) {
      density_->sum_block(block, *density_mlp_, f.radial.data(),
                          f.cutoff.empty() ? nullptr : f.cutoff.data(), densities.data());
    }
  });
  if (density_) {
    density_->normalize(nodes, std::move(densities), out.message, linear_->dim_out(),
                        saved.density);
  }
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
void RealAgnosticInteraction<T>::backward(const EngineGraph& graph, EdgeStream<T>& edges,
                                          const Saved& saved, const T* grad_message,
                                          const T* grad_skip, T* grad_h) const {
  const std::size_t nodes = graph.num_nodes;
  const int* species = graph.species.data();
  if (gives_skip_) skip_->backward(nodes, grad_skip, species, grad_h);
  // dE/d(the linear's output, after any density division)
  Buffer<T> grad_linear_out;
  if (!residual_) {
    grad_linear_out = engine_.buffer<T>(nodes * static_cast<std::size_t>(skip_->dim_in()));
    skip_->backward(nodes, grad_message, species, grad_linear_out.data(), false);
  } else if (density_) {
    grad_linear_out =
        engine_.copy_of(grad_message, nodes * static_cast<std::size_t>(linear_->dim_out()));
  }
  const Buffer<T> grad_density =
      density_ ? density_->node_backward(nodes, saved.density, grad_linear_out, linear_->dim_out())
               : Buffer<T>();
  const T* grad_linear = grad_linear_out.empty() ? grad_message : grad_linear_out.data();
  Buffer<T> grad_up = engine_.zeros<T>(saved.up.size());
  edges.backward([&](const EdgeBlock& block, const typename EdgeEmbedding<T>::Features& f,
                     typename EdgeStream<T>::Gradients& g) {
    convolution_->backward(block, f, f.radial.data(), saved.up.data(), *linear_, grad_linear,
                           grad_up.data(), g.sh, g.radial.data(), g.cutoff_or_null());
    if (density_) {
      density_->block_backward(block, *density_mlp_, f.radial.data(),
                               f.cutoff.empty() ? nullptr : f.cutoff.data(), grad_density.data(),
                               g.radial.data(), g.cutoff_or_null());
    }
  });
  linear_up_->backward(nodes, grad_up.data(), grad_h);
}

template class RealAgnosticInteraction<float>;
template class RealAgnosticInteraction<double>;

}  // namespace equifuse
