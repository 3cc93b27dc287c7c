// e3nn's Gate as NequIP uses it, in index form (the exporter reads the index maps off the e3nn
// module, whose input is sorted and split internally):
//   out[k]      = scale_k * act_k(x[scalar_index[k]])                      k < num_scalars
//   out[ns + j] = x[gated_index[j]] * g[gated_gate[j]],  g[c] = scale_c * act_c(x[gate_index[c]])
// act: SiLU, tanh or sigmoid (e3nn normalises each to unit second moment: the scales). Keeps
// nothing for its backward but its input, which the caller holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/engine/engine.hpp"
#include "models/layers/gate_kernels.cuh"
#include "models/potential/parameter_store.hpp"

namespace equifuse {

enum class GateActivation : std::int32_t { silu = 0, tanh = 1, sigmoid = 2 };

struct GateParameters {
  int dim_in = 0;
  std::vector<std::int32_t> scalar_index, scalar_activation;
  std::vector<double> scalar_scale;
  std::vector<std::int32_t> gate_index, gate_activation;
  std::vector<double> gate_scale;
  std::vector<std::int32_t> gated_index, gated_gate;
};

// The index maps and scales of a gate stored under <prefix>scalar_index, ... (the potential
// file's gate tensors), for an input of dim_in components.
GateParameters gate_parameters(const ParameterStore& parameters, const std::string& prefix,
                               int dim_in);

template <typename T>
class Gate {
 public:
  Gate(const Engine& engine, const GateParameters& parameters);  // checks every index
  int dim_in() const { return dim_in_; }
  int dim_out() const { return num_scalars_ + num_gated_; }
  void forward(std::size_t rows, const T* x, T* out) const;
  // grad_x[rows][dim_in] += d<grad_out, out>/dx at x.
  void backward(std::size_t rows, const T* x, const T* grad_out, T* grad_x) const;

 private:
  GateArgs<T> args(std::size_t rows, const T* x, const T* grad_out, T* out) const;
  const Engine& engine_;
  Buffer<std::int32_t> scalar_index_, scalar_activation_, gate_index_, gate_activation_,
      gated_index_, gated_gate_;
  Buffer<T> scalar_scale_, gate_scale_;
  int dim_in_, num_scalars_, num_gates_, num_gated_;
};

}  // namespace equifuse
