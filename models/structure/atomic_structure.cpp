#include "models/structure/atomic_structure.hpp"

#include <array>
#include <cmath>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

const std::array<std::string, 119>& symbols() {
  static const std::array<std::string, 119> table = {
      "X",  "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si",
      "P",  "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
      "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru",
      "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr",
      "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",
      "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac",
      "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf",
      "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};
  return table;
}

}  // namespace

double AtomicStructure::volume() const {
  const auto& a = cell[0];
  const auto& b = cell[1];
  const auto& c = cell[2];
  return std::abs(a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
                  a[2] * (b[0] * c[1] - b[1] * c[0]));
}

void check_structure(const AtomicStructure& s) {
  if (s.positions.size() != s.atomic_numbers.size()) {
    throw Error("structure: " + std::to_string(s.positions.size()) + " positions for " +
                std::to_string(s.atomic_numbers.size()) + " atoms");
  }
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      if (!std::isfinite(s.cell[r][c])) {
        throw Error("structure: cell entry " + std::to_string(c + 1) + " of lattice vector " +
                    std::to_string(r + 1) + " is " + std::to_string(s.cell[r][c]) +
                    "; every cell entry must be a finite number");
      }
  for (std::size_t a = 0; a < s.size(); ++a) {
    const auto& x = s.positions[a];
    if (!std::isfinite(x[0]) || !std::isfinite(x[1]) || !std::isfinite(x[2])) {
      throw Error("structure: atom " + std::to_string(a + 1) + " has the position (" +
                  std::to_string(x[0]) + ", " + std::to_string(x[1]) + ", " + std::to_string(x[2]) +
                  "); every coordinate must be a finite number");
    }
  }
}

int atomic_number_of(const std::string& symbol) {
  const auto& table = symbols();
  for (std::size_t z = 1; z < table.size(); ++z) {
    if (table[z] == symbol) return static_cast<int>(z);
  }
  throw Error("unknown chemical symbol \"" + symbol + "\"");
}

const std::string& chemical_symbol(int atomic_number) {
  if (atomic_number < 1 || atomic_number > 118) {
    throw Error("atomic number " + std::to_string(atomic_number) + " is outside 1..118");
  }
  return symbols()[static_cast<std::size_t>(atomic_number)];
}

}  // namespace equifuse
