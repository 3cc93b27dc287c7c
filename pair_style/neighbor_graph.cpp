#include "pair_style/neighbor_graph.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

// Orders one receiver's edges [begin, begin + count) by sender, then by vector (periodic images
// of one sender in small cells), in place.
void sort_by_sender(std::int32_t* senders, double* vectors, std::size_t count) {
  if (count < 2) return;
  thread_local std::vector<std::size_t> order;
  thread_local std::vector<std::int32_t> sorted_senders;
  thread_local std::vector<double> sorted_vectors;
  order.resize(count);
  for (std::size_t k = 0; k < count; ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (senders[a] != senders[b]) return senders[a] < senders[b];
    return std::lexicographical_compare(vectors + 3 * a, vectors + 3 * a + 3, vectors + 3 * b,
                                        vectors + 3 * b + 3);
  });
  sorted_senders.resize(count);
  sorted_vectors.resize(3 * count);
  for (std::size_t k = 0; k < count; ++k) {
    sorted_senders[k] = senders[order[k]];
    for (int c = 0; c < 3; ++c) sorted_vectors[3 * k + c] = vectors[3 * order[k] + c];
  }
  std::copy(sorted_senders.begin(), sorted_senders.end(), senders);
  std::copy(sorted_vectors.begin(), sorted_vectors.end(), vectors);
}

}  // namespace

