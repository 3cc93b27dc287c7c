#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "kernels/clebsch_gordan/wigner_3j.hpp"
#include "kernels/common/error.hpp"
#include "kernels/rotation/wigner_d.hpp"

namespace equifuse {
namespace {

TEST(Wigner3j, UnitNormAndKnownValues) {
  for (int l1 = 0; l1 <= 8; ++l1)
    for (int l2 = 0; l2 <= 8; ++l2)
      for (int l3 = std::abs(l1 - l2); l3 <= std::min(l1 + l2, 8); ++l3) {
        double s = 0;
        for (double v : wigner_3j(l1, l2, l3).dense) s += v * v;
        EXPECT_NEAR(s, 1.0, 1e-13) << l1 << l2 << l3;
      }
  // (0,0,0) is 1; (1,1,0) is the identity / sqrt(3): e3nn's real basis is orthonormal.
  EXPECT_DOUBLE_EQ(wigner_3j(0, 0, 0).dense[0], 1.0);
  const auto& c = wigner_3j(1, 1, 0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(c.at(i, j, 0), i == j ? 1 / std::sqrt(3.0) : 0.0, 1e-15);
}

// C_ijk D1_ii' D2_jj' D3_kk' = C_i'j'k' for every rotation, with D from our own machinery.
TEST(Wigner3j, InvariantUnderRotation) {
  const Matrix3 r = rotation_from_angles(0.7, -1.3, 2.1);
  for (auto [l1, l2, l3] :
       {std::array{1, 1, 2}, std::array{2, 3, 4}, std::array{3, 3, 6}, std::array{8, 5, 4}}) {
    const auto& c = wigner_3j(l1, l2, l3);
    const auto d1 = wigner_d(l1, r), d2 = wigner_d(l2, r), d3 = wigner_d(l3, r);
    const int n1 = 2 * l1 + 1, n2 = 2 * l2 + 1, n3 = 2 * l3 + 1;
    double err = 0;
    for (int a = 0; a < n1; ++a)
      for (int b = 0; b < n2; ++b)
        for (int k = 0; k < n3; ++k) {
          double rotated = 0;
          for (const auto& nz : c.nonzeros)
            rotated += nz.value * d1[nz.i * n1 + a] * d2[nz.j * n2 + b] * d3[nz.k * n3 + k];
          err = std::max(err, std::abs(rotated - c.at(a, b, k)));
        }
    EXPECT_LT(err, 1e-11) << l1 << "," << l2 << "," << l3;
  }
}

TEST(Wigner3j, NonzerosMatchDenseAndAreCached) {
  const auto& c = wigner_3j(4, 3, 5);
  std::size_t count = 0;
  for (double v : c.dense) count += v != 0.0;
  EXPECT_EQ(count, c.nonzeros.size());
  EXPECT_LT(c.nonzeros.size(), c.dense.size());  // sparse: the generators rely on it
  EXPECT_EQ(&wigner_3j(4, 3, 5), &c);
}

TEST(Wigner3j, ThreadSafeCache) {
  std::vector<std::thread> threads;
  std::vector<const ClebschGordanBlock*> seen(8);
  for (int t = 0; t < 8; ++t) threads.emplace_back([&, t] { seen[t] = &wigner_3j(6, 7, 9); });
  for (auto& t : threads) t.join();
  for (auto* p : seen) EXPECT_EQ(p, seen[0]);
}

TEST(Wigner3j, RejectsForbiddenDegrees) {
  EXPECT_THROW(wigner_3j(1, 1, 3), Error);
  EXPECT_THROW(wigner_3j(-1, 1, 1), Error);
  EXPECT_THROW(wigner_3j(kMaxCgDegree + 1, kMaxCgDegree + 1, 0), Error);
  try {
    wigner_3j(2, 0, 1);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("triangle"), std::string::npos);
  }
}

}  // namespace
}  // namespace equifuse
