// The model-layer kernel sources (.cu and .cuh files of models/), embedded into the library at
// build time (cmake/EmbedSources.cmake), so that NVRTC compiles them at run time without the
// source tree.
#pragma once

#include <span>

namespace equifuse {

struct EmbeddedSource {
  const char* path;  // from the repository root, as the sources #include each other
  const char* contents;
};

std::span<const EmbeddedSource> embedded_model_kernel_sources();

}  // namespace equifuse
