#include "pair_style/neighbor_graph.hpp"

#include <string>

#include "kernels/common/error.hpp"

namespace equifuse {

NeighborGraph build_neighbor_graph(const NeighborListView& in, double r_max, int num_interactions) {
  if (in.num_local < 0 || in.num_atoms < in.num_local || num_interactions < 1 || !(r_max > 0)) {
    throw Error("neighbour graph: invalid sizes, cutoff or number of interactions");
  }
  const auto n = static_cast<std::size_t>(in.num_atoms);
  const double cutoff2 = r_max * r_max;

  // Candidate edges grouped by receiver: every local atom and every ghost owned elsewhere. The
  // lists of folded ghosts repeat their owner's and are skipped.
  std::vector<int> first_edge(n, -1), num_edges(n, 0);
  std::vector<int> sender_atom;
  std::vector<double> vectors;
  for (int ii = 0; ii < in.num_lists; ++ii) {
    const int i = in.ilist[ii];
    if (i >= in.num_local && in.owner[i] != i) continue;
    first_edge[i] = static_cast<int>(sender_atom.size());
    const double* xi = in.x[i];
    const int* neighbors = in.firstneigh[i];
    for (int jj = 0; jj < in.numneigh[i]; ++jj) {
      const int j = neighbors[jj] & in.neighbor_mask;
      const double* xj = in.x[j];
      const double d[3] = {xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]};
      if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= cutoff2) continue;
      sender_atom.push_back(in.owner[j]);
      vectors.insert(vectors.end(), d, d + 3);
    }
    num_edges[i] = static_cast<int>(sender_atom.size()) - first_edge[i];
  }

  // Hops from the local atoms, breadth first, up to num_interactions.
  std::vector<int> hop(n, -1), queue;
  queue.reserve(n);
  for (int a = 0; a < in.num_local; ++a) {
    hop[a] = 0;
    queue.push_back(a);
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const int a = queue[q];
    if (hop[a] >= num_interactions) continue;
    if (first_edge[a] < 0) {
      throw Error("neighbour graph: atom " + std::to_string(a) + ", " + std::to_string(hop[a]) +
                  " hops from this rank's atoms, has no neighbour list (the ghost cutoff is "
                  "shorter than the interaction layers need)");
    }
    for (int e = first_edge[a]; e < first_edge[a] + num_edges[a]; ++e) {
      const int s = sender_atom[e];
      if (hop[s] < 0) {
        hop[s] = hop[a] + 1;
        queue.push_back(s);
      }
    }
  }

  NeighborGraph out;
  AtomicGraph& g = out.graph;
  std::vector<int> node_of(n, -1);
  for (std::size_t a = 0; a < n; ++a) {
    if (hop[a] < 0) continue;
    node_of[a] = static_cast<int>(out.node_atom.size());
    out.node_atom.push_back(static_cast<int>(a));
    g.species.push_back(in.species[a]);
  }
  g.num_nodes = out.node_atom.size();
  g.num_local = static_cast<std::size_t>(in.num_local);
  for (const int a : out.node_atom) {
    if (hop[a] >= num_interactions) continue;
    for (int e = first_edge[a]; e < first_edge[a] + num_edges[a]; ++e) {
      g.senders.push_back(node_of[sender_atom[e]]);
      g.receivers.push_back(node_of[a]);
      g.edge_vectors.insert(g.edge_vectors.end(), &vectors[3 * e], &vectors[3 * e] + 3);
    }
  }
  return out;
}

}  // namespace equifuse
