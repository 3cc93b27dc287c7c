// One MACE product block (mace-torch's EquivariantProductBasisBlock): the symmetric contraction
// of the interaction's message (the product basis, per species, or one for every species:
// use_agnostic_product), a linear, and the interaction's residual skip connection added where it
// gives one. Forward and hand-written backward.
#pragma once

#include <memory>

#include "models/layers/equivariant_linear.hpp"
#include "models/mace/mace_config.hpp"
#include "models/mace/symmetric_contraction.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

template <typename T>
class MaceProduct {
 public:
  // Takes products.<index>.* from `parameters`.
  MaceProduct(const Engine& engine, const MaceProductConfig& config, int index,
              const SpeciesSelection& species, const ParameterStore& parameters);
  ~MaceProduct();

  int dim_out() const { return linear_->dim_out(); }

  // Kept for the backward: the contraction's input (node); its output is not kept.
  struct Saved {
    Buffer<T> message;
    std::size_t bytes() const { return message.bytes(); }
  };
  // h_next [nodes][dim_out] = linear(contraction(message)) (+ skip, where not empty).
  Buffer<T> forward(std::size_t nodes, const int* species, Buffer<T> message, const Buffer<T>& skip,
                    Saved& saved) const;
  // dE/d(message) [nodes][message dim] from dE/d(h_next) (which is also dE/d(skip)).
  Buffer<T> backward(std::size_t nodes, const int* species, const Saved& saved,
                     const T* grad_h_next) const;

 private:
  const Engine& engine_;
  std::unique_ptr<SymmetricContraction<T>> contraction_;
  std::unique_ptr<EquivariantLinear<T>> linear_;
  bool agnostic_ = false;
};

}  // namespace equifuse
