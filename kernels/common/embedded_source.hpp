// A source file embedded into a library at build time (cmake/EmbedSourcesFunction.cmake): GPU
// kernel sources kept as real .cu/.cuh files and handed to a run-time compiler.
#pragma once

namespace equifuse {

struct EmbeddedSource {
  const char* path;  // from the repository root, as the sources #include each other
  const char* contents;
};

}  // namespace equifuse
