// Device kernels of the edge density (edge_density_kernels.cuh).
#include "models/mace/edge_density_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void edge_density(const EdgeDensityArgs<real> a) {
  GRID_LOOP(e, a.n) edge_density_at(a, e);
}
extern "C" __global__ void edge_density_backward(const EdgeDensityArgs<real> a) {
  GRID_LOOP(e, a.n) edge_density_backward_at(a, e);
}
