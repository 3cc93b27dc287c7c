// The parameters of the radial embedding (radial_basis.cuh): Bessel frequencies (trained or
// n pi / r_max), prefactor, r_max and the polynomial cutoff's p, as the potential file stores them.
#pragma once

#include <vector>

namespace equifuse {

class RadialBasis {
 public:
  RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p);
  int size() const { return static_cast<int>(frequencies_.size()); }
  double r_max() const { return r_max_; }
  const std::vector<double>& frequencies() const { return frequencies_; }
  double prefactor() const { return prefactor_; }
  int p() const { return p_; }

 private:
  std::vector<double> frequencies_;
  double prefactor_, r_max_;
  int p_;
};

}  // namespace equifuse
