// Neighbour list of a structure: every ordered pair (sender j, receiver i) with
// |r_i - (r_j + shift)| < cutoff over periodic images, j != i unless the shift is non-zero.
// The edge vector points from the sender's image to the receiver, as MACE's and NequIP's
// (r[receiver] - r[sender] + shift): odd spherical harmonics depend on this sign.
// Cell-list binning over the atoms and the periodic images near the cell faces: O(n) for
// cells larger than the cutoff, and correct for cells smaller than the cutoff (many images).
#pragma once

#include <cstdint>
#include <vector>

#include "models/structure/atomic_structure.hpp"

namespace equifuse {

struct NeighborList {
  std::vector<std::int32_t> senders, receivers;  // [num_edges], grouped by receiver
  std::vector<double> vectors;                   // [num_edges][3] = r_receiver - r_sender image
};

// Throws equifuse::Error for a non-positive cutoff or a singular cell in a periodic structure.
NeighborList build_neighbor_list(const AtomicStructure& structure, double cutoff);

}  // namespace equifuse
