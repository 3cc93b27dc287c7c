// Hyperparameters of a MACE model, as the potential file's "config" metadata stores them
// (written by python/equifuse_export/mace_export.py; see docs/potential-format.md). Format 1 files
// (Bessel basis, cutoff on the basis, plain and residual blocks, one head) read with their
// defaults.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/layers/radial_basis.cuh"
#include "models/potential/pair_repulsion_config.hpp"

namespace equifuse {

// mace-torch's RadialEmbeddingBlock (and its distance transform).
struct MaceRadialConfig {
  RadialBasisKind basis = kBesselBasis;
  int num_basis = 0;
  double prefactor = 0;  // Bessel: the prefactor; Gaussian: the exponent's coefficient
  int polynomial_cutoff_p = 0;
  bool apply_cutoff = true;  // false: the cutoff multiplies the radial MLPs' outputs
  DistanceTransformKind transform = kNoTransform;
  double transform_q = 0, transform_p = 0, transform_a = 0;  // Agnesi's q, p, a; Soft's alpha
};

struct MaceInteractionConfig {
  // RealAgnosticInteractionBlock, RealAgnosticResidualInteractionBlock, the Density variants of
  // both, RealAgnosticResidualNonLinearInteractionBlock.
  enum class Kind { plain, residual, density, density_residual, nonlinear_residual };
  Kind kind = Kind::residual;
  Irreps node_feats_irreps;  // input of the layer
  Irreps edge_irreps;        // output of linear_up, first input of the convolution
  Irreps edge_attrs_irreps;  // spherical harmonics
  Irreps conv_irreps_out;    // convolution output (unsimplified, sorted)
  Irreps target_irreps;      // the message: C x (spherical harmonics irreps)
  Irreps skip_irreps_in, skip_irreps_out;
  // Layer widths of the radial MLP: e3nn's FullyConnectedNet of the radial basis (num_basis
  // first), or (non-linear) mace-torch's layer-norm MLP of [radial basis, sender and receiver
  // species embeddings]; the convolution's weight count last.
  std::vector<int> radial_mlp;
  double avg_num_neighbors = 1;  // plain and residual only (the others divide by a density)
  // Non-linear blocks:
  int species_embedding_dim = 0;  // width of each of the two species embeddings in the MLP inputs
  std::vector<int> density_mlp;   // widths of the density MLP (layer-norm), 1 last
  Irreps irreps_nonlin;           // the gate's input (linear_1's and linear_res's output)
  double layer_norm_eps = 1e-5;

  bool density() const { return kind == Kind::density || kind == Kind::density_residual; }
  bool nonlinear() const { return kind == Kind::nonlinear_residual; }
  // Whether the skip connection acts on the input (and the product adds it).
  bool residual() const {
    return kind == Kind::residual || kind == Kind::density_residual ||
           kind == Kind::nonlinear_residual;
  }
};

struct MaceContractionConfig {
  Irrep irrep;
  int correlation = 1;
};

struct MaceProductConfig {
  Irreps irreps_in, irreps_out;
  std::vector<MaceContractionConfig> contractions;
  bool use_skip_connection = true;
  bool agnostic = false;  // use_agnostic_product: one set of weights for every species
};

struct MaceReadoutConfig {
  enum class Kind { linear, nonlinear };
  Kind kind = Kind::linear;
  int layer = 0;  // the interaction whose output it reads
  Irreps irreps_in;
  Irreps hidden_irreps;  // nonlinear only: (num_heads * M) x 0e
  double activation_scale = 1;
  bool head_mask = false;  // nonlinear with several heads: hidden units of other heads are zeroed
};

// mace-torch's GenericJointEmbedding of per-structure categorical inputs (total charge and spin),
// added to every node's embedding.
struct MaceJointEmbeddingConfig {
  struct Input {
    std::string name;  // "total_charge", "total_spin"
    int num_classes = 0, offset = 0, dim = 0;
  };
  std::vector<Input> inputs;  // in concatenation order
};

struct MaceConfig {
  std::vector<int> species;  // atomic numbers
  double r_max = 0;
  std::string energy_unit, length_unit;
  MaceRadialConfig radial;
  Irreps spherical_harmonics_irreps;
  double radial_activation_scale = 1;
  std::vector<MaceInteractionConfig> interactions;
  std::vector<MaceProductConfig> products;
  std::vector<MaceReadoutConfig> readouts;  // by layer; use_last_readout_only: the last one only
  std::vector<std::string> heads = {"Default"};
  std::vector<double> scale = {1}, shift = {0};       // per head
  std::optional<PairRepulsionConfig> pair_repulsion;  // mace-torch's ZBLBasis
  std::optional<MaceJointEmbeddingConfig> joint_embedding;

  // Parses the JSON text of the file's "config" entry; throws equifuse::Error naming a missing or
  // malformed key, or an inconsistent combination (layer counts, irreps that do not chain).
  static MaceConfig from_json(const std::string& text);
};

}  // namespace equifuse
