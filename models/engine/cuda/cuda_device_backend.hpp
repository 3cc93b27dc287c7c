// The CUDA backend of the Engine: memory from the device pool, the model kernel library compiled
// with NVRTC (model_kernel_program.hpp, through the kernel cache) and loaded on the current
// device, and one stream per device on which every model's kernels, copies and graph
// convolutions run in order. The stream synchronises with the legacy default stream, so code that
// still uses that (tests, callers' copies) stays ordered with it.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>

#include "models/engine/device_backend.hpp"
#include "models/engine/engine.hpp"

namespace equifuse {

std::shared_ptr<const DeviceBackend> make_cuda_device_backend(const ModelKernelSpec& spec);

// The stream of the current device's model work (created on first use, never destroyed).
cudaStream_t model_stream();

}  // namespace equifuse
