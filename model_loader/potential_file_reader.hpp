// The potential file's contents before a model is built from them: the safetensors layout read
// and checked (safetensors_reader.hpp), then the metadata every .eqf file has (format name,
// format version, architecture, config). Free of the models, so that it is fuzzed on its own
// (fuzz/).
#pragma once

#include <span>
#include <string>

#include "models/potential/parameter_store.hpp"

namespace equifuse {

// Version 2: MACE's foundation-model options (heads, Density and non-linear blocks, ZBL,
// distance transforms, other radial bases), NequIP's ZBL. Version 1 files still load.
inline constexpr int kPotentialFormatVersion = 2;

struct PotentialFileContents {
  std::string architecture;  // "mace", "nequip", ...: the model builder decides what it knows
  std::string config;        // JSON of the hyperparameters, parsed by the model's config
  ParameterStore parameters;
};

// Throws equifuse::Error naming the file and what is wrong with it.
PotentialFileContents read_potential_file(const std::string& path);
// The same for the file's bytes; `where` names it in messages ("potential file \"x.eqf\"").
PotentialFileContents parse_potential_file(std::span<const unsigned char> bytes,
                                           const std::string& where);

}  // namespace equifuse
