// A NequIP model (nequip >= 0.7 NequIPGNNModel) on the engine, with a hand-written backward pass,
// once for every backend. Layers, in NequIP's names: type embedding (a table; also the attributes
// of the self-connections), the edge embedding (spherical harmonics, Bessel x polynomial cutoff);
// convnet layers (nequip_convnet_layer.hpp); the readout MLP; per-type energy scale and shift.
// Between layers the node features of ghost nodes can come from their owners (GhostExchange).
#pragma once

#include <memory>
#include <vector>

#include "models/engine/model_potential.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/pair_repulsion.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/nequip/nequip_config.hpp"
#include "models/nequip/nequip_convnet_layer.hpp"
#include "models/potential/model_options.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class NequipModel final : public ModelPotential {
 public:
  // For the species of options.elements (default: all of the config's). NequIP models have one
  // head ("default").
  NequipModel(NequipConfig config, const ParameterStore& parameters,
              const ModelOptions& options = {});
  ~NequipModel() override;

 private:
  Result run(const EngineGraph& graph, const GhostExchange* exchange) const override;

  NequipConfig config_;       // species: the kept ones
  Buffer<T> type_embedding_;  // [species][type_embedding_dim]
  std::unique_ptr<EdgeEmbedding<T>> edge_embedding_;
  std::vector<std::unique_ptr<NequipConvnetLayer<T>>> layers_;
  std::unique_ptr<RadialMlp<T>> readout_;
  Buffer<T> energy_seed_;                          // energy scale per species: the backward's seed
  Buffer<double> energy_scale_, energy_shift_;     // node energy = scale * readout + shift
  std::unique_ptr<PairRepulsion> pair_repulsion_;  // + ZBL, unscaled
};

}  // namespace equifuse
