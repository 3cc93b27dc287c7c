// What the CUDA models share around their device pass: the graph goes to the device once (from
// the host, or already there: evaluate_forces_on_device, for the Kokkos pair style), the model runs
// there, and either the edge gradients (evaluate), per-node forces and virials summed on the device
// (evaluate_forces, what MD uses), or those left on the device come back.
#pragma once

#include <string>

#include "models/cuda/device_layers.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

// Which sums of evaluate_forces_on_device come back to the host (each is a kernel and a wait for
// it; an MD step needs them only when LAMMPS tallies energy or virial).
struct DeviceTotals {
  bool energy = true, virial = true;
};

// Results that stay on the device; only the energy and the virial (as asked) reach the host.
struct DeviceForces {
  double energy = 0;
  Matrix3 virial{};
  DeviceArray<double> node_energies;           // [num_local]
  DeviceArray<double> forces, atomic_virials;  // [num_nodes][3], [num_nodes][3][3]
};

class CudaPotential : public Potential {
 public:
  PotentialOutput evaluate(const AtomicGraph& graph) const final;
  PotentialForces evaluate_forces(const AtomicGraph& graph) const final;
  // The graph's arrays are device pointers; node indices and species are trusted (built on the
  // device by the caller, not checked on the host).
  DeviceForces evaluate_forces_on_device(const DeviceGraphInput& graph,
                                         DeviceTotals totals = {}) const;

 protected:
  explicit CudaPotential(std::string model_name) : model_name_(std::move(model_name)) {}
  // Node energies [num_local] and dE/d(edge vector) [num_edges][3], on the device.
  virtual void evaluate_on_device(const DeviceGraph& device_graph,
                                  DeviceArray<double>& node_energies,
                                  DeviceArray<double>& edge_gradients) const = 0;
  virtual const ModelKernels& kernels() const = 0;

 private:
  std::string model_name_;  // in error messages: "MACE: ..."
};

}  // namespace equifuse
