// LAMMPS emulated for the graph-builder tests: a displaced fcc Cu-Au crystal, and one MPI rank's
// view of it (its atoms, every periodic image within the ghost cutoff as a ghost, brute-force
// full neighbour lists for local and ghost atoms, and the ghost -> owner map by tag), as the
// pair style sees LAMMPS's arrays.
#pragma once

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include "models/potential/forces_and_virial.hpp"
#include "models/potential/potential.hpp"
#include "pair_style/neighbor_graph.hpp"

namespace equifuse::testing_support {

// fcc Cu-Au, cells x cells x cells cells of 3.7 Angstrom, displaced: species index, position.
// Two cells (7.4 Angstrom) are less than twice a 4.5 Angstrom cutoff: an atom then sees several
// periodic images of one neighbour.
struct Crystal {
  double box = 0;
  std::vector<int> species;
  std::vector<std::array<double, 3>> positions;
};

inline Crystal make_crystal(int cells = 3) {
  Crystal c;
  const double a = 3.7;
  const int n = cells;
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

// One rank owning the atoms with x in [lo, hi).
struct EmulatedRank {
  int num_local = 0, num_atoms = 0;
  std::vector<std::array<double, 3>> x;
  std::vector<int> tag, owner, species, ilist, numneigh;
  std::vector<std::vector<int>> neighbors;
  // The arrays as pair_style equifuse passes them (pointers into the members above).
  std::vector<const int*> firstneigh;
  std::vector<const double*> x_rows;
  NeighborListView view() {
    firstneigh.resize(static_cast<std::size_t>(num_atoms));
    x_rows.resize(static_cast<std::size_t>(num_atoms));
    for (std::size_t i = 0; i < firstneigh.size(); ++i) {
      firstneigh[i] = neighbors[i].data();
      x_rows[i] = x[i].data();
    }
    NeighborListView v;
    v.num_local = num_local;
    v.num_atoms = num_atoms;
    v.x = x_rows.data();
    v.species = species.data();
    v.owner = owner.data();
    v.num_lists = num_atoms;
    v.ilist = ilist.data();
    v.numneigh = numneigh.data();
    v.firstneigh = firstneigh.data();
    return v;
  }
};

inline EmulatedRank emulate_rank(const Crystal& c, double lo, double hi, double ghost_cutoff,
                                 double list_cutoff) {
  EmulatedRank r;
  const int n = static_cast<int>(c.positions.size());
  for (int a = 0; a < n; ++a)
    if (c.positions[a][0] >= lo && c.positions[a][0] < hi) {
      r.x.push_back(c.positions[a]);
      r.tag.push_back(a);
    }
  r.num_local = static_cast<int>(r.x.size());
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
          r.x.push_back(p);
          r.tag.push_back(a);
        }
  r.num_atoms = static_cast<int>(r.x.size());
  std::vector<int> local_of_tag(static_cast<std::size_t>(n), -1);
  for (int i = 0; i < r.num_local; ++i) local_of_tag[r.tag[i]] = i;
  const auto m = static_cast<std::size_t>(r.num_atoms);
  r.owner.resize(m);
  r.species.resize(m);
  r.ilist.resize(m);
  r.numneigh.resize(m);
  r.neighbors.resize(m);
  const double list_cutoff2 = list_cutoff * list_cutoff;
  for (int i = 0; i < r.num_atoms; ++i) {
    r.owner[i] = local_of_tag[r.tag[i]] >= 0 ? local_of_tag[r.tag[i]] : i;
    r.species[i] = c.species[r.tag[i]];
    r.ilist[i] = i;
    for (int j = 0; j < r.num_atoms; ++j) {
      const double d[3] = {r.x[i][0] - r.x[j][0], r.x[i][1] - r.x[j][1], r.x[i][2] - r.x[j][2]};
      if (i != j && d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < list_cutoff2)
        r.neighbors[i].push_back(j);
    }
    r.numneigh[i] = static_cast<int>(r.neighbors[i].size());
  }
  return r;
}

// Energy, forces (by atom ID) and virial of the whole periodic crystal: what every decomposition
// must reproduce.
struct CrystalTotals {
  double energy = 0;
  std::vector<double> forces;
  Matrix3 virial{};
};

inline CrystalTotals whole_structure(const Potential& potential, const Crystal& c) {
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

}  // namespace equifuse::testing_support
