// e3nn.o3.FullyConnectedTensorProduct(x, attributes(species)) -> out with scalar attributes that
// depend only on the species: MACE's skip connection ("skip_tp", one-hot attributes) and NequIP's
// self-connection ("sc", its type embedding). Every path then reduces to a linear map of x chosen
// by the node's species, folded at construction. The coefficients (e3nn's path normalisation and the l x 0 -> l Wigner 3j)
// are taken from the kernel library's TensorProductProblem, so they match e3nn by construction.
// Weights: e3nn's flat vector of that tensor product ([mul_in][num_species][mul_out] per path).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

template <typename T>
class SpeciesLinear {
 public:
  // One-hot attributes.
  SpeciesLinear(const Irreps& irreps_in, int num_species, const Irreps& irreps_out,
                std::span<const double> weights);
  // attributes [num_species][num_attributes] (the second input of the tensor product per species).
  SpeciesLinear(const Irreps& irreps_in, int num_species, std::span<const double> attributes,
                int num_attributes, const Irreps& irreps_out, std::span<const double> weights);
  static std::size_t weight_numel(const Irreps& irreps_in, int num_attributes, const Irreps& irreps_out);

  int dim_in() const { return dim_in_; }
  int dim_out() const { return dim_out_; }
  void forward(std::size_t rows, const T* x, const int* species, T* out) const;
  void backward_accumulate(std::size_t rows, const T* grad_out, const int* species, T* grad_x) const;

  // The folded tables (for other backends).
  struct Block {
    int in_offset, out_offset, mul_in, mul_out, dim;
    std::size_t weight_offset;  // within one species' weights
  };
  const std::vector<Block>& blocks() const { return blocks_; }
  const std::vector<T>& weights() const { return weights_; }  // [species][per_species()]
  std::size_t per_species() const { return per_species_; }

 private:
  std::vector<Block> blocks_;
  std::vector<T> weights_;  // [num_species][per_species_]
  std::size_t per_species_ = 0;
  int num_species_, dim_in_, dim_out_;
};

}  // namespace equifuse
