#include "models/layers/species_linear.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse {

namespace {

Irreps species_irreps(int num_species) {
  return Irreps({MulIrrep{num_species, Irrep(0, 1)}});
}

std::vector<double> identity(int n) {
  std::vector<double> m(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i) m[static_cast<std::size_t>(i) * n + i] = 1.0;
  return m;
}

// The folded per-species maps: for species e, block (u -> w) of path (i_in1, i_out) has weight
// coefficient * cg * sum_v attributes[e][v] W[u][v][w].
template <typename T>
LinearMap<T> species_map(const Engine& engine, const Irreps& in, int num_species,
                         std::span<const double> attributes, int num_attributes, const Irreps& out,
                         std::span<const double> weights) {
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
  std::vector<LinearBlock> blocks;
  std::size_t per_species = 0;
  std::vector<std::vector<double>> folded(static_cast<std::size_t>(num_species));
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
    blocks.push_back({in.offset(static_cast<std::size_t>(ins.i_in1)),
                      out.offset(static_cast<std::size_t>(ins.i_out)), a.mul, b.mul, d,
                      static_cast<int>(per_species)});
    for (int e = 0; e < num_species; ++e) {
      auto& target = folded[static_cast<std::size_t>(e)];
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
    per_species += static_cast<std::size_t>(a.mul) * b.mul;
  }
  std::vector<T> table;
  table.reserve(per_species * static_cast<std::size_t>(num_species));
  for (const auto& w : folded)
    for (double v : w) table.push_back(static_cast<T>(v));
  return LinearMap<T>(engine, in.dim(), out.dim(), blocks, table, per_species);
}

}  // namespace

template <typename T>
std::size_t SpeciesLinear<T>::weight_numel(const Irreps& in, int num_attributes,
                                           const Irreps& out) {
  return static_cast<std::size_t>(
      fully_connected_tensor_product(in, species_irreps(num_attributes), out).weight_numel());
}

template <typename T>
SpeciesLinear<T>::SpeciesLinear(const Engine& engine, const Irreps& in, int num_species,
                                const Irreps& out, std::span<const double> weights)
    : SpeciesLinear(engine, in, num_species, identity(num_species), num_species, out, weights) {}

template <typename T>
SpeciesLinear<T>::SpeciesLinear(const Engine& engine, const Irreps& in, int num_species,
                                std::span<const double> attributes, int num_attributes,
                                const Irreps& out, std::span<const double> weights)
    : map_(species_map<T>(engine, in, num_species, attributes, num_attributes, out, weights)) {}

template class SpeciesLinear<float>;
template class SpeciesLinear<double>;

}  // namespace equifuse
