// Extended XYZ (the format ASE writes): a count line, a comment line of key=value pairs
// (Lattice="9 numbers", pbc="T T F", Properties=species:S:1:pos:R:3:...), then one line per atom.
// Reads the species and pos columns (other columns are skipped), the lattice and pbc.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "models/structure/atomic_structure.hpp"

namespace equifuse {

// All frames of a file. Throws equifuse::Error naming the file, line and problem.
std::vector<AtomicStructure> read_extxyz(const std::string& path);
std::vector<AtomicStructure> read_extxyz(std::istream& in, const std::string& name);

// Per-atom extra columns written after species and pos, e.g. {"forces", 3, values}.
struct ExtxyzColumn {
  std::string name;
  int width = 1;
  std::vector<double> values;  // [n][width]
};

// One frame; `info` is appended to the comment line verbatim (e.g. "energy=-1.5"). Numbers are
// written with 17 significant digits: read back, they are the doubles written.
void write_extxyz(std::ostream& out, const AtomicStructure& structure,
                  const std::vector<ExtxyzColumn>& columns, const std::string& info);

}  // namespace equifuse
