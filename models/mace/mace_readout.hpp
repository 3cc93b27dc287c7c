// One MACE readout (mace-torch's LinearReadoutBlock, and NonLinearReadoutBlock: linear, SiLU
// scaled by e3nn's normalize2mom constant, linear): the node-energy contribution of one layer's
// features, for one head of a multi-head model (the file keeps every head's outputs; the other
// heads' weights are not loaded). Forward and hand-written backward.
#pragma once

#include <memory>

#include "models/layers/equivariant_linear.hpp"
#include "models/mace/mace_config.hpp"
#include "models/potential/parameter_store.hpp"

namespace equifuse {

template <typename T>
class MaceReadout {
 public:
  // Takes readouts.<index>.* from `parameters`: output `head` of `num_heads`.
  MaceReadout(const Engine& engine, const MaceReadoutConfig& config, int index, int head,
              int num_heads, const ParameterStore& parameters);
  ~MaceReadout();

  // Kept for the backward of a non-linear readout: the hidden pre-activations (node).
  struct Saved {
    Buffer<T> hidden;
    std::size_t bytes() const { return hidden.bytes(); }
  };
  // energy [nodes] of features h [nodes][dim].
  Buffer<T> forward(std::size_t nodes, const T* h, Saved& saved) const;
  // grad_h [nodes][dim] += dE/dh for dE/d(energy) = seed [nodes].
  void backward(std::size_t nodes, const Saved& saved, const T* seed, T* grad_h) const;

 private:
  const Engine& engine_;
  std::unique_ptr<EquivariantLinear<T>> linear_1_, linear_2_;  // linear_2_ only if non-linear
  T activation_scale_ = 1;
};

}  // namespace equifuse
