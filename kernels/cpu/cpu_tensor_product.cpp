#include "kernels/cpu/cpu_tensor_product.hpp"

#include <algorithm>

#include "kernels/cpu/parallel_over_rows.hpp"

namespace equifuse {
namespace {

// Calls f(u, v, o, weight_index) for every channel triple an instruction couples: x channel u,
// y channel v, output channel o, and the index of their weight within the instruction's block.
template <typename F>
void for_each_channel_path(ConnectionMode mode, int mul1, int mul2, int mul_out, F&& f) {
  switch (mode) {
    case ConnectionMode::uvw:
      for (int u = 0; u < mul1; ++u)
        for (int v = 0; v < mul2; ++v)
          for (int w = 0; w < mul_out; ++w) f(u, v, w, (u * mul2 + v) * mul_out + w);
      return;
    case ConnectionMode::uvu:
      for (int u = 0; u < mul1; ++u)
        for (int v = 0; v < mul2; ++v) f(u, v, u, u * mul2 + v);
      return;
    case ConnectionMode::uvv:
      for (int u = 0; u < mul1; ++u)
        for (int v = 0; v < mul2; ++v) f(u, v, v, u * mul2 + v);
      return;
    case ConnectionMode::uuw:
      for (int u = 0; u < mul1; ++u)
        for (int w = 0; w < mul_out; ++w) f(u, u, w, u * mul_out + w);
      return;
    case ConnectionMode::uuu:
      for (int u = 0; u < mul1; ++u) f(u, u, u, u);
      return;
  }
}

}  // namespace

template <typename T>
CpuTensorProduct<T>::CpuTensorProduct(const TensorProductProblem& problem)
    : TensorProduct<T>(problem) {
  const auto& p = this->problem();
  for (const Instruction& ins : p.instructions()) {
    const MulIrrep& a = p.irreps_in1()[ins.i_in1];
    const MulIrrep& b = p.irreps_in2()[ins.i_in2];
    const MulIrrep& c = p.irreps_out()[ins.i_out];
    if (a.dim() == 0 || b.dim() == 0 || c.dim() == 0) continue;  // contributes nothing (as e3nn)
    Path path{&ins,
              p.irreps_in1().offset(ins.i_in1),
              p.irreps_in2().offset(ins.i_in2),
              p.irreps_out().offset(ins.i_out),
              a.mul,
              b.mul,
              c.mul,
              a.ir.dim(),
              b.ir.dim(),
              c.ir.dim(),
              {}};
    for (const CgNonzero& nz : ins.cg->nonzeros) {
      path.nonzeros.push_back({nz.i, nz.j, nz.k, static_cast<T>(ins.coefficient * nz.value)});
    }
    paths_.push_back(std::move(path));
  }
}

template <typename T>
void CpuTensorProduct<T>::forward_row(const T* x, const T* y, const T* w, T* out) const {
  for (const Path& path : paths_) {
    const Instruction& ins = *path.instruction;
    for_each_channel_path(ins.mode, path.mul1, path.mul2, path.mul_out,
                          [&](int u, int v, int o, int wi) {
                            const T weight = ins.has_weight ? w[ins.weight_offset + wi] : T(1);
                            const T* xu = x + path.offset_in1 + u * path.dim1;
                            const T* yv = y + path.offset_in2 + v * path.dim2;
                            T* out_o = out + path.offset_out + o * path.dim_out;
                            for (const ScaledNonzero& nz : path.nonzeros)
                              out_o[nz.k] += weight * nz.value * xu[nz.i] * yv[nz.j];
                          });
  }
}

template <typename T>
void CpuTensorProduct<T>::backward_row(const T* x, const T* y, const T* w, const T* grad_out,
                                       T* grad_x, T* grad_y, T* grad_w) const {
  for (const Path& path : paths_) {
    const Instruction& ins = *path.instruction;
    for_each_channel_path(
        ins.mode, path.mul1, path.mul2, path.mul_out, [&](int u, int v, int o, int wi) {
          const T weight = ins.has_weight ? w[ins.weight_offset + wi] : T(1);
          const int xo = path.offset_in1 + u * path.dim1, yo = path.offset_in2 + v * path.dim2;
          const T* g = grad_out + path.offset_out + o * path.dim_out;
          T grad_weight = 0;
          for (const ScaledNonzero& nz : path.nonzeros) {
            const T cg = nz.value * g[nz.k];
            if (grad_x) grad_x[xo + nz.i] += weight * cg * y[yo + nz.j];
            if (grad_y) grad_y[yo + nz.j] += weight * cg * x[xo + nz.i];
            grad_weight += cg * x[xo + nz.i] * y[yo + nz.j];
          }
          if (ins.has_weight && grad_w) grad_w[ins.weight_offset + wi] += grad_weight;
        });
  }
}

// Each CG term is t = c W X Y G (X = x[u,i], Y = y[v,j], G = grad_out[o,k]). The backward pass
// gives dt/dX, dt/dY, dt/dW; L = ggX dt/dX + ggY dt/dY + ggW dt/dW = c G (ggX W Y + ggY W X +
// ggW X Y), differentiated below with respect to X, Y, W and G.
template <typename T>
void CpuTensorProduct<T>::double_backward_row(const T* x, const T* y, const T* w, const T* grad_out,
                                              const T* gg_x, const T* gg_y, const T* gg_w,
                                              T* grad_x, T* grad_y, T* grad_w,
                                              T* grad_grad_out) const {
  for (const Path& path : paths_) {
    const Instruction& ins = *path.instruction;
    for_each_channel_path(
        ins.mode, path.mul1, path.mul2, path.mul_out, [&](int u, int v, int o, int wi) {
          const T weight = ins.has_weight ? w[ins.weight_offset + wi] : T(1);
          const T gg_weight = ins.has_weight ? gg_w[ins.weight_offset + wi] : T(0);
          const int xo = path.offset_in1 + u * path.dim1, yo = path.offset_in2 + v * path.dim2;
          const int go = path.offset_out + o * path.dim_out;
          T grad_weight = 0;
          for (const ScaledNonzero& nz : path.nonzeros) {
            const T X = x[xo + nz.i], Y = y[yo + nz.j], G = grad_out[go + nz.k];
            const T ggX = gg_x[xo + nz.i], ggY = gg_y[yo + nz.j];
            const T cG = nz.value * G;
            if (grad_x) grad_x[xo + nz.i] += cG * (ggY * weight + gg_weight * Y);
            if (grad_y) grad_y[yo + nz.j] += cG * (ggX * weight + gg_weight * X);
            grad_weight += cG * (ggX * Y + ggY * X);
            if (grad_grad_out)
              grad_grad_out[go + nz.k] +=
                  nz.value * (weight * (ggX * Y + ggY * X) + gg_weight * X * Y);
          }
          if (ins.has_weight && grad_w) grad_w[ins.weight_offset + wi] += grad_weight;
        });
  }
}

template <typename T>
void CpuTensorProduct<T>::run_forward(std::size_t batch, const TensorProductForward<T>& a) const {
  const auto& p = this->problem();
  const std::size_t d1 = p.irreps_in1().dim(), d2 = p.irreps_in2().dim(), d3 = p.irreps_out().dim();
  const std::size_t wn = p.shared_weights() ? 0 : p.weight_numel();
  std::fill(a.out.begin(), a.out.end(), T(0));
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t z = 0; z < static_cast<std::ptrdiff_t>(batch); ++z) {
    forward_row(a.x.data() + z * d1, a.y.data() + z * d2, a.weights.data() + z * wn,
                a.out.data() + z * d3);
  }
}

