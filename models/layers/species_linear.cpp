#include "models/layers/species_linear.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

namespace {

Irreps species_irreps(int num_species) { return Irreps({MulIrrep{num_species, Irrep(0, 1)}}); }

std::vector<double> identity(int n) {
  std::vector<double> m(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) m[static_cast<std::size_t>(i) * n + i] = 1.0;
  return m;
}

}  // namespace

template <typename T>
std::size_t SpeciesLinear<T>::weight_numel(const Irreps& in, int num_attributes, const Irreps& out) {
  return static_cast<std::size_t>(
      fully_connected_tensor_product(in, species_irreps(num_attributes), out).weight_numel());
}

template <typename T>
SpeciesLinear<T>::SpeciesLinear(const Irreps& in, int num_species, const Irreps& out,
                                std::span<const double> weights)
    : SpeciesLinear(in, num_species, identity(num_species), num_species, out, weights) {}

template <typename T>
SpeciesLinear<T>::SpeciesLinear(const Irreps& in, int num_species, std::span<const double> attributes,
                                int num_attributes, const Irreps& out, std::span<const double> weights)
    : num_species_(num_species), dim_in_(in.dim()), dim_out_(out.dim()) {
  if (num_species < 1 || num_attributes < 1 ||
      attributes.size() != static_cast<std::size_t>(num_species) * num_attributes) {
    throw Error("species linear: needs attributes [species][attributes]");
  }
  const TensorProductProblem problem =
      fully_connected_tensor_product(in, species_irreps(num_attributes), out);
  if (weights.size() != static_cast<std::size_t>(problem.weight_numel())) {
    throw Error("skip connection " + problem.describe() + ": " + std::to_string(weights.size()) +
                " weights, expected " + std::to_string(problem.weight_numel()));
  }
  std::vector<std::vector<double>> per_species(static_cast<std::size_t>(num_species));
  for (const Instruction& ins : problem.instructions()) {
    const MulIrrep& a = in[static_cast<std::size_t>(ins.i_in1)];
    const MulIrrep& b = out[static_cast<std::size_t>(ins.i_out)];
    const int d = a.ir.dim();
    // l x 0 -> l: the Wigner 3j block is diagonal with equal entries.
    const double cg = ins.cg->at(0, 0, 0);
    for (int m = 0; m < d; ++m) {
      for (int k = 0; k < d; ++k) {
        const double expected = m == k ? cg : 0.0;
        if (std::abs(ins.cg->at(m, 0, k) - expected) > 1e-12) {
          throw Error("species linear: unexpected Wigner 3j block");
        }
      }
    }
    blocks_.push_back({in.offset(static_cast<std::size_t>(ins.i_in1)),
                       out.offset(static_cast<std::size_t>(ins.i_out)), a.mul, b.mul, d,
                       per_species_});
    for (int e = 0; e < num_species; ++e) {
      auto& target = per_species[static_cast<std::size_t>(e)];
      for (int u = 0; u < a.mul; ++u) {
        for (int w = 0; w < b.mul; ++w) {
          double sum = 0;
          for (int v = 0; v < num_attributes; ++v) {
            const std::size_t flat = static_cast<std::size_t>(ins.weight_offset) +
                                     (static_cast<std::size_t>(u) * num_attributes + v) * b.mul + w;
            sum += attributes[static_cast<std::size_t>(e) * num_attributes + v] * weights[flat];
          }
          target.push_back(ins.coefficient * cg * sum);
        }
      }
    }
    per_species_ += static_cast<std::size_t>(a.mul) * b.mul;
  }
  weights_.reserve(per_species_ * num_species);
  for (const auto& w : per_species)
    for (double v : w) weights_.push_back(static_cast<T>(v));
}

template <typename T>
void SpeciesLinear<T>::forward(std::size_t rows, const T* x, const int* species, T* out) const {
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < rows; ++r) {
    const T* xr = x + r * static_cast<std::size_t>(dim_in_);
    T* o = out + r * static_cast<std::size_t>(dim_out_);
    std::fill(o, o + dim_out_, T(0));
    const T* ws = weights_.data() + static_cast<std::size_t>(species[r]) * per_species_;
    for (const Block& b : blocks_) {
      for (int u = 0; u < b.mul_in; ++u) {
        const T* xu = xr + b.in_offset + u * b.dim;
        const T* wu = ws + b.weight_offset + static_cast<std::size_t>(u) * b.mul_out;
        for (int v = 0; v < b.mul_out; ++v) {
          T* ov = o + b.out_offset + v * b.dim;
          for (int m = 0; m < b.dim; ++m) ov[m] += wu[v] * xu[m];
        }
      }
    }
  }
}

template <typename T>
void SpeciesLinear<T>::backward_accumulate(std::size_t rows, const T* grad_out, const int* species,
                                           T* grad_x) const {
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < rows; ++r) {
    const T* g = grad_out + r * static_cast<std::size_t>(dim_out_);
    T* gx = grad_x + r * static_cast<std::size_t>(dim_in_);
    const T* ws = weights_.data() + static_cast<std::size_t>(species[r]) * per_species_;
    for (const Block& b : blocks_) {
      for (int u = 0; u < b.mul_in; ++u) {
        T* gu = gx + b.in_offset + u * b.dim;
        const T* wu = ws + b.weight_offset + static_cast<std::size_t>(u) * b.mul_out;
        for (int v = 0; v < b.mul_out; ++v) {
          const T* gv = g + b.out_offset + v * b.dim;
          for (int m = 0; m < b.dim; ++m) gu[m] += wu[v] * gv[m];
        }
      }
    }
  }
}

template class SpeciesLinear<float>;
template class SpeciesLinear<double>;

}  // namespace equifuse
