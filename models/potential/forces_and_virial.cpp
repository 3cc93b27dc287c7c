#include "models/potential/forces_and_virial.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

ForcesAndVirial forces_and_virial(const AtomicGraph& graph,
                                  const std::vector<double>& edge_gradients) {
  const std::size_t num_edges = graph.num_edges();
  if (edge_gradients.size() != 3 * num_edges) {
    throw Error("forces: edge gradients do not match the graph's edges");
  }
  ForcesAndVirial out;
  out.forces.assign(3 * graph.num_nodes, 0.0);
  out.atomic_virials.assign(9 * graph.num_nodes, 0.0);
  for (std::size_t e = 0; e < num_edges; ++e) {
    const double* g = &edge_gradients[3 * e];
    const double* v = &graph.edge_vectors[3 * e];
    const auto s = static_cast<std::size_t>(graph.senders[e]);
    const auto r = static_cast<std::size_t>(graph.receivers[e]);
    for (int k = 0; k < 3; ++k) {
      out.forces[3 * r + k] -= g[k];
      out.forces[3 * s + k] += g[k];
    }
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) {
        const double w = -0.5 * (g[a] * v[b] + g[b] * v[a]);
        out.virial[a][b] += w;
        out.atomic_virials[9 * s + 3 * a + b] += 0.5 * w;
        out.atomic_virials[9 * r + 3 * a + b] += 0.5 * w;
      }
    }
  }
  return out;
}

Matrix3 stress_from_virial(const Matrix3& virial, double volume) {
  if (!(volume > 0)) throw Error("stress: the structure has no volume (not fully periodic)");
  Matrix3 stress{};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) stress[a][b] = -virial[a][b] / volume;
  return stress;
}

}  // namespace equifuse
