#include "kernels/spherical_harmonics/spherical_harmonics.hpp"

#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <string>

#include "kernels/clebsch_gordan/wigner_3j.hpp"
#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

using Real = long double;
using Monomial = std::array<int, 3>;              // exponents of x, y, z
using Polynomial = std::map<Monomial, Real>;      // homogeneous polynomial
using PolynomialBlock = std::vector<Polynomial>;  // the 2l+1 components of Y^l

Real evaluate_at(const Polynomial& p, Real x, Real y, Real z) {
  Real s = 0;
  for (const auto& [e, c] : p) s += c * std::pow(x, e[0]) * std::pow(y, e[1]) * std::pow(z, e[2]);
  return s;
}

// Component-normalised polynomials of degrees 0..kMaxShDegree, built once.
const std::vector<PolynomialBlock>& component_polynomials() {
  static const std::vector<PolynomialBlock> blocks = [] {
    std::vector<PolynomialBlock> out;
    out.push_back({Polynomial{{{0, 0, 0}, 1}}});
    const Real s3 = std::sqrt(Real(3));
    out.push_back(
        {Polynomial{{{1, 0, 0}, s3}}, Polynomial{{{0, 1, 0}, s3}}, Polynomial{{{0, 0, 1}, s3}}});
    for (int l = 1; l < kMaxShDegree; ++l) {
      const auto& cg = wigner_3j(l + 1, 1, l);
      const PolynomialBlock& prev = out[l];
      PolynomialBlock next(2 * l + 3);
      for (const auto& nz : cg.nonzeros) {
        // r_j: x, y, z for j = 0, 1, 2.
        for (const auto& [e, c] : prev[nz.k]) {
          Monomial m = e;
          m[nz.j] += 1;
          next[nz.i][m] += static_cast<Real>(nz.value) * c;
        }
      }
      Real norm2 = 0;
      for (const auto& p : next) {
        const Real v = evaluate_at(p, 0, 1, 0);
        norm2 += v * v;
      }
      const Real scale = std::sqrt(Real(2 * l + 3) / norm2);
      for (auto& p : next)
        for (auto& [e, c] : p) c *= scale;
      out.push_back(std::move(next));
    }
    return out;
  }();
  return blocks;
}

}  // namespace

ShNormalization parse_sh_normalization(std::string_view name) {
  if (name == "integral") return ShNormalization::integral;
  if (name == "component") return ShNormalization::component;
  if (name == "norm") return ShNormalization::norm;
  throw Error("unknown spherical-harmonics normalization \"" + std::string(name) +
              "\" (expected integral, component or norm)");
}

SphericalHarmonics::SphericalHarmonics(std::vector<int> ls, bool normalize,
                                       ShNormalization normalization)
    : ls_(std::move(ls)), normalize_(normalize) {
  if (ls_.empty()) throw Error("spherical harmonics need at least one degree");
  const auto& blocks = component_polynomials();
  for (int l : ls_) {
    if (l < 0 || l > kMaxShDegree) {
      throw Error("spherical harmonics degree " + std::to_string(l) + " outside [0, " +
                  std::to_string(kMaxShDegree) + "]");
    }
    Real scale = 1;
    if (normalization == ShNormalization::integral)
      scale = 1 / std::sqrt(4 * std::numbers::pi_v<Real>);
    if (normalization == ShNormalization::norm) scale = 1 / std::sqrt(Real(2 * l + 1));
    for (const auto& p : blocks[l]) {
      std::vector<Term> row;
      for (const auto& [e, c] : p) {
        if (c != 0) row.push_back({e[0], e[1], e[2], static_cast<double>(c * scale)});
      }
      terms_.push_back(std::move(row));
    }
    lmax_ = std::max(lmax_, l);
    dim_ += 2 * l + 1;
  }
}

SphericalHarmonics SphericalHarmonics::up_to(int lmax, bool normalize,
                                             ShNormalization normalization) {
  if (lmax < 0) throw Error("spherical harmonics lmax must be >= 0");
  std::vector<int> ls(lmax + 1);
  for (int l = 0; l <= lmax; ++l) ls[l] = l;
  return SphericalHarmonics(std::move(ls), normalize, normalization);
}

