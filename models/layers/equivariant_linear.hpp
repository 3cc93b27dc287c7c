// e3nn.o3.Linear: for every pair of input and output blocks with the same irrep,
// out[w, m] += alpha * sum_u W[u, w] x[u, m], alpha = 1 / sqrt(sum of the input multiplicities
// that reach the output block) (e3nn's "element" path normalisation). Weights are e3nn's flat
// vector: the (input block, output block) pairs in input-major order, each [mul_in][mul_out].
// With biases (e3nn's biases=True), every even scalar output channel adds its bias (no
// normalisation). Rows are [rows][dim] in e3nn's mul_ir layout. Backward gives the gradient of the
// input only.
// Keeps nothing for its backward (it is linear).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/layers/linear_map.hpp"
#include "models/potential/parameter_store.hpp"

namespace equifuse {

template <typename T>
class EquivariantLinear {
 public:
  // `scale` multiplies the output (MACE divides a message by avg_num_neighbors this way); `biases`
  // are e3nn's, one per channel of the even scalar output blocks in order, or empty.
  EquivariantLinear(const Engine& engine, const Irreps& irreps_in, const Irreps& irreps_out,
                    std::span<const double> weights, double scale = 1.0,
                    std::span<const double> biases = {});
  // e3nn's <name>.weight and, where the file has it, <name>.bias.
  static std::unique_ptr<EquivariantLinear> from_parameters(
      const Engine& engine, const ParameterStore& parameters, const std::string& name,
      const Irreps& irreps_in, const Irreps& irreps_out, double scale = 1.0);
  static std::size_t bias_numel(const Irreps& irreps_out);
  static std::size_t weight_numel(const Irreps& irreps_in, const Irreps& irreps_out);
  // The folded weights (alpha and scale applied) in the layout of LinearMap: for each species
  // embedding table built from a linear of one-hot species.
  static std::vector<T> folded_weights(const Irreps& irreps_in, const Irreps& irreps_out,
                                       std::span<const double> weights, double scale,
                                       std::vector<LinearBlock>* blocks);

  int dim_in() const { return map_.dim_in(); }
  int dim_out() const { return map_.dim_out(); }
  // out[rows][dim_out] = (or +=) linear(x).
  void forward(std::size_t rows, const T* x, T* out, bool accumulate = false) const {
    map_.forward(rows, x, out, nullptr, accumulate);
  }
  // grad_x[rows][dim_in] += d<grad_out, out>/dx (or =, without accumulate).
  void backward(std::size_t rows, const T* grad_out, T* grad_x, bool accumulate = true) const {
    map_.backward(rows, grad_out, grad_x, nullptr, accumulate);
  }

 private:
  LinearMap<T> map_;
};

}  // namespace equifuse
