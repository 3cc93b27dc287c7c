// A MACE model (mace-torch's MACE / ScaleShiftMACE) on the engine: energy, per-node energies and
// dE/d(edge vector) by a hand-written backward pass through every block (no autograd), once for
// every backend. Blocks, in MACE's names:
//   node_embedding (a linear of the one-hot species: a table per species), the edge embedding
//   (spherical harmonics, Bessel x cutoff radial basis); per layer: an interaction block
//   (mace_interaction.hpp), a product block (mace_product.hpp) and a readout (mace_readout.hpp);
//   node energy = E0[species] + shift + scale * sum of readouts.
// Between layers the node features of ghost nodes can come from their owners (GhostExchange).
#pragma once

#include <memory>
#include <vector>

#include "models/engine/model_potential.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/mace/mace_config.hpp"
#include "models/mace/mace_interaction.hpp"
#include "models/mace/mace_product.hpp"
#include "models/mace/mace_readout.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class MaceModel final : public ModelPotential {
 public:
  // Takes every tensor the config implies from `parameters` (checking names and shapes) and places
  // the model on `backend`, for the species `species` keeps (default: all of the config's).
  MaceModel(MaceConfig config, const ParameterStore& parameters, Backend backend = Backend::cpu,
            const std::vector<int>& elements = {});
  ~MaceModel() override;

  const MaceConfig& config() const { return config_; }

 private:
  Result run(const EngineGraph& graph, const GhostExchange* exchange) const override;

  MaceConfig config_;  // species: the kept ones
  SpeciesSelection species_;
  int embedding_dim_;
  Buffer<T> embedding_;                          // [species][embedding_dim_]
  Buffer<double> energy_scale_, energy_offset_;  // node energy = scale * readouts + offset
  std::unique_ptr<EdgeEmbedding<T>> edge_embedding_;
  std::vector<std::unique_ptr<MaceInteraction<T>>> interactions_;
  std::vector<std::unique_ptr<MaceProduct<T>>> products_;
  std::vector<std::unique_ptr<MaceReadout<T>>> readouts_;
};

}  // namespace equifuse
