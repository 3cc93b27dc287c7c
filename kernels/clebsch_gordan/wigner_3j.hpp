// Wigner 3j symbols (real Clebsch-Gordan coefficients) in e3nn's real basis and normalisation:
// C[i][j][k] for degrees (l1, l2, l3), invariant under simultaneous rotation and with
// sum C^2 = 1. Computed once per (l1, l2, l3) and cached; the nonzeros drive the loops of every
// backend and, later, code generation.
#pragma once

#include <vector>

namespace equifuse {

struct CgNonzero {
  int i = 0;  // index in 0 .. 2*l1
  int j = 0;  // index in 0 .. 2*l2
  int k = 0;  // index in 0 .. 2*l3
  double value = 0.0;
};

struct ClebschGordanBlock {
  int l1 = 0, l2 = 0, l3 = 0;
  std::vector<double> dense;        // row-major [2l1+1][2l2+1][2l3+1]
  std::vector<CgNonzero> nonzeros;  // entries with |value| > kNonzeroThreshold, in (i, j, k) order

  double at(int i, int j, int k) const {
    return dense[(static_cast<std::size_t>(i) * (2 * l2 + 1) + j) * (2 * l3 + 1) + k];
  }
};

// Entries below this are rounding noise of the complex-to-real change of basis (exact zeros).
inline constexpr double kNonzeroThreshold = 1e-12;
// Largest degree accepted; the arithmetic is exact enough well beyond l = 8.
inline constexpr int kMaxCgDegree = 16;

// Thread-safe; the returned reference stays valid for the life of the program.
// Throws equifuse::Error unless |l1 - l2| <= l3 <= l1 + l2 and all l <= kMaxCgDegree.
const ClebschGordanBlock& wigner_3j(int l1, int l2, int l3);

}  // namespace equifuse
