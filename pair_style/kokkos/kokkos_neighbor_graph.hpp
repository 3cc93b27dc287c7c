// The graph of pair_style/neighbor_graph.hpp built with Kokkos, in the memory space where LAMMPS's
// Kokkos neighbour list lives (the GPU for equifuse/kk), so that positions and lists need not be
// copied to the host. Same rules, same result edge for edge (tests/pair_style/
// test_kokkos_neighbor_graph.cpp): ghosts that are images of local atoms fold onto them; ghosts of
// other ranks are nodes up to K hops, with their incoming edges if closer than K hops; each
// receiver's edges ordered by sender, then vector. Header-only: it is compiled by the plugin's
// Kokkos-enabled compiler for the device type LAMMPS runs on.
#pragma once

#include <Kokkos_Core.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "kernels/common/error.hpp"
#include "models/potential/atomic_graph.hpp"
#include "pair_style/kokkos/kokkos_host_readback.hpp"
#include "pair_style/neighbor_graph.hpp"

namespace equifuse {

// What build_kokkos_neighbor_graph needs besides LAMMPS's arrays.
struct KokkosGraphSettings {
  int neighbor_mask = ~0;  // LAMMPS's NEIGHMASK
  double r_max = 0;
  int num_interactions = 1;
  // Some ghost has no local owner (find_atom_owners says). Without such ghosts (one rank) the
  // hops are skipped; a ghost of another rank met when none was announced throws.
  bool ghosts_of_other_ranks = true;
  // LAMMPS rebuilt its lists since the last build: the graph's views are then sized for every
  // listed pair, so that they cannot grow (allocate) before the next rebuild.
  bool lists_rebuilt = true;
};

// The entries of KokkosNeighborGraph::sizes.
enum KokkosGraphSize : int {
  kLocalEdges,   // edges into local atoms
  kGhostEdges,   // edges into ghosts of other ranks (scratch)
  kGhostNodes,   // ghost nodes; without ghosts of other ranks: such ghosts met (an error)
  kAppended,     // edges into ghost nodes, appended after the local ones
  kLocalListed,  // listed pairs of local receivers (when lists were rebuilt)
  kGhostListed,  // listed pairs of ghost receivers (likewise)
  kBadAtom,      // 1 + index of an atom closer than kMinimumAtomDistance to another, or with a
                 // non-finite position; 0: none
  kBadPartner,   // 1 + index of that other atom; 0 for a non-finite position
  kGraphSizes
};

template <class Device>
struct KokkosNeighborGraph {
  using IndexView = Kokkos::View<int*, Device>;
  using VectorView = Kokkos::View<double* [3], Kokkos::LayoutRight, Device>;
  // Valid prefixes of the views below (which keep their capacity between steps).
  int num_local = 0, num_nodes = 0, num_edges = 0;
  IndexView senders, receivers;  // [num_edges], node indices
  VectorView vectors;            // [num_edges] = x[receiver atom] - x[sender atom]
  IndexView node_atom, species;  // [num_nodes]: LAMMPS index and species of each node
  // Working memory.
  IndexView count, first_edge, hop, node_of, ghost_senders;
  VectorView ghost_vectors;
  // Sizes found on the device, read by the host once per build (twice with ghosts of other ranks).
  KokkosHostReadback<Device, kGraphSizes> sizes{"equifuse::graph_sizes"};
};

namespace kokkos_graph_detail {

// Grows `view` to at least `size` entries (contents undefined), with some slack for the next step.
template <class View>
void reserve(View& view, std::size_t size, const char* label) {
  if (view.extent(0) >= size) return;
  view = View(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)),
              size + size / 8 + 16);
}

}  // namespace kokkos_graph_detail

// x: positions [num_atoms][3]; species and owner (the local atom a ghost is an image of, else
// itself) by atom; ilist [num_lists], numneigh by atom, neighbors(atom, k) with LAMMPS's mask bits:
// LAMMPS's Kokkos views (or any views with those extents) in Device's memory space.
template <class Device, class XView, class SpeciesView, class OwnerView, class IlistView,
          class NumneighView, class NeighborsView>
