// The radial embedding of an edge of length r, for host and device code (MACE's
// RadialEmbeddingBlock, NequIP's Bessel encoding):
//   t = transform(r)            none, or a distance transform on the pair's covalent radii
//   R_n = basis_n(t)            Bessel:  prefactor * sin(w_n t) / t
//                               Gaussian: exp(coefficient * (t - mu_n)^2)
//                               Chebyshev: T_n(t), n = 1..num_basis
//   f(r) = 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2),  x = r / r_max, 0 beyond
// The polynomial cutoff f always sees the raw length. It multiplies the basis (MACE's
// apply_cutoff, NequIP), or is returned apart for the layers to multiply their radial MLPs'
// outputs with (apply_cutoff=False). With dR/dr and df/dr for forces.
//   Agnesi: r0 = (c_u + c_v) / 2, x = r / r0, t = 1 / (1 + a x^q / (1 + x^(q - p)))
//   Soft:   r0 = c_u + c_v, p0 = 3/4 r0, p1 = 4/3 r0, s = (1 + tanh(alpha / (p1 - p0)
//           (r - (p0 + p1) / 2))) / 2, t = p0 + (r - p0) s
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

enum RadialBasisKind : int { kBesselBasis = 0, kGaussianBasis = 1, kChebyshevBasis = 2 };
enum DistanceTransformKind : int { kNoTransform = 0, kAgnesiTransform = 1, kSoftTransform = 2 };

template <typename Real>
struct RadialBasisArgs {
  int kind, num_basis;
  const Real* centers;  // Bessel: the frequencies w_n; Gaussian: the means mu_n; else unused
  Real prefactor;       // Bessel: prefactor; Gaussian: the coefficient of the exponent
  Real r_max;
  int p;                       // of the polynomial cutoff
  int cutoff_on_basis;         // 1: R_n = basis_n * f; 0: f apart
  int transform;               // DistanceTransformKind
  Real q, transform_p, a;      // Agnesi's q, p, a; Soft's alpha is a
  const Real* covalent_radii;  // per species (transforms only)
};

// Polynomial cutoff f(r) and df/dr.
template <typename Real>
EQUIFUSE_HD inline void polynomial_cutoff(Real r, Real r_max, int p_int, Real* f, Real* df) {
  if (!(r < r_max)) {
    *f = *df = Real(0);
    return;
  }
  const Real x = r / r_max;
  const Real p = static_cast<Real>(p_int);
  const Real xp = kernel_math::integer_power(x, p_int);
  const Real xp1 = xp * x;
  const Real xp2 = xp1 * x;
  *f = Real(1) - (p + 1) * (p + 2) / 2 * xp + p * (p + 2) * xp1 - p * (p + 1) / 2 * xp2;
  // df/dx = -p(p+1)(p+2)/2 x^(p-1) (1 - x)^2
  *df = -p * (p + 1) * (p + 2) / 2 * kernel_math::integer_power(x, p_int - 1) * (Real(1) - x) *
        (Real(1) - x) / r_max;
}

// The transformed length t and dt/dr of an edge between species u and v.
template <typename Real>
EQUIFUSE_HD inline void distance_transform(const RadialBasisArgs<Real>& a, Real r, int u, int v,
                                           Real* t, Real* dt) {
  if (a.transform == kAgnesiTransform) {
    const Real r0 = Real(0.5) * (a.covalent_radii[u] + a.covalent_radii[v]);
    const Real x = r / r0;
    const Real xq = kernel_math::pow(x, a.q), xqp = kernel_math::pow(x, a.q - a.transform_p);
    const Real g = a.a * xq / (Real(1) + xqp);
    // dg/dx = a (q x^(q-1) (1 + x^(q-p)) - x^q (q - p) x^(q-p-1)) / (1 + x^(q-p))^2
    const Real dg = a.a * (a.q * xq / x * (Real(1) + xqp) - xq * (a.q - a.transform_p) * xqp / x) /
                    ((Real(1) + xqp) * (Real(1) + xqp));
    *t = Real(1) / (Real(1) + g);
    *dt = -dg / ((Real(1) + g) * (Real(1) + g)) / r0;
  } else if (a.transform == kSoftTransform) {
    const Real r0 = a.covalent_radii[u] + a.covalent_radii[v];
    const Real p0 = Real(0.75) * r0, p1 = Real(4) / Real(3) * r0;
    const Real alpha = a.a / (p1 - p0);
    const Real th = kernel_math::tanh(alpha * (r - (p0 + p1) / Real(2)));
    const Real s = Real(0.5) * (Real(1) + th);
    *t = p0 + (r - p0) * s;
    *dt = s + (r - p0) * Real(0.5) * alpha * (Real(1) - th * th);
  } else {
    *t = r;
    *dt = Real(1);
  }
}

// The basis at t: values[num_basis] and d/dt.
template <typename Real>
EQUIFUSE_HD inline void basis_functions(const RadialBasisArgs<Real>& a, Real t, Real* values,
                                        Real* derivatives) {
  const int n = a.num_basis;
  if (a.kind == kGaussianBasis) {
    for (int k = 0; k < n; ++k) {
      const Real d = t - a.centers[k];
      values[k] = kernel_math::exp(a.prefactor * d * d);
      derivatives[k] = values[k] * Real(2) * a.prefactor * d;
    }
  } else if (a.kind == kChebyshevBasis) {
    // T_n by the recurrence T_{n+1} = 2t T_n - T_{n-1}, T_n' = n U_{n-1}.
    Real t_prev = Real(1), t_now = t, u_prev = Real(1), u_now = Real(2) * t;  // T_0, T_1, U_0, U_1
    for (int k = 0; k < n; ++k) {
      const int order = k + 1;
      values[k] = t_now;
      derivatives[k] = static_cast<Real>(order) * u_prev;
      const Real t_next = Real(2) * t * t_now - t_prev;
      const Real u_next = Real(2) * t * u_now - u_prev;
      t_prev = t_now;
      t_now = t_next;
      u_prev = u_now;
      u_now = u_next;
    }
  } else {
    for (int k = 0; k < n; ++k) {
      const Real w = a.centers[k];
      const Real s = kernel_math::sin(w * t), c = kernel_math::cos(w * t);
      values[k] = a.prefactor * s / t;
      derivatives[k] = a.prefactor * (w * c / t - s / (t * t));
    }
  }
}

// values[num_basis], derivatives[num_basis] = dR/dr of an edge of length r between species u and
// v; with the cutoff apart (cutoff_on_basis = 0), *cutoff and *dcutoff receive f and df/dr.
template <typename Real>
EQUIFUSE_HD inline void radial_basis(const RadialBasisArgs<Real>& a, Real r, int u, int v,
                                     Real* values, Real* derivatives, Real* cutoff, Real* dcutoff) {
  const int n = a.num_basis;
  Real f, df;
  polynomial_cutoff(r, a.r_max, a.p, &f, &df);
  if (a.cutoff_on_basis && f == Real(0) && df == Real(0)) {
    for (int k = 0; k < n; ++k) values[k] = derivatives[k] = Real(0);
    return;
  }
  Real t, dt;
  distance_transform(a, r, u, v, &t, &dt);
  basis_functions(a, t, values, derivatives);
  if (a.transform != kNoTransform)
    for (int k = 0; k < n; ++k) derivatives[k] *= dt;
  if (a.cutoff_on_basis) {
    for (int k = 0; k < n; ++k) {
      derivatives[k] = derivatives[k] * f + values[k] * df;
      values[k] = values[k] * f;
    }
  } else {
    *cutoff = f;
    *dcutoff = df;
  }
}

}  // namespace equifuse
