// A model-layer kernel: one typed argument struct (declared in the layer's *_kernels.cuh, which
// host and device code both include), a host implementation (a C++ function, OpenMP loops) and a
// device implementation (an extern "C" __global__ function of that name in the layer's .cu file,
// compiled at run time into the model kernel library). Engine::launch runs whichever the model's
// backend has.
#pragma once

namespace equifuse {

template <typename Args>
struct Kernel {
  const char* name;           // the device kernel in the model kernel library
  void (*host)(const Args&);  // the host implementation
};

// How a device kernel is launched (the host implementation ignores it and covers everything).
struct LaunchShape {
  long threads = 0;  // > 0: a grid-stride launch over this many threads, blocks of 128
  unsigned grid_x = 0, grid_y = 1, block = 0;  // otherwise this grid of `block` threads

  static LaunchShape over(long threads) { return {threads, 0, 1, 0}; }
  static LaunchShape grid(unsigned x, unsigned y, unsigned block) { return {0, x, y, block}; }
};

}  // namespace equifuse
