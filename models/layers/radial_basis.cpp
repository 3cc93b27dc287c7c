#include "models/layers/radial_basis.hpp"

#include <cmath>

#include "kernels/common/error.hpp"

namespace equifuse {

RadialBasis::RadialBasis(std::vector<double> frequencies, double prefactor, double r_max, int p)
    : frequencies_(std::move(frequencies)), prefactor_(prefactor), r_max_(r_max), p_(p) {
  if (!(r_max_ > 0) || p_ < 1 || frequencies_.empty()) {
    throw Error("radial basis: needs r_max > 0, p >= 1 and at least one basis function");
  }
}

template <typename T>
void RadialBasis::evaluate(T r, T* values, T* derivatives) const {
  const int n = size();
  if (!(r < static_cast<T>(r_max_))) {
    for (int k = 0; k < n; ++k) values[k] = derivatives[k] = T(0);
    return;
  }
  const T x = r / static_cast<T>(r_max_);
  const T p = static_cast<T>(p_);
  const T xp = static_cast<T>(std::pow(x, p_));
  const T xp1 = xp * x;
  const T xp2 = xp1 * x;
  const T f = T(1) - (p + 1) * (p + 2) / 2 * xp + p * (p + 2) * xp1 - p * (p + 1) / 2 * xp2;
  // df/dx = -p(p+1)(p+2)/2 x^(p-1) (1 - x)^2
  const T df = -p * (p + 1) * (p + 2) / 2 * static_cast<T>(std::pow(x, p_ - 1)) * (T(1) - x) * (T(1) - x) /
               static_cast<T>(r_max_);
  const T pre = static_cast<T>(prefactor_);
  for (int k = 0; k < n; ++k) {
    const T w = static_cast<T>(frequencies_[static_cast<std::size_t>(k)]);
    const T s = std::sin(w * r), c = std::cos(w * r);
    const T b = pre * s / r;
    const T db = pre * (w * c / r - s / (r * r));
    values[k] = b * f;
    derivatives[k] = db * f + b * df;
  }
}

template void RadialBasis::evaluate<float>(float, float*, float*) const;
template void RadialBasis::evaluate<double>(double, double*, double*) const;

}  // namespace equifuse
