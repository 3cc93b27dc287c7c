// The extended XYZ reader on arbitrary text, then each structure it accepts (of up to 64 atoms)
// turned into the graph a potential evaluates (cutoff 3 Angstrom, every element known), as
// `equifuse eval` does.
// Every input is read or throws equifuse::Error; an accepted frame writes and reads back with the
// same atoms, periodicity and (when periodic) cell.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_property.hpp"
#include "kernels/common/error.hpp"
#include "models/potential/atomic_graph.hpp"
#include "models/structure/extxyz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<int> every_element = [] {
    std::vector<int> z(118);
    std::iota(z.begin(), z.end(), 1);
    return z;
  }();
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<equifuse::AtomicStructure> frames;
  try {
    frames = equifuse::read_extxyz(in, "fuzz.xyz");
  } catch (const equifuse::Error&) {
    return 0;
  }
  for (const equifuse::AtomicStructure& s : frames) {
    std::stringstream text;
    equifuse::write_extxyz(text, s, {}, "");
    const auto again = equifuse::read_extxyz(text, "written.xyz");
    equifuse::fuzz::require(again.size() == 1 && again[0].atomic_numbers == s.atomic_numbers &&
                                again[0].pbc == s.pbc && (!s.periodic() || again[0].cell == s.cell),
                            "a frame read writes and reads back");
    // Up to 64 atoms: the graph of a dense structure has ~n^2 edges, by design; what is under
    // test is that no structure breaks the builder.
    if (s.size() > 64) continue;
    try {
      (void)equifuse::make_atomic_graph(s, every_element, 3.0);
    } catch (const equifuse::Error&) {
    }
  }
  return 0;
}
