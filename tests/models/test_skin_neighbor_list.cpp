// The neighbour list kept between MD steps: while reused it gives build_neighbor_list's list bit
// for bit (atoms crossing the cell's faces included), and it rebuilds when an atom moved more than
// half the skin or the cell changed. The image shifts it follows the atoms by locate each sender's
// image.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "kernels/common/error.hpp"
#include "models/structure/neighbor_list.hpp"
#include "models/structure/skin_neighbor_list.hpp"

namespace equifuse {
namespace {

// Atoms in a skewed cell, some of them outside it (as MD leaves unwrapped positions).
AtomicStructure random_structure(std::array<bool, 3> pbc, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.2, 1.2);
  AtomicStructure s;
  s.cell = {{{7.5, 0, 0}, {1.2, 7.0, 0}, {-0.8, 0.6, 8.0}}};
  s.pbc = pbc;
  for (int a = 0; a < 40; ++a) {
    const double f0 = u(rng), f1 = u(rng), f2 = u(rng);
    std::array<double, 3> r{};
    for (int k = 0; k < 3; ++k) r[k] = f0 * s.cell[0][k] + f1 * s.cell[1][k] + f2 * s.cell[2][k];
    s.positions.push_back(r);
    s.atomic_numbers.push_back(a % 2 ? 29 : 79);
  }
  return s;
}

void expect_same_list(const NeighborList& a, const NeighborList& b) {
  EXPECT_EQ(a.senders, b.senders);
  EXPECT_EQ(a.receivers, b.receivers);
  EXPECT_EQ(a.vectors, b.vectors);
}

TEST(SkinNeighborList, ShiftsLocateTheSendersImage) {
  const AtomicStructure s = random_structure({true, false, true}, 3);
  const NeighborList plain = build_neighbor_list(s, 4.0);
  const NeighborList list = build_neighbor_list(s, 4.0, /*with_shifts=*/true);
  expect_same_list(list, plain);
  EXPECT_TRUE(plain.shifts.empty());
  ASSERT_EQ(list.shifts.size(), 3 * list.senders.size());
  for (std::size_t e = 0; e < list.senders.size(); ++e) {
    for (int k = 0; k < 3; ++k) {
      double image = s.positions[list.senders[e]][k];
      for (int d = 0; d < 3; ++d) image += list.shifts[3 * e + d] * s.cell[d][k];
      EXPECT_NEAR(list.vectors[3 * e + k], s.positions[list.receivers[e]][k] - image, 1e-12);
    }
  }
}

// MD-like steps of up to 0.03 A per atom, 20 of them: atoms cross the cell's faces and pairs
// cross the cutoff, and the list built once is reused throughout (0.6 A < skin / 2).
TEST(SkinNeighborList, ReusedListIsTheFreshList) {
  for (const auto pbc :
       {std::array<bool, 3>{true, true, true}, std::array<bool, 3>{true, true, false},
        std::array<bool, 3>{false, false, false}}) {
    AtomicStructure s = random_structure(pbc, 5);
    SkinNeighborList list(4.0, 1.5);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> step(-0.017, 0.017);
    std::vector<std::array<double, 3>> velocity(s.size());
    for (auto& v : velocity)
      for (double& x : v) x = step(rng);
    for (int t = 0; t < 20; ++t) {
      expect_same_list(list.update(s), build_neighbor_list(s, 4.0));
      for (std::size_t a = 0; a < s.size(); ++a)
        for (int k = 0; k < 3; ++k) s.positions[a][k] += velocity[a][k];
    }
    EXPECT_EQ(list.builds(), 1);
    EXPECT_FALSE(list.rebuilt());
  }
}

TEST(SkinNeighborList, RebuildsWhenAnAtomMovedHalfTheSkinOrTheCellChanged) {
  AtomicStructure s = random_structure({true, true, true}, 9);
  SkinNeighborList list(4.0, 1.0);
  list.update(s);
  EXPECT_TRUE(list.rebuilt());
  s.positions[3][0] += 0.45;
  list.update(s);
  EXPECT_FALSE(list.rebuilt());
  s.positions[3][0] += 0.1;  // 0.55 A from where it was at the build
  expect_same_list(list.update(s), build_neighbor_list(s, 4.0));
  EXPECT_TRUE(list.rebuilt());
  s.cell[2][2] *= 1.001;
  expect_same_list(list.update(s), build_neighbor_list(s, 4.0));
  EXPECT_TRUE(list.rebuilt());
  s.atomic_numbers[0] = 29 + 79 - s.atomic_numbers[0];
  list.update(s);
  EXPECT_TRUE(list.rebuilt());
  EXPECT_EQ(list.builds(), 4);
  EXPECT_THROW(SkinNeighborList(0.0, 1.0), Error);
  EXPECT_THROW(SkinNeighborList(4.0, -1.0), Error);
}

}  // namespace
}  // namespace equifuse
