#include "models/potential/atomic_graph.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "kernels/common/error.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {

std::string close_atoms_message(long first, long second, double distance) {
  char apart[64] = "";
  if (!std::isnan(distance)) std::snprintf(apart, sizeof apart, " %.3g Angstrom apart,", distance);
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", kMinimumAtomDistance);
  if (first == second) {
    return "atom " + std::to_string(first) + " is" + apart + " closer than " + limit +
           " Angstrom to its own periodic image: the cell is degenerate; check the lattice vectors";
  }
  return "atoms " + std::to_string(std::min(first, second)) + " and " +
         std::to_string(std::max(first, second)) + " are" + apart + " closer than " + limit +
         " Angstrom (coincident atoms have no finite energy): remove one of them or move them "
         "apart";
}

void check_atomic_graph(const AtomicGraph& graph, int num_species, const std::string& model) {
  const std::size_t num_edges = graph.num_edges();
  if (graph.species.size() != graph.num_nodes || graph.num_local > graph.num_nodes ||
      graph.receivers.size() != num_edges || graph.edge_vectors.size() != 3 * num_edges) {
    throw Error(model + ": inconsistent graph sizes");
  }
  // In parallel: a 10^5-atom graph has millions of edges, and this runs before every evaluation.
  const auto num_nodes = static_cast<std::int64_t>(graph.num_nodes);
  bool bad_species = false;
#pragma omp parallel for schedule(static) reduction(|| : bad_species)
  for (std::int64_t n = 0; n < num_nodes; ++n) {
    bad_species = bad_species || graph.species[n] < 0 || graph.species[n] >= num_species;
  }
  if (bad_species) throw Error(model + ": species index out of range");
  std::int64_t first_bad_edge = static_cast<std::int64_t>(num_edges);
#pragma omp parallel for schedule(static) reduction(min : first_bad_edge)
  for (std::int64_t e = 0; e < static_cast<std::int64_t>(num_edges); ++e) {
    const std::int32_t s = graph.senders[e], r = graph.receivers[e];
    if (s < 0 || s >= num_nodes || r < 0 || r >= num_nodes)
      first_bad_edge = std::min(first_bad_edge, e);
  }
  if (first_bad_edge < static_cast<std::int64_t>(num_edges)) {
    throw Error(model + ": edge " + std::to_string(first_bad_edge) +
                " names a node outside the graph");
  }
}

AtomicGraph make_atomic_graph(const AtomicStructure& structure, const std::vector<int>& species,
                              double r_max) {
  return make_atomic_graph(structure, species, build_neighbor_list(structure, r_max));
}

AtomicGraph make_atomic_graph(const AtomicStructure& structure, const std::vector<int>& species,
                              NeighborList list) {
  AtomicGraph graph;
  graph.num_nodes = graph.num_local = structure.size();
  graph.species.reserve(structure.size());
  for (std::size_t a = 0; a < structure.size(); ++a) {
    const int z = structure.atomic_numbers[a];
    const auto it = std::find(species.begin(), species.end(), z);
    if (it == species.end()) {
      std::string known;
      for (int s : species) known += (known.empty() ? "" : " ") + chemical_symbol(s);
      throw Error("atom " + std::to_string(a + 1) + " is " + chemical_symbol(z) +
                  ", which the potential does not know (its elements: " + known + ")");
    }
    graph.species.push_back(static_cast<int>(it - species.begin()));
  }
  // Receivers ascend: the first short edge names the lowest-numbered atom with a close contact.
  for (std::size_t e = 0; e < list.senders.size(); ++e) {
    const double* v = &list.vectors[3 * e];
    const double d2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    if (d2 < kMinimumAtomDistance * kMinimumAtomDistance)
      throw CloseAtomsError(list.senders[e], list.receivers[e], std::sqrt(d2));
  }
  graph.senders = std::move(list.senders);
  graph.receivers = std::move(list.receivers);
  graph.edge_vectors = std::move(list.vectors);
  return graph;
}

}  // namespace equifuse
