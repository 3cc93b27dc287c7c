#include "models/mace/mace_interaction.hpp"

#include "models/mace/nonlinear_interaction.hpp"
#include "models/mace/real_agnostic_interaction.hpp"

namespace equifuse {

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
