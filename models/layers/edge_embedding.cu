// Device kernels of the edge embedding (edge_embedding_kernels.cuh). The spherical harmonics are
// the model's, generated as straight-line code (model_kernel_program.hpp).
#include "equifuse_generated/spherical_harmonics.cuh"
#include "models/layers/edge_embedding_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void edge_embedding(const EdgeEmbeddingArgs<real> a) {
  GRID_LOOP(e, a.edges) {
    const real v[3] = {static_cast<real>(a.vectors[3 * e]), static_cast<real>(a.vectors[3 * e + 1]),
                       static_cast<real>(a.vectors[3 * e + 2])};
    const real r = kernel_math::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    a.length[e] = r;
    // e3nn normalises x / max(|x|, 1e-12); the gradient of the polynomials in u is projected onto
    // the sphere's tangent plane and divided by |x|.
    const real inv = real(1) / (r < real(1e-12) ? real(1e-12) : r);
    const real u[3] = {v[0] * inv, v[1] * inv, v[2] * inv};
    real* y = a.sh + e * SH_DIM;
    real* gy = a.sh_grad + e * SH_DIM * 3;
    sh_polynomials(u, y, gy);
    for (int row = 0; row < SH_DIM; ++row) {
      real* gg = gy + 3 * row;
      const real radial_part =
          r < real(1e-12) ? real(0) : gg[0] * u[0] + gg[1] * u[1] + gg[2] * u[2];
      for (int k = 0; k < 3; ++k) gg[k] = (gg[k] - radial_part * u[k]) * inv;
    }
    edge_radial_at(a, e);
  }
}

extern "C" __global__ void edge_gradients(const EdgeGradientArgs<real> a) {
  GRID_LOOP(e, a.edges) edge_gradient_at(a, e);
}
