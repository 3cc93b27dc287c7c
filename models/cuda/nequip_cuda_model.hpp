// NequIP on the GPU: the host model's layers (models/nequip) copied to the device once, the fused
// CUDA graph convolution and the model kernels; forward and hand-written backward as in
// NequipModel. Host graph in; energies and edge gradients, or forces and virials, out
// (CudaPotential), like MaceCudaModel.
#pragma once

#include <memory>

#include "models/cuda/cuda_potential.hpp"
#include "models/nequip/nequip_model.hpp"

namespace equifuse {

template <typename T>
class NequipCudaModel final : public CudaPotential {
 public:
  explicit NequipCudaModel(std::unique_ptr<NequipModel<T>> host);
  ~NequipCudaModel() override;
  const PotentialInfo& info() const override { return info_; }

 private:
  void evaluate_on_device(const DeviceGraph& device_graph, DeviceArray<double>& node_energies,
                          DeviceArray<double>& edge_gradients) const override;
  const ModelKernels& kernels() const override { return *kernels_; }

  struct DeviceGate {
    DeviceArray<int> scalar_index, scalar_activation, gate_index, gate_activation, gated_index, gated_gate;
    DeviceArray<T> scalar_scale, gate_scale;
    int dim_in = 0, num_scalars = 0, num_gated = 0;
  };
  struct Layer {
    std::unique_ptr<DeviceLinear<T>> self_connection, linear_1, linear_2;
    std::unique_ptr<DeviceMlp<T>> radial_mlp;
    std::unique_ptr<GraphConvolution<T>> convolution;
    DeviceGate gate;
    DeviceArray<T> neighbor_norm;
    bool resnet = false;
  };
  std::unique_ptr<NequipModel<T>> host_;
  PotentialInfo info_;
  std::unique_ptr<ModelKernels> kernels_;
  DeviceArray<double> node_energy_scale_, node_energy_offset_;  // node energy = scale * readout + offset, by species
  DeviceArray<T> type_embedding_, energy_scales_;  // energy_scales_: the backward pass's seed
  std::unique_ptr<DeviceEdgeEmbedding<T>> edge_embedding_;
  std::unique_ptr<DeviceMlp<T>> readout_;
  std::vector<Layer> layers_;
};

}  // namespace equifuse
