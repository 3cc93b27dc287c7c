// The "pair_repulsion" entry of a potential file's config (MACE's ZBLBasis, NequIP's ZBL): the
// constants of the screened-Coulomb form of models/layers/pair_repulsion.hpp. The per-pair cutoff
// is the sum of covalent radii (tensor "pair_repulsion.covalent_radii", per species) where
// `covalent_radius_cutoff`, else the model's r_max.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "models/layers/pair_repulsion.hpp"
#include "models/potential/json_fields.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

struct PairRepulsionConfig {
  double prefactor = 0, screening_length = 0, screening_exponent = 0;
  std::array<double, 4> coefficients{}, exponents{};
  int p = 0;
  bool covalent_radius_cutoff = true;
};

// Absent or null: no pair repulsion. `model` names the model in errors.
std::optional<PairRepulsionConfig> read_pair_repulsion_config(const json_fields::Json& config,
                                                              const std::string& model);

// The layer's parameters for the kept species (covalent radii read from `parameters`).
PairRepulsionParameters pair_repulsion_parameters(const PairRepulsionConfig& config,
                                                  const SpeciesSelection& species,
                                                  const ParameterStore& parameters, double r_max);

}  // namespace equifuse
