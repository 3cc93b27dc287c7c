// A neighbour list kept between MD steps (Verlet's skin): built with cutoff + skin and reused
// while the atoms, cell and periodicity are the same and no atom has moved more than skin / 2
// since the build, so that no pair closer than the cutoff can be missing. Each update returns the
// edges shorter than the cutoff with the vectors and in the order of
// build_neighbor_list(structure, cutoff): the same graph, bit for bit, whether it was reused or
// built afresh.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/structure/atomic_structure.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {

class SkinNeighborList {
 public:
  // Throws equifuse::Error for a non-positive cutoff or a negative skin.
  SkinNeighborList(double cutoff, double skin);

  // The edges of `structure` shorter than the cutoff; rebuilds the list when it must.
  const NeighborList& update(const AtomicStructure& structure);

  double cutoff() const { return cutoff_; }
  double skin() const { return skin_; }
  long builds() const { return builds_; }    // how often update() rebuilt the list
  bool rebuilt() const { return rebuilt_; }  // whether the last update() did

 private:
  bool reusable(const AtomicStructure& structure) const;

  double cutoff_, skin_;
  long builds_ = 0;
  bool rebuilt_ = false;
  // The structure at the last build and its list with cutoff + skin (with image shifts).
  AtomicStructure built_;
  NeighborList skin_list_;
  NeighborList current_;  // what update() last returned
};

}  // namespace equifuse
