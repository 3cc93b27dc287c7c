// Reads a file in the safetensors layout: an 8-byte little-endian header length, a JSON header
// mapping tensor names to {dtype, shape, data_offsets} plus "__metadata__" (str -> str), then the
// raw little-endian tensor data. Every length, offset, dtype and shape is checked; a truncated or
// corrupt file raises equifuse::Error naming the file and the problem.
#pragma once

#include <map>
#include <span>
#include <string>

#include "models/potential/parameter_store.hpp"

namespace equifuse {

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, StoredTensor> tensors;  // F64/F32 as reals, I32/I64 as integers
};

// A file's bytes (read_potential_file reads them); `where` names the file in messages.
SafetensorsFile parse_safetensors(std::span<const unsigned char> bytes, const std::string& where);

}  // namespace equifuse
