#include "models/layers/equivariant_linear.hpp"

#include <cmath>

#include "kernels/common/error.hpp"

namespace equifuse {

template <typename T>
std::size_t EquivariantLinear<T>::weight_numel(const Irreps& in, const Irreps& out) {
  std::size_t n = 0;
  for (const auto& a : in)
    for (const auto& b : out)
      if (a.ir == b.ir) n += static_cast<std::size_t>(a.mul) * static_cast<std::size_t>(b.mul);
  return n;
}

template <typename T>
std::vector<T> EquivariantLinear<T>::folded_weights(const Irreps& in, const Irreps& out,
                                                    std::span<const double> weights, double scale,
                                                    std::vector<LinearBlock>* blocks) {
  if (weights.size() != weight_numel(in, out)) {
    throw Error("linear " + in.to_string() + " -> " + out.to_string() + ": " +
                std::to_string(weights.size()) + " weights, expected " +
                std::to_string(weight_numel(in, out)));
  }
  std::vector<double> fan_in(out.size(), 0.0);
  for (std::size_t i = 0; i < in.size(); ++i)
    for (std::size_t o = 0; o < out.size(); ++o)
      if (in[i].ir == out[o].ir) fan_in[o] += in[i].mul;
  std::size_t offset = 0;
  std::vector<T> folded(weights.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    for (std::size_t o = 0; o < out.size(); ++o) {
      if (in[i].ir != out[o].ir) continue;
      const double alpha = scale / std::sqrt(fan_in[o]);
      const std::size_t n = static_cast<std::size_t>(in[i].mul) * out[o].mul;
      for (std::size_t k = 0; k < n; ++k)
        folded[offset + k] = static_cast<T>(alpha * weights[offset + k]);
      if (n > 0 && blocks != nullptr) {
        blocks->push_back({in.offset(i), out.offset(o), in[i].mul, out[o].mul, in[i].ir.dim(),
                           static_cast<int>(offset)});
      }
      offset += n;
    }
  }
  return folded;
}

namespace {

template <typename T>
LinearMap<T> make_map(const Engine& engine, const Irreps& in, const Irreps& out,
                      std::span<const double> weights, double scale,
                      std::span<const double> biases) {
  std::vector<LinearBlock> blocks;
  const std::vector<T> folded =
      EquivariantLinear<T>::folded_weights(in, out, weights, scale, &blocks);
  std::vector<T> bias;
  if (!biases.empty()) {
    if (biases.size() != EquivariantLinear<T>::bias_numel(out)) {
      throw Error("linear " + in.to_string() + " -> " + out.to_string() + ": " +
                  std::to_string(biases.size()) + " biases, expected " +
                  std::to_string(EquivariantLinear<T>::bias_numel(out)));
    }
    bias.assign(static_cast<std::size_t>(out.dim()), T(0));
    std::size_t k = 0;
    for (std::size_t o = 0; o < out.size(); ++o) {
      if (out[o].ir != Irrep(0, 1)) continue;
      for (int v = 0; v < out[o].mul; ++v)
        bias[static_cast<std::size_t>(out.offset(o) + v)] = static_cast<T>(scale * biases[k++]);
    }
  }
  return LinearMap<T>(engine, in.dim(), out.dim(), blocks, folded, 0, bias);
}

}  // namespace

template <typename T>
EquivariantLinear<T>::EquivariantLinear(const Engine& engine, const Irreps& in, const Irreps& out,
                                        std::span<const double> weights, double scale,
                                        std::span<const double> biases)
    : map_(make_map<T>(engine, in, out, weights, scale, biases)) {}

template <typename T>
std::size_t EquivariantLinear<T>::bias_numel(const Irreps& out) {
  std::size_t n = 0;
  for (const auto& b : out)
    if (b.ir == Irrep(0, 1)) n += static_cast<std::size_t>(b.mul);
  return n;
}

template <typename T>
std::unique_ptr<EquivariantLinear<T>> EquivariantLinear<T>::from_parameters(
    const Engine& engine, const ParameterStore& p, const std::string& name, const Irreps& in,
    const Irreps& out, double scale) {
  return std::make_unique<EquivariantLinear<T>>(
      engine, in, out, p.vector(name + ".weight", weight_numel(in, out)), scale,
      p.optional_vector(name + ".bias", bias_numel(out)));
}

template class EquivariantLinear<float>;
template class EquivariantLinear<double>;

}  // namespace equifuse