template <typename T>
void CpuTensorProduct<T>::run_backward(std::size_t batch, const TensorProductBackward<T>& a) const {
  const auto& p = this->problem();
  const std::size_t d1 = p.irreps_in1().dim(), d2 = p.irreps_in2().dim(), d3 = p.irreps_out().dim();
  const std::size_t wn = p.shared_weights() ? 0 : p.weight_numel();
  std::fill(a.grad_x.begin(), a.grad_x.end(), T(0));
  std::fill(a.grad_y.begin(), a.grad_y.end(), T(0));
  parallel_over_rows<T>(batch, p.shared_weights(), a.grad_weights, p.weight_numel(),
                        [&](std::ptrdiff_t z, T* grad_w) {
                          backward_row(a.x.data() + z * d1, a.y.data() + z * d2,
                                       a.weights.data() + z * wn, a.grad_out.data() + z * d3,
                                       a.grad_x.data() + z * d1, a.grad_y.data() + z * d2, grad_w);
                        });
}

template <typename T>
void CpuTensorProduct<T>::run_double_backward(std::size_t batch,
                                              const TensorProductDoubleBackward<T>& a) const {
  const auto& p = this->problem();
  const std::size_t d1 = p.irreps_in1().dim(), d2 = p.irreps_in2().dim(), d3 = p.irreps_out().dim();
  const std::size_t wn = p.shared_weights() ? 0 : p.weight_numel();
  std::fill(a.grad_x.begin(), a.grad_x.end(), T(0));
  std::fill(a.grad_y.begin(), a.grad_y.end(), T(0));
  std::fill(a.grad_grad_out.begin(), a.grad_grad_out.end(), T(0));
  parallel_over_rows<T>(batch, p.shared_weights(), a.grad_weights, p.weight_numel(),
                        [&](std::ptrdiff_t z, T* grad_w) {
                          double_backward_row(
                              a.x.data() + z * d1, a.y.data() + z * d2, a.weights.data() + z * wn,
                              a.grad_out.data() + z * d3, a.grad_grad_x.data() + z * d1,
                              a.grad_grad_y.data() + z * d2, a.grad_grad_weights.data() + z * wn,
                              a.grad_x.data() + z * d1, a.grad_y.data() + z * d2, grad_w,
                              a.grad_grad_out.data() + z * d3);
                        });
}

template class CpuTensorProduct<float>;
template class CpuTensorProduct<double>;

}  // namespace equifuse