Irreps SphericalHarmonics::irreps() const {
  std::vector<MulIrrep> items;
  for (int l : ls_) items.push_back({1, Irrep(l, l % 2 == 0 ? 1 : -1)});
  return Irreps(std::move(items)).simplify();
}

template <typename T>
void SphericalHarmonics::evaluate_polynomials(const T* r, T* out, T* grad) const {
  std::array<T, kMaxShDegree + 1> px{}, py{}, pz{};
  px[0] = py[0] = pz[0] = T(1);
  for (int n = 1; n <= lmax_; ++n) {
    px[n] = px[n - 1] * r[0];
    py[n] = py[n - 1] * r[1];
    pz[n] = pz[n - 1] * r[2];
  }
  for (std::size_t row = 0; row < terms_.size(); ++row) {
    T value = 0, gx = 0, gy = 0, gz = 0;
    for (const Term& t : terms_[row]) {
      const T c = static_cast<T>(t.coefficient);
      value += c * px[t.a] * py[t.b] * pz[t.c];
      if (grad != nullptr) {
        if (t.a > 0) gx += c * T(t.a) * px[t.a - 1] * py[t.b] * pz[t.c];
        if (t.b > 0) gy += c * T(t.b) * px[t.a] * py[t.b - 1] * pz[t.c];
        if (t.c > 0) gz += c * T(t.c) * px[t.a] * py[t.b] * pz[t.c - 1];
      }
    }
    out[row] = value;
    if (grad != nullptr) {
      grad[3 * row + 0] = gx;
      grad[3 * row + 1] = gy;
      grad[3 * row + 2] = gz;
    }
  }
}

template <typename T>
void SphericalHarmonics::evaluate(const T* vector, T* out) const {
  if (!normalize_) return evaluate_polynomials<T>(vector, out, nullptr);
  const T norm = std::sqrt(vector[0] * vector[0] + vector[1] * vector[1] + vector[2] * vector[2]);
  const T inv = T(1) / std::max(norm, T(1e-12));
  const T u[3] = {vector[0] * inv, vector[1] * inv, vector[2] * inv};
  evaluate_polynomials<T>(u, out, nullptr);
}

template <typename T>
void SphericalHarmonics::evaluate_with_gradient(const T* vector, T* out, T* grad) const {
  if (!normalize_) return evaluate_polynomials<T>(vector, out, grad);
  const T norm = std::sqrt(vector[0] * vector[0] + vector[1] * vector[1] + vector[2] * vector[2]);
  const bool clamped = norm < T(1e-12);
  const T inv = T(1) / (clamped ? T(1e-12) : norm);
  const T u[3] = {vector[0] * inv, vector[1] * inv, vector[2] * inv};
  evaluate_polynomials<T>(u, out, grad);
  // Chain rule through u = v / |v|: du/dv = (I - u u^T) / |v| (or I / eps where clamped).
  for (int row = 0; row < dim_; ++row) {
    T* g = grad + 3 * row;
    const T radial = clamped ? T(0) : g[0] * u[0] + g[1] * u[1] + g[2] * u[2];
    for (int c = 0; c < 3; ++c) g[c] = (g[c] - radial * u[c]) * inv;
  }
}

template <typename T>
void SphericalHarmonics::evaluate_batch(std::size_t n, const T* vectors, T* out) const {
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(n); ++i) {
    evaluate<T>(vectors + 3 * i, out + static_cast<std::size_t>(dim_) * i);
  }
}

#define EQUIFUSE_INSTANTIATE_SH(T)                                                     \
  template void SphericalHarmonics::evaluate<T>(const T*, T*) const;                   \
  template void SphericalHarmonics::evaluate_with_gradient<T>(const T*, T*, T*) const; \
  template void SphericalHarmonics::evaluate_batch<T>(std::size_t, const T*, T*) const;
EQUIFUSE_INSTANTIATE_SH(float)
EQUIFUSE_INSTANTIATE_SH(double)
#undef EQUIFUSE_INSTANTIATE_SH

}  // namespace equifuse
