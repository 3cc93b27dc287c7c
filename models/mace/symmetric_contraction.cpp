#include "models/mace/symmetric_contraction.hpp"

#include <algorithm>
#include <map>

#include "kernels/common/error.hpp"

namespace equifuse {

namespace {

// Host implementations, a row at a time, vectorised over the channels: the row's components are
// gathered to xt[i][c] first.
template <typename T>
void gather(const SymmetricContractionArgs<T>& a, const T* row, T* xt) {
  for (int i = 0; i < a.num_components; ++i) {
    const T* src = row + a.component_base[i];
    const int stride = a.component_stride[i];
    T* dst = xt + static_cast<std::size_t>(i) * a.channels;
    for (int c = 0; c < a.channels; ++c) dst[c] = src[static_cast<std::size_t>(c) * stride];
  }
}

template <typename T>
void host_forward(const SymmetricContractionArgs<T>& a) {
  const auto channels = static_cast<std::size_t>(a.channels);
#pragma omp parallel
  {
    std::vector<T> xt(static_cast<std::size_t>(a.num_components) * channels), product(channels);
#pragma omp for schedule(static)
    for (long r = 0; r < a.rows; ++r) {
      gather(a, a.x + r * a.dim_in, xt.data());
      T* o = a.out + r * a.dim_out;
      std::fill(o, o + a.dim_out, T(0));
      for (int k = 0; k < a.num_outputs; ++k) {
        const ContractionOutput& output = a.outputs[k];
        const auto count = static_cast<std::size_t>(output.num_monomials);
        const T* coefficients =
            a.coefficients + output.coefficient_offset +
            static_cast<std::size_t>(a.species ? a.species[r] : 0) * count * channels;
        for (std::size_t q = 0; q < count; ++q) {
          const ContractionMonomial& mono = a.monomials[output.first_monomial + q];
          const T* x0 = &xt[static_cast<std::size_t>(mono.i[0]) * channels];
          for (std::size_t c = 0; c < channels; ++c) product[c] = x0[c];
          for (int j = 1; j < mono.degree; ++j) {
            const T* xj = &xt[static_cast<std::size_t>(mono.i[j]) * channels];
            for (std::size_t c = 0; c < channels; ++c) product[c] *= xj[c];
          }
          const T* w = coefficients + q * channels;
          T* target = o + output.offset + mono.m;
          for (std::size_t c = 0; c < channels; ++c) {
            target[c * static_cast<std::size_t>(output.dim)] += w[c] * product[c];
          }
        }
      }
    }
  }
}

template <typename T>
void host_backward(const SymmetricContractionArgs<T>& a) {
  const auto channels = static_cast<std::size_t>(a.channels);
#pragma omp parallel
  {
    std::vector<T> xt(static_cast<std::size_t>(a.num_components) * channels);
    std::vector<T> gxt(xt.size()), weight(channels), partial(channels);
#pragma omp for schedule(static)
    for (long r = 0; r < a.rows; ++r) {
      gather(a, a.x + r * a.dim_in, xt.data());
      std::fill(gxt.begin(), gxt.end(), T(0));
      const T* g = a.grad_out + r * a.dim_out;
      for (int k = 0; k < a.num_outputs; ++k) {
        const ContractionOutput& output = a.outputs[k];
        const auto count = static_cast<std::size_t>(output.num_monomials);
        const T* coefficients =
            a.coefficients + output.coefficient_offset +
            static_cast<std::size_t>(a.species ? a.species[r] : 0) * count * channels;
        for (std::size_t q = 0; q < count; ++q) {
          const ContractionMonomial& mono = a.monomials[output.first_monomial + q];
          const T* w = coefficients + q * channels;
          const T* go = g + output.offset + mono.m;
          for (std::size_t c = 0; c < channels; ++c) {
            weight[c] = w[c] * go[c * static_cast<std::size_t>(output.dim)];
          }
          for (int j = 0; j < mono.degree; ++j) {
            for (std::size_t c = 0; c < channels; ++c) partial[c] = weight[c];
            for (int i = 0; i < mono.degree; ++i) {
              if (i == j) continue;
              const T* xi = &xt[static_cast<std::size_t>(mono.i[i]) * channels];
              for (std::size_t c = 0; c < channels; ++c) partial[c] *= xi[c];
            }
            T* gj = &gxt[static_cast<std::size_t>(mono.i[j]) * channels];
            for (std::size_t c = 0; c < channels; ++c) gj[c] += partial[c];
          }
        }
      }
      T* gx = a.out + r * a.dim_in;
      for (int i = 0; i < a.num_components; ++i) {
        T* dst = gx + a.component_base[i];
        const int stride = a.component_stride[i];
        const T* src = &gxt[static_cast<std::size_t>(i) * channels];
        for (int c = 0; c < a.channels; ++c) dst[static_cast<std::size_t>(c) * stride] += src[c];
      }
    }
  }
}

template <typename T>
constexpr Kernel<SymmetricContractionArgs<T>> kForward{"symmetric_contraction_forward",
                                                       &host_forward<T>};
template <typename T>
constexpr Kernel<SymmetricContractionArgs<T>> kBackward{"symmetric_contraction_backward",
                                                        &host_backward<T>};

}  // namespace

template <typename T>
SymmetricContraction<T>::SymmetricContraction(
    const Engine& engine, const Irreps& irreps_in, const Irreps& irreps_out, int num_species,
    const std::vector<ContractionParameters>& contractions)
    : engine_(engine), dim_in_(irreps_in.dim()), dim_out_(irreps_out.dim()) {
  if (irreps_in.empty()) throw Error("symmetric contraction: no input irreps");
  channels_ = irreps_in[0].mul;
  std::vector<int> component_base, component_stride;
  for (std::size_t b = 0; b < irreps_in.size(); ++b) {
    const MulIrrep& block = irreps_in[b];
    if (block.mul != channels_) {
      throw Error("symmetric contraction: input " + irreps_in.to_string() +
                  " must have the same multiplicity in every block");
    }
    for (int m = 0; m < block.ir.dim(); ++m) {
      component_base.push_back(irreps_in.offset(b) + m);
      component_stride.push_back(block.ir.dim());
    }
  }
  num_components_ = static_cast<int>(component_base.size());
  if (contractions.size() != irreps_out.size()) {
    throw Error("symmetric contraction: one contraction per output block expected");
  }
  const std::size_t c_count = static_cast<std::size_t>(channels_);
  std::vector<ContractionOutput> outputs;
  std::vector<ContractionMonomial> monomials;
  std::vector<T> coefficients;
  for (std::size_t o = 0; o < irreps_out.size(); ++o) {
    const ContractionParameters& p = contractions[o];
    const int dim = irreps_out[o].ir.dim();
    if (irreps_out[o].mul != channels_ || p.irrep != irreps_out[o].ir) {
      throw Error("symmetric contraction: output block " + std::to_string(o) + " of " +
                  irreps_out.to_string() + " does not match its contraction");
    }
    if (p.correlation < 1 || p.correlation > kMaxCorrelation ||
        p.couplings.size() != static_cast<std::size_t>(p.correlation) ||
        p.weights.size() != p.couplings.size() ||
        p.num_coupling_weights.size() != p.couplings.size()) {
      throw Error("symmetric contraction: correlation must be 1.." +
                  std::to_string(kMaxCorrelation) +
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
        auto& values = folded[key];
        values.resize(static_cast<std::size_t>(num_species) * c_count, 0.0);
        for (int e = 0; e < num_species; ++e) {
          const double* we = &w[(static_cast<std::size_t>(e) * k_count + k) * c_count];
          double* target = &values[static_cast<std::size_t>(e) * c_count];
          for (std::size_t c = 0; c < c_count; ++c) target[c] += u.values[z] * we[c];
        }
      }
    }
    const auto count = static_cast<int>(folded.size());
    outputs.push_back({irreps_out.offset(o), dim, static_cast<int>(monomials.size()), count,
                       static_cast<int>(coefficients.size())});
    for (const auto& [key, values] : folded) {
      ContractionMonomial mono{key[0], static_cast<int>(key.size()) - 1, {}};
      std::copy(key.begin() + 1, key.end(), mono.i);
      monomials.push_back(mono);
    }
    // [species][monomial][channel]
    const std::size_t base = coefficients.size();
    coefficients.resize(base + static_cast<std::size_t>(num_species) * folded.size() * c_count);
    std::size_t q = 0;
    for (const auto& [key, values] : folded) {
      for (int e = 0; e < num_species; ++e)
        for (std::size_t c = 0; c < c_count; ++c)
          coefficients[base + (static_cast<std::size_t>(e) * folded.size() + q) * c_count + c] =
              static_cast<T>(values[static_cast<std::size_t>(e) * c_count + c]);
      ++q;
    }
  }
  if (engine.space() != MemorySpace::host) {
    if (num_components_ > kMaxContractionComponents) {
      throw Error("symmetric contraction on the GPU: more than 64 coupled components");
    }
    for (const ContractionOutput& o : outputs) {
      if (o.dim > kMaxContractionOutputDim) {
        throw Error("symmetric contraction on the GPU: output irreps above l = 6");
      }
    }
  }
  num_outputs_ = static_cast<int>(outputs.size());
  component_base_ = engine.upload(component_base);
  component_stride_ = engine.upload(component_stride);
  outputs_ = engine.upload(outputs);
  monomials_ = engine.upload(monomials);
  coefficients_ = engine.upload(coefficients);
}

template <typename T>
SymmetricContractionArgs<T> SymmetricContraction<T>::args(std::size_t rows, const T* x,
                                                          const int* species, const T* grad_out,
                                                          T* out) const {
  return {static_cast<long>(rows),
          channels_,
          dim_in_,
          dim_out_,
          num_components_,
          component_base_.data(),
          component_stride_.data(),
          num_outputs_,
          outputs_.data(),
          monomials_.data(),
          coefficients_.data(),
          species,
          x,
          grad_out,
          out};
}

template <typename T>
void SymmetricContraction<T>::forward(std::size_t rows, const T* x, const int* species,
                                      T* out) const {
  engine_.launch(kForward<T>, args(rows, x, species, nullptr, out),
                 LaunchShape::over(static_cast<long>(rows) * channels_));
}

template <typename T>
void SymmetricContraction<T>::backward(std::size_t rows, const T* x, const int* species,
                                       const T* grad_out, T* grad_x) const {
  engine_.launch(kBackward<T>, args(rows, x, species, grad_out, grad_x),
                 LaunchShape::over(static_cast<long>(rows) * channels_));
}

template class SymmetricContraction<float>;
template class SymmetricContraction<double>;

}  // namespace equifuse
