// The parameters of the radial embedding (radial_basis.cuh), as the potential file stores them:
// the basis (Bessel frequencies, trained or n pi / r_max, and prefactor; Gaussian means and
// coefficient; Chebyshev), r_max and the polynomial cutoff's p, whether the cutoff multiplies the
// basis, and a distance transform with the covalent radii of the model's species.
#pragma once

#include <vector>

#include "models/layers/radial_basis.cuh"

namespace equifuse {

struct DistanceTransform {
  DistanceTransformKind kind = kNoTransform;
  double q = 0, p = 0, a = 0;          // Agnesi's q, p, a; Soft's alpha is a
  std::vector<double> covalent_radii;  // per species of the model
};

class RadialBasis {
 public:
  // Bessel: prefactor * sin(w_n t) / t with w_n = frequencies.
  RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p);
  RadialBasis(RadialBasisKind kind, std::vector<double> centers, double prefactor, double r_max,
              int p, bool cutoff_on_basis, DistanceTransform transform);

  RadialBasisKind kind() const { return kind_; }
  int size() const { return static_cast<int>(centers_.size()); }
  double r_max() const { return r_max_; }
  const std::vector<double>& centers() const { return centers_; }
  double prefactor() const { return prefactor_; }
  int p() const { return p_; }
  bool cutoff_on_basis() const { return cutoff_on_basis_; }
  const DistanceTransform& transform() const { return transform_; }

 private:
  RadialBasisKind kind_;
  std::vector<double> centers_;
  double prefactor_, r_max_;
  int p_;
  bool cutoff_on_basis_;
  DistanceTransform transform_;
};

}  // namespace equifuse
