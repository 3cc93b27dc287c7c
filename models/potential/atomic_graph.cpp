#include "models/potential/atomic_graph.hpp"

#include <algorithm>

#include "kernels/common/error.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {

void check_atomic_graph(const AtomicGraph& graph, int num_species, const std::string& model) {
  const std::size_t num_edges = graph.num_edges();
  if (graph.species.size() != graph.num_nodes || graph.num_local > graph.num_nodes ||
      graph.receivers.size() != num_edges || graph.edge_vectors.size() != 3 * num_edges) {
    throw Error(model + ": inconsistent graph sizes");
  }
  for (int s : graph.species) {
    if (s < 0 || s >= num_species) throw Error(model + ": species index out of range");
  }
  const auto in_range = [&](std::int32_t node) {
    return node >= 0 && static_cast<std::size_t>(node) < graph.num_nodes;
  };
  for (std::size_t e = 0; e < num_edges; ++e) {
    if (!in_range(graph.senders[e]) || !in_range(graph.receivers[e])) {
      throw Error(model + ": edge " + std::to_string(e) + " names a node outside the graph");
    }
  }
}

AtomicGraph make_atomic_graph(const AtomicStructure& structure, const std::vector<int>& species,
                              double r_max) {
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
  NeighborList list = build_neighbor_list(structure, r_max);
  graph.senders = std::move(list.senders);
  graph.receivers = std::move(list.receivers);
  graph.edge_vectors = std::move(list.vectors);
  return graph;
}

}  // namespace equifuse
