#include "models/cuda/model_kernels.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <vector>

#include "kernels/common/error.hpp"
#include "kernels/cuda/cuda_device.hpp"
#include "kernels/cuda/kernel_cache.hpp"

namespace equifuse {

namespace {

// Generic kernels. Tables of the linear layers: 6 ints per block (in_offset, out_offset, mul_in,
// mul_out, dim, weight_offset). Symmetric contraction: per output 5 ints (offset, dim,
// first monomial, monomial count, coefficient offset); per monomial 8 ints (m, degree, i[6]).
const char* kGenericKernels = R"CUDA(
__device__ __forceinline__ real silu_(real z) { return z / (real(1) + exp(-z)); }
__device__ __forceinline__ real dsilu_(real z) {
  const real s = real(1) / (real(1) + exp(-z));
  return s * (real(1) + z * (real(1) - s));
}
#define GRID_LOOP(i, n) for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < (n); i += (long)blockDim.x * gridDim.x)

extern "C" __global__ void linear_forward(long rows, int din, int dout, int nblocks, const int* blocks,
    const real* w, long species_stride, const int* species, const real* x, real* out, int accumulate) {
  GRID_LOOP(idx, rows * dout) {
    const long row = idx / dout;
    const int o = (int)(idx % dout);
    const real* ws = w + (species ? species[row] * species_stride : 0);
    real acc = 0;
    for (int b = 0; b < nblocks; ++b) {
      const int* bl = blocks + 6 * b;
      const int rel = o - bl[1];
      if (rel < 0 || rel >= bl[3] * bl[4]) continue;
      const int v = rel / bl[4], m = rel % bl[4];
      const real* xr = x + row * din + bl[0] + m;
      const real* wb = ws + bl[5] + v;
      for (int u = 0; u < bl[2]; ++u) acc += wb[u * bl[3]] * xr[u * bl[4]];
    }
    out[idx] = accumulate ? out[idx] + acc : acc;
  }
}

extern "C" __global__ void linear_backward(long rows, int din, int dout, int nblocks, const int* blocks,
    const real* w, long species_stride, const int* species, const real* g, real* gx, int accumulate) {
  GRID_LOOP(idx, rows * din) {
    const long row = idx / din;
    const int i = (int)(idx % din);
    const real* ws = w + (species ? species[row] * species_stride : 0);
    real acc = 0;
    for (int b = 0; b < nblocks; ++b) {
      const int* bl = blocks + 6 * b;
      const int rel = i - bl[0];
      if (rel < 0 || rel >= bl[2] * bl[4]) continue;
      const int u = rel / bl[4], m = rel % bl[4];
      const real* gr = g + row * dout + bl[1] + m;
      const real* wb = ws + bl[5] + (long)u * bl[3];
      for (int v = 0; v < bl[3]; ++v) acc += wb[v] * gr[v * bl[4]];
    }
    gx[idx] = accumulate ? gx[idx] + acc : acc;
  }
}

// The symmetric contraction, one thread per (node, channel): the channel's components are loaded
// once into a local array (at most 64: l <= 6 in the coupled irreps) and the gradient accumulated
// there, so the monomial loops touch no global memory but the tables.
#define SC_MAX_COMPONENTS 64
extern "C" __global__ void symmetric_contraction_forward(long rows, int channels, int din, int dout,
    int ncomp, const int* base, const int* stride, int noutputs, const int* outputs, const int* monomials,
    const real* coefficients, const int* species, const real* x, real* out) {
  GRID_LOOP(idx, rows * channels) {
    const long row = idx / channels;
    const int c = (int)(idx % channels);
    real xc[SC_MAX_COMPONENTS];
    for (int i = 0; i < ncomp; ++i) xc[i] = x[row * din + base[i] + c * stride[i]];
    real* orow = out + row * dout;
    const int s = species[row];
    for (int o = 0; o < noutputs; ++o) {
      const int* oi = outputs + 5 * o;
      real acc[13];  // output irreps of l <= 6
      for (int m = 0; m < oi[1]; ++m) acc[m] = 0;
      const real* coef = coefficients + oi[4] + (long)s * oi[3] * channels + c;
      for (int q = 0; q < oi[3]; ++q) {
        const int* mono = monomials + 8 * (oi[2] + q);
        real product = coef[(long)q * channels];
        for (int j = 0; j < mono[1]; ++j) product *= xc[mono[2 + j]];
        acc[mono[0]] += product;
      }
      for (int m = 0; m < oi[1]; ++m) orow[oi[0] + c * oi[1] + m] = acc[m];
    }
  }
}

extern "C" __global__ void symmetric_contraction_backward(long rows, int channels, int din, int dout,
    int ncomp, const int* base, const int* stride, int noutputs, const int* outputs, const int* monomials,
    const real* coefficients, const int* species, const real* x, const real* g, real* gx) {
  GRID_LOOP(idx, rows * channels) {
    const long row = idx / channels;
    const int c = (int)(idx % channels);
    real xc[SC_MAX_COMPONENTS], gc[SC_MAX_COMPONENTS];
    for (int i = 0; i < ncomp; ++i) {
      xc[i] = x[row * din + base[i] + c * stride[i]];
      gc[i] = 0;
    }
    const real* gr = g + row * dout;
    const int s = species[row];
    for (int o = 0; o < noutputs; ++o) {
      const int* oi = outputs + 5 * o;
      real go[13];
      for (int m = 0; m < oi[1]; ++m) go[m] = gr[oi[0] + c * oi[1] + m];
      const real* coef = coefficients + oi[4] + (long)s * oi[3] * channels + c;
      for (int q = 0; q < oi[3]; ++q) {
        const int* mono = monomials + 8 * (oi[2] + q);
        const real weight = coef[(long)q * channels] * go[mono[0]];
        const int d = mono[1];
        if (d == 1) {
          gc[mono[2]] += weight;
        } else if (d == 2) {
          gc[mono[2]] += weight * xc[mono[3]];
          gc[mono[3]] += weight * xc[mono[2]];
        } else {
          for (int j = 0; j < d; ++j) {
            real partial = weight;
            for (int k = 0; k < d; ++k)
              if (k != j) partial *= xc[mono[2 + k]];
            gc[mono[2 + j]] += partial;
          }
        }
      }
    }
    real* gxr = gx + row * din;
    for (int i = 0; i < ncomp; ++i) gxr[base[i] + c * stride[i]] += gc[i];
  }
}

extern "C" __global__ void edge_embedding(long edges, const double* vectors, int nb, const real* freq,
    real prefactor, real r_max, int p, real* sh, real* sh_grad, real* radial, real* radial_grad, real* length) {
  GRID_LOOP(e, edges) {
    const real v[3] = {(real)vectors[3 * e], (real)vectors[3 * e + 1], (real)vectors[3 * e + 2]};
    const real r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    length[e] = r;
    const real inv = real(1) / (r < real(1e-12) ? real(1e-12) : r);
    const real u[3] = {v[0] * inv, v[1] * inv, v[2] * inv};
    real* y = sh + e * SH_DIM;
    real* gy = sh_grad + e * SH_DIM * 3;
    sh_polynomials(u, y, gy);
    for (int row = 0; row < SH_DIM; ++row) {
      real* gg = gy + 3 * row;
      const real radial_part = r < real(1e-12) ? real(0) : gg[0] * u[0] + gg[1] * u[1] + gg[2] * u[2];
      for (int k = 0; k < 3; ++k) gg[k] = (gg[k] - radial_part * u[k]) * inv;
    }
    real* rv = radial + e * nb;
    real* rg = radial_grad + e * nb;
    if (!(r < r_max)) {
      for (int k = 0; k < nb; ++k) rv[k] = rg[k] = 0;
      continue;
    }
    const real x = r / r_max, P = (real)p;
    real xp = 1;
    for (int k = 0; k < p; ++k) xp *= x;
    const real xpm1 = xp / x;
    const real f = real(1) - (P + 1) * (P + 2) / 2 * xp + P * (P + 2) * xp * x - P * (P + 1) / 2 * xp * x * x;
    const real df = -P * (P + 1) * (P + 2) / 2 * xpm1 * (real(1) - x) * (real(1) - x) / r_max;
    for (int k = 0; k < nb; ++k) {
      const real w = freq[k], s = sin(w * r), cs = cos(w * r);
      const real b = prefactor * s / r;
      const real db = prefactor * (w * cs / r - s / (r * r));
      rv[k] = b * f;
      rg[k] = db * f + b * df;
    }
  }
}

extern "C" __global__ void edge_gradients(long edges, int nb, const real* grad_sh, const real* sh_grad,
    const real* grad_radial, const real* radial_grad, const real* length, const double* vectors, double* out) {
  GRID_LOOP(e, edges) {
    double g[3] = {0, 0, 0};
    for (int i = 0; i < SH_DIM; ++i)
      for (int k = 0; k < 3; ++k) g[k] += (double)grad_sh[e * SH_DIM + i] * (double)sh_grad[(e * SH_DIM + i) * 3 + k];
    double dr = 0;
    for (int b = 0; b < nb; ++b) dr += (double)grad_radial[e * nb + b] * (double)radial_grad[e * nb + b];
    const double r = (double)length[e];
    for (int k = 0; k < 3; ++k) out[3 * e + k] = g[k] + dr * vectors[3 * e + k] / r;
  }
}

// Edge groupings (ConvolutionGraph's CSR: offsets, then edge ids ascending within a node) built on
// the device: count per node, exclusive scan of the counts, scatter, then each node's few edges
// sorted, so that the result does not depend on the order the atomics ran in.
extern "C" __global__ void count_edges_per_node(long edges, const int* node_of_edge, int* counts) {
  GRID_LOOP(e, edges) atomicAdd(&counts[node_of_edge[e]], 1);
}
// Inclusive scan of s[0..1024) in shared memory by a block of 1024 threads, each holding its value
// in s[threadIdx.x]; every thread may read s afterwards.
__device__ void block_inclusive_scan_1024(int* s) {
  __syncthreads();
  for (int d = 1; d < 1024; d *= 2) {
    const int add = threadIdx.x >= d ? s[threadIdx.x - d] : 0;
    __syncthreads();
    s[threadIdx.x] += add;
    __syncthreads();
  }
}
// Exclusive scan of n values in blocks of 1024 (launched with 1024 threads per block): each block
// scans its part and leaves its total in block_sums.
extern "C" __global__ void scan_blocks(long n, const int* in, int* out, int* block_sums) {
  __shared__ int s[1024];
  const long i = blockIdx.x * 1024L + threadIdx.x;
  const int v = i < n ? in[i] : 0;
  s[threadIdx.x] = v;
  block_inclusive_scan_1024(s);
  if (i < n) out[i] = s[threadIdx.x] - v;
  if (threadIdx.x == 1023) block_sums[blockIdx.x] = s[1023];
}
// One block of 1024 threads: exclusive scan of the block totals in place (any count, in rounds of
// 1024 with a carry); total = their sum.
extern "C" __global__ void scan_block_sums(long blocks, int* sums, int* total) {
  __shared__ int s[1024];
  int carry = 0;
  for (long base = 0; base < blocks; base += 1024) {
    const long i = base + threadIdx.x;
    const int v = i < blocks ? sums[i] : 0;
    s[threadIdx.x] = v;
    block_inclusive_scan_1024(s);
    if (i < blocks) sums[i] = carry + s[threadIdx.x] - v;
    const int block_total = s[1023];
    __syncthreads();
    carry += block_total;
  }
  if (threadIdx.x == 0) *total = carry;
}
extern "C" __global__ void add_block_offsets(long n, int* out, const int* block_sums, const int* total) {
  GRID_LOOP(i, n + 1) out[i] = i < n ? out[i] + block_sums[i / 1024] : *total;
}
extern "C" __global__ void scatter_edges_to_nodes(long edges, const int* node_of_edge, const int* offsets,
    int* cursor, int* grouped) {
  GRID_LOOP(e, edges) {
    const int node = node_of_edge[e];
    grouped[offsets[node] + atomicAdd(&cursor[node], 1)] = (int)e;
  }
}
extern "C" __global__ void sort_node_edges(long nodes, const int* offsets, int* grouped) {
  GRID_LOOP(n, nodes) {
    for (int k = offsets[n] + 1; k < offsets[n + 1]; ++k) {
      const int e = grouped[k];
      int j = k - 1;
      for (; j >= offsets[n] && grouped[j] > e; --j) grouped[j + 1] = grouped[j];
      grouped[j + 1] = e;
    }
  }
}

// Node energies: scale and offset by species (double), of the readout (real).
extern "C" __global__ void species_affine(long n, const int* species, const real* values, const double* scale,
    const double* offset, double* out) {
  GRID_LOOP(i, n) out[i] = scale[species[i]] * (double)values[i] + offset[species[i]];
}
// Column sums of a [rows][columns] array, one block of 1024 threads, in a fixed order (deterministic).
extern "C" __global__ void column_sums(long rows, int columns, const double* in, double* out) {
  __shared__ double s[1024];
  for (int c = 0; c < columns; ++c) {
    double v = 0;
    for (long r = threadIdx.x; r < rows; r += 1024) v += in[r * columns + c];
    s[threadIdx.x] = v;
    __syncthreads();
    for (int stride = 512; stride > 0; stride /= 2) {
      if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
      __syncthreads();
    }
    if (threadIdx.x == 0) out[c] = s[0];
    __syncthreads();
  }
}

// Forces and per-node virials (forces_and_virial.hpp's formulas) from the edge gradients, one
// thread per node summing its edges in CSR order: deterministic, no atomics.
extern "C" __global__ void node_forces_virials(long nodes, const int* receiver_offsets, const int* receiver_edges,
    const int* sender_offsets, const int* sender_edges, const double* gradients, const double* vectors,
    double* forces, double* virials) {
  GRID_LOOP(n, nodes) {
    double f[3] = {0, 0, 0}, w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int side = 0; side < 2; ++side) {
      const int* offsets = side == 0 ? receiver_offsets : sender_offsets;
      const int* edges = side == 0 ? receiver_edges : sender_edges;
      const double sign = side == 0 ? -1.0 : 1.0;
      for (int k = offsets[n]; k < offsets[n + 1]; ++k) {
        const long e = edges[k];
        const double* g = gradients + 3 * e;
        const double* v = vectors + 3 * e;
        for (int a = 0; a < 3; ++a) {
          f[a] += sign * g[a];
          for (int b = 0; b < 3; ++b) w[3 * a + b] -= 0.25 * (g[a] * v[b] + g[b] * v[a]);
        }
      }
    }
    for (int a = 0; a < 3; ++a) forces[3 * n + a] = f[a];
    for (int a = 0; a < 9; ++a) virials[9 * n + a] = w[a];
  }
}

extern "C" __global__ void one_hot(long rows, int n, const int* species, real* out) {
  GRID_LOOP(idx, rows * n) out[idx] = (idx % n) == species[idx / n] ? real(1) : real(0);
}
extern "C" __global__ void add_to(long n, real* a, const real* b) { GRID_LOOP(i, n) a[i] += b[i]; }
extern "C" __global__ void scaled_silu(long n, const real* in, real* out, real a) { GRID_LOOP(i, n) out[i] = a * silu_(in[i]); }
extern "C" __global__ void scaled_silu_backward(long n, real* g, const real* pre, real a) { GRID_LOOP(i, n) g[i] *= a * dsilu_(pre[i]); }
extern "C" __global__ void fill_prefix(long n, long prefix, real* out, real value) {
  GRID_LOOP(i, n) out[i] = i < prefix ? value : real(0);
}

// e3nn's gate in index form (models/layers/gate.hpp); activation 0 = SiLU, 1 = tanh.
__device__ __forceinline__ real act_(int kind, real z) { return kind == 0 ? silu_(z) : tanh(z); }
__device__ __forceinline__ real dact_(int kind, real z) {
  if (kind == 0) return dsilu_(z);
  const real t = tanh(z);
  return real(1) - t * t;
}
extern "C" __global__ void gate_forward(long rows, int din, int ns, const int* sidx, const int* sact,
    const real* sscale, const int* gidx, const int* gact, const real* gscale, int nd, const int* didx,
    const int* dgate, const real* x, real* out) {
  const int dout = ns + nd;
  GRID_LOOP(idx, rows * dout) {
    const long row = idx / dout;
    const int o = (int)(idx % dout);
    const real* xr = x + row * din;
    if (o < ns) {
      out[idx] = sscale[o] * act_(sact[o], xr[sidx[o]]);
    } else {
      const int j = o - ns, c = dgate[j];
      out[idx] = xr[didx[j]] * gscale[c] * act_(gact[c], xr[gidx[c]]);
    }
  }
}
// gx (zeroed by the caller) += d<g, out>/dx; one thread per row.
extern "C" __global__ void gate_backward(long rows, int din, int ns, const int* sidx, const int* sact,
    const real* sscale, const int* gidx, const int* gact, const real* gscale, int nd, const int* didx,
    const int* dgate, const real* x, const real* g, real* gx) {
  const int dout = ns + nd;
  GRID_LOOP(row, rows) {
    const real* xr = x + row * din;
    const real* gr = g + row * dout;
    real* gxr = gx + row * din;
    for (int k = 0; k < ns; ++k) gxr[sidx[k]] += gr[k] * sscale[k] * dact_(sact[k], xr[sidx[k]]);
    for (int j = 0; j < nd; ++j) {
      const int c = dgate[j];
      const real z = xr[gidx[c]];
      gxr[didx[j]] += gr[ns + j] * gscale[c] * act_(gact[c], z);
      gxr[gidx[c]] += gr[ns + j] * xr[didx[j]] * gscale[c] * dact_(gact[c], z);
    }
  }
}
extern "C" __global__ void scale_rows_by_species(long rows, int dim, const int* species, const real* factors, real* x) {
  GRID_LOOP(idx, rows * dim) x[idx] *= factors[species[idx / dim]];
}
extern "C" __global__ void gather_species_rows(long rows, int dim, const int* species, const real* table, real* out) {
  GRID_LOOP(idx, rows * dim) out[idx] = table[(long)species[idx / dim] * dim + idx % dim];
}
extern "C" __global__ void species_values_prefix(long n, long prefix, const int* species, const real* values, real* out) {
  GRID_LOOP(i, n) out[i] = i < prefix ? values[species[i]] : real(0);
}

// out[rows][n] = A[rows][k] B[k][n] in 32 x 32 tiles through shared memory (256 threads, 4 rows
// each), with the MLP's epilogues: mode 0 out = z; mode 1 saved = z, out = a silu(z);
// mode 2 out = z * a silu'(pre). The row tiles run along x (no 65535 limit).
#define TILE 32
extern "C" __global__ void tiled_gemm(long rows, int k, int n, const real* A, const real* B, real* out,
    int mode, real* saved, const real* pre, real a) {
  __shared__ real As[TILE][TILE + 1];
  __shared__ real Bs[TILE][TILE + 1];
  const long row0 = blockIdx.x * (long)TILE;
  const int col0 = blockIdx.y * TILE;
  const int tx = threadIdx.x % TILE, ty = threadIdx.x / TILE;
  real acc[4] = {0, 0, 0, 0};
  for (int k0 = 0; k0 < k; k0 += TILE) {
    for (int r = ty; r < TILE; r += 8) {
      const long gr = row0 + r;
      const int gk = k0 + tx;
      As[r][tx] = (gr < rows && gk < k) ? A[gr * k + gk] : real(0);
      const int bk = k0 + r, bc = col0 + tx;
      Bs[r][tx] = (bk < k && bc < n) ? B[(long)bk * n + bc] : real(0);
    }
    __syncthreads();
    for (int kk = 0; kk < TILE; ++kk) {
      const real b = Bs[kk][tx];
      for (int q = 0; q < 4; ++q) acc[q] += As[ty + 8 * q][kk] * b;
    }
    __syncthreads();
  }
  for (int q = 0; q < 4; ++q) {
    const long gr = row0 + ty + 8 * q;
    const int gc = col0 + tx;
    if (gr >= rows || gc >= n) continue;
    const long idx = gr * n + gc;
    const real z = acc[q];
    if (mode == 1) { saved[idx] = z; out[idx] = a * silu_(z); }
    else if (mode == 2) { out[idx] = z * a * dsilu_(pre[idx]); }
    else { out[idx] = z; }
  }
}
)CUDA";

