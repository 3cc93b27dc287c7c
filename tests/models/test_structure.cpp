// Structure tools: the neighbour list equals a brute-force search over periodic images (small and
// skewed cells, mixed periodicity, cells smaller than the cutoff), and the extended XYZ reader
// reads what it writes and refuses malformed files with the line number.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <sstream>
#include <tuple>

#include "kernels/common/error.hpp"
#include "models/structure/extxyz.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {
namespace {

using Edge = std::tuple<int, int, long, long, long>;  // sender, receiver, rounded vector

std::vector<Edge> canonical(const NeighborList& list) {
  std::vector<Edge> edges;
  for (std::size_t e = 0; e < list.senders.size(); ++e) {
    edges.emplace_back(list.senders[e], list.receivers[e], std::lround(list.vectors[3 * e] * 1e6),
                       std::lround(list.vectors[3 * e + 1] * 1e6),
                       std::lround(list.vectors[3 * e + 2] * 1e6));
  }
  std::sort(edges.begin(), edges.end());
  return edges;
}

NeighborList brute_force(const AtomicStructure& s, double cutoff) {
  NeighborList list;
  const int range = 6;
  for (std::size_t i = 0; i < s.size(); ++i) {
    for (std::size_t j = 0; j < s.size(); ++j) {
      for (int a = -range; a <= range; ++a)
        for (int b = -range; b <= range; ++b)
          for (int c = -range; c <= range; ++c) {
            if ((!s.pbc[0] && a) || (!s.pbc[1] && b) || (!s.pbc[2] && c)) continue;
            if (i == j && !a && !b && !c) continue;
            std::array<double, 3> d{};
            for (int k = 0; k < 3; ++k) {
              d[k] = s.positions[i][k] - s.positions[j][k] - a * s.cell[0][k] - b * s.cell[1][k] -
                     c * s.cell[2][k];
            }
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < cutoff * cutoff) {
              list.senders.push_back(static_cast<std::int32_t>(j));
              list.receivers.push_back(static_cast<std::int32_t>(i));
              list.vectors.insert(list.vectors.end(), d.begin(), d.end());
            }
          }
    }
  }
  return list;
}

TEST(NeighborList, MatchesBruteForceOverImages) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1), skew(-0.4, 0.4);
  for (int trial = 0; trial < 12; ++trial) {
    AtomicStructure s;
    const double size = trial < 4 ? 2.2 : 5.5;  // smaller than the cutoff: many images
    s.cell = {{{size, 0, 0},
               {skew(rng) * size, size * 1.1, 0},
               {skew(rng) * size, skew(rng) * size, size * 0.9}}};
    s.pbc = {trial % 3 != 2, true, trial % 4 != 3};
    const int n = 1 + trial % 5 * 3;
    for (int a = 0; a < n; ++a) {
      std::array<double, 3> f{u(rng) * 1.6 - 0.3, u(rng), u(rng)};  // some atoms outside the cell
      std::array<double, 3> r{};
      for (int d = 0; d < 3; ++d)
        for (int k = 0; k < 3; ++k) r[k] += f[d] * s.cell[d][k];
      s.positions.push_back(r);
      s.atomic_numbers.push_back(29);
    }
    const double cutoff = 3.7;
    EXPECT_EQ(canonical(build_neighbor_list(s, cutoff)), canonical(brute_force(s, cutoff)))
        << "trial " << trial;
  }
}

