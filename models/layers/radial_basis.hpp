// MACE's and NequIP's radial embedding of an edge length r < r_max:
//   R_n(r) = prefactor * sin(w_n r) / r * f(r),   n = 1..num_basis
//   f(r) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2),  x = r / r_max, 0 beyond
// (Bessel basis, w_n = n pi / r_max unless trained, and the polynomial cutoff envelope), with
// dR_n/dr for forces.
#pragma once

#include <vector>

namespace equifuse {

class RadialBasis {
 public:
  RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p);
  int size() const { return static_cast<int>(frequencies_.size()); }
  double r_max() const { return r_max_; }
  // values[size()] and derivatives[size()] at length r.
  template <typename T>
  void evaluate(T r, T* values, T* derivatives) const;

  const std::vector<double>& frequencies() const { return frequencies_; }
  double prefactor() const { return prefactor_; }
  int p() const { return p_; }

 private:
  std::vector<double> frequencies_;
  double prefactor_, r_max_;
  int p_;
};

}  // namespace equifuse
