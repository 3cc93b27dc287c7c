// Neighbour list of a structure: every ordered pair (sender j, receiver i) with
// |r_i - (r_j + shift)| < cutoff over periodic images, j != i unless the shift is non-zero.
// The edge vector points from the sender's image to the receiver, as MACE's and NequIP's
// (r[receiver] - r[sender] + shift): odd spherical harmonics depend on this sign.
// Cell-list binning over the atoms and the periodic images near the cell faces: O(n) for
// cells larger than the cutoff, and correct for cells smaller than the cutoff (many images).
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
  // positions as given (not wrapped), vector ~ r[receiver] - (r[sender] + t . cell); what a list
  // kept between steps (skin_neighbor_list.hpp) follows the atoms by.
  std::vector<std::int32_t> shifts;
};

// Throws equifuse::Error for a non-positive cutoff or a singular cell in a periodic structure.
NeighborList build_neighbor_list(const AtomicStructure& structure, double cutoff,
                                 bool with_shifts = false);

// The positions edge vectors are measured between: wrapped into the cell along periodic
// directions (through fractional coordinates), with the lattice translation each atom was moved
// by (home ~ r + wrap . cell). Throws equifuse::Error for a singular periodic cell.
struct WrappedPositions {
  std::vector<std::array<double, 3>> home;
  std::vector<std::array<double, 3>> fractional;  // of home: in [0, 1) along periodic directions
  std::vector<std::array<int, 3>> wraps;
};
WrappedPositions wrap_positions(const AtomicStructure& structure);

// home + shift . cell, summed in the order every edge vector of the list is computed in.
std::array<double, 3> image_position(const std::array<double, 3>& home,
                                     const std::array<int, 3>& shift,
                                     const std::array<std::array<double, 3>, 3>& cell);

}  // namespace equifuse
