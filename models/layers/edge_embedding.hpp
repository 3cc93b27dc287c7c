// The per-edge inputs of MACE and NequIP: spherical harmonics of the edge vector (normalised,
// component normalisation) and the radial basis of its length, both with derivatives, and the
// chain rule back to dE/d(edge vector) once the models have dE/dY and dE/dR.
#pragma once

#include <memory>
#include <vector>

#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "models/layers/radial_basis.hpp"

namespace equifuse {

template <typename T>
struct EdgeFeatures {
  std::vector<T> sh, sh_grad;          // [E][sh_dim], [E][sh_dim][3]
  std::vector<T> radial, radial_grad;  // [E][num_basis], d/dr
  std::vector<T> length;               // [E]
};

class EdgeEmbedding {
 public:
  // sh_irreps: "1x0e+1x1o+..." (those of a polar vector; throws otherwise).
  EdgeEmbedding(const Irreps& sh_irreps, RadialBasis radial);
  int sh_dim() const { return spherical_harmonics_->dim(); }
  int num_basis() const { return radial_.size(); }
  double r_max() const { return radial_.r_max(); }

  // edge_vectors [E][3]
  template <typename T>
  EdgeFeatures<T> evaluate(const std::vector<double>& edge_vectors) const;
  // dE/dv = dE/dY . dY/dv + dE/dR . dR/dr v / r
  template <typename T>
  std::vector<double> edge_gradients(const EdgeFeatures<T>& features, const std::vector<T>& grad_sh,
                                     const std::vector<T>& grad_radial,
                                     const std::vector<double>& edge_vectors) const;

  const SphericalHarmonics& spherical_harmonics() const { return *spherical_harmonics_; }
  const RadialBasis& radial_basis() const { return radial_; }

 private:
  std::unique_ptr<SphericalHarmonics> spherical_harmonics_;
  RadialBasis radial_;
};

}  // namespace equifuse
