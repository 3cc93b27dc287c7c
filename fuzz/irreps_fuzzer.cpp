// Irreps::parse on arbitrary text: every input parses or throws equifuse::Error (anything else,
// a crash or a sanitizer report is a bug); what parses has a dimension, regroups, and prints to
// text that parses back to the same irreps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_property.hpp"
#include "kernels/common/error.hpp"
#include "kernels/irreps/irreps.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const equifuse::Irreps irreps = equifuse::Irreps::parse(text);
    const equifuse::Irreps regrouped = irreps.regroup();
    equifuse::fuzz::require(regrouped.dim() == irreps.dim(), "regroup keeps the dimension");
    equifuse::fuzz::require(irreps.offset(irreps.size()) == irreps.dim(), "offsets end at dim");
    if (!irreps.empty()) (void)irreps.lmax();
    equifuse::fuzz::require(equifuse::Irreps::parse(irreps.to_string()) == irreps,
                            "to_string parses back to the same irreps");
  } catch (const equifuse::Error&) {
  }
  try {
    (void)equifuse::Irrep::parse(text);
  } catch (const equifuse::Error&) {
  }
  return 0;
}
