// What the CUDA models share around their device pass: the host graph is checked and copied to the
// device once, the model runs there, and either the edge gradients (evaluate) or only per-node
// forces and virials summed on the device (evaluate_forces, what MD uses) come back.
#pragma once

#include <string>

#include "models/cuda/device_layers.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

class CudaPotential : public Potential {
 public:
  PotentialOutput evaluate(const AtomicGraph& graph) const final;
  PotentialForces evaluate_forces(const AtomicGraph& graph) const final;

 protected:
  explicit CudaPotential(std::string model_name) : model_name_(std::move(model_name)) {}
  // Energy and node energies (edge_gradients left empty); dE/d(edge vector) into `edge_gradients`.
  virtual PotentialOutput evaluate_on_device(const AtomicGraph& graph,
                                             const DeviceGraph& device_graph,
                                             DeviceArray<double>& edge_gradients) const = 0;
  virtual const ModelKernels& kernels() const = 0;

 private:
  std::string model_name_;  // in error messages: "MACE: ..."
};

}  // namespace equifuse
