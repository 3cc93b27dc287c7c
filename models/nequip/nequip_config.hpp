// Hyperparameters of a NequIP model (nequip >= 0.7 NequIPGNNModel), as the potential file's
// "config" metadata stores them (python/equifuse_export/nequip_export.py;
// docs/potential-format.md).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/potential/pair_repulsion_config.hpp"

namespace equifuse {

struct NequipLayerConfig {
  Irreps irreps_in;        // node features in (and linear_1 out)
  Irreps conv_irreps_mid;  // tensor-product output (sorted, not simplified)
  std::vector<std::array<int, 3>> conv_instructions;  // (i_in1, i_in2, i_out), uvu, weighted
  Irreps linear_2_irreps_in;                          // conv_irreps_mid simplified
  Irreps irreps_conv_out;                             // linear_2 out = gate in
  Irreps irreps_out;                                  // gate out
  bool self_connection = false, resnet = false;
  std::vector<int> radial_mlp;            // widths, num_bessel first
  std::vector<double> radial_mlp_scales;  // NequIP's per-layer alpha
};

struct NequipConfig {
  std::vector<int> species;
  double r_max = 0;
  std::string energy_unit, length_unit;
  int num_bessel = 0, polynomial_cutoff_p = 0;
  double bessel_prefactor = 0;
  Irreps spherical_harmonics_irreps;
  int type_embedding_dim = 0;
  std::vector<NequipLayerConfig> layers;
  std::vector<int> readout_mlp;
  std::vector<double> readout_mlp_scales;
  // nequip's ZBL pair potential (format 2), added to the per-atom energies after their scale and
  // shift; cutoff r_max.
  std::optional<PairRepulsionConfig> pair_repulsion;

  static NequipConfig from_json(const std::string& text);
};

}  // namespace equifuse
