// Device kernel of the pair repulsion (pair_repulsion_kernels.cuh): one thread per receiver,
// summing its edges in CSR order.
#include "models/layers/pair_repulsion_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void pair_repulsion(const PairRepulsionArgs a) {
  GRID_LOOP(n, a.nodes) pair_repulsion_at(a, n);
}
