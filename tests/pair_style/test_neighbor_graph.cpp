// The graph built from a LAMMPS-style neighbour list (local atoms, ghost atoms with their own
// lists, tags) gives exactly the whole structure's energy and forces: on one "rank", where every
// ghost folds onto its owner, and on several ranks with thin slab subdomains, where ghosts of
// other ranks are nodes and the ghost shell is K * r_max + skin. LAMMPS itself is emulated here
// (brute-force lists), so this runs wherever the models do; tests/pair_style/test_lammps.cpp runs
// the real pair style.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "pair_style/neighbor_graph.hpp"
#include "tests/pair_style/emulated_lammps.hpp"

namespace equifuse {
namespace {

using testing_support::Crystal;
using testing_support::emulate_rank;
using testing_support::EmulatedRank;
using testing_support::make_crystal;

constexpr double kSkin = 1.0;

using Totals = testing_support::CrystalTotals;
using testing_support::whole_structure;

// One rank owning the atoms with x in [lo, hi), with ghosts within `ghost_cutoff` and lists of
// r_max + skin (emulated_lammps.hpp). Adds this rank's contributions, ghost forces to their
// owners' tags.
void add_rank(const Potential& potential, const Crystal& c, double lo, double hi,
              double ghost_cutoff, Totals& totals) {
  EmulatedRank rank = emulate_rank(c, lo, hi, ghost_cutoff, potential.info().r_max + kSkin);
  const NeighborListView view = rank.view();
  const std::vector<int>& tag = rank.tag;
  NeighborGraph graph;
  build_neighbor_graph(view, potential.info().r_max, potential.info().num_interactions, graph);
  const PotentialOutput out = potential.evaluate(graph.graph);
  const ForcesAndVirial fv = forces_and_virial(graph.graph, out.edge_gradients);
  totals.energy += out.energy;
  for (std::size_t node = 0; node < graph.node_atom.size(); ++node)
    for (int k = 0; k < 3; ++k)
      totals.forces[3 * static_cast<std::size_t>(tag[graph.node_atom[node]]) + k] +=
          fv.forces[3 * node + k];
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) totals.virial[a][b] += fv.virial[a][b];
}

Totals decomposed(const Potential& potential, const Crystal& c, int ranks) {
  const PotentialInfo& info = potential.info();
  // One rank needs only the neighbour shell (every ghost folds); several need K hops of ghosts.
  const double ghost_cutoff =
      ranks == 1 ? info.r_max + kSkin : info.num_interactions * info.r_max + kSkin;
  Totals totals;
  totals.forces.assign(3 * c.positions.size(), 0.0);
  for (int r = 0; r < ranks; ++r)
    add_rank(potential, c, c.box * r / ranks, c.box * (r + 1) / ranks, ghost_cutoff, totals);
  return totals;
}

class NeighborGraphTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NeighborGraphTest, AnyDecompositionGivesTheWholeStructure) {
  const auto potential =
      load_potential(std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + GetParam() + ".eqf");
  const Crystal c = make_crystal();
  const Totals reference = whole_structure(*potential, c);
  // 3 slabs of 3.7 Angstrom: thinner than K * r_max (9 and 13.5 Angstrom).
  for (int ranks : {1, 2, 3}) {
    SCOPED_TRACE("ranks " + std::to_string(ranks));
    const Totals t = decomposed(*potential, c, ranks);
    EXPECT_NEAR(t.energy, reference.energy, 1e-10 * std::abs(reference.energy));
    for (std::size_t i = 0; i < t.forces.size(); ++i)
      EXPECT_NEAR(t.forces[i], reference.forces[i], 1e-9);
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) EXPECT_NEAR(t.virial[a][b], reference.virial[a][b], 1e-9);
  }
}

TEST_P(NeighborGraphTest, TooShortAGhostShellIsWrong) {
  // The test above must be able to fail: with only r_max + skin of ghosts on 3 ranks, ghosts of
  // other ranks lack neighbours and the energy is wrong (or the graph refuses to build).
  const auto potential =
      load_potential(std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + GetParam() + ".eqf");
  const Crystal c = make_crystal();
  const Totals reference = whole_structure(*potential, c);
  Totals t;
  t.forces.assign(3 * c.positions.size(), 0.0);
  try {
    for (int r = 0; r < 3; ++r)
      add_rank(*potential, c, c.box * r / 3, c.box * (r + 1) / 3, potential->info().r_max + kSkin,
               t);
  } catch (const Error&) {
    return;
  }
  EXPECT_GT(std::abs(t.energy - reference.energy), 1e-6);
}

TEST(NeighborGraph, RejectsInvalidArguments) {
  NeighborListView view;
  NeighborGraph graph;
  view.num_local = 2;
  view.num_atoms = 1;
  EXPECT_THROW(build_neighbor_graph(view, 5.0, 2, graph), Error);
  view.num_atoms = 2;
  EXPECT_THROW(build_neighbor_graph(view, 5.0, 0, graph), Error);
  EXPECT_THROW(build_neighbor_graph(view, 0.0, 2, graph), Error);
}

// Coincident atoms (an atom inserted on top of another, its index last) and a NaN coordinate are
// reported by the LAMMPS indices the pair style turns into atom IDs; neither gives a graph.
TEST(NeighborGraph, ReportsCoincidentAtomsAndNonFinitePositions) {
  Crystal c = make_crystal(2);
  c.positions.push_back(c.positions[5]);
  c.species.push_back(0);
  c.positions[5][0] += 0.5 * kMinimumAtomDistance;
  EmulatedRank rank = emulate_rank(c, 0, c.box, 5.5, 5.5);
  NeighborGraph graph;
  try {
    build_neighbor_graph(rank.view(), 4.5, 2, graph);
    ADD_FAILURE() << "no error";
  } catch (const CloseAtomsError& e) {
    EXPECT_EQ(rank.tag[e.first], 5);
    EXPECT_EQ(rank.tag[e.second], static_cast<int>(c.positions.size()) - 1);
    EXPECT_NEAR(e.distance, 0.5 * kMinimumAtomDistance, 1e-12);
  }
  c.positions.pop_back();
  c.species.pop_back();
  c.positions[5][1] = std::nan("");
  rank = emulate_rank(c, 0, c.box, 5.5, 5.5);
  // The emulated lists measure NaN distances as "not a neighbour"; LAMMPS's binning (which
  // refuses NaN coordinates itself on steps it rebuilds lists) would list it: list it here too.
  for (int i = 0; i < rank.num_atoms; ++i)
    if (rank.tag[i] == 5 && i < rank.num_local) rank.neighbors[i].push_back(0);
  rank.numneigh.assign(rank.neighbors.size(), 0);
  for (std::size_t i = 0; i < rank.neighbors.size(); ++i)
    rank.numneigh[i] = static_cast<int>(rank.neighbors[i].size());
  try {
    build_neighbor_graph(rank.view(), 4.5, 2, graph);
    ADD_FAILURE() << "no error";
  } catch (const NonFinitePositionError& e) {
    EXPECT_EQ(rank.tag[e.atom], 5);
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, NeighborGraphTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"));

}  // namespace
}  // namespace equifuse
