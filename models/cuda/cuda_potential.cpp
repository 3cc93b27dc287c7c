#include "models/cuda/cuda_potential.hpp"

namespace equifuse {

PotentialOutput CudaPotential::evaluate(const AtomicGraph& graph) const {
  check_atomic_graph(graph, static_cast<int>(info().species.size()), model_name_);
  const DeviceGraph device_graph(graph, kernels());
  DeviceArray<double> edge_gradients;
  PotentialOutput out = evaluate_on_device(graph, device_graph, edge_gradients);
  out.edge_gradients = edge_gradients.download();
  return out;
}

PotentialForces CudaPotential::evaluate_forces(const AtomicGraph& graph) const {
  check_atomic_graph(graph, static_cast<int>(info().species.size()), model_name_);
  const DeviceGraph device_graph(graph, kernels());
  DeviceArray<double> edge_gradients;
  PotentialOutput out = evaluate_on_device(graph, device_graph, edge_gradients);
  return {out.energy, std::move(out.node_energies),
          device_forces_and_virial(kernels(), device_graph, edge_gradients)};
}

}  // namespace equifuse
