// The model-layer kernel sources (every .cu and .cuh file of models/), embedded into the library
// at build time (cmake/EmbedSourcesFunction.cmake), so that NVRTC compiles them at run time
// without the source tree.
#pragma once

#include <span>

#include "kernels/common/embedded_source.hpp"

namespace equifuse {

std::span<const EmbeddedSource> embedded_model_kernel_sources();

}  // namespace equifuse
