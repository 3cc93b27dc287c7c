// The graph a potential evaluates: nodes (atoms, including LAMMPS ghosts), each with the index of
// its species in the potential's species list, and directed edges sender -> receiver with their
// vectors r[receiver] - r[sender] (+ periodic shift), all shorter than the potential's r_max.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/common/error.hpp"
#include "models/structure/atomic_structure.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {

// Atoms closer than this (Angstrom, the potentials' length unit) are refused: coincident or
// nearly coincident atoms are an input error, and the models' radial and angular terms (1/r,
// r/|r|) have no finite value as r -> 0.
inline constexpr double kMinimumAtomDistance = 1e-4;

// "atoms 3 and 7 are 0 Angstrom apart ...: remove one ...", what to do included; `first` and
// `second` are the names users know the atoms by (1-based numbers, LAMMPS atom IDs). Equal
// numbers name an atom and its own periodic image. A NaN distance is left out.
std::string close_atoms_message(long first, long second, double distance);

// Two atoms closer than kMinimumAtomDistance, by their index in what was evaluated (0-based:
// atoms of a structure, LAMMPS's local and ghost atoms); the pair style names them by atom ID.
class CloseAtomsError : public Error {
 public:
  CloseAtomsError(int first_index, int second_index, double apart)
      : Error(close_atoms_message(first_index + 1L, second_index + 1L, apart)),
        first(first_index),
        second(second_index),
        distance(apart) {}
  int first, second;
  double distance;
};

struct AtomicGraph {
  std::size_t num_nodes = 0;
  // Energy is summed over nodes [0, num_local); the rest are ghosts (LAMMPS). Equals num_nodes
  // for a whole structure.
  std::size_t num_local = 0;
  std::vector<int> species;                      // [num_nodes], index into the species list
  std::vector<std::int32_t> senders, receivers;  // [num_edges]
  std::vector<double> edge_vectors;              // [num_edges][3]

  std::size_t num_edges() const { return senders.size(); }
};

// Throws equifuse::Error("<model>: ...") for sizes that do not fit together, a species index
// outside [0, num_species) or an edge to a node outside the graph: what every evaluation checks
// first.
void check_atomic_graph(const AtomicGraph& graph, int num_species, const std::string& model);

// The graph of a whole structure with cutoff r_max; `species` is the potential's list of atomic
// numbers. Throws equifuse::Error naming an element the potential does not know, an atom with a
// non-finite position, or (CloseAtomsError) two atoms closer than kMinimumAtomDistance.
AtomicGraph make_atomic_graph(const AtomicStructure& structure, const std::vector<int>& species,
                              double r_max);
// The same with the edges of a list already made with the potential's r_max (a
// SkinNeighborList's, kept between MD steps).
AtomicGraph make_atomic_graph(const AtomicStructure& structure, const std::vector<int>& species,
                              NeighborList list);

}  // namespace equifuse