// Receivers are searched in parallel chunks of 1,024 atoms: the list (not only its set of edges)
// must not depend on the number of threads.
TEST(NeighborList, SameListForAnyNumberOfThreads) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  AtomicStructure s;
  const double size = 30.0;  // ~3,000 atoms at a metal's density: several chunks
  s.cell = {{{size, 0, 0}, {0, size, 0}, {0, 0, size}}};
  s.pbc = {true, true, true};
  for (int a = 0; a < 3000; ++a) {
    s.positions.push_back({u(rng) * size, u(rng) * size, u(rng) * size});
    s.atomic_numbers.push_back(29);
  }
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const NeighborList serial = build_neighbor_list(s, 4.0);
  omp_set_num_threads(std::max(threads, 3));
  const NeighborList parallel = build_neighbor_list(s, 4.0);
  omp_set_num_threads(threads);
  EXPECT_GT(serial.senders.size(), 3000u * 20);
  EXPECT_EQ(parallel.senders, serial.senders);
  EXPECT_EQ(parallel.receivers, serial.receivers);
  EXPECT_EQ(parallel.vectors, serial.vectors);
  EXPECT_TRUE(std::is_sorted(serial.receivers.begin(), serial.receivers.end()));
}

TEST(NeighborList, RefusesBadInput) {
  AtomicStructure s;
  s.atomic_numbers = {1};
  s.positions = {{{0, 0, 0}}};
  EXPECT_THROW(build_neighbor_list(s, 0.0), Error);
  s.pbc = {true, true, true};  // zero cell
  EXPECT_THROW(build_neighbor_list(s, 3.0), Error);
}

TEST(Extxyz, RoundTrip) {
  AtomicStructure s;
  s.atomic_numbers = {29, 13};
  s.positions = {{{0.1, 0.2, 0.3}}, {{1.5, -2.25, 3.125}}};
  s.cell = {{{4, 0, 0}, {0.5, 4, 0}, {0, 0.25, 5}}};
  s.pbc = {true, true, false};
  std::stringstream text;
  write_extxyz(text, s, {{"forces", 3, {1, 2, 3, 4, 5, 6}}}, "energy=-1.5");
  const auto frames = read_extxyz(text, "round trip");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].atomic_numbers, s.atomic_numbers);
  EXPECT_EQ(frames[0].pbc, s.pbc);
  EXPECT_EQ(frames[0].cell, s.cell);
  EXPECT_EQ(frames[0].positions, s.positions);
}

void expect_parse_error(const std::string& text, const std::string& fragment) {
  std::stringstream in(text);
  try {
    read_extxyz(in, "test.xyz");
    ADD_FAILURE() << "no error for: " << text;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Extxyz, RefusesMalformedFiles) {
  expect_parse_error("2\nProperties=species:S:1:pos:R:3\nCu 0 0 0\n",
                     "test.xyz:3: file ends before atom 2");
  expect_parse_error("1\n\nXx 0 0 0\n", "unknown chemical symbol \"Xx\"");
  expect_parse_error("1\n\nCu 0 zero 0\n", "test.xyz:3: \"zero\" is not a number");
  expect_parse_error("1\nLattice=\"1 0 0 0 1 0\"\nCu 0 0 0\n", "Lattice needs 9 numbers");
  expect_parse_error("1\npbc=\"T T T\"\nCu 0 0 0\n", "periodic structure without Lattice");
  expect_parse_error("many\n\n", "test.xyz:1: expected the number of atoms");
  expect_parse_error("", "no structure found");
}

// Found by fuzz/extxyz_fuzzer (fuzz/regressions/extxyz) and its neighbours: non-finite numbers,
// and counts that were converted from doubles unchecked.
TEST(Extxyz, RefusesNonFiniteNumbersAndHugeCounts) {
  expect_parse_error("1\nLattice=\"3.6 0 0 0 3.6 0 0 0 nan\"\nCu 0 0 0\n",
                     "test.xyz:2: Lattice entry \"nan\" is not a finite number");
  expect_parse_error("1\n\nCu 0 inf 0\n", "test.xyz:3: position \"inf\" is not a finite number");
  expect_parse_error("1e300\n\n", "test.xyz:1: expected the number of atoms (an integer from 0");
  expect_parse_error("2.5\n\n", "expected the number of atoms");
  expect_parse_error("1\nProperties=species:S:1:pos:R:3:forces:R:1e300\nCu 0 0 0\n",
                     "expected a property's column count (an integer from 0 to 1000)");
}

}  // namespace
}  // namespace equifuse
