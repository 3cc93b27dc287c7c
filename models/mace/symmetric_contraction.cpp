#include "models/mace/symmetric_contraction.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "kernels/common/error.hpp"

namespace equifuse {

template <typename T>
SymmetricContraction<T>::SymmetricContraction(const Irreps& irreps_in, const Irreps& irreps_out,
                                              int num_species,
                                              const std::vector<ContractionParameters>& contractions)
    : num_species_(num_species), dim_in_(irreps_in.dim()), dim_out_(irreps_out.dim()) {
  if (irreps_in.empty()) throw Error("symmetric contraction: no input irreps");
  channels_ = irreps_in[0].mul;
  for (std::size_t b = 0; b < irreps_in.size(); ++b) {
    const MulIrrep& block = irreps_in[b];
    if (block.mul != channels_) {
      throw Error("symmetric contraction: input " + irreps_in.to_string() +
                  " must have the same multiplicity in every block");
    }
    for (int m = 0; m < block.ir.dim(); ++m) {
      component_base_.push_back(irreps_in.offset(b) + m);
      component_stride_.push_back(block.ir.dim());
    }
  }
  num_components_ = static_cast<int>(component_base_.size());
  if (contractions.size() != irreps_out.size()) {
    throw Error("symmetric contraction: one contraction per output block expected");
  }
  const std::size_t c_count = static_cast<std::size_t>(channels_);
  for (std::size_t o = 0; o < irreps_out.size(); ++o) {
    const ContractionParameters& p = contractions[o];
    const int dim = irreps_out[o].ir.dim();
    if (irreps_out[o].mul != channels_ || p.irrep != irreps_out[o].ir) {
      throw Error("symmetric contraction: output block " + std::to_string(o) + " of " +
                  irreps_out.to_string() + " does not match its contraction");
    }
    if (p.correlation < 1 || p.correlation > kMaxCorrelation ||
        p.couplings.size() != static_cast<std::size_t>(p.correlation) ||
        p.weights.size() != p.couplings.size() || p.num_coupling_weights.size() != p.couplings.size()) {
      throw Error("symmetric contraction: correlation must be 1.." + std::to_string(kMaxCorrelation) +
                  " with one coupling tensor and one weight per order");
    }
    // monomial (m, sorted i...) -> coefficients [species][channels]
    std::map<std::vector<int>, std::vector<double>> folded;
    for (int nu = 1; nu <= p.correlation; ++nu) {
      const CouplingTensor& u = p.couplings[static_cast<std::size_t>(nu - 1)];
      const auto& w = p.weights[static_cast<std::size_t>(nu - 1)];
      const int k_count = p.num_coupling_weights[static_cast<std::size_t>(nu - 1)];
      const std::size_t width = static_cast<std::size_t>(nu) + 2;
      if (u.indices.size() != u.values.size() * width ||
          w.size() != static_cast<std::size_t>(num_species) * k_count * c_count) {
        throw Error("symmetric contraction: coupling or weights of order " + std::to_string(nu) +
                    " have the wrong size");
      }
      for (std::size_t z = 0; z < u.values.size(); ++z) {
        const std::int32_t* idx = &u.indices[z * width];
        const int m = idx[0], k = idx[width - 1];
        std::vector<int> key{m};
        for (int j = 1; j <= nu; ++j) {
          if (idx[j] < 0 || idx[j] >= num_components_) {
            throw Error("symmetric contraction: coupling index out of range");
          }
          key.push_back(idx[j]);
        }
        if (m < 0 || m >= dim || k < 0 || k >= k_count) {
          throw Error("symmetric contraction: coupling index out of range");
        }
        std::sort(key.begin() + 1, key.end());
        auto& coefficients = folded[key];
        coefficients.resize(static_cast<std::size_t>(num_species) * c_count, 0.0);
        for (int e = 0; e < num_species; ++e) {
          const double* we = &w[(static_cast<std::size_t>(e) * k_count + k) * c_count];
          double* target = &coefficients[static_cast<std::size_t>(e) * c_count];
          for (std::size_t c = 0; c < c_count; ++c) target[c] += u.values[z] * we[c];
        }
      }
    }
    Output out{irreps_out.offset(o), dim, {}, {}};
    for (const auto& [key, coefficients] : folded) {
      Monomial mono{key[0], static_cast<int>(key.size()) - 1, {}};
      std::copy(key.begin() + 1, key.end(), mono.i);
      out.monomials.push_back(mono);
    }
    const std::size_t count = out.monomials.size();
    out.coefficients.resize(static_cast<std::size_t>(num_species) * count * c_count);
    std::size_t q = 0;
    for (const auto& [key, coefficients] : folded) {
      for (int e = 0; e < num_species; ++e)
        for (std::size_t c = 0; c < c_count; ++c)
          out.coefficients[(static_cast<std::size_t>(e) * count + q) * c_count + c] =
              static_cast<T>(coefficients[static_cast<std::size_t>(e) * c_count + c]);
      ++q;
    }
    outputs_.push_back(std::move(out));
  }
}

template <typename T>
void SymmetricContraction<T>::gather(const T* row, T* xt) const {
  for (int i = 0; i < num_components_; ++i) {
    const T* src = row + component_base_[static_cast<std::size_t>(i)];
    const int stride = component_stride_[static_cast<std::size_t>(i)];
    T* dst = xt + static_cast<std::size_t>(i) * channels_;
    for (int c = 0; c < channels_; ++c) dst[c] = src[static_cast<std::size_t>(c) * stride];
  }
}

template <typename T>
void SymmetricContraction<T>::forward(std::size_t rows, const T* x, const int* species, T* out) const {
  const std::size_t c_count = static_cast<std::size_t>(channels_);
#pragma omp parallel
  {
    std::vector<T> xt(static_cast<std::size_t>(num_components_) * c_count), product(c_count);
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      gather(x + r * static_cast<std::size_t>(dim_in_), xt.data());
      T* o = out + r * static_cast<std::size_t>(dim_out_);
      std::fill(o, o + dim_out_, T(0));
      for (const Output& output : outputs_) {
        const std::size_t count = output.monomials.size();
        const T* coefficients =
            output.coefficients.data() + static_cast<std::size_t>(species[r]) * count * c_count;
        for (std::size_t q = 0; q < count; ++q) {
          const Monomial& mono = output.monomials[q];
          const T* x0 = &xt[static_cast<std::size_t>(mono.i[0]) * c_count];
          for (std::size_t c = 0; c < c_count; ++c) product[c] = x0[c];
          for (int j = 1; j < mono.degree; ++j) {
            const T* xj = &xt[static_cast<std::size_t>(mono.i[j]) * c_count];
            for (std::size_t c = 0; c < c_count; ++c) product[c] *= xj[c];
          }
          const T* a = coefficients + q * c_count;
          T* target = o + output.offset + mono.m;
          for (std::size_t c = 0; c < c_count; ++c) {
            target[c * static_cast<std::size_t>(output.dim)] += a[c] * product[c];
          }
        }
      }
    }
  }
}

