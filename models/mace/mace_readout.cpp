#include "models/mace/mace_readout.hpp"

#include <cmath>
#include <numeric>

#include "kernels/common/error.hpp"
#include "models/layers/activation.hpp"

namespace equifuse {

namespace {

// The columns `columns` (in that order) of the weights of Linear(in -> N x 0e) stored under
// `name`: the weights of Linear(in -> |columns| x 0e) with the same normalisation per column.
std::vector<double> column_weights(const ParameterStore& p, const std::string& name,
                                   const Irreps& in, int outputs, const std::vector<int>& columns) {
  const auto& w = p.reals(name, {static_cast<std::int64_t>(EquivariantLinear<double>::weight_numel(
                                    in, Irreps({MulIrrep{outputs, Irrep(0, 1)}})))});
  std::vector<double> kept;
  std::size_t offset = 0;
  for (const MulIrrep& block : in) {
    if (block.ir != Irrep(0, 1)) continue;
    for (int u = 0; u < block.mul; ++u)
      for (int c : columns)
        kept.push_back(
            w[offset + static_cast<std::size_t>(u) * outputs + static_cast<std::size_t>(c)]);
    offset += static_cast<std::size_t>(block.mul) * outputs;
  }
  return kept;
}

// The entries `columns` of the optional bias `name` (an e3nn Linear with biases), scaled by
// `factor`; empty where the file has none.
std::vector<double> column_biases(const ParameterStore& p, const std::string& name, int outputs,
                                  const std::vector<int>& columns, double factor = 1.0) {
  const std::span<const double> b = p.optional_vector(name, static_cast<std::size_t>(outputs));
  std::vector<double> kept;
  if (!b.empty())
    for (int c : columns) kept.push_back(factor * b[static_cast<std::size_t>(c)]);
  return kept;
}

}  // namespace

template <typename T>
MaceReadout<T>::MaceReadout(const Engine& engine, const MaceReadoutConfig& rc, int index, int head,
                            int num_heads, const ParameterStore& p)
    : engine_(engine) {
  const std::string prefix = "readouts." + std::to_string(index) + ".";
  const Irreps energy = Irreps::parse("1x0e");
  if (rc.kind == MaceReadoutConfig::Kind::linear) {
    const std::vector<double> w =
        column_weights(p, prefix + "linear.weight", rc.irreps_in, num_heads, {head});
    const std::vector<double> b = column_biases(p, prefix + "linear.bias", num_heads, {head});
    linear_1_ = std::make_unique<EquivariantLinear<T>>(
        engine, rc.irreps_in, energy, std::span<const double>(w), 1.0, std::span<const double>(b));
    return;
  }
  for (const auto& block : rc.hidden_irreps) {
    if (block.ir != Irrep(0, 1)) throw Error("MACE: non-linear readouts must be even scalars");
  }
  // Hidden units: every head's M of them; with the head mask only this head's reach its output.
  const int hidden = rc.hidden_irreps.dim();
  if (hidden % num_heads != 0) throw Error("MACE: a readout's hidden units are not per head");
  const int per_head = hidden / num_heads;
  std::vector<int> units(static_cast<std::size_t>(rc.head_mask ? per_head : hidden));
  std::iota(units.begin(), units.end(), rc.head_mask ? head * per_head : 0);
  const std::vector<double> w1 =
      column_weights(p, prefix + "linear_1.weight", rc.irreps_in, hidden, units);
  const std::vector<double> b1 = column_biases(p, prefix + "linear_1.bias", hidden, units);
  const Irreps kept({MulIrrep{static_cast<int>(units.size()), Irrep(0, 1)}});
  linear_1_ = std::make_unique<EquivariantLinear<T>>(
      engine, rc.irreps_in, kept, std::span<const double>(w1), 1.0, std::span<const double>(b1));
  // linear_2: rows `units`, column `head`; e3nn normalised over all hidden units.
  const auto& w2 = p.reals(prefix + "linear_2.weight", {hidden * num_heads});
  std::vector<double> kept_w2;
  for (int u : units) kept_w2.push_back(w2[static_cast<std::size_t>(u * num_heads + head)]);
  // The scale keeps e3nn's fan-in over all hidden units; it must not reach the bias.
  const double scale = std::sqrt(static_cast<double>(units.size()) / hidden);
  const std::vector<double> b2 =
      column_biases(p, prefix + "linear_2.bias", num_heads, {head}, 1.0 / scale);
  linear_2_ = std::make_unique<EquivariantLinear<T>>(
      engine, kept, energy, std::span<const double>(kept_w2), scale, std::span<const double>(b2));
  activation_scale_ = static_cast<T>(rc.activation_scale);
}

template <typename T>
MaceReadout<T>::~MaceReadout() = default;

template <typename T>
Buffer<T> MaceReadout<T>::forward(std::size_t nodes, const T* h, Saved& saved) const {
  Buffer<T> energy = engine_.buffer<T>(nodes);
  if (!linear_2_) {
    linear_1_->forward(nodes, h, energy.data());
    return energy;
  }
  saved.hidden = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_1_->dim_out()));
  linear_1_->forward(nodes, h, saved.hidden.data());
  Buffer<T> activated = engine_.buffer<T>(saved.hidden.size());
  scaled_silu(engine_, activated.size(), saved.hidden.data(), activated.data(), activation_scale_);
  linear_2_->forward(nodes, activated.data(), energy.data());
  return energy;
}

template <typename T>
void MaceReadout<T>::backward(std::size_t nodes, const Saved& saved, const T* seed,
                              T* grad_h) const {
  if (!linear_2_) {
    linear_1_->backward(nodes, seed, grad_h);
    return;
  }
  Buffer<T> grad_hidden = engine_.buffer<T>(saved.hidden.size());
  linear_2_->backward(nodes, seed, grad_hidden.data(), false);
  scaled_silu_backward(engine_, grad_hidden.size(), grad_hidden.data(), saved.hidden.data(),
                       activation_scale_);
  linear_1_->backward(nodes, grad_hidden.data(), grad_h);
}

template class MaceReadout<float>;
template class MaceReadout<double>;

}  // namespace equifuse
