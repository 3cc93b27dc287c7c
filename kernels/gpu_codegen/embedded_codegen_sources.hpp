// The fixed CUDA/HIP source the GPU code generators inline into what they emit
// (generated_kernel_prelude.cuh), embedded into the library at build time.
#pragma once

#include <span>

#include "kernels/common/embedded_source.hpp"

namespace equifuse {

std::span<const EmbeddedSource> embedded_codegen_sources();

}  // namespace equifuse