std::string sh_function(const SphericalHarmonics& sh) {
  std::string s = "#define SH_DIM " + std::to_string(sh.dim()) + "\n";
  s += "__device__ void sh_polynomials(const real* u, real* y, real* g) {\n";
  s += "  real px[" + std::to_string(sh.lmax() + 1) + "], py[" + std::to_string(sh.lmax() + 1) +
       "], pz[" + std::to_string(sh.lmax() + 1) + "];\n";
  s += "  px[0] = py[0] = pz[0] = real(1);\n";
  s += "  for (int n = 1; n <= " + std::to_string(sh.lmax()) +
       "; ++n) { px[n] = px[n-1] * u[0]; py[n] = py[n-1] * u[1]; pz[n] = pz[n-1] * u[2]; }\n";
  char number[64];
  const auto& terms = sh.terms();
  for (std::size_t row = 0; row < terms.size(); ++row) {
    std::string value = "0", gx = "0", gy = "0", gz = "0";
    for (const auto& t : terms[row]) {
      std::snprintf(number, sizeof number, "real(%.17g)", t.coefficient);
      const std::string c = number;
      const auto mono = [&](int a, int b, int cc) {
        return "px[" + std::to_string(a) + "]*py[" + std::to_string(b) + "]*pz[" + std::to_string(cc) + "]";
      };
      value += " + " + c + "*" + mono(t.a, t.b, t.c);
      if (t.a > 0) gx += " + " + c + "*real(" + std::to_string(t.a) + ")*" + mono(t.a - 1, t.b, t.c);
      if (t.b > 0) gy += " + " + c + "*real(" + std::to_string(t.b) + ")*" + mono(t.a, t.b - 1, t.c);
      if (t.c > 0) gz += " + " + c + "*real(" + std::to_string(t.c) + ")*" + mono(t.a, t.b, t.c - 1);
    }
    const std::string r = std::to_string(row);
    s += "  y[" + r + "] = " + value + ";\n";
    s += "  g[3*" + r + "] = " + gx + "; g[3*" + r + "+1] = " + gy + "; g[3*" + r + "+2] = " + gz + ";\n";
  }
  return s + "}\n";
}

}  // namespace

