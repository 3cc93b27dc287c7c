// An atomic structure as users give it: atomic numbers, Cartesian positions (Angstrom), cell and
// periodicity. Row i of `cell` is lattice vector i (ASE's and extended XYZ's convention).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace equifuse {

struct AtomicStructure {
  std::vector<int> atomic_numbers;               // [n]
  std::vector<std::array<double, 3>> positions;  // [n]
  std::array<std::array<double, 3>, 3> cell{};   // rows are lattice vectors
  std::array<bool, 3> pbc{false, false, false};

  std::size_t size() const { return atomic_numbers.size(); }
  bool periodic() const { return pbc[0] || pbc[1] || pbc[2]; }
  // |det(cell)|; only meaningful when fully periodic.
  double volume() const;
};

// Throws equifuse::Error, naming the atom or entry, for a structure nothing can evaluate:
// positions and atomic numbers of different lengths, a non-finite position or cell entry.
void check_structure(const AtomicStructure& structure);

// Chemical symbols by atomic number (1..118). Throws equifuse::Error for unknown input.
int atomic_number_of(const std::string& symbol);
const std::string& chemical_symbol(int atomic_number);

}  // namespace equifuse
