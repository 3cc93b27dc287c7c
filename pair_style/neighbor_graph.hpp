// The graph a potential evaluates, built from LAMMPS's full neighbour list with ghost-atom lists,
// exact for message passing over any domain decomposition. Free of LAMMPS headers so that it is
// tested on its own (tests/pair_style).
//
// Two rules make it exact (docs/lammps.md explains them):
// - A ghost that is a periodic image of an atom this rank owns is that atom: its edges are
//   folded onto the owner (the edge vector keeps the image's position). On one rank every ghost
//   folds, so the graph is the periodic graph and a ghost shell of r_max is enough.
// - A ghost owned by another rank is a node of its own. With K interaction layers, a local energy
//   depends on nodes up to K hops away, and a node at hop h < K needs all its incoming edges.
//   LAMMPS's ghost shell of K * r_max (+ skin) guarantees both; the graph keeps nodes of hop <= K
//   and edges into nodes of hop < K, and nothing else.
#pragma once

#include <string>
#include <vector>

#include "kernels/common/error.hpp"
#include "models/potential/atomic_graph.hpp"

namespace equifuse {

// What the pair style passes in: LAMMPS's arrays, by reference.
struct NeighborListView {
  int num_local = 0;                       // atom->nlocal
  int num_atoms = 0;                       // nlocal + nghost
  const double* const* x = nullptr;        // positions [num_atoms][3]
  const int* species = nullptr;            // species index per atom [num_atoms]
  const int* owner = nullptr;              // the local atom a ghost is an image of, else itself
  int num_lists = 0;                       // inum + gnum
  const int* ilist = nullptr;              // atoms with a list [num_lists]
  const int* numneigh = nullptr;           // by atom
  const int* const* firstneigh = nullptr;  // by atom; neighbour indices carry LAMMPS's mask bits
  int neighbor_mask = 0x3FFFFFFF;          // NEIGHMASK
};

struct NeighborGraph {
  AtomicGraph graph;           // local atoms are nodes [0, num_local) in LAMMPS's order
  std::vector<int> node_atom;  // LAMMPS index of every node

  // Working memory kept between calls: an MD step rebuilds a graph of nearly the same size, and
  // fresh allocations of that size cost more (page faults) than filling them.
  struct Scratch {
    std::vector<int> first_edge, num_edges, hop, queue, node_of;
    std::vector<int> ghost_senders;  // edges into ghosts owned by other ranks
    std::vector<double> ghost_vectors;
  } scratch;
};

// A local atom or ghost with a NaN or infinite coordinate, by its LAMMPS index (the pair style
// names it by atom ID).
class NonFinitePositionError : public Error {
 public:
  explicit NonFinitePositionError(int index)
      : Error("the atom of index " + std::to_string(index) + " has a non-finite position"),
        atom(index) {}
  int atom;
};

// Edges shorter than r_max (strictly, as make_atomic_graph), each receiver's edges ordered by
// sender; num_interactions = K >= 1. Fills `out`, reusing its memory. Throws CloseAtomsError
// (LAMMPS indices of the pair with the lowest receiver) for atoms closer than
// kMinimumAtomDistance and NonFinitePositionError for an atom with a list and no finite position.
void build_neighbor_graph(const NeighborListView& list, double r_max, int num_interactions,
                          NeighborGraph& out);

}  // namespace equifuse
