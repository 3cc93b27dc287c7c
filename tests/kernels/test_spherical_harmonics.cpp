#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "kernels/common/error.hpp"
#include "kernels/rotation/wigner_d.hpp"
#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

TEST(SphericalHarmonics, LowDegreesInE3nnBasis) {
  // e3nn: Y^1 = sqrt(3) (x, y, z) and Y^2_0 = sqrt(15) x z in component normalisation.
  const auto sh = SphericalHarmonics::up_to(2, false, ShNormalization::component);
  const double r[3] = {0.3, -0.5, 0.7};
  std::vector<double> y(sh.dim());
  sh.evaluate(r, y.data());
  EXPECT_DOUBLE_EQ(y[0], 1.0);
  EXPECT_NEAR(y[1], std::sqrt(3.0) * 0.3, 1e-15);
  EXPECT_NEAR(y[2], std::sqrt(3.0) * -0.5, 1e-15);
  EXPECT_NEAR(y[3], std::sqrt(3.0) * 0.7, 1e-15);
  EXPECT_NEAR(y[4], std::sqrt(15.0) * 0.3 * 0.7, 1e-14);
  EXPECT_EQ(sh.irreps().to_string(), "1x0e+1x1o+1x2e");
}

TEST(SphericalHarmonics, NormalisationsOnTheSphere) {
  std::mt19937_64 rng(7);
  auto v = testing::random_vector(3, rng);
  for (int l = 0; l <= kMaxShDegree; ++l) {
    std::vector<double> comp(2 * l + 1), norm(2 * l + 1), integral(2 * l + 1);
    SphericalHarmonics({l}, true, ShNormalization::component).evaluate(v.data(), comp.data());
    SphericalHarmonics({l}, true, ShNormalization::norm).evaluate(v.data(), norm.data());
    SphericalHarmonics({l}, true, ShNormalization::integral).evaluate(v.data(), integral.data());
    EXPECT_NEAR(testing::dot(comp, comp), 2 * l + 1, 1e-10 * (2 * l + 1)) << l;
    EXPECT_NEAR(testing::dot(norm, norm), 1.0, 1e-10) << l;
    EXPECT_NEAR(testing::dot(integral, integral), (2 * l + 1) / (4 * std::numbers::pi), 1e-10) << l;
  }
}

TEST(SphericalHarmonics, GradientMatchesFiniteDifferences) {
  std::mt19937_64 rng(11);
  for (bool normalize : {false, true}) {
    const auto sh = SphericalHarmonics::up_to(8, normalize, ShNormalization::component);
    const int d = sh.dim();
    auto v = testing::random_vector(3, rng);
    std::vector<double> y(d), grad(3 * d), yp(d), ym(d);
    sh.evaluate_with_gradient(v.data(), y.data(), grad.data());
    const double h = 1e-6;
    for (int c = 0; c < 3; ++c) {
      auto vp = v, vm = v;
      vp[c] += h;
      vm[c] -= h;
      sh.evaluate(vp.data(), yp.data());
      sh.evaluate(vm.data(), ym.data());
      for (int row = 0; row < d; ++row) {
        const double fd = (yp[row] - ym[row]) / (2 * h);
        EXPECT_NEAR(grad[3 * row + c], fd, 1e-6 * (1 + std::abs(fd)))
            << "row " << row << " dir " << c;
      }
    }
  }
}

TEST(SphericalHarmonics, Equivariant) {
  std::mt19937_64 rng(3);
  const Matrix3 r = rotation_from_angles(1.0, 0.4, -2.2);
  for (int l = 0; l <= 8; ++l) {
    const SphericalHarmonics sh({l}, false, ShNormalization::integral);
    const auto v = testing::random_vector(3, rng);
    double rv[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 3; ++k) rv[i] += r[3 * i + k] * v[k];
    std::vector<double> y(2 * l + 1), yr(2 * l + 1), dy(2 * l + 1, 0.0);
    sh.evaluate(v.data(), y.data());
    sh.evaluate(rv, yr.data());
    const auto d = wigner_d(l, r);
    for (int i = 0; i <= 2 * l; ++i)
      for (int j = 0; j <= 2 * l; ++j) dy[i] += d[i * (2 * l + 1) + j] * y[j];
    EXPECT_LT(testing::relative_error(yr, dy), 1e-12) << l;
  }
}

TEST(SphericalHarmonics, BadInput) {
  EXPECT_THROW(SphericalHarmonics({kMaxShDegree + 1}, true), Error);
  EXPECT_THROW(SphericalHarmonics({-1}, true), Error);
  EXPECT_THROW(SphericalHarmonics({}, true), Error);
  EXPECT_THROW(parse_sh_normalization("unit"), Error);
}

}  // namespace
}  // namespace equifuse
