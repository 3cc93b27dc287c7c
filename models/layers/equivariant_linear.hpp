// e3nn.o3.Linear without biases: for every pair of input and output blocks with the same irrep,
// out[w, m] += alpha * sum_u W[u, w] x[u, m], alpha = 1 / sqrt(sum of the input multiplicities
// that reach the output block) (e3nn's "element" path normalisation). Weights are e3nn's flat
// vector: the (input block, output block) pairs in input-major order, each [mul_in][mul_out].
// Rows are [rows][dim] in e3nn's mul_ir layout. Backward returns the gradient of the input only.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

template <typename T>
class EquivariantLinear {
 public:
  // `scale` multiplies the output (MACE divides a message by avg_num_neighbors this way).
  EquivariantLinear(const Irreps& irreps_in, const Irreps& irreps_out,
                    std::span<const double> weights, double scale = 1.0);
  static std::size_t weight_numel(const Irreps& irreps_in, const Irreps& irreps_out);

  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  // out[rows][dim_out] is overwritten.
  void forward(std::size_t rows, const T* x, T* out) const;
  // grad_x[rows][dim_in] += d<grad_out, out>/dx.
  void backward_accumulate(std::size_t rows, const T* grad_out, T* grad_x) const;

  // The folded tables (for other backends).
  struct Block {
    int in_offset, out_offset, mul_in, mul_out, dim;
    std::size_t weight_offset;
  };
  const std::vector<Block>& blocks() const { return blocks_; }
  const std::vector<T>& weights() const { return weights_; }

 private:
  std::vector<Block> blocks_;
  std::vector<T> weights_;  // alpha * scale folded in
  int dim_in_ = 0, dim_out_ = 0;
};

}  // namespace equifuse