void build_neighbor_graph(const NeighborListView& in, double r_max, int num_interactions,
                          NeighborGraph& out) {
  if (in.num_local < 0 || in.num_atoms < in.num_local || num_interactions < 1 || !(r_max > 0)) {
    throw Error("neighbour graph: invalid sizes, cutoff or number of interactions");
  }
  const auto n = static_cast<std::size_t>(in.num_atoms);
  const int num_local = in.num_local;
  const double cutoff2 = r_max * r_max;
  NeighborGraph::Scratch& s = out.scratch;
  AtomicGraph& g = out.graph;

  // Receivers: every local atom and every ghost owned by another rank (a folded ghost's list
  // repeats its owner's). Local receivers' edges go straight into the graph (senders as LAMMPS
  // indices for now), ghost receivers' into scratch; both in two parallel passes, count then fill.
  auto has_list = [&](int i) { return i < num_local || in.owner[i] == i; };
  auto distance2 = [&](const double* xi, const double* xj) {
    const double d[3] = {xi[0] - xj[0], xi[1] - xj[1], xi[2] - xj[2]};
    return d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  };
  auto within = [&](const double* xi, const double* xj) { return distance2(xi, xj) < cutoff2; };
  s.first_edge.assign(n, -1);
  s.num_edges.assign(n, 0);
  // Counting measures every listed pair anyway; coincident atoms and non-finite positions (which
  // no pair would be within r_max of) are caught there. The lowest receiver is reported.
  const double too_close2 = kMinimumAtomDistance * kMinimumAtomDistance;
  int bad_atom = in.num_atoms, bad_partner = -1;  // num_atoms: none found
  double bad_distance2 = 0;
#pragma omp parallel for schedule(static)
  for (int ii = 0; ii < in.num_lists; ++ii) {
    const int i = in.ilist[ii];
    if (!has_list(i)) continue;
    const double* xi = in.x[i];
    int count = 0, close = -1;
    double close2 = 0;
    for (int jj = 0; jj < in.numneigh[i]; ++jj) {
      const int j = in.firstneigh[i][jj] & in.neighbor_mask;
      const double d2 = distance2(xi, in.x[j]);
      count += d2 < cutoff2;
      if (d2 < too_close2 && close < 0) {
        close = j;
        close2 = d2;
      }
    }
    s.num_edges[i] = count;
    const bool finite = std::isfinite(xi[0]) && std::isfinite(xi[1]) && std::isfinite(xi[2]);
    if (close >= 0 || !finite) {
#pragma omp critical(equifuse_bad_atom)
      if (i < bad_atom) {
        bad_atom = i;
        bad_partner = finite ? close : -1;
        bad_distance2 = close2;
      }
    }
  }
  if (bad_atom < in.num_atoms) {
    if (bad_partner < 0) throw NonFinitePositionError(bad_atom);
    throw CloseAtomsError(bad_atom, bad_partner, std::sqrt(bad_distance2));
  }
  std::size_t local_edges = 0, ghost_edges = 0;
  for (int a = 0; a < num_local; ++a) {
    s.first_edge[a] = static_cast<int>(local_edges);
    local_edges += static_cast<std::size_t>(s.num_edges[a]);
  }
  for (std::size_t a = static_cast<std::size_t>(num_local); a < n; ++a) {
    if (!has_list(static_cast<int>(a))) continue;
    s.first_edge[a] = static_cast<int>(ghost_edges);
    ghost_edges += static_cast<std::size_t>(s.num_edges[a]);
  }
  g.senders.resize(local_edges);
  g.receivers.resize(local_edges);
  g.edge_vectors.resize(3 * local_edges);
  s.ghost_senders.resize(ghost_edges);
  s.ghost_vectors.resize(3 * ghost_edges);
#pragma omp parallel for schedule(dynamic, 256)
  for (int ii = 0; ii < in.num_lists; ++ii) {
    const int i = in.ilist[ii];
    if (!has_list(i)) continue;
    const auto begin = static_cast<std::size_t>(s.first_edge[i]);
    std::int32_t* senders = (i < num_local ? g.senders.data() : s.ghost_senders.data()) + begin;
    double* vectors = (i < num_local ? g.edge_vectors.data() : s.ghost_vectors.data()) + 3 * begin;
    if (i < num_local) std::fill_n(g.receivers.data() + begin, s.num_edges[i], i);
    const double* xi = in.x[i];
    std::size_t e = 0;
    for (int jj = 0; jj < in.numneigh[i]; ++jj) {
      const int j = in.firstneigh[i][jj] & in.neighbor_mask;
      const double* xj = in.x[j];
      if (!within(xi, xj)) continue;
      senders[e] = in.owner[j];
      for (int c = 0; c < 3; ++c) vectors[3 * e + c] = xi[c] - xj[c];
      ++e;
    }
    // By sender, as make_atomic_graph orders them: results do not depend on LAMMPS's binning.
    sort_by_sender(senders, vectors, e);
  }

  // Hops from the local atoms, breadth first, up to num_interactions. Only ghosts of other ranks
  // can be more than 0 hops away; on one rank there are none.
  s.hop.assign(n, -1);
  s.queue.clear();
  for (int a = 0; a < num_local; ++a) s.hop[a] = 0;
  auto visit_senders = [&](const std::int32_t* senders, int count, int hop) {
    for (int e = 0; e < count; ++e) {
      const int sender = senders[e];
      if (s.hop[sender] < 0) {
        s.hop[sender] = hop + 1;
        s.queue.push_back(sender);
      }
    }
  };
  visit_senders(g.senders.data(), static_cast<int>(local_edges), 0);
  for (std::size_t q = 0; q < s.queue.size(); ++q) {
    const int a = s.queue[q];
    if (s.hop[a] >= num_interactions) continue;
    if (s.first_edge[a] < 0) {
      throw Error("neighbour graph: atom " + std::to_string(a) + ", " + std::to_string(s.hop[a]) +
                  " hops from this rank's atoms, has no neighbour list (the ghost cutoff is "
                  "shorter than the interaction layers need)");
    }
    visit_senders(s.ghost_senders.data() + s.first_edge[a], s.num_edges[a], s.hop[a]);
  }

  // Nodes: the local atoms, then the ghosts reached, in LAMMPS's order.
  out.node_atom.resize(static_cast<std::size_t>(num_local));
  for (int a = 0; a < num_local; ++a) out.node_atom[a] = a;
  std::sort(s.queue.begin(), s.queue.end());
  s.node_of.assign(n, -1);
  for (int a = 0; a < num_local; ++a) s.node_of[a] = a;
  for (const int a : s.queue) {
    s.node_of[a] = static_cast<int>(out.node_atom.size());
    out.node_atom.push_back(a);
  }
  g.num_nodes = out.node_atom.size();
  g.num_local = static_cast<std::size_t>(num_local);
  g.species.resize(g.num_nodes);
  for (std::size_t node = 0; node < g.num_nodes; ++node)
    g.species[node] = in.species[out.node_atom[node]];

  if (s.queue.empty()) return;  // every sender is a local atom: node = atom
#pragma omp parallel for schedule(static)
  for (std::size_t e = 0; e < local_edges; ++e) g.senders[e] = s.node_of[g.senders[e]];
  // Edges into ghosts closer than num_interactions hops.
  for (const int a : s.queue) {
    if (s.hop[a] >= num_interactions) continue;
    const auto begin = static_cast<std::size_t>(s.first_edge[a]);
    for (std::size_t e = begin; e < begin + static_cast<std::size_t>(s.num_edges[a]); ++e) {
      g.senders.push_back(s.node_of[s.ghost_senders[e]]);
      g.receivers.push_back(s.node_of[a]);
      g.edge_vectors.insert(g.edge_vectors.end(), &s.ghost_vectors[3 * e],
                            &s.ghost_vectors[3 * e] + 3);
    }
  }
}

}  // namespace equifuse
