// The point between message-passing layers where the node features of ghost nodes (atoms owned
// by other MPI ranks, or periodic images) are exchanged with their owners, and where, in the
// backward, their gradients are returned: what lets a pair style keep a ghost shell of one cutoff
// instead of one per layer. The models call it; pair styles implement it (LAMMPS forward and
// reverse communication). Node rows are [num_nodes][width] in the engine's memory; the engine has
// finished writing them when a call is made, and the rows may be rewritten in place.
#pragma once

#include <cstddef>

#include "models/engine/memory_space.hpp"

namespace equifuse {

template <typename T>
struct NodeRows {
  T* data = nullptr;
  std::size_t num_nodes = 0, num_local = 0;  // ghosts are rows [num_local, num_nodes)
  int width = 0;
  MemorySpace space = MemorySpace::host;
};

class GhostExchange {
 public:
  virtual ~GhostExchange() = default;
  // Before message-passing layer `layer` (1 .. layers - 1) reads its input features: every ghost
  // row becomes its owner's row.
  virtual void forward(int layer, const NodeRows<float>& features) const = 0;
  virtual void forward(int layer, const NodeRows<double>& features) const = 0;
  // Once the gradient of those features is complete on every node: each ghost row is added to
  // its owner's row, and the ghost rows are set to zero.
  virtual void reverse(int layer, const NodeRows<float>& gradients) const = 0;
  virtual void reverse(int layer, const NodeRows<double>& gradients) const = 0;
};

}  // namespace equifuse
