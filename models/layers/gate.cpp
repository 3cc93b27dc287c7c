#include "models/layers/gate.hpp"

#include <vector>

#include "kernels/common/error.hpp"
#include "models/layers/gate_kernels.cuh"

namespace equifuse {

namespace {

// Host implementations, a row at a time: each gate's activation once per row.
template <typename T>
void host_gate_forward(const GateArgs<T>& a) {
  const int dim_out = a.num_scalars + a.num_gated;
#pragma omp parallel
  {
    std::vector<T> g(static_cast<std::size_t>(a.num_gates));
#pragma omp for schedule(static)
    for (long r = 0; r < a.rows; ++r) {
      const T* x = a.x + r * a.dim_in;
      T* o = a.out + r * dim_out;
      for (int k = 0; k < a.num_scalars; ++k) {
        o[k] = a.scalar_scale[k] * gate_activation(a.scalar_activation[k], x[a.scalar_index[k]]);
      }
      for (int c = 0; c < a.num_gates; ++c) {
        g[c] = a.gate_scale[c] * gate_activation(a.gate_activation[c], x[a.gate_index[c]]);
      }
      for (int j = 0; j < a.num_gated; ++j)
        o[a.num_scalars + j] = x[a.gated_index[j]] * g[a.gated_gate[j]];
    }
  }
}

template <typename T>
void host_gate_backward(const GateArgs<T>& a) {
  const int dim_out = a.num_scalars + a.num_gated;
#pragma omp parallel
  {
    std::vector<T> g(static_cast<std::size_t>(a.num_gates)), grad_g(g.size());
#pragma omp for schedule(static)
    for (long r = 0; r < a.rows; ++r) {
      const T* x = a.x + r * a.dim_in;
      const T* go = a.grad_out + r * dim_out;
      T* gx = a.out + r * a.dim_in;
      for (int k = 0; k < a.num_scalars; ++k) {
        const int i = a.scalar_index[k];
        gx[i] +=
            go[k] * a.scalar_scale[k] * gate_activation_derivative(a.scalar_activation[k], x[i]);
      }
      for (int c = 0; c < a.num_gates; ++c) {
        g[c] = a.gate_scale[c] * gate_activation(a.gate_activation[c], x[a.gate_index[c]]);
        grad_g[c] = T(0);
      }
      for (int j = 0; j < a.num_gated; ++j) {
        const int c = a.gated_gate[j], i = a.gated_index[j];
        gx[i] += go[a.num_scalars + j] * g[c];
        grad_g[c] += go[a.num_scalars + j] * x[i];
      }
      for (int c = 0; c < a.num_gates; ++c) {
        const int i = a.gate_index[c];
        gx[i] +=
            grad_g[c] * a.gate_scale[c] * gate_activation_derivative(a.gate_activation[c], x[i]);
      }
    }
  }
}

template <typename T>
constexpr Kernel<GateArgs<T>> kForward{"gate_forward", &host_gate_forward<T>};
template <typename T>
constexpr Kernel<GateArgs<T>> kBackward{"gate_backward", &host_gate_backward<T>};

void check(const GateParameters& p) {
  const auto in_range = [&](const std::vector<std::int32_t>& v, int limit) {
    for (auto i : v)
      if (i < 0 || i >= limit) return false;
    return true;
  };
  const auto kinds_ok = [](const std::vector<std::int32_t>& v) {
    for (auto k : v)
      if (k < 0 || k > 2) return false;
    return true;
  };
  const int gates = static_cast<int>(p.gate_index.size());
  if (!in_range(p.scalar_index, p.dim_in) || !in_range(p.gate_index, p.dim_in) ||
      !in_range(p.gated_index, p.dim_in) || !in_range(p.gated_gate, gates) ||
      p.scalar_activation.size() != p.scalar_index.size() ||
      p.scalar_scale.size() != p.scalar_index.size() ||
      p.gate_activation.size() != p.gate_index.size() ||
      p.gate_scale.size() != p.gate_index.size() || p.gated_gate.size() != p.gated_index.size() ||
      !kinds_ok(p.scalar_activation) || !kinds_ok(p.gate_activation)) {
    throw Error("gate: inconsistent index maps or unknown activation");
  }
}

template <typename T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

}  // namespace

GateParameters gate_parameters(const ParameterStore& p, const std::string& prefix, int dim_in) {
  GateParameters gp;
  gp.dim_in = dim_in;
  const auto ints = [&](const char* name) { return p.integers(prefix + name, {-1}).integers; };
  gp.scalar_index = ints("scalar_index");
  gp.scalar_activation = ints("scalar_activation");
  gp.scalar_scale = p.reals(prefix + "scalar_scale", {-1});
  gp.gate_index = ints("gate_index");
  gp.gate_activation = ints("gate_activation");
  gp.gate_scale = p.reals(prefix + "gate_scale", {-1});
  gp.gated_index = ints("gated_index");
  gp.gated_gate = ints("gated_gate");
  return gp;
}

template <typename T>
Gate<T>::Gate(const Engine& engine, const GateParameters& p)
    : engine_((check(p), engine)),
      scalar_index_(engine.upload(p.scalar_index)),
      scalar_activation_(engine.upload(p.scalar_activation)),
      gate_index_(engine.upload(p.gate_index)),
      gate_activation_(engine.upload(p.gate_activation)),
      gated_index_(engine.upload(p.gated_index)),
      gated_gate_(engine.upload(p.gated_gate)),
      scalar_scale_(engine.upload(as<T>(p.scalar_scale))),
      gate_scale_(engine.upload(as<T>(p.gate_scale))),
      dim_in_(p.dim_in),
      num_scalars_(static_cast<int>(p.scalar_index.size())),
      num_gates_(static_cast<int>(p.gate_index.size())),
      num_gated_(static_cast<int>(p.gated_index.size())) {}

template <typename T>
GateArgs<T> Gate<T>::args(std::size_t rows, const T* x, const T* grad_out, T* out) const {
  return {static_cast<long>(rows),
          dim_in_,
          num_scalars_,
          num_gates_,
          num_gated_,
          scalar_index_.data(),
          scalar_activation_.data(),
          scalar_scale_.data(),
          gate_index_.data(),
          gate_activation_.data(),
          gate_scale_.data(),
          gated_index_.data(),
          gated_gate_.data(),
          x,
          grad_out,
          out};
}

template <typename T>
void Gate<T>::forward(std::size_t rows, const T* x, T* out) const {
  engine_.launch(kForward<T>, args(rows, x, nullptr, out),
                 LaunchShape::over(static_cast<long>(rows) * dim_out()));
}

template <typename T>
void Gate<T>::backward(std::size_t rows, const T* x, const T* grad_out, T* grad_x) const {
  engine_.launch(kBackward<T>, args(rows, x, grad_out, grad_x),
                 LaunchShape::over(static_cast<long>(rows)));
}

template class Gate<float>;
template class Gate<double>;

}  // namespace equifuse
