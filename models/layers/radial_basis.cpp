#include "models/layers/radial_basis.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

RadialBasis::RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p)
    : RadialBasis(kBesselBasis, std::move(frequencies), prefactor, r_max, p, true, {}) {}

RadialBasis::RadialBasis(RadialBasisKind kind, std::vector<double> centers, double prefactor,
                         double r_max, int p, bool cutoff_on_basis, DistanceTransform transform)
    : kind_(kind),
      centers_(std::move(centers)),
      prefactor_(prefactor),
      r_max_(r_max),
      p_(p),
      cutoff_on_basis_(cutoff_on_basis),
      transform_(std::move(transform)) {
  if (!(r_max_ > 0) || p_ < 1 || centers_.empty()) {
    throw Error("radial basis: needs r_max > 0, p >= 1 and at least one basis function");
  }
  if (transform_.kind != kNoTransform) {
    for (double r : transform_.covalent_radii) {
      if (!(r > 0)) throw Error("radial basis: distance transforms need positive covalent radii");
    }
  }
}

}  // namespace equifuse
