#include "models/mace/mace_readout.hpp"

#include "kernels/common/error.hpp"
#include "models/layers/activation.hpp"

namespace equifuse {

namespace {

template <typename T>
std::unique_ptr<EquivariantLinear<T>> linear(const Engine& engine, const ParameterStore& p,
                                             const std::string& name, const Irreps& in,
                                             const Irreps& out) {
  const auto& weights =
      p.reals(name, {static_cast<std::int64_t>(EquivariantLinear<T>::weight_numel(in, out))});
  return std::make_unique<EquivariantLinear<T>>(engine, in, out, std::span<const double>(weights));
}

}  // namespace

template <typename T>
MaceReadout<T>::MaceReadout(const Engine& engine, const MaceReadoutConfig& rc, int index,
                            const ParameterStore& p)
    : engine_(engine) {
  const std::string prefix = "readouts." + std::to_string(index) + ".";
  const Irreps energy = Irreps::parse("1x0e");
  if (rc.kind == MaceReadoutConfig::Kind::linear) {
    linear_1_ = linear<T>(engine, p, prefix + "linear.weight", rc.irreps_in, energy);
    return;
  }
  for (const auto& block : rc.hidden_irreps) {
    if (block.ir != Irrep(0, 1)) throw Error("MACE: non-linear readouts must be even scalars");
  }
  linear_1_ = linear<T>(engine, p, prefix + "linear_1.weight", rc.irreps_in, rc.hidden_irreps);
  linear_2_ = linear<T>(engine, p, prefix + "linear_2.weight", rc.hidden_irreps, energy);
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
