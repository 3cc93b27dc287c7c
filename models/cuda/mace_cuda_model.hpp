// MACE on the GPU: the host model's layers (models/mace) copied to the device once, the fused
// CUDA graph convolution (kernels/convolution) and the model kernels (model_kernels) for
// everything else; forward and hand-written backward as in MaceModel. Host graph in; energies
// and edge gradients, or forces and virials summed on the device, out (CudaPotential).
#pragma once

#include <memory>

#include "models/cuda/cuda_potential.hpp"
#include "models/mace/mace_model.hpp"

namespace equifuse {

template <typename T>
class MaceCudaModel final : public CudaPotential {
 public:
  explicit MaceCudaModel(std::unique_ptr<MaceModel<T>> host);
  ~MaceCudaModel() override;
  const PotentialInfo& info() const override { return info_; }

 private:
  void evaluate_on_device(const DeviceGraph& device_graph, DeviceArray<double>& node_energies,
                          DeviceArray<double>& edge_gradients) const override;
  const ModelKernels& kernels() const override { return *kernels_; }

  struct Layer {
    std::unique_ptr<DeviceLinear<T>> linear_up, linear, skip, product_linear, readout_1, readout_2;
    std::unique_ptr<DeviceMlp<T>> radial_mlp;
    std::unique_ptr<DeviceSymmetricContraction<T>> contraction;
    std::unique_ptr<GraphConvolution<T>> convolution;
    bool plain = false, use_skip = false;
    double readout_scale = 1;
    int readout_hidden = 0;
  };
  std::unique_ptr<MaceModel<T>> host_;
  PotentialInfo info_;
  std::unique_ptr<ModelKernels> kernels_;
  DeviceArray<double> node_energy_scale_, node_energy_offset_;  // node energy = scale * readout + offset, by species
  std::unique_ptr<DeviceLinear<T>> embedding_;
  std::unique_ptr<DeviceEdgeEmbedding<T>> edge_embedding_;
  std::vector<Layer> layers_;
};

}  // namespace equifuse
