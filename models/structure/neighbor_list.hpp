// Neighbour list of a structure: every ordered pair (sender j, receiver i) with
// |r_i - (r_j + shift)| < cutoff over periodic images, j != i unless the shift is non-zero.
// The edge vector points from the sender's image to the receiver, as MACE's and NequIP's
// (r[receiver] - r[sender] + shift): odd spherical harmonics depend on this sign.
// Cell-list binning over the atoms and the periodic images near the cell faces: O(n) for
// cells larger than the cutoff, and correct for cells smaller than the cutoff (many images).
// Atoms outside the cell are wrapped into it along periodic directions (as LAMMPS and ASE do);
// a strongly tilted cell is searched in a reduced basis of the same lattice; only occupied bins
// are stored where atoms are spread sparsely, so that atoms far apart (isolated atoms, vacuum)
// cost nothing.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/structure/atomic_structure.hpp"

namespace equifuse {

struct NeighborList {
  std::vector<std::int32_t> senders, receivers;  // [num_edges], grouped by receiver
  std::vector<double> vectors;                   // [num_edges][3] = r_receiver - r_sender image
  // [num_edges][3], only when asked for: the lattice translation t of the sender's image for the
  // positions as given (not wrapped), vector ~ r[receiver] - (r[sender] + t . cell) with `cell`
  // the reduced basis the list was searched in; what a list kept between steps
  // (skin_neighbor_list.hpp) follows the atoms by.
  std::vector<std::int32_t> shifts;
  std::array<std::array<double, 3>, 3> cell{};
};

// Throws equifuse::Error for a non-positive cutoff, a structure check_structure refuses
// (non-finite positions or cell entries), or a singular or degenerate cell (thinner than 1/10 of
// the cutoff across a periodic direction of its reduced basis).
NeighborList build_neighbor_list(const AtomicStructure& structure, double cutoff,
                                 bool with_shifts = false);

// The positions edge vectors are measured between: wrapped along periodic directions into the
// reduced basis of the cell (through fractional coordinates), with the lattice translation each
// atom was moved by (home ~ r + wrap . cell, in that basis). Throws equifuse::Error for a
// singular periodic cell.
struct WrappedPositions {
  std::vector<std::array<double, 3>> home;
  std::vector<std::array<double, 3>> fractional;  // of home: in [0, 1) along periodic directions
  std::vector<std::array<int, 3>> wraps;
  std::array<std::array<double, 3>, 3> cell{};  // the basis: the reduced periodic cell
};
WrappedPositions wrap_positions(const AtomicStructure& structure);

// home + shift . cell, summed in the order every edge vector of the list is computed in.
std::array<double, 3> image_position(const std::array<double, 3>& home,
                                     const std::array<int, 3>& shift,
                                     const std::array<std::array<double, 3>, 3>& cell);

}  // namespace equifuse
