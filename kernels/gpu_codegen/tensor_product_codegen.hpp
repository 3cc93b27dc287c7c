// Generates GPU source (CUDA C++ for NVRTC, or HIP C++ for hipRTC) specialised to one
// TensorProductProblem and dtype: forward, backward and double backward kernels with the problem's
// irreps, offsets and multiplicities as constants and every Clebsch-Gordan nonzero, multiplied by
// its path coefficient, unrolled as a literal.
//
// Kernel organisation (generator version kGeneratorVersion):
//  * one warp (wavefront) per batch row, grid-stride over rows;
//  * each phase (one kernel) writes one output buffer block by block, and
//    within a block every lane owns distinct rows (the output channel for `out`, u for grad_x,
//    v for grad_y, one weight element for grad_weights) and sums over the other channels, so no
//    atomics or barriers are needed inside a row; blocks with fewer rows than half a warp (the
//    edge spherical harmonics of MACE and NequIP, multiplicity 1) are instead shared by the whole
//    warp, which splits the sum over channels and reduces it with warp shuffles;
//  * the HIP dialect assumes 64-wide wavefronts (CDNA);
//  * gradients of shared weights are sums over the batch: a separate reduction kernel with one
//    thread per weight element over a chunk of rows, combined with atomicAdd.
#pragma once

#include <string>

#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

enum class GpuDialect { cuda, hip };
enum class GpuDtype { float32, float64 };

inline constexpr int kGeneratorVersion = 4;

struct GeneratedTensorProductSource {
  std::string source;
  // Kernel entry points (extern "C"). Each takes (long batch, pointers...) as documented below.
  //  forward(batch, x, y, w, out)
  //  backward(batch, x, y, w, grad_out, grad_x, grad_y, grad_w)   grad_w only for per-sample
  //  weights backward_weights(batch, x, y, grad_out, grad_w)              shared weights: grad_w +=
  //  (atomic);
  //                                                                grid.y splits the batch in
  //                                                                chunks
  //  double_backward(batch, x, y, w, g, ggx, ggy, ggw, dx, dy, dw, dg)  dw only for per-sample
  //  weights double_backward_weights(batch, x, y, g, ggx, ggy, dw)         shared weights: dw +=
  //  (atomic)
  static constexpr const char* kForward = "equifuse_tp_forward";
  static constexpr const char* kBackward = "equifuse_tp_backward";
  static constexpr const char* kBackwardWeights = "equifuse_tp_backward_weights";
  static constexpr const char* kDoubleBackward = "equifuse_tp_double_backward";
  static constexpr const char* kDoubleBackwardWeights = "equifuse_tp_double_backward_weights";
  // Backward and double backward are sequences of kernels, one per phase, all taking the
  // arguments above: phase_kernel(kBackward, k) for k < backward_kernels, likewise double backward.
  int backward_kernels = 0;
  int double_backward_kernels = 0;
  static std::string phase_kernel(const char* base, std::size_t k) {
    return std::string(base) + "_" + std::to_string(k);
  }
  int warp_size = 32;
  int threads_per_block = 128;
};

GeneratedTensorProductSource generate_tensor_product_source(const TensorProductProblem& problem,
                                                            GpuDtype dtype, GpuDialect dialect);

}  // namespace equifuse