template <typename T>
void SymmetricContraction<T>::backward_accumulate(std::size_t rows, const T* x, const int* species,
                                                  const T* grad_out, T* grad_x) const {
  const std::size_t c_count = static_cast<std::size_t>(channels_);
#pragma omp parallel
  {
    std::vector<T> xt(static_cast<std::size_t>(num_components_) * c_count);
    std::vector<T> gxt(xt.size()), weight(c_count), partial(c_count);
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      gather(x + r * static_cast<std::size_t>(dim_in_), xt.data());
      std::fill(gxt.begin(), gxt.end(), T(0));
      const T* g = grad_out + r * static_cast<std::size_t>(dim_out_);
      for (const Output& output : outputs_) {
        const std::size_t count = output.monomials.size();
        const T* coefficients =
            output.coefficients.data() + static_cast<std::size_t>(species[r]) * count * c_count;
        for (std::size_t q = 0; q < count; ++q) {
          const Monomial& mono = output.monomials[q];
          const T* a = coefficients + q * c_count;
          const T* go = g + output.offset + mono.m;
          for (std::size_t c = 0; c < c_count; ++c) {
            weight[c] = a[c] * go[c * static_cast<std::size_t>(output.dim)];
          }
          for (int j = 0; j < mono.degree; ++j) {
            for (std::size_t c = 0; c < c_count; ++c) partial[c] = weight[c];
            for (int k = 0; k < mono.degree; ++k) {
              if (k == j) continue;
              const T* xk = &xt[static_cast<std::size_t>(mono.i[k]) * c_count];
              for (std::size_t c = 0; c < c_count; ++c) partial[c] *= xk[c];
            }
            T* gj = &gxt[static_cast<std::size_t>(mono.i[j]) * c_count];
            for (std::size_t c = 0; c < c_count; ++c) gj[c] += partial[c];
          }
        }
      }
      T* gx = grad_x + r * static_cast<std::size_t>(dim_in_);
      for (int i = 0; i < num_components_; ++i) {
        T* dst = gx + component_base_[static_cast<std::size_t>(i)];
        const int stride = component_stride_[static_cast<std::size_t>(i)];
        const T* src = &gxt[static_cast<std::size_t>(i) * c_count];
        for (int c = 0; c < channels_; ++c) dst[static_cast<std::size_t>(c) * stride] += src[c];
      }
    }
  }
}

template class SymmetricContraction<float>;
template class SymmetricContraction<double>;

}  // namespace equifuse
