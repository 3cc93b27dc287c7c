#include "models/potential/pair_repulsion_config.hpp"

namespace equifuse {

std::optional<PairRepulsionConfig> read_pair_repulsion_config(const json_fields::Json& config,
                                                              const std::string& model) {
  if (!config.is_object() || !config.contains("pair_repulsion") ||
      config.at("pair_repulsion").is_null()) {
    return std::nullopt;
  }
  const json_fields::Json& z = config.at("pair_repulsion");
  const std::string where = "pair_repulsion";
  PairRepulsionConfig c;
  c.prefactor = json_fields::get<double>(z, "prefactor", where, model);
  c.screening_length = json_fields::get<double>(z, "screening_length", where, model);
  c.screening_exponent = json_fields::get<double>(z, "screening_exponent", where, model);
  c.coefficients = json_fields::get<std::array<double, 4>>(z, "coefficients", where, model);
  c.exponents = json_fields::get<std::array<double, 4>>(z, "exponents", where, model);
  c.p = json_fields::get<int>(z, "polynomial_cutoff_p", where, model);
  const std::string cutoff =
      json_fields::get_or<std::string>(z, "cutoff", "covalent_radii", where, model);
  if (cutoff != "covalent_radii" && cutoff != "r_max") {
    throw Error(model + " config: pair_repulsion.cutoff '" + cutoff +
                "' is not one this build knows (covalent_radii, r_max)");
  }
  c.covalent_radius_cutoff = cutoff == "covalent_radii";
  return c;
}

PairRepulsionParameters pair_repulsion_parameters(const PairRepulsionConfig& config,
                                                  const SpeciesSelection& species,
                                                  const ParameterStore& parameters, double r_max) {
  PairRepulsionParameters p;
  p.atomic_numbers = species.atomic_numbers();
  p.prefactor = config.prefactor;
  p.screening_length = config.screening_length;
  p.screening_exponent = config.screening_exponent;
  p.coefficients = config.coefficients;
  p.exponents = config.exponents;
  p.p = config.p;
  p.r_max = r_max;
  if (config.covalent_radius_cutoff) {
    p.covalent_radii =
        species.rows(parameters.reals("pair_repulsion.covalent_radii", {species.file_count()}), 1);
  }
  return p;
}

}  // namespace equifuse
