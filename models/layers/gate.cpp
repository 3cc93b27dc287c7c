#include "models/layers/gate.hpp"

#include <cmath>

#include "kernels/common/error.hpp"
#include "models/layers/activation.hpp"

namespace equifuse {

namespace {

template <typename T>
T activate(std::int32_t kind, T z) {
  return kind == static_cast<std::int32_t>(GateActivation::silu) ? silu(z) : std::tanh(z);
}

template <typename T>
T activate_derivative(std::int32_t kind, T z) {
  if (kind == static_cast<std::int32_t>(GateActivation::silu)) return silu_derivative(z);
  const T t = std::tanh(z);
  return T(1) - t * t;
}

}  // namespace

template <typename T>
Gate<T>::Gate(GateParameters parameters) : p_(std::move(parameters)) {
  const auto in_range = [&](const std::vector<std::int32_t>& v, int limit) {
    for (auto i : v)
      if (i < 0 || i >= limit) return false;
    return true;
  };
  const auto kinds_ok = [](const std::vector<std::int32_t>& v) {
    for (auto k : v)
      if (k != 0 && k != 1) return false;
    return true;
  };
  const int gates = static_cast<int>(p_.gate_index.size());
  if (!in_range(p_.scalar_index, p_.dim_in) || !in_range(p_.gate_index, p_.dim_in) ||
      !in_range(p_.gated_index, p_.dim_in) || !in_range(p_.gated_gate, gates) ||
      p_.scalar_activation.size() != p_.scalar_index.size() ||
      p_.scalar_scale.size() != p_.scalar_index.size() ||
      p_.gate_activation.size() != p_.gate_index.size() ||
      p_.gate_scale.size() != p_.gate_index.size() || p_.gated_gate.size() != p_.gated_index.size() ||
      !kinds_ok(p_.scalar_activation) || !kinds_ok(p_.gate_activation)) {
    throw Error("gate: inconsistent index maps or unknown activation");
  }
}

template <typename T>
void Gate<T>::forward(std::size_t rows, const T* x, T* out) const {
  const std::size_t ns = p_.scalar_index.size(), ng = p_.gate_index.size(), nd = p_.gated_index.size();
  const std::size_t din = static_cast<std::size_t>(p_.dim_in), dout = ns + nd;
#pragma omp parallel
  {
    std::vector<T> g(ng);
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      const T* xr = x + r * din;
      T* o = out + r * dout;
      for (std::size_t k = 0; k < ns; ++k) {
        o[k] = static_cast<T>(p_.scalar_scale[k]) * activate(p_.scalar_activation[k], xr[p_.scalar_index[k]]);
      }
      for (std::size_t c = 0; c < ng; ++c) {
        g[c] = static_cast<T>(p_.gate_scale[c]) * activate(p_.gate_activation[c], xr[p_.gate_index[c]]);
      }
      for (std::size_t j = 0; j < nd; ++j) o[ns + j] = xr[p_.gated_index[j]] * g[static_cast<std::size_t>(p_.gated_gate[j])];
    }
  }
}

template <typename T>
void Gate<T>::backward_accumulate(std::size_t rows, const T* x, const T* grad_out, T* grad_x) const {
  const std::size_t ns = p_.scalar_index.size(), ng = p_.gate_index.size(), nd = p_.gated_index.size();
  const std::size_t din = static_cast<std::size_t>(p_.dim_in), dout = ns + nd;
#pragma omp parallel
  {
    std::vector<T> g(ng), grad_g(ng);
#pragma omp for schedule(static)
    for (std::size_t r = 0; r < rows; ++r) {
      const T* xr = x + r * din;
      const T* go = grad_out + r * dout;
      T* gx = grad_x + r * din;
      for (std::size_t k = 0; k < ns; ++k) {
        const auto i = static_cast<std::size_t>(p_.scalar_index[k]);
        gx[i] += go[k] * static_cast<T>(p_.scalar_scale[k]) * activate_derivative(p_.scalar_activation[k], xr[i]);
      }
      for (std::size_t c = 0; c < ng; ++c) {
        g[c] = static_cast<T>(p_.gate_scale[c]) * activate(p_.gate_activation[c], xr[p_.gate_index[c]]);
        grad_g[c] = T(0);
      }
      for (std::size_t j = 0; j < nd; ++j) {
        const auto c = static_cast<std::size_t>(p_.gated_gate[j]);
        const auto i = static_cast<std::size_t>(p_.gated_index[j]);
        gx[i] += go[ns + j] * g[c];
        grad_g[c] += go[ns + j] * xr[i];
      }
      for (std::size_t c = 0; c < ng; ++c) {
        const auto i = static_cast<std::size_t>(p_.gate_index[c]);
        gx[i] += grad_g[c] * static_cast<T>(p_.gate_scale[c]) * activate_derivative(p_.gate_activation[c], xr[i]);
      }
    }
  }
}

template class Gate<float>;
template class Gate<double>;

}  // namespace equifuse
