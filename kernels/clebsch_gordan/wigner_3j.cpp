#include "kernels/clebsch_gordan/wigner_3j.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "kernels/common/error.hpp"

namespace equifuse {
namespace {

using Real = long double;
using Complex = std::complex<Real>;

Real factorial(int n) {
  static const auto table = [] {
    std::array<Real, 4 * kMaxCgDegree + 2> t{};
    t[0] = 1;
    for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * static_cast<Real>(i);
    return t;
  }();
  return table.at(static_cast<std::size_t>(n));
}

// Standard (Condon-Shortley) SU(2) Clebsch-Gordan coefficient <l1 m1; l2 m2 | l3 m1+m2>,
// Racah's closed form, integer degrees only.
Real su2_clebsch_gordan(int l1, int m1, int l2, int m2, int l3) {
  const int m3 = m1 + m2;
  const int vmin = std::max({-l1 + l2 + m3, -l1 + m1, 0});
  const int vmax = std::min({l2 + l3 + m1, l3 - l1 + l2, l3 + m3});
  const Real prefactor =
      std::sqrt((2 * l3 + 1) * factorial(l3 + l1 - l2) * factorial(l3 - l1 + l2) *
                factorial(l1 + l2 - l3) * factorial(l3 + m3) * factorial(l3 - m3) /
                (factorial(l1 + l2 + l3 + 1) * factorial(l1 - m1) * factorial(l1 + m1) *
                 factorial(l2 - m2) * factorial(l2 + m2)));
  Real sum = 0;
  for (int v = vmin; v <= vmax; ++v) {
    const Real sign = ((v + l2 + m2) % 2 == 0) ? 1 : -1;
    sum += sign * factorial(l2 + l3 + m1 - v) * factorial(l1 - m1 + v) /
           (factorial(v) * factorial(l3 - l1 + l2 - v) * factorial(l3 + m3 - v) *
            factorial(v + l1 - l2 - m3));
  }
  return prefactor * sum;
}

// e3nn's change of basis from real to complex spherical harmonics, Q[row = complex m][col = real
// index], including its global factor (-i)^l that makes the coupling coefficients real. Each row
// has at most two nonzeros; they are returned as (column, value) pairs.
struct QEntry {
  int column;
  Complex value;
};
std::vector<std::vector<QEntry>> real_to_complex_rows(int l) {
  const Real s = 1 / std::sqrt(Real(2));
  const Complex I(0, 1);
  Complex phase = 1;  // (-i)^l
  for (int n = 0; n < l; ++n) phase *= -I;
  std::vector<std::vector<QEntry>> rows(2 * l + 1);
  for (int m = -l; m <= l; ++m) {
    auto& row = rows[l + m];
    const int a = std::abs(m);
    if (m < 0) {
      row = {{l + a, s}, {l - a, -I * s}};
    } else if (m == 0) {
      row = {{l, Complex(1)}};
    } else {
      const Real sign = (m % 2 == 0) ? 1 : -1;
      row = {{l + a, sign * s}, {l - a, I * sign * s}};
    }
    for (auto& e : row) e.value *= phase;
  }
  return rows;
}

std::unique_ptr<ClebschGordanBlock> compute_block(int l1, int l2, int l3) {
  const int d1 = 2 * l1 + 1, d2 = 2 * l2 + 1, d3 = 2 * l3 + 1;
  const auto q1 = real_to_complex_rows(l1);
  const auto q2 = real_to_complex_rows(l2);
  const auto q3 = real_to_complex_rows(l3);
  std::vector<Complex> c(static_cast<std::size_t>(d1) * d2 * d3);
  // C_real[a][b][c] = sum over complex (m1, m2, m3) of Q1[m1][a] Q2[m2][b] conj(Q3[m3][c]) CG.
  for (int m1 = -l1; m1 <= l1; ++m1) {
    for (int m2 = -l2; m2 <= l2; ++m2) {
      const int m3 = m1 + m2;
      if (std::abs(m3) > l3) continue;
      const Real cg = su2_clebsch_gordan(l1, m1, l2, m2, l3);
      if (cg == 0) continue;
      for (const auto& e1 : q1[l1 + m1]) {
        for (const auto& e2 : q2[l2 + m2]) {
          for (const auto& e3 : q3[l3 + m3]) {
            c[(static_cast<std::size_t>(e1.column) * d2 + e2.column) * d3 + e3.column] +=
                e1.value * e2.value * std::conj(e3.value) * cg;
          }
        }
      }
    }
  }
  Real norm2 = 0;
  for (const auto& v : c) norm2 += v.real() * v.real();
  const Real norm = std::sqrt(norm2);

  auto block = std::make_unique<ClebschGordanBlock>();
  block->l1 = l1;
  block->l2 = l2;
  block->l3 = l3;
  block->dense.resize(c.size());
  for (std::size_t n = 0; n < c.size(); ++n) {
    if (std::abs(c[n].imag()) > 1e-9L * norm) {
      throw Error("internal error: Clebsch-Gordan coefficients are not real for (" +
                  std::to_string(l1) + "," + std::to_string(l2) + "," + std::to_string(l3) + ")");
    }
    const double value = static_cast<double>(c[n].real() / norm);
    if (std::abs(value) <= kNonzeroThreshold) continue;
    block->dense[n] = value;
  }
  for (int i = 0; i < d1; ++i)
    for (int j = 0; j < d2; ++j)
      for (int k = 0; k < d3; ++k)
        if (const double v = block->at(i, j, k); v != 0.0) block->nonzeros.push_back({i, j, k, v});
  return block;
}

}  // namespace

const ClebschGordanBlock& wigner_3j(int l1, int l2, int l3) {
  if (l1 < 0 || l2 < 0 || l3 < 0 || l1 > kMaxCgDegree || l2 > kMaxCgDegree || l3 > kMaxCgDegree) {
    throw Error("wigner_3j: degrees must lie in [0, " + std::to_string(kMaxCgDegree) + "], got (" +
                std::to_string(l1) + "," + std::to_string(l2) + "," + std::to_string(l3) + ")");
  }
  if (l3 < std::abs(l1 - l2) || l3 > l1 + l2) {
    throw Error("wigner_3j: (" + std::to_string(l1) + "," + std::to_string(l2) + "," +
                std::to_string(l3) + ") violates the triangle rule |l1-l2| <= l3 <= l1+l2");
  }
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, std::unique_ptr<ClebschGordanBlock>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[{l1, l2, l3}];
  if (!slot) slot = compute_block(l1, l2, l3);
  return *slot;
}

}  // namespace equifuse
