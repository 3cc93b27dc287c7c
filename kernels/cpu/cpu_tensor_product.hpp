// The CPU backend: the reference every other backend is tested against. Clarity first; the inner
// loops run only over the nonzero Clebsch-Gordan coefficients, OpenMP over the batch.
#pragma once

#include <vector>

#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse {

template <typename T>
class CpuTensorProduct final : public TensorProduct<T> {
 public:
  explicit CpuTensorProduct(const TensorProductProblem& problem);

  // One nonzero of an instruction's CG block, pre-multiplied by the instruction's coefficient.
  struct ScaledNonzero {
    int i, j, k;
    T value;
  };
  // An instruction with its block offsets resolved.
  struct Path {
    const Instruction* instruction;
    int offset_in1, offset_in2, offset_out;  // offsets of the blocks within one sample
    int mul1, mul2, mul_out;
    int dim1, dim2, dim_out;  // 2l+1 of each irrep
    std::vector<ScaledNonzero> nonzeros;
  };

  // One row of each direction, accumulated (+=) into the outputs, which may be null where not
  // wanted. `w` (and `gg_w`, `grad_w`) point at the row's weights: the shared vector or the
  // sample's own. The graph convolution composes these per edge.
  void forward_row(const T* x, const T* y, const T* w, T* out) const;
  void backward_row(const T* x, const T* y, const T* w, const T* grad_out, T* grad_x, T* grad_y,
                    T* grad_w) const;
  void double_backward_row(const T* x, const T* y, const T* w, const T* grad_out, const T* gg_x,
                           const T* gg_y, const T* gg_w, T* grad_x, T* grad_y, T* grad_w,
                           T* grad_grad_out) const;

 protected:
  void run_forward(std::size_t batch, const TensorProductForward<T>& args) const override;
  void run_backward(std::size_t batch, const TensorProductBackward<T>& args) const override;
  void run_double_backward(std::size_t batch,
                           const TensorProductDoubleBackward<T>& args) const override;

 private:
  std::vector<Path> paths_;
};

}  // namespace equifuse
