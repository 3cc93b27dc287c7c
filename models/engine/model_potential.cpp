#include "models/engine/model_potential.hpp"

#include <algorithm>

#include "models/potential/model_options.hpp"

namespace equifuse {

namespace {

// The energy as a host loop sums it: node by node, in order.
double sum_in_order(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum;
}

}  // namespace

ModelKernelSpec model_kernel_spec(Precision precision, const Irreps& spherical_harmonics) {
  ModelKernelSpec spec{precision, {}};
  for (const MulIrrep& block : spherical_harmonics) spec.sh_degrees.push_back(block.ir.l);
  return spec;
}

ModelPotential::ModelPotential(Backend backend, const ModelKernelSpec& kernels,
                               std::string model_name)
    : engine_(backend, kernels), model_name_(std::move(model_name)) {}

void ModelPotential::set_edge_memory(const std::optional<std::size_t>& bytes,
                                     std::size_t bytes_per_edge) {
  info_.edge_memory = bytes.value_or(
      default_edge_memory(engine_.space() == MemorySpace::host ? Backend::cpu : Backend::cuda));
  info_.edge_bytes = bytes_per_edge;
  info_.block_edges =
      info_.edge_memory == 0 ? 0 : std::max<std::size_t>(1, info_.edge_memory / bytes_per_edge);
}

PotentialOutput ModelPotential::evaluate(const AtomicGraph& graph,
                                         const GhostExchange* exchange) const {
  const EngineGraph g =
      make_engine_graph(engine_, graph, static_cast<int>(info_.species.size()), model_name_);
  const Result result = run(g, exchange);
  PotentialOutput out;
  out.node_energies = engine_.download(result.node_energies);
  out.energy = sum_in_order(out.node_energies);
  out.edge_gradients = engine_.download(result.edge_gradients);
  return out;
}

PotentialForces ModelPotential::evaluate_forces(const AtomicGraph& graph,
                                                const GhostExchange* exchange) const {
  const EngineGraph g =
      make_engine_graph(engine_, graph, static_cast<int>(info_.species.size()), model_name_);
  const Result result = run(g, exchange);
  Buffer<double> forces, virials;
  node_forces_and_virials(engine_, g, result.edge_gradients, forces, virials);
  PotentialForces out;
  out.node_energies = engine_.download(result.node_energies);
  out.energy = sum_in_order(out.node_energies);
  out.forces.forces = engine_.download(forces);
  out.forces.atomic_virials = engine_.download(virials);
  // The virial as the sum of the per-node virials, node by node.
  const std::vector<double>& w = out.forces.atomic_virials;
  for (std::size_t n = 0; n < g.num_nodes; ++n)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) out.forces.virial[a][b] += w[9 * n + 3 * a + b];
  return out;
}

ResidentForces ModelPotential::evaluate_forces_resident(const ResidentGraph& graph,
                                                        ResidentTotals totals,
                                                        const GhostExchange* exchange) const {
  const EngineGraph g = make_engine_graph(engine_, graph);
  Result result = run(g, exchange);
  ResidentForces out;
  node_forces_and_virials(engine_, g, result.edge_gradients, out.forces, out.atomic_virials);
  out.node_energies = std::move(result.node_energies);
  if (totals.energy) out.energy = engine_.column_sums(out.node_energies, 1)[0];
  if (totals.virial) {
    const std::vector<double> virial = engine_.column_sums(out.atomic_virials, 9);
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) out.virial[a][b] = virial[3 * a + b];
  }
  // The caller reads the arrays on its own stream.
  engine_.synchronize();
  return out;
}

}  // namespace equifuse
