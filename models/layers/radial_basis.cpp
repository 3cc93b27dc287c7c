#include "models/layers/radial_basis.hpp"

#include "kernels/common/error.hpp"

namespace equifuse {

RadialBasis::RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p)
    : frequencies_(std::move(frequencies)), prefactor_(prefactor), r_max_(r_max), p_(p) {
  if (!(r_max_ > 0) || p_ < 1 || frequencies_.empty()) {
    throw Error("radial basis: needs r_max > 0, p >= 1 and at least one basis function");
  }
}

}  // namespace equifuse
