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

namespace equifuse {
namespace {

constexpr double kSkin = 1.0;

// fcc Cu-Au, 3 x 3 x 3 cells of 3.7 Angstrom, displaced: species index, position.
struct Crystal {
  double box = 0;
  std::vector<int> species;
  std::vector<std::array<double, 3>> positions;
};

Crystal make_crystal() {
  Crystal c;
  const double a = 3.7;
  const int n = 3;
  c.box = a * n;
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> shift(-0.15, 0.15), pick(0, 1);
  const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k)
        for (const auto& b : basis) {
          std::array<double, 3> p{(i + b[0]) * a + shift(rng), (j + b[1]) * a + shift(rng),
                                  (k + b[2]) * a + shift(rng)};
          for (double& v : p) v = std::fmod(v + c.box, c.box);
          c.positions.push_back(p);
          c.species.push_back(pick(rng) < 0.3 ? 1 : 0);
        }
  return c;
}

struct Totals {
  double energy = 0;
  std::vector<double> forces;  // by atom (tag)
  Matrix3 virial{};
};

Totals whole_structure(const Potential& potential, const Crystal& c) {
  AtomicStructure s;
  for (std::size_t a = 0; a < c.positions.size(); ++a) {
    s.atomic_numbers.push_back(potential.info().species[static_cast<std::size_t>(c.species[a])]);
    s.positions.push_back(c.positions[a]);
  }
  s.cell = {{{c.box, 0, 0}, {0, c.box, 0}, {0, 0, c.box}}};
  s.pbc = {true, true, true};
  const AtomicGraph g = make_atomic_graph(s, potential.info().species, potential.info().r_max);
  const PotentialOutput out = potential.evaluate(g);
  const ForcesAndVirial fv = forces_and_virial(g, out.edge_gradients);
  return {out.energy, fv.forces, fv.virial};
}

// One rank owning the atoms with x in [lo, hi): local atoms, then every periodic image within
// `ghost_cutoff` of the subdomain as a ghost, each atom with its brute-force list (r_max + skin).
// Returns this rank's contributions, ghost forces added to their owners' tags.
void add_rank(const Potential& potential, const Crystal& c, double lo, double hi,
              double ghost_cutoff, Totals& totals) {
  std::vector<std::array<double, 3>> x;
  std::vector<int> tag;
  const int n = static_cast<int>(c.positions.size());
  for (int a = 0; a < n; ++a)
    if (c.positions[a][0] >= lo && c.positions[a][0] < hi) {
      x.push_back(c.positions[a]);
      tag.push_back(a);
    }
  const int num_local = static_cast<int>(x.size());
  const int reach = static_cast<int>(std::ceil(ghost_cutoff / c.box)) + 1;
  for (int sx = -reach; sx <= reach; ++sx)
    for (int sy = -reach; sy <= reach; ++sy)
      for (int sz = -reach; sz <= reach; ++sz)
        for (int a = 0; a < n; ++a) {
          const std::array<double, 3> p{c.positions[a][0] + sx * c.box,
                                        c.positions[a][1] + sy * c.box,
                                        c.positions[a][2] + sz * c.box};
          const bool owned_here = sx == 0 && sy == 0 && sz == 0 && p[0] >= lo && p[0] < hi;
          if (owned_here) continue;
          if (p[0] < lo - ghost_cutoff || p[0] >= hi + ghost_cutoff) continue;
          if (p[1] < -ghost_cutoff || p[1] >= c.box + ghost_cutoff) continue;
          if (p[2] < -ghost_cutoff || p[2] >= c.box + ghost_cutoff) continue;
          x.push_back(p);
          tag.push_back(a);
        }
  const int num_atoms = static_cast<int>(x.size());
  std::vector<int> local_of_tag(static_cast<std::size_t>(n), -1);
  for (int i = 0; i < num_local; ++i) local_of_tag[tag[i]] = i;
  std::vector<int> owner(num_atoms), species(num_atoms), ilist(num_atoms), numneigh(num_atoms);
  std::vector<std::vector<int>> neighbors(num_atoms);
  std::vector<const int*> firstneigh(num_atoms);
  std::vector<const double*> xp(num_atoms);
  const double list_cutoff2 = std::pow(potential.info().r_max + kSkin, 2);
  for (int i = 0; i < num_atoms; ++i) {
    owner[i] = local_of_tag[tag[i]] >= 0 ? local_of_tag[tag[i]] : i;
    species[i] = c.species[tag[i]];
    ilist[i] = i;
    xp[i] = x[i].data();
    for (int j = 0; j < num_atoms; ++j) {
      const double d[3] = {x[i][0] - x[j][0], x[i][1] - x[j][1], x[i][2] - x[j][2]};
      if (i != j && d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < list_cutoff2)
        neighbors[i].push_back(j);
    }
    numneigh[i] = static_cast<int>(neighbors[i].size());
    firstneigh[i] = neighbors[i].data();
  }
  NeighborListView view;
  view.num_local = num_local;
  view.num_atoms = num_atoms;
  view.x = xp.data();
  view.species = species.data();
  view.owner = owner.data();
  view.num_lists = num_atoms;
  view.ilist = ilist.data();
  view.numneigh = numneigh.data();
  view.firstneigh = firstneigh.data();
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

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, NeighborGraphTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"));

}  // namespace
}  // namespace equifuse
