// e3nn's Gate as NequIP uses it, in index form (the exporter reads the index maps off the e3nn
// module, whose input is sorted and split internally):
//   out[k]      = scale_k * act_k(x[scalar_index[k]])                      k < num_scalars
//   out[ns + j] = x[gated_index[j]] * g[gated_gate[j]],  g[c] = scale_c * act_c(x[gate_index[c]])
// act: SiLU or tanh (e3nn normalises both to unit second moment: the scales).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace equifuse {

enum class GateActivation : std::int32_t { silu = 0, tanh = 1 };

struct GateParameters {
  int dim_in = 0;
  std::vector<std::int32_t> scalar_index, scalar_activation;
  std::vector<double> scalar_scale;
  std::vector<std::int32_t> gate_index, gate_activation;
  std::vector<double> gate_scale;
  std::vector<std::int32_t> gated_index, gated_gate;
};

template <typename T>
class Gate {
 public:
  explicit Gate(GateParameters parameters);  // checks every index
  int dim_in() const { return p_.dim_in; }
  int dim_out() const { return static_cast<int>(p_.scalar_index.size() + p_.gated_index.size()); }
  void forward(std::size_t rows, const T* x, T* out) const;
  // grad_x[rows][dim_in] += d<grad_out, out>/dx at x.
  void backward_accumulate(std::size_t rows, const T* x, const T* grad_out, T* grad_x) const;

  const GateParameters& parameters() const { return p_; }

 private:
  GateParameters p_;
};

}  // namespace equifuse
