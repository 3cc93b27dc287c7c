#include "models/mace/mace_interaction.hpp"

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"
#include "models/mace/nonlinear_interaction.hpp"
#include "models/mace/real_agnostic_interaction.hpp"

namespace equifuse {

TensorProductProblem mace_convolution_problem(const MaceInteractionConfig& ic,
                                              const std::string& layer) {
  TensorProductProblem problem = channelwise_tensor_product(
      ic.edge_irreps, ic.edge_attrs_irreps, ic.target_irreps, {.shared_weights = false});
  if (problem.irreps_out() != ic.conv_irreps_out) {
    throw Error(layer + " convolution output " + problem.irreps_out().to_string() +
                " differs from the file's " + ic.conv_irreps_out.to_string());
  }
  return problem;
}

template <typename T>
std::unique_ptr<MaceInteraction<T>> make_mace_interaction(
    const Engine& engine, const MaceInteractionConfig& config, int index,
    const MaceProductConfig& product, const SpeciesSelection& species,
    double radial_activation_scale, const ParameterStore& parameters) {
  if (config.nonlinear()) {
    return std::make_unique<NonlinearInteraction<T>>(engine, config, index, product, species,
                                                     parameters);
  }
  return std::make_unique<RealAgnosticInteraction<T>>(engine, config, index, product, species,
                                                      radial_activation_scale, parameters);
}

template std::unique_ptr<MaceInteraction<float>> make_mace_interaction<float>(
    const Engine&, const MaceInteractionConfig&, int, const MaceProductConfig&,
    const SpeciesSelection&, double, const ParameterStore&);
template std::unique_ptr<MaceInteraction<double>> make_mace_interaction<double>(
    const Engine&, const MaceInteractionConfig&, int, const MaceProductConfig&,
    const SpeciesSelection&, double, const ParameterStore&);

}  // namespace equifuse
