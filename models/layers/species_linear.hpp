// e3nn.o3.FullyConnectedTensorProduct(x, attributes(species)) -> out with scalar attributes that
// depend only on the species: MACE's skip connection ("skip_tp", one-hot attributes) and NequIP's
// self-connection ("sc", its type embedding). Every path then reduces to a linear map of x chosen
// by the node's species, folded at construction. The coefficients (e3nn's path normalisation and
// the l x 0 -> l Wigner 3j) are taken from the kernel library's TensorProductProblem, so they match
// e3nn by construction. Weights: e3nn's flat vector of that tensor product
// ([mul_in][num_species][mul_out] per path). Keeps nothing for its backward (it is linear in x).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/layers/linear_map.hpp"

namespace equifuse {

template <typename T>
class SpeciesLinear {
 public:
  // One-hot attributes.
  SpeciesLinear(const Engine& engine, const Irreps& irreps_in, int num_species,
                const Irreps& irreps_out, std::span<const double> weights);
  // attributes [num_species][num_attributes] (the second input of the tensor product per species).
  SpeciesLinear(const Engine& engine, const Irreps& irreps_in, int num_species,
                std::span<const double> attributes, int num_attributes, const Irreps& irreps_out,
                std::span<const double> weights);
  static std::size_t weight_numel(const Irreps& irreps_in, int num_attributes,
                                  const Irreps& irreps_out);

  int dim_in() const { return map_.dim_in(); }
  int dim_out() const { return map_.dim_out(); }
  // out[rows][dim_out] = (or +=) the map of each row's species.
  void forward(std::size_t rows, const T* x, const int* species, T* out,
               bool accumulate = false) const {
    map_.forward(rows, x, out, species, accumulate);
  }
  // grad_x[rows][dim_in] += d<grad_out, out>/dx (or =, without accumulate).
  void backward(std::size_t rows, const T* grad_out, const int* species, T* grad_x,
                bool accumulate = true) const {
    map_.backward(rows, grad_out, grad_x, species, accumulate);
  }

 private:
  LinearMap<T> map_;
};

}  // namespace equifuse
