// The model kernel library as one NVRTC program: every embedded layer kernel file
// (embedded_sources.hpp) in one translation unit, for one scalar type, with the spherical
// harmonics of the model's edge embedding emitted as straight-line code (the only generated
// part). Needs no GPU: `equifuse precompile` and the tests compile it anywhere.
#pragma once

#include <string>

#include "kernels/cuda/nvrtc_compiler.hpp"
#include "models/engine/engine.hpp"

namespace equifuse {

CudaProgram model_kernel_program(const ModelKernelSpec& spec);

// The generated header: SH_DIM and sh_polynomials(u, y, g) (values and gradients of the
// polynomials of a unit vector u, component normalisation).
std::string spherical_harmonics_header(const SphericalHarmonics& sh);

}  // namespace equifuse
