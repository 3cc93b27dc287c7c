// The Kokkos graph builder (pair_style/kokkos) gives the host builder's graph, edge for edge, on
// emulated LAMMPS ranks: one rank (every ghost folds) and thin slab ranks whose ghosts of other
// ranks are nodes, for 1-3 interaction layers, in cells large and small (several images of one
// neighbour); in Kokkos's default execution space (OpenMP in CI,
// the GPU where Kokkos is built for it).
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pair_style/kokkos/kokkos_atom_owners.hpp"
#include "pair_style/kokkos/kokkos_neighbor_graph.hpp"
#include "tests/pair_style/emulated_lammps.hpp"

namespace equifuse {
namespace {

using Device = Kokkos::DefaultExecutionSpace::device_type;
using testing_support::EmulatedRank;

constexpr double kRmax = 4.5, kSkin = 1.0;

// The emulated rank's arrays as Kokkos views in Device's memory, laid out as LAMMPS's are.
struct DeviceLists {
  Kokkos::View<double* [3], Kokkos::LayoutRight, Device> x;
  Kokkos::View<int*, Device> species, owner, ilist, numneigh;
  Kokkos::View<int**, Device> neighbors;
};

template <class View>
View copy_in(const std::vector<int>& values, const char* label) {
  View view(std::string(label), values.size());
  auto host = Kokkos::create_mirror_view(view);
  for (std::size_t i = 0; i < values.size(); ++i) host(i) = values[i];
  Kokkos::deep_copy(view, host);
  return view;
}

DeviceLists to_device(const EmulatedRank& r) {
  DeviceLists d;
  const auto n = static_cast<std::size_t>(r.num_atoms);
  d.x = decltype(d.x)("x", n);
  auto x = Kokkos::create_mirror_view(d.x);
  std::size_t widest = 1;
  for (std::size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) x(i, c) = r.x[i][c];
    widest = std::max(widest, r.neighbors[i].size());
  }
  Kokkos::deep_copy(d.x, x);
  d.neighbors = decltype(d.neighbors)("neighbors", n, widest);
  auto neighbors = Kokkos::create_mirror_view(d.neighbors);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < r.neighbors[i].size(); ++k) neighbors(i, k) = r.neighbors[i][k];
  Kokkos::deep_copy(d.neighbors, neighbors);
  d.species = copy_in<decltype(d.species)>(r.species, "species");
  d.owner = copy_in<decltype(d.owner)>(r.owner, "owner");
  d.ilist = copy_in<decltype(d.ilist)>(r.ilist, "ilist");
  d.numneigh = copy_in<decltype(d.numneigh)>(r.numneigh, "numneigh");
  return d;
}

template <class View>
std::vector<typename View::non_const_value_type> prefix(const View& view, int size) {
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), view);
  return std::vector<typename View::non_const_value_type>(host.data(), host.data() + size);
}

void expect_same_graph(EmulatedRank& rank, int interactions) {
  NeighborGraph host;
  build_neighbor_graph(rank.view(), kRmax, interactions, host);
  const DeviceLists d = to_device(rank);
  KokkosNeighborGraph<Device> graph;
  // Where every ghost is an image of a local atom, the general path (hops) must agree with the
  // one that skips them; with ghosts of other ranks, not announcing them is an error.
  bool foreign = false;
  for (int i = rank.num_local; i < rank.num_atoms; ++i) foreign |= rank.owner[i] == i;
  KokkosGraphSettings settings{
      .neighbor_mask = 0x3FFFFFFF, .r_max = kRmax, .num_interactions = interactions};
  if (foreign) {
    settings.ghosts_of_other_ranks = false;
    EXPECT_THROW(
        build_kokkos_neighbor_graph(rank.num_local, rank.num_atoms, rank.num_atoms, d.x, d.species,
                                    d.owner, d.ilist, d.numneigh, d.neighbors, settings, graph),
        Error);
  }
  // Later builds reuse the first's memory; the graph is the same whether sized for the listed
  // pairs (lists rebuilt) or for its edges.
  for (int step = 0; step < 3; ++step) {
    settings.ghosts_of_other_ranks = foreign || step == 1;
    settings.lists_rebuilt = step != 2;
    SCOPED_TRACE(settings.ghosts_of_other_ranks ? "ghosts of other ranks announced"
                                                : "every ghost an image");
    build_kokkos_neighbor_graph(rank.num_local, rank.num_atoms, rank.num_atoms, d.x, d.species,
                                d.owner, d.ilist, d.numneigh, d.neighbors, settings, graph);
    ASSERT_EQ(static_cast<std::size_t>(graph.num_local), host.graph.num_local);
    ASSERT_EQ(static_cast<std::size_t>(graph.num_nodes), host.graph.num_nodes);
    ASSERT_EQ(static_cast<std::size_t>(graph.num_edges), host.graph.num_edges());
    EXPECT_EQ(prefix(graph.node_atom, graph.num_nodes), host.node_atom);
    EXPECT_EQ(prefix(graph.species, graph.num_nodes), host.graph.species);
    EXPECT_EQ(prefix(graph.senders, graph.num_edges), host.graph.senders);
    EXPECT_EQ(prefix(graph.receivers, graph.num_edges), host.graph.receivers);
    auto vectors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), graph.vectors);
    EXPECT_EQ(std::vector<double>(vectors.data(), vectors.data() + 3 * graph.num_edges),
              host.graph.edge_vectors);
  }
}

