#include "kernels/rotation/wigner_d.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "kernels/common/error.hpp"
#include "kernels/spherical_harmonics/spherical_harmonics.hpp"

namespace equifuse {
namespace {

Matrix3 multiply(const Matrix3& a, const Matrix3& b) {
  Matrix3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[3 * i + j] += a[3 * i + k] * b[3 * k + j];
  return c;
}

double determinant(const Matrix3& m) {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
         m[2] * (m[3] * m[7] - m[4] * m[6]);
}

// Solves X * M = B for X (n x n, row-major) by Gauss-Jordan on the transposed system.
std::vector<double> solve_right(std::vector<double> m, std::vector<double> b, int n) {
  // X M = B  <=>  M^T X^T = B^T.
  std::vector<long double> a(static_cast<std::size_t>(n) * 2 * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      a[i * 2 * n + j] = m[j * n + i];
      a[i * 2 * n + n + j] = b[j * n + i];
    }
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int r = col + 1; r < n; ++r)
      if (std::fabs(a[r * 2 * n + col]) > std::fabs(a[pivot * 2 * n + col])) pivot = r;
    for (int c = 0; c < 2 * n; ++c) std::swap(a[col * 2 * n + c], a[pivot * 2 * n + c]);
    const long double d = a[col * 2 * n + col];
    for (int c = 0; c < 2 * n; ++c) a[col * 2 * n + c] /= d;
    for (int r = 0; r < n; ++r) {
      if (r == col) continue;
      const long double f = a[r * 2 * n + col];
      for (int c = 0; c < 2 * n; ++c) a[r * 2 * n + c] -= f * a[col * 2 * n + c];
    }
  }
  std::vector<double> x(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) x[j * n + i] = static_cast<double>(a[i * 2 * n + n + j]);
  return x;
}

}  // namespace

Matrix3 rotation_from_angles(double alpha, double beta, double gamma) {
  const auto ry = [](double t) {
    return Matrix3{std::cos(t), 0, std::sin(t), 0, 1, 0, -std::sin(t), 0, std::cos(t)};
  };
  const auto rx = [](double t) {
    return Matrix3{1, 0, 0, 0, std::cos(t), -std::sin(t), 0, std::sin(t), std::cos(t)};
  };
  return multiply(multiply(ry(alpha), rx(beta)), ry(gamma));
}

std::vector<double> wigner_d(int l, const Matrix3& rotation) {
  if (std::abs(determinant(rotation) - 1.0) > 1e-6) {
    throw Error("wigner_d needs a proper rotation (det +1)");
  }
  const int d = 2 * l + 1;
  if (l == 0) return {1.0};
  const SphericalHarmonics sh({l}, /*normalize=*/true, ShNormalization::component);
  // Least squares over points spread on the sphere (golden spiral): D = B A^T (A A^T)^-1 with
  // A = [Y(r_p)], B = [Y(R r_p)].
  const int points = 4 * d;
  std::vector<double> aat(static_cast<std::size_t>(d) * d), bat(static_cast<std::size_t>(d) * d);
  std::vector<double> ya(d), yb(d);
  for (int p = 0; p < points; ++p) {
    const double z = 1.0 - (2.0 * p + 1.0) / points;
    const double rho = std::sqrt(1.0 - z * z);
    const double phi = p * std::numbers::pi * (3.0 - std::sqrt(5.0));
    const double r[3] = {rho * std::cos(phi), z, rho * std::sin(phi)};
    double rr[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k) rr[i] += rotation[3 * i + k] * r[k];
    sh.evaluate(r, ya.data());
    sh.evaluate(rr, yb.data());
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) {
        aat[i * d + j] += ya[i] * ya[j];
        bat[i * d + j] += yb[i] * ya[j];
      }
  }
  return solve_right(aat, bat, d);
}

std::vector<double> irreps_representation(const Irreps& irreps, const Matrix3& rotation) {
  const int dim = irreps.dim();
  std::vector<double> out(static_cast<std::size_t>(dim) * dim);
  const bool improper = determinant(rotation) < 0;
  Matrix3 proper = rotation;
  if (improper)
    for (double& v : proper) v = -v;
  int offset = 0;
  for (const auto& [mul, ir] : irreps) {
    const std::vector<double> d = wigner_d(ir.l, proper);
    const double sign = (improper && ir.p == -1) ? -1.0 : 1.0;
    const int n = ir.dim();
    for (int u = 0; u < mul; ++u, offset += n)
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          out[static_cast<std::size_t>(offset + i) * dim + offset + j] = sign * d[i * n + j];
  }
  return out;
}

}  // namespace equifuse
