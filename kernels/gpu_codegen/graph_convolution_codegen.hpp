// Generates the GPU kernels of a fused graph convolution (kernels/convolution) for one
// TensorProductProblem, dtype and algorithm, with the tensor product's emitter: the same per-path
// code, run over nodes or edges instead of batch rows.
//
//  deterministic: forward is one warp per receiver summing its edges (by-receiver grouping) in a
//    fixed order and writing the node once; backward is one warp per sender for grad_x
//    (by-sender grouping) and one per edge for grad_y / grad_W; double backward adds a
//    per-receiver kernel for dL/dgrad_out. No atomics on node rows: bitwise reproducible.
//  atomic: one warp per edge in every kernel, adding into node rows with atomicAdd (the caller
//    clears them first).
// Shared weights: their gradients are per-edge sums reduced with atomics, as in the tensor
// product, in both algorithms.
//
// Every kernel takes (long rows, const int* SRC, const int* DST, const int* OFFS,
// const int* EDGES, buffers...) with the tensor product's buffers of its direction; `rows` is
// the number of edges or nodes (ConvolutionKernel::rows); OFFS/EDGES is the grouping by receiver
// or by sender that the kernel sums over (unused by edge kernels).
#pragma once

#include <string>
#include <vector>

#include "kernels/convolution/graph_convolution.hpp"
#include "kernels/gpu_codegen/tensor_product_codegen.hpp"

namespace equifuse {

enum class ConvolutionRows { edges, receivers, senders };

struct ConvolutionKernel {
  std::string name;
  ConvolutionRows rows;
  bool clears_node_outputs;  // atomic kernels: their node outputs must be zero beforehand
};

struct GeneratedGraphConvolutionSource {
  std::string source;
  // Run in order for each direction.
  std::vector<ConvolutionKernel> forward, backward, double_backward;
  // Shared weights only: (rows = edges) grad_W += ..., double backward's dW += ....
  static constexpr const char* kBackwardWeights = "equifuse_conv_backward_weights";
  static constexpr const char* kDoubleBackwardWeights = "equifuse_conv_double_backward_weights";
  int warp_size = 32;
  int threads_per_block = 128;
};

GeneratedGraphConvolutionSource generate_graph_convolution_source(
    const TensorProductProblem& problem, GpuDtype dtype, GpuDialect dialect,
    ConvolutionAlgorithm algorithm);

}  // namespace equifuse
