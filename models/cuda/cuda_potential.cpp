#include "models/cuda/cuda_potential.hpp"

namespace equifuse {
namespace {

// The energy as the host models sum it: node by node, in order.
double sum_in_order(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum;
}

}  // namespace

PotentialOutput CudaPotential::evaluate(const AtomicGraph& graph) const {
  check_atomic_graph(graph, static_cast<int>(info().species.size()), model_name_);
  const DeviceGraph device_graph(graph, kernels());
  DeviceArray<double> node_energies, edge_gradients;
  evaluate_on_device(device_graph, node_energies, edge_gradients);
  PotentialOutput out;
  out.node_energies = node_energies.download();
  out.energy = sum_in_order(out.node_energies);
  out.edge_gradients = edge_gradients.download();
  return out;
}

PotentialForces CudaPotential::evaluate_forces(const AtomicGraph& graph) const {
  check_atomic_graph(graph, static_cast<int>(info().species.size()), model_name_);
  const DeviceGraph device_graph(graph, kernels());
  DeviceArray<double> node_energies, edge_gradients;
  evaluate_on_device(device_graph, node_energies, edge_gradients);
  PotentialForces out;
  out.node_energies = node_energies.download();
  out.energy = sum_in_order(out.node_energies);
  out.forces = device_forces_and_virial(kernels(), device_graph, edge_gradients);
  return out;
}

DeviceForces CudaPotential::evaluate_forces_on_device(const DeviceGraphInput& graph,
                                                      DeviceTotals totals) const {
  const DeviceGraph device_graph(graph, kernels());
  DeviceForces out;
  DeviceArray<double> edge_gradients;
  evaluate_on_device(device_graph, out.node_energies, edge_gradients);
  device_node_forces(kernels(), device_graph, edge_gradients, out.forces, out.atomic_virials);
  if (totals.energy) out.energy = device_column_sums(kernels(), out.node_energies, 1)[0];
  if (totals.virial) {
    const std::vector<double> virial = device_column_sums(kernels(), out.atomic_virials, 9);
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) out.virial[a][b] = virial[3 * a + b];
  }
  return out;
}

}  // namespace equifuse
