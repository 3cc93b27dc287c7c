// Hyperparameters of a MACE model, as the potential file's "config" metadata stores them
// (written by python/equifuse_export/mace_export.py; see docs/potential-format.md).
#pragma once

#include <string>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

struct MaceInteractionConfig {
  enum class Kind { plain, residual };  // RealAgnostic(Residual)InteractionBlock
  Kind kind = Kind::residual;
  Irreps node_feats_irreps;  // input of the layer
  Irreps edge_irreps;        // output of linear_up, first input of the convolution
  Irreps edge_attrs_irreps;  // spherical harmonics
  Irreps conv_irreps_out;    // convolution output (unsimplified, sorted)
  Irreps target_irreps;      // after the linear: C x (spherical harmonics irreps)
  Irreps skip_irreps_in, skip_irreps_out;
  std::vector<int> radial_mlp;  // layer widths, num_bessel first, weight count last
  double avg_num_neighbors = 1;
};

struct MaceContractionConfig {
  Irrep irrep;
  int correlation = 1;
};

struct MaceProductConfig {
  Irreps irreps_in, irreps_out;
  std::vector<MaceContractionConfig> contractions;
  bool use_skip_connection = true;
};

struct MaceReadoutConfig {
  enum class Kind { linear, nonlinear };
  Kind kind = Kind::linear;
  Irreps irreps_in;
  Irreps hidden_irreps;  // nonlinear only
  double activation_scale = 1;
};

struct MaceConfig {
  std::vector<int> species;  // atomic numbers
  double r_max = 0;
  std::string energy_unit, length_unit;
  int num_bessel = 0;
  int polynomial_cutoff_p = 0;
  double bessel_prefactor = 0;
  Irreps spherical_harmonics_irreps;
  double radial_activation_scale = 1;
  std::vector<MaceInteractionConfig> interactions;
  std::vector<MaceProductConfig> products;
  std::vector<MaceReadoutConfig> readouts;
  double scale = 1, shift = 0;

  // Parses the JSON text of the file's "config" entry; throws equifuse::Error naming a missing or
  // malformed key, or an inconsistent combination (layer counts, irreps that do not chain).
  static MaceConfig from_json(const std::string& text);
};

}  // namespace equifuse
