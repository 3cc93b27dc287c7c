// The equifuse potential file (.eqf; docs/potential-format.md): safetensors layout whose metadata
// holds format = "equifuse-potential", format_version, architecture, config (JSON hyperparameters)
// and source (what wrote it). load_potential() checks all of it and builds the model.
#pragma once

#include <memory>
#include <string>

#include "kernels/tensor_product/tensor_product.hpp"
#include "models/potential/potential.hpp"

namespace equifuse {

inline constexpr int kPotentialFormatVersion = 1;

// Throws equifuse::Error with a message naming the file and what is wrong with it. Backend::cuda
// runs the model on the current GPU (models/engine).
std::unique_ptr<Potential> load_potential(const std::string& path,
                                          Precision precision = Precision::float64,
                                          Backend backend = Backend::cpu);

}  // namespace equifuse
