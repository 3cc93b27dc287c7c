// The potential-file reader (.eqf: safetensors header, tensors, then the metadata every file
// has) on arbitrary bytes: every input is read or throws equifuse::Error. Building a model from
// the config is the models' own check (tests/models/test_potential_file.cpp).
#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/common/error.hpp"
#include "model_loader/potential_file_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)equifuse::parse_potential_file(std::span<const unsigned char>(data, size),
                                         "potential file \"fuzz.eqf\"");
  } catch (const equifuse::Error&) {
  }
  return 0;
}