void build_kokkos_neighbor_graph(int num_local, int num_atoms, int num_lists, const XView& x,
                                 const SpeciesView& species_of_atom, const OwnerView& owner,
                                 const IlistView& ilist, const NumneighView& numneigh,
                                 const NeighborsView& neighbors,
                                 const KokkosGraphSettings& settings,
                                 KokkosNeighborGraph<Device>& out) {
  using Execution = typename Device::execution_space;
  using kokkos_graph_detail::reserve;
  if (num_local < 0 || num_atoms < num_local || settings.num_interactions < 1 ||
      !(settings.r_max > 0))
    throw Error("neighbour graph: invalid sizes, cutoff or number of interactions");
  const int n = num_atoms, local = num_local, depth = settings.num_interactions;
  const int mask = settings.neighbor_mask;
  const double cutoff2 = settings.r_max * settings.r_max;
  const double too_close2 = kMinimumAtomDistance * kMinimumAtomDistance;
  reserve(out.count, static_cast<std::size_t>(n), "equifuse::count");
  reserve(out.first_edge, static_cast<std::size_t>(n), "equifuse::first_edge");
  reserve(out.hop, static_cast<std::size_t>(n), "equifuse::hop");
  reserve(out.node_of, static_cast<std::size_t>(n), "equifuse::node_of");
  reserve(out.node_atom, static_cast<std::size_t>(n), "equifuse::node_atom");
  reserve(out.species, static_cast<std::size_t>(n), "equifuse::species");
  const auto count = out.count;
  const auto first = out.first_edge;
  const auto sizes = out.sizes.values();
  const bool foreign = settings.ghosts_of_other_ranks && n > local;
  const bool rebuilt = settings.lists_rebuilt;
  out.sizes.clear();

  // Receivers: local atoms and ghosts owned by other ranks (a folded ghost's list repeats its
  // owner's). Count the edges within r_max, then place local receivers' edges in the graph and
  // ghost receivers' in scratch, in LAMMPS's atom order. Scans leave their totals in `sizes`.
  Kokkos::parallel_for(
      "equifuse::clear_counts", Kokkos::RangePolicy<Execution>(0, n), KOKKOS_LAMBDA(const int i) {
        count(i) = 0;
        first(i) = -1;
      });
  Kokkos::parallel_for(
      "equifuse::count_edges", Kokkos::RangePolicy<Execution>(0, num_lists),
      KOKKOS_LAMBDA(const int ii) {
        const int i = ilist(ii);
        if (i >= local && (!foreign || owner(i) != i)) return;
        int c = 0, unannounced = 0, close = -1;
        for (int jj = 0; jj < numneigh(i); ++jj) {
          const int j = neighbors(i, jj) & mask;
          const double dx = x(i, 0) - x(j, 0), dy = x(i, 1) - x(j, 1), dz = x(i, 2) - x(j, 2);
          const double d2 = dx * dx + dy * dy + dz * dz;
          const bool edge = d2 < cutoff2;
          c += edge;
          unannounced += edge && !foreign && owner(j) >= local;
          if (d2 < too_close2 && close < 0) close = j;
        }
        count(i) = c;
        // Coincident atoms and non-finite positions (no pair is within r_max of a NaN): one is
        // reported, the first to claim the slot.
        const bool finite =
            Kokkos::isfinite(x(i, 0)) && Kokkos::isfinite(x(i, 1)) && Kokkos::isfinite(x(i, 2));
        if ((close >= 0 || !finite) &&
            Kokkos::atomic_compare_exchange(&sizes(kBadAtom), 0, i + 1) == 0)
          sizes(kBadPartner) = finite ? close + 1 : 0;
        if (unannounced) Kokkos::atomic_add(&sizes(kGhostNodes), unannounced);
        if (rebuilt)
          Kokkos::atomic_add(&sizes(i < local ? kLocalListed : kGhostListed), numneigh(i));
      });
  Kokkos::parallel_scan(
      "equifuse::local_offsets", Kokkos::RangePolicy<Execution>(0, local),
      KOKKOS_LAMBDA(const int i, int& offset, const bool final) {
        if (final) first(i) = offset;
        offset += count(i);
        if (final && i == local - 1) sizes(kLocalEdges) = offset;
      });
  if (foreign) {
    Kokkos::parallel_scan(
        "equifuse::ghost_offsets", Kokkos::RangePolicy<Execution>(local, n),
        KOKKOS_LAMBDA(const int i, int& offset, const bool final) {
          if (owner(i) == i) {
            if (final) first(i) = offset;
            offset += count(i);
          }
          if (final && i == n - 1) sizes(kGhostEdges) = offset;
        });
  }
  const auto found = out.sizes.read();
  if (found[kBadAtom] != 0) {
    if (found[kBadPartner] == 0) throw NonFinitePositionError(found[kBadAtom] - 1);
    const int a = found[kBadAtom] - 1, b = found[kBadPartner] - 1;
    // The pair's distance for the message: two rows read back, on this error path only.
    const auto xa = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                        Kokkos::subview(x, a, Kokkos::ALL));
    const auto xb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(),
                                                        Kokkos::subview(x, b, Kokkos::ALL));
    double d2 = 0;
    for (int k = 0; k < 3; ++k) d2 += (xa(k) - xb(k)) * (xa(k) - xb(k));
    throw CloseAtomsError(a, b, std::sqrt(d2));
  }
  if (found[kGhostNodes] != 0)
    throw Error("neighbour graph: a ghost of another rank where none was expected");
  const int local_edges = found[kLocalEdges], ghost_edges = found[kGhostEdges];
  // Capacity for every listed pair when the lists were rebuilt; between rebuilds no pair can come
  // closer than r_max that is not listed.
  const auto capacity = static_cast<std::size_t>(rebuilt ? found[kLocalListed] + found[kGhostListed]
                                                         : local_edges + ghost_edges);
  const auto ghost_capacity = static_cast<std::size_t>(rebuilt ? found[kGhostListed] : ghost_edges);
  reserve(out.senders, capacity, "equifuse::senders");
  reserve(out.receivers, capacity, "equifuse::receivers");
  reserve(out.vectors, capacity, "equifuse::vectors");
  reserve(out.ghost_senders, ghost_capacity, "equifuse::ghost_senders");
  reserve(out.ghost_vectors, ghost_capacity, "equifuse::ghost_vectors");
  const auto senders = out.senders;
  const auto receivers = out.receivers;
  const auto vectors = out.vectors;
  const auto ghost_senders = out.ghost_senders;
  const auto ghost_vectors = out.ghost_vectors;
  Kokkos::parallel_for(
      "equifuse::fill_edges", Kokkos::RangePolicy<Execution>(0, num_lists),
      KOKKOS_LAMBDA(const int ii) {
        const int i = ilist(ii);
        if (i >= local && (!foreign || owner(i) != i)) return;
        const bool is_local = i < local;
        const auto s = is_local ? senders : ghost_senders;
        const auto v = is_local ? vectors : ghost_vectors;
        const int begin = first(i);
        int e = begin;
        for (int jj = 0; jj < numneigh(i); ++jj) {
          const int j = neighbors(i, jj) & mask;
          const double d[3] = {x(i, 0) - x(j, 0), x(i, 1) - x(j, 1), x(i, 2) - x(j, 2)};
          if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= cutoff2) continue;
          // Insertion into this receiver's edges, kept ordered by sender, then vector: results
          // do not depend on LAMMPS's binning.
          const int sender = owner(j);
          int k = e;
          for (; k > begin; --k) {
            const int t = s(k - 1);
            bool after = t < sender;
            if (t == sender) {
              after = v(k - 1, 0) < d[0] ||
                      (v(k - 1, 0) == d[0] &&
                       (v(k - 1, 1) < d[1] || (v(k - 1, 1) == d[1] && v(k - 1, 2) <= d[2])));
            }
            if (after) break;
            s(k) = t;
            for (int c = 0; c < 3; ++c) v(k, c) = v(k - 1, c);
          }
          s(k) = sender;
          for (int c = 0; c < 3; ++c) v(k, c) = d[c];
          if (is_local) receivers(e) = i;
          ++e;
        }
      });

  const auto node_atom = out.node_atom;
  const auto species = out.species;
  out.num_local = local;
  out.num_nodes = local;
  out.num_edges = local_edges;
  if (!foreign) {  // every sender is a local atom: node = atom
    Kokkos::parallel_for(
        "equifuse::local_nodes", Kokkos::RangePolicy<Execution>(0, local),
        KOKKOS_LAMBDA(const int a) {
          node_atom(a) = a;
          species(a) = species_of_atom(a);
        });
    return;
  }

  // Hops from the local atoms, level by level, up to num_interactions; then the nodes: local
  // atoms, then the ghosts reached, in LAMMPS's order.
  const auto hop = out.hop;
  const auto node_of = out.node_of;
  Kokkos::parallel_for(
      "equifuse::clear_hops", Kokkos::RangePolicy<Execution>(0, n), KOKKOS_LAMBDA(const int i) {
        hop(i) = i < local ? 0 : -1;
        node_of(i) = i < local ? i : -1;
      });
  for (int level = 0; level < depth; ++level) {
    Kokkos::parallel_for(
        "equifuse::next_hop", Kokkos::RangePolicy<Execution>(0, n), KOKKOS_LAMBDA(const int a) {
          if (hop(a) != level) return;
          const auto s = a < local ? senders : ghost_senders;
          for (int e = first(a); e < first(a) + count(a); ++e)
            Kokkos::atomic_compare_exchange(&hop(s(e)), -1, level + 1);
        });
  }
  Kokkos::parallel_scan(
      "equifuse::ghost_nodes", Kokkos::RangePolicy<Execution>(local, n),
      KOKKOS_LAMBDA(const int a, int& offset, const bool final) {
        if (hop(a) > 0) {
          if (final) node_of(a) = local + offset;
          ++offset;
        }
        if (final && a == n - 1) sizes(kGhostNodes) = offset;
      });
  Kokkos::parallel_for(
      "equifuse::node_atoms", Kokkos::RangePolicy<Execution>(0, n), KOKKOS_LAMBDA(const int a) {
        if (node_of(a) < 0) return;
        node_atom(node_of(a)) = a;
        species(node_of(a)) = species_of_atom(a);
      });

  // Senders as nodes, then the edges into ghosts closer than num_interactions hops (they fit: at
  // most ghost_edges).
  Kokkos::parallel_for(
      "equifuse::sender_nodes", Kokkos::RangePolicy<Execution>(0, local_edges),
      KOKKOS_LAMBDA(const int e) { senders(e) = node_of(senders(e)); });
  Kokkos::parallel_scan(
      "equifuse::ghost_receivers", Kokkos::RangePolicy<Execution>(local, n),
      KOKKOS_LAMBDA(const int a, int& offset, const bool final) {
        if (hop(a) > 0 && hop(a) < depth) {
          if (final) {
            for (int k = 0; k < count(a); ++k) {
              const int e = local_edges + offset + k, g = first(a) + k;
              senders(e) = node_of(ghost_senders(g));
              receivers(e) = node_of(a);
              for (int c = 0; c < 3; ++c) vectors(e, c) = ghost_vectors(g, c);
            }
          }
          offset += count(a);
        }
        if (final && a == n - 1) sizes(kAppended) = offset;
      });
  const auto appended = out.sizes.read();
  out.num_nodes = local + appended[kGhostNodes];
  out.num_edges = local_edges + appended[kAppended];
}

}  // namespace equifuse