TEST(KokkosNeighborGraph, EqualsTheHostGraph) {
  std::printf("Kokkos default execution space: %s\n", Kokkos::DefaultExecutionSpace::name());
  for (int cells : {3, 2})
    for (int interactions : {1, 2, 3}) {
      const auto crystal = testing_support::make_crystal(cells);
      for (int ranks : {1, 2, 3}) {
        SCOPED_TRACE(std::to_string(cells) + " cells, " + std::to_string(ranks) + " ranks, " +
                     std::to_string(interactions) + " layers");
        const double ghost_cutoff = ranks == 1 ? kRmax + kSkin : interactions * kRmax + kSkin;
        for (int r = 0; r < ranks; ++r) {
          EmulatedRank rank = testing_support::emulate_rank(crystal, crystal.box * r / ranks,
                                                            crystal.box * (r + 1) / ranks,
                                                            ghost_cutoff, kRmax + kSkin);
          expect_same_graph(rank, interactions);
        }
      }
    }
}

// Ghost -> owner by atom ID, as the emulation (and the host pair style) assign it: the local atom
// with the ghost's ID, else the ghost itself; twice with one map, as over MD steps.
TEST(KokkosAtomOwners, FindsTheLocalAtomOfEveryImage) {
  const auto crystal = testing_support::make_crystal(2);
  KokkosAtomOwners<int, Device> owners;
  for (int ranks : {1, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    EmulatedRank rank = testing_support::emulate_rank(crystal, 0, crystal.box / ranks,
                                                      2 * kRmax + kSkin, kRmax + kSkin);
    const auto tags = copy_in<Kokkos::View<int*, Device>>(rank.tag, "tag");
    find_atom_owners<Device>(rank.num_local, rank.num_atoms, tags, owners);
    EXPECT_EQ(prefix(owners.owner, rank.num_atoms), rank.owner);
    EXPECT_EQ(owners.ghosts_of_other_ranks, ranks > 1);
    int folded = 0;
    for (int i = rank.num_local; i < rank.num_atoms; ++i) folded += rank.owner[i] != i;
    EXPECT_GT(folded, 0);  // the case exercises both kinds of ghost
    EXPECT_LT(folded, ranks == 1 ? rank.num_atoms : rank.num_atoms - rank.num_local);
  }
  EXPECT_THROW(find_atom_owners<Device>(3, 2, Kokkos::View<int*, Device>("tag", 3), owners), Error);
}

// Coincident atoms (an atom on top of another, last by index) are reported by LAMMPS index, as
// by the host builder; the graph is not built.
TEST(KokkosNeighborGraph, ReportsCoincidentAtoms) {
  auto crystal = testing_support::make_crystal(2);
  crystal.positions.push_back(crystal.positions[5]);
  crystal.species.push_back(0);
  EmulatedRank rank =
      testing_support::emulate_rank(crystal, 0, crystal.box, kRmax + kSkin, kRmax + kSkin);
  const DeviceLists d = to_device(rank);
  KokkosNeighborGraph<Device> graph;
  try {
    build_kokkos_neighbor_graph(rank.num_local, rank.num_atoms, rank.num_atoms, d.x, d.species,
                                d.owner, d.ilist, d.numneigh, d.neighbors,
                                {.r_max = kRmax, .num_interactions = 2}, graph);
    ADD_FAILURE() << "no error";
  } catch (const CloseAtomsError& e) {
    EXPECT_EQ(std::min(rank.tag[e.first], rank.tag[e.second]), 5);
    EXPECT_EQ(std::max(rank.tag[e.first], rank.tag[e.second]),
              static_cast<int>(crystal.positions.size()) - 1);
    EXPECT_EQ(e.distance, 0.0);
    EXPECT_NE(std::string(e.what()).find("are 0 Angstrom apart, closer than"), std::string::npos)
        << e.what();
  }
}

TEST(KokkosNeighborGraph, RejectsInvalidArguments) {
  const DeviceLists d = to_device(EmulatedRank{});
  KokkosNeighborGraph<Device> graph;
  EXPECT_THROW(
      build_kokkos_neighbor_graph(2, 1, 0, d.x, d.species, d.owner, d.ilist, d.numneigh,
                                  d.neighbors, {.r_max = kRmax, .num_interactions = 2}, graph),
      Error);
  EXPECT_THROW(
      build_kokkos_neighbor_graph(0, 0, 0, d.x, d.species, d.owner, d.ilist, d.numneigh,
                                  d.neighbors, {.r_max = kRmax, .num_interactions = 0}, graph),
      Error);
}

}  // namespace
}  // namespace equifuse

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // Kokkos's OpenMP back-end warns on stdout when OMP_PROC_BIND is unset, and ctest reads the
  // test list from stdout: unit tests run unbound.
  setenv("OMP_PROC_BIND", "false", 0);
  Kokkos::ScopeGuard kokkos(argc, argv);
  return RUN_ALL_TESTS();
}
