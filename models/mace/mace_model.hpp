// A MACE model (mace-torch's MACE / ScaleShiftMACE) evaluated on equifuse kernels, on the host:
// energy, per-node energies and dE/d(edge vector) by a hand-written backward pass through every
// layer (no autograd). Layers, in MACE's names:
//   node_embedding (linear of the one-hot species), spherical harmonics and Bessel x cutoff radial
//   embedding of every edge; per interaction: linear_up, radial MLP -> per-edge weights, the fused
//   uvu graph convolution (kernels/convolution), linear / avg_num_neighbors, skip connection
//   (species-dependent linear); per product: symmetric contraction, linear (+ skip); per readout:
//   linear or linear-SiLU-linear; node energy = E0[species] + shift + scale * sum of readouts.
#pragma once

#include <memory>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/mace/mace_config.hpp"
#include "models/mace/symmetric_contraction.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

template <typename T>
class MaceModel final : public Potential {
 public:
  // Takes every tensor the config implies from `parameters` (checking names and shapes).
  MaceModel(MaceConfig config, const ParameterStore& parameters);
  ~MaceModel() override;

  const PotentialInfo& info() const override { return info_; }
  const MaceConfig& config() const { return config_; }
  PotentialOutput evaluate(const AtomicGraph& graph) const override;

 private:
  template <typename U>
  friend class MaceCudaModel;  // builds its device layers from these host layers

  struct Interaction {
    MaceInteractionConfig::Kind kind;
    std::unique_ptr<EquivariantLinear<T>> linear_up, linear;
    std::unique_ptr<RadialMlp<T>> radial_mlp;
    std::unique_ptr<GraphConvolution<T>> convolution;
    std::unique_ptr<SpeciesLinear<T>> skip;
  };
  struct Product {
    std::unique_ptr<SymmetricContraction<T>> contraction;
    std::unique_ptr<EquivariantLinear<T>> linear;
    bool use_skip_connection;
  };
  struct Readout {
    std::unique_ptr<EquivariantLinear<T>> linear_1, linear_2;  // linear_2 only if non-linear
    double activation_scale = 1;
    int hidden_dim = 0;
  };

  MaceConfig config_;
  PotentialInfo info_;
  int num_species_;
  std::unique_ptr<EquivariantLinear<T>> embedding_;
  std::vector<double> atomic_energies_;
  std::unique_ptr<EdgeEmbedding> edge_embedding_;
  std::vector<Interaction> interactions_;
  std::vector<Product> products_;
  std::vector<Readout> readouts_;
};

}  // namespace equifuse
