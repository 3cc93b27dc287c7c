// MACE's and NequIP's radial embedding of an edge length r, for host and device code:
//   R_n(r) = prefactor * sin(w_n r) / r * f(r),   n = 1..num_basis
//   f(r) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2),  x = r / r_max, 0 beyond
// (Bessel basis, w_n = n pi / r_max unless trained, and the polynomial cutoff envelope), with
// dR_n/dr for forces.
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

namespace kernel_math {

// x^n for the cutoff polynomial (on the host through std::pow in double, as the reference code
// evaluates it).
template <typename Real>
EQUIFUSE_HD inline Real integer_power(Real x, int n) {
#ifdef EQUIFUSE_DEVICE_CODE
  return pow(x, static_cast<Real>(n));
#else
  return static_cast<Real>(std::pow(x, n));
#endif
}

}  // namespace kernel_math

template <typename Real>
struct RadialBasisArgs {
  int num_basis;
  const Real* frequencies;  // [num_basis]
  Real prefactor, r_max;
  int p;  // of the polynomial cutoff
};

// values[num_basis], derivatives[num_basis] = dR/dr at length r.
template <typename Real>
EQUIFUSE_HD inline void radial_basis(const RadialBasisArgs<Real>& a, Real r, Real* values,
                                     Real* derivatives) {
  const int n = a.num_basis;
  if (!(r < a.r_max)) {
    for (int k = 0; k < n; ++k) values[k] = derivatives[k] = Real(0);
    return;
  }
  const Real x = r / a.r_max;
  const Real p = static_cast<Real>(a.p);
  const Real xp = kernel_math::integer_power(x, a.p);
  const Real xp1 = xp * x;
  const Real xp2 = xp1 * x;
  const Real f = Real(1) - (p + 1) * (p + 2) / 2 * xp + p * (p + 2) * xp1 - p * (p + 1) / 2 * xp2;
  // df/dx = -p(p+1)(p+2)/2 x^(p-1) (1 - x)^2
  const Real df = -p * (p + 1) * (p + 2) / 2 * kernel_math::integer_power(x, a.p - 1) *
                  (Real(1) - x) * (Real(1) - x) / a.r_max;
  for (int k = 0; k < n; ++k) {
    const Real w = a.frequencies[k];
    const Real s = kernel_math::sin(w * r), c = kernel_math::cos(w * r);
    const Real b = a.prefactor * s / r;
    const Real db = a.prefactor * (w * c / r - s / (r * r));
    values[k] = b * f;
    derivatives[k] = db * f + b * df;
  }
}

}  // namespace equifuse
