// Device kernels of the symmetric contraction (symmetric_contraction_kernels.cuh), one thread per
// (node, channel): the channel's components are loaded once into a local array and the gradient
// accumulated there, so the monomial loops touch no global memory but the tables.
#include "models/mace/symmetric_contraction_kernels.cuh"

using namespace equifuse;

extern "C" __global__ void symmetric_contraction_forward(const SymmetricContractionArgs<real> a) {
  GRID_LOOP(idx, a.rows * a.channels) {
    const long row = idx / a.channels;
    const int c = static_cast<int>(idx % a.channels);
    real xc[kMaxContractionComponents];
    for (int i = 0; i < a.num_components; ++i) {
      xc[i] = a.x[row * a.dim_in + a.component_base[i] + c * a.component_stride[i]];
    }
    real* out = a.out + row * a.dim_out;
    const int s = a.species ? a.species[row] : 0;
    for (int o = 0; o < a.num_outputs; ++o) {
      const ContractionOutput& output = a.outputs[o];
      real acc[kMaxContractionOutputDim];
      for (int m = 0; m < output.dim; ++m) acc[m] = 0;
      const real* coefficient = a.coefficients + output.coefficient_offset +
                                static_cast<long>(s) * output.num_monomials * a.channels + c;
      for (int q = 0; q < output.num_monomials; ++q) {
        const ContractionMonomial& mono = a.monomials[output.first_monomial + q];
        real product = xc[mono.i[0]];
        for (int j = 1; j < mono.degree; ++j) product *= xc[mono.i[j]];
        acc[mono.m] += coefficient[static_cast<long>(q) * a.channels] * product;
      }
      for (int m = 0; m < output.dim; ++m) out[output.offset + c * output.dim + m] = acc[m];
    }
  }
}

extern "C" __global__ void symmetric_contraction_backward(const SymmetricContractionArgs<real> a) {
  GRID_LOOP(idx, a.rows * a.channels) {
    const long row = idx / a.channels;
    const int c = static_cast<int>(idx % a.channels);
    real xc[kMaxContractionComponents], gc[kMaxContractionComponents];
    for (int i = 0; i < a.num_components; ++i) {
      xc[i] = a.x[row * a.dim_in + a.component_base[i] + c * a.component_stride[i]];
      gc[i] = 0;
    }
    const real* g = a.grad_out + row * a.dim_out;
    const int s = a.species ? a.species[row] : 0;
    for (int o = 0; o < a.num_outputs; ++o) {
      const ContractionOutput& output = a.outputs[o];
      real go[kMaxContractionOutputDim];
      for (int m = 0; m < output.dim; ++m) go[m] = g[output.offset + c * output.dim + m];
      const real* coefficient = a.coefficients + output.coefficient_offset +
                                static_cast<long>(s) * output.num_monomials * a.channels + c;
      for (int q = 0; q < output.num_monomials; ++q) {
        const ContractionMonomial& mono = a.monomials[output.first_monomial + q];
        const real weight = coefficient[static_cast<long>(q) * a.channels] * go[mono.m];
        const int d = mono.degree;
        if (d == 1) {
          gc[mono.i[0]] += weight;
        } else if (d == 2) {
          gc[mono.i[0]] += weight * xc[mono.i[1]];
          gc[mono.i[1]] += weight * xc[mono.i[0]];
        } else {
          for (int j = 0; j < d; ++j) {
            real partial = weight;
            for (int k = 0; k < d; ++k)
              if (k != j) partial *= xc[mono.i[k]];
            gc[mono.i[j]] += partial;
          }
        }
      }
    }
    real* gx = a.out + row * a.dim_in;
    for (int i = 0; i < a.num_components; ++i)
      gx[a.component_base[i] + c * a.component_stride[i]] += gc[i];
  }
}