std::string model_kernel_source(const std::string& real, const SphericalHarmonics& sh) {
  if (!sh.normalize()) throw Error("model kernels: spherical harmonics must normalise their input");
  return "// equifuse model layer kernels (generated)\ntypedef " + real + " real;\n" + sh_function(sh) +
         kGenericKernels;
}

ModelKernels::ModelKernels(const std::string& real, const SphericalHarmonics& sh) {
  const CudaDevice device = current_cuda_device();
  const std::vector<char> cubin =
      cached_cubin(model_kernel_source(real, sh), device.compute_capability, "equifuse_model_kernels.cu");
  check_cuda(cudaLibraryLoadData(&library_, cubin.data(), nullptr, nullptr, 0, nullptr, nullptr, 0),
             "load model kernels");
}

ModelKernels::~ModelKernels() {
  if (library_ != nullptr) cudaLibraryUnload(library_);
}

void ModelKernels::launch_grid(const char* name, unsigned grid_x, unsigned grid_y, unsigned block,
                               std::initializer_list<const void*> args) const {
  if (grid_x == 0 || grid_y == 0) return;
  cudaKernel_t kernel = nullptr;
  check_cuda(cudaLibraryGetKernel(&kernel, library_, name), name);
  std::vector<void*> arguments;
  for (const void* a : args) arguments.push_back(const_cast<void*>(a));
  check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(grid_x, grid_y), dim3(block),
                              arguments.data(), 0, nullptr),
             name);
}

void ModelKernels::launch(const char* name, long threads, std::initializer_list<const void*> args) const {
  if (threads <= 0) return;
  cudaKernel_t kernel = nullptr;
  check_cuda(cudaLibraryGetKernel(&kernel, library_, name), name);
  const long blocks = std::min<long>((threads + 127) / 128, 65535L * 8);
  std::vector<void*> arguments;
  for (const void* a : args) arguments.push_back(const_cast<void*>(a));  // cudaLaunchKernel's type
  check_cuda(cudaLaunchKernel(reinterpret_cast<const void*>(kernel), dim3(static_cast<unsigned>(blocks)),
                              dim3(128), arguments.data(), 0, nullptr),
             name);
}

}  // namespace equifuse
