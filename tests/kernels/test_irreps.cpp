#include <gtest/gtest.h>

#include "kernels/common/error.hpp"
#include "kernels/irreps/irreps.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

TEST(Irreps, ParsesE3nnSyntax) {
  const Irreps a = Irreps::parse("32x0e + 16x1o");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].mul, 32);
  EXPECT_EQ(a[0].ir, Irrep(0, 1));
  EXPECT_EQ(a[1].mul, 16);
  EXPECT_EQ(a[1].ir, Irrep(1, -1));
  EXPECT_EQ(a.dim(), 32 + 48);
  EXPECT_EQ(a.num_irreps(), 48);
  EXPECT_EQ(a.lmax(), 1);
  EXPECT_EQ(Irreps::parse("0e+1o+2e").to_string(), "1x0e+1x1o+1x2e");
  EXPECT_EQ(Irreps::parse("1x1o").to_string(), "1x1o");
  EXPECT_EQ(Irreps::parse("2y+3y").to_string(), "1x2e+1x3o");
  EXPECT_EQ(Irreps::parse("0x1o+2x0e").dim(), 2);
  EXPECT_TRUE(Irreps::parse("").empty());
  EXPECT_TRUE(Irreps::parse("  ").empty());
}

TEST(Irreps, RoundTripsThroughText) {
  for (const char* s : {"128x0e+128x1o+128x2e", "32x0o+32x0e+32x1o+32x1e", "3x4e+1x5o+1x6e"}) {
    EXPECT_EQ(Irreps::parse(Irreps::parse(s).to_string()).to_string(), s);
  }
}

TEST(Irreps, OffsetsAndDims) {
  const Irreps a = Irreps::parse("2x0e+3x1o+1x2e");
  EXPECT_EQ(a.offset(0), 0);
  EXPECT_EQ(a.offset(1), 2);
  EXPECT_EQ(a.offset(2), 11);
  EXPECT_EQ(a.offset(3), a.dim());
  EXPECT_THROW(a.offset(4), Error);
}

TEST(Irreps, SimplifyMergesNeighboursOnly) {
  // e3nn's doc examples.
  EXPECT_EQ(Irreps::parse("1e + 1e + 0e").simplify().to_string(), "2x1e+1x0e");
  EXPECT_EQ(Irreps::parse("1e + 1e + 0e + 1e").simplify().to_string(), "2x1e+1x0e+1x1e");
  EXPECT_EQ(Irreps::parse("4x0e + 0x1o + 2x3e").simplify().to_string(), "4x0e+2x3e");
}

TEST(Irreps, SortMatchesE3nn) {
  // e3nn: Irreps("2o + 1e + 0e + 1e").sort() -> p = (3, 1, 0, 2), inv = (2, 1, 3, 0).
  const auto s = Irreps::parse("2o + 1e + 0e + 1e").sort();
  EXPECT_EQ(s.irreps.to_string(), "1x0e+1x1e+1x1e+1x2o");
  EXPECT_EQ(s.permutation, (std::vector<int>{3, 1, 0, 2}));
  EXPECT_EQ(s.inverse, (std::vector<int>{2, 1, 3, 0}));
  // Odd parity sorts before even parity at equal l, as e3nn's (l, p) tuples do.
  EXPECT_EQ(Irreps::parse("0e+1e+0o+1o").sort().irreps.to_string(), "1x0o+1x0e+1x1o+1x1e");
  EXPECT_EQ(Irreps::parse("1e + 0e + 1e + 0x2e").regroup().to_string(), "1x0e+2x1e");
}

TEST(Irreps, ProductSelectionRule) {
  const auto p = irrep_product(Irrep(2, 1), Irrep(1, -1));
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], Irrep(1, -1));
  EXPECT_EQ(p[2], Irrep(3, -1));
}

std::string message_of(const char* text) {
  return testing::error_of([&] { Irreps::parse(text); });
}

TEST(Irreps, MalformedStringsNameTheBadToken) {
  EXPECT_NE(message_of("32x0e+16x1q").find("16x1q"), std::string::npos);
  EXPECT_NE(message_of("32x0e+ax1o").find("ax1o"), std::string::npos);
  EXPECT_NE(message_of("32x0e++1o").find("empty term"), std::string::npos);
  EXPECT_NE(message_of("-1x0e").find("-1x0e"), std::string::npos);
  EXPECT_NE(message_of("1x-1e").find("1x-1e"), std::string::npos);
  EXPECT_NE(message_of("1xe").find("1xe"), std::string::npos);
  EXPECT_NE(message_of("0e+").find("empty term"), std::string::npos);
  EXPECT_THROW(Irreps::parse("3.5x0e"), Error);
  EXPECT_THROW(Irrep(-1, 1), Error);
  EXPECT_THROW(Irrep(1, 0), Error);
  EXPECT_THROW(Irreps().lmax(), Error);
}

// Found by fuzz/irreps_fuzzer (fuzz/regressions/irreps): dimensions that overflowed an int.
TEST(Irreps, DimensionsBeyondAnIntAreRefused) {
  EXPECT_NE(message_of("0x2147483647o")
                .find("(its dimension 2l + 1 must fit 32 bits): use a smaller degree"),
            std::string::npos);
  EXPECT_NE(message_of("3x1073741823e").find("irreps of dimension over 2147483647 (at 3x"),
            std::string::npos);
  EXPECT_NE(message_of("2147483647x0e+1x0e").find("use smaller multiplicities"), std::string::npos);
  EXPECT_EQ(Irreps::parse("1x1073741823e").dim(), 2147483647);
}

}  // namespace
}  // namespace equifuse
