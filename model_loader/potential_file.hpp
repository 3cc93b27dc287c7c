// The equifuse potential file (.eqf; docs/potential-format.md): safetensors layout whose metadata
// holds format = "equifuse-potential", format_version, architecture, config (JSON hyperparameters)
// and source (what wrote it). load_potential() checks all of it and builds the model.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kernels/tensor_product/tensor_product.hpp"
#include "model_loader/potential_file_reader.hpp"
#include "models/potential/model_options.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

struct LoadOptions {
  Precision precision = Precision::float64;
  Backend backend = Backend::cpu;  // Backend::cuda: the current GPU (models/engine)
  // Atomic numbers a run needs (LAMMPS's pair_coeff elements, a structure's); empty: every
  // element of the file. The weights of the others are never folded or copied to the backend.
  std::vector<int> elements;
  // Of a multi-head file: empty picks its only head, or the one named "default"; a name the file
  // lacks is an error listing its heads.
  std::string head;
  double total_charge = 0, total_spin = 1;  // models that embed them (MACE-OMOL); spin 2S+1
  // Streamed edges: bytes of per-edge arrays one block may use (ModelOptions::edge_memory).
  std::optional<std::size_t> edge_memory;
};

// Throws equifuse::Error with a message naming the file and what is wrong with it (an element it
// does not have, too).
std::unique_ptr<Potential> load_potential(const std::string& path, const LoadOptions& options);
std::unique_ptr<Potential> load_potential(const std::string& path,
                                          Precision precision = Precision::float64,
                                          Backend backend = Backend::cpu);
// The heads the file keeps, in its order (one, "default", for single-head architectures).
std::vector<std::string> potential_heads(const std::string& path);

}  // namespace equifuse
