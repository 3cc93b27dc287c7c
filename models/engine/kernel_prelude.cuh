// Included first by every model-layer kernel header and source, for the host compiler and for
// NVRTC alike: what lets one argument struct and one per-element function serve both.
//   EQUIFUSE_HD      marks functions compiled for host and device
//   real             the scalar type of device kernels (NVRTC: -DEQUIFUSE_REAL=float|double)
//   GRID_LOOP(i, n)  a grid-stride loop of device kernels
//   kernel_math::    exp, sqrt, sin, cos, tanh, pow for float and double on both sides
#pragma once

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define EQUIFUSE_HD __host__ __device__
#define EQUIFUSE_DEVICE_CODE 1
#else
#define EQUIFUSE_HD
#include <cmath>
#endif

#ifdef EQUIFUSE_DEVICE_CODE
#ifndef EQUIFUSE_REAL
#define EQUIFUSE_REAL float  // what an editor or a standalone nvcc sees
#endif
typedef EQUIFUSE_REAL real;
#define GRID_LOOP(i, n)                                                   \
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; \
       i < static_cast<long>(n); i += static_cast<long>(blockDim.x) * gridDim.x)
#endif

namespace equifuse::kernel_math {

#ifdef EQUIFUSE_DEVICE_CODE
EQUIFUSE_HD inline float exp(float x) {
  return ::expf(x);
}
EQUIFUSE_HD inline double exp(double x) {
  return ::exp(x);
}
EQUIFUSE_HD inline float sqrt(float x) {
  return ::sqrtf(x);
}
EQUIFUSE_HD inline double sqrt(double x) {
  return ::sqrt(x);
}
EQUIFUSE_HD inline float sin(float x) {
  return ::sinf(x);
}
EQUIFUSE_HD inline double sin(double x) {
  return ::sin(x);
}
EQUIFUSE_HD inline float cos(float x) {
  return ::cosf(x);
}
EQUIFUSE_HD inline double cos(double x) {
  return ::cos(x);
}
EQUIFUSE_HD inline float tanh(float x) {
  return ::tanhf(x);
}
EQUIFUSE_HD inline double tanh(double x) {
  return ::tanh(x);
}
EQUIFUSE_HD inline float pow(float x, float y) {
  return ::powf(x, y);
}
EQUIFUSE_HD inline double pow(double x, double y) {
  return ::pow(x, y);
}
#else
using std::cos;
using std::exp;
using std::pow;
using std::sin;
using std::sqrt;
using std::tanh;
#endif

}  // namespace equifuse::kernel_math
