// A MACE model (mace-torch's MACE / ScaleShiftMACE, from MACE-MP-0a to MACE-MH-1 and MACE-OMOL)
// on the engine: energy, per-node energies and dE/d(edge vector) by a hand-written backward pass
// through every block (no autograd), once for every backend. Blocks, in MACE's names:
//   node_embedding (a table per species; plus the joint embedding of total charge and spin),
//   the radial embedding (basis, distance transform, polynomial cutoff on the basis or on the
//   MLPs' outputs) and spherical harmonics of every edge; per layer an interaction block
//   (mace_interaction.hpp), a product block (mace_product.hpp) and, where the model has one, a
//   readout (mace_readout.hpp) of the selected head; ZBL pair repulsion;
//   node energy = E0[head][species] + shift[head] + scale[head] * (readouts + pair repulsion).
// Between layers the node features of ghost nodes can come from their owners (GhostExchange).
#pragma once

#include <memory>
#include <vector>

#include "models/engine/model_potential.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/pair_repulsion.hpp"
#include "models/mace/mace_config.hpp"
#include "models/mace/mace_interaction.hpp"
#include "models/mace/mace_product.hpp"
#include "models/mace/mace_readout.hpp"
#include "models/potential/model_options.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class MaceModel final : public ModelPotential {
 public:
  // Takes every tensor the config implies from `parameters` (checking names and shapes), for the
  // backend, elements, head and per-structure inputs of `options`.
  MaceModel(MaceConfig config, const ParameterStore& parameters, const ModelOptions& options = {});
  ~MaceModel() override;

  const MaceConfig& config() const { return config_; }

 private:
  Result run(const EngineGraph& graph, const GhostExchange* exchange) const override;

  MaceConfig config_;  // species: the kept ones
  SpeciesSelection species_;
  int head_;
  int embedding_dim_;
  Buffer<T> embedding_;                          // [species][embedding_dim_]
  Buffer<double> energy_scale_, energy_offset_;  // node energy = scale * (readouts + pair) + offset
  std::unique_ptr<EdgeEmbedding<T>> edge_embedding_;
  std::vector<std::unique_ptr<MaceInteraction<T>>> interactions_;
  std::vector<std::unique_ptr<MaceProduct<T>>> products_;
  std::vector<std::unique_ptr<MaceReadout<T>>> readouts_;  // by layer; null where it has none
  std::unique_ptr<PairRepulsion> pair_repulsion_;
};

}  // namespace equifuse
