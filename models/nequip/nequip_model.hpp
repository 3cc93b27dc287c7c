// A NequIP model (nequip >= 0.7 NequIPGNNModel) evaluated on equifuse kernels, on the host, with a
// hand-written backward pass. Layers, in NequIP's names: type embedding (a table; also the
// attributes of the self-connections), spherical harmonics and Bessel x polynomial-cutoff edge
// embedding; per convnet layer: self-connection (species-dependent linear), linear_1, the
// 1/sqrt(avg_num_neighbors) normalisation (global or per type), radial MLP -> per-edge weights,
// the fused uvu graph convolution (kernels/convolution), linear_2, gate, optional resnet; readout
// MLP; per-type energy scale and shift.
#pragma once

#include <memory>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/gate.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/nequip/nequip_config.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

template <typename T>
class NequipModel final : public Potential {
 public:
  NequipModel(NequipConfig config, const ParameterStore& parameters);
  ~NequipModel() override;
  const PotentialInfo& info() const override { return info_; }
  PotentialOutput evaluate(const AtomicGraph& graph) const override;

 private:
  template <typename U>
  friend class NequipCudaModel;  // builds its device layers from these host layers

  struct Layer {
    std::unique_ptr<SpeciesLinear<T>> self_connection;  // null without
    std::unique_ptr<EquivariantLinear<T>> linear_1, linear_2;
    std::unique_ptr<RadialMlp<T>> radial_mlp;
    std::unique_ptr<GraphConvolution<T>> convolution;
    std::unique_ptr<Gate<T>> gate;
    std::vector<T> neighbor_norm;  // per species
    bool resnet = false;
  };
  NequipConfig config_;
  PotentialInfo info_;
  int num_species_;
  std::vector<T> type_embedding_;  // [species][dim]
  std::unique_ptr<EdgeEmbedding> edge_embedding_;
  std::vector<Layer> layers_;
  std::unique_ptr<RadialMlp<T>> readout_;
  std::vector<double> energy_scales_, energy_shifts_;
};

}  // namespace equifuse
