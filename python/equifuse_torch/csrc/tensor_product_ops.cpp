// PyTorch custom ops over the equifuse tensor product (TORCH_LIBRARY, namespace "equifuse").
//
//   torch.classes.equifuse.TensorProductPlan(problem_json)  (tensor_product_plan.hpp)
//   torch.ops.equifuse.tensor_product(plan, x, y, weight)                 -> out
//   torch.ops.equifuse.tensor_product_backward(plan, x, y, weight, g)    -> (gx, gy, gw)
//   torch.ops.equifuse.tensor_product_double_backward(plan, x, y, weight, g, ggx, ggy, ggw)
//                                                                        -> (gx, gy, gw, ggout)
//
// x: [batch, dim_in1], y: [batch, dim_in2], weight: [weight_numel] (shared) or
// [batch, weight_numel] (per sample), all one dtype (float32/float64) on one device (CPU or
// CUDA). Autograd is registered in C++: tensor_product's backward is tensor_product_backward,
// whose own backward is the double-backward kernel, so second derivatives (forces in a loss)
// work from Python and TorchScript alike. Third derivatives are not provided.
#include <torch/library.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <string>
#include <tuple>

#include "python/equifuse_torch/csrc/op_support.hpp"
#include "python/equifuse_torch/csrc/tensor_product_plan.hpp"

namespace equifuse::torch_frontend {

namespace {

// Validates shapes, devices and dtypes against the plan; returns the batch size.
int64_t check_inputs(const TensorProductPlan& plan, const Tensor& x, const Tensor& y,
                     const Tensor& weight) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == plan.dim_in1(), "equifuse: x must be [batch, ",
              plan.dim_in1(), "] for ", plan.describe(), ", got ", x.sizes());
  const int64_t batch = x.size(0);
  TORCH_CHECK(y.dim() == 2 && y.size(0) == batch && y.size(1) == plan.dim_in2(),
              "equifuse: y must be [", batch, ", ", plan.dim_in2(), "], got ", y.sizes());
  if (plan.shared_weights()) {
    TORCH_CHECK(weight.dim() == 1 && weight.size(0) == plan.weight_numel(),
                "equifuse: shared weights must be [", plan.weight_numel(), "], got ",
                weight.sizes());
  } else {
    TORCH_CHECK(
        weight.dim() == 2 && weight.size(0) == batch && weight.size(1) == plan.weight_numel(),
        "equifuse: per-sample weights must be [", batch, ", ", plan.weight_numel(), "], got ",
        weight.sizes());
  }
  TORCH_CHECK(x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64,
              "equifuse: tensors must be float32 or float64, got ", x.scalar_type());
  for (const Tensor* t : {&y, &weight}) {
    TORCH_CHECK(t->scalar_type() == x.scalar_type(),
                "equifuse: x, y and weight must share one dtype (", x.scalar_type(), " vs ",
                t->scalar_type(), ")");
    TORCH_CHECK(t->device() == x.device(), "equifuse: x, y and weight must be on one device (",
                x.device(), " vs ", t->device(), ")");
  }
  return batch;
}

Tensor forward_kernel(const Plan& plan, const Tensor& x_in, const Tensor& y_in,
                      const Tensor& w_in) {
  const int64_t batch = check_inputs(*plan, x_in, y_in, w_in);
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  Tensor out = torch::empty({batch, plan->dim_out()}, x.options());
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_tensor_product", [&] {
      plan->with_backend<scalar_t>(x, [&](const TensorProduct<scalar_t>& tp) {
        tp.forward(static_cast<std::size_t>(batch),
                   {const_span<scalar_t>(x), const_span<scalar_t>(y), const_span<scalar_t>(w),
                    mutable_span<scalar_t>(out)});
      });
    });
  });
  return out;
}

std::tuple<Tensor, Tensor, Tensor> backward_kernel(const Plan& plan, const Tensor& x_in,
                                                   const Tensor& y_in, const Tensor& w_in,
                                                   const Tensor& g_in) {
  const int64_t batch = check_inputs(*plan, x_in, y_in, w_in);
  TORCH_CHECK(g_in.sizes() == torch::IntArrayRef({batch, plan->dim_out()}),
              "equifuse: grad_out must be [", batch, ", ", plan->dim_out(), "], got ",
              g_in.sizes());
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  const Tensor g = g_in.to(x.options()).contiguous();
  Tensor gx = torch::empty_like(x), gy = torch::empty_like(y), gw = torch::empty_like(w);
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_tensor_product_backward", [&] {
      plan->with_backend<scalar_t>(x, [&](const TensorProduct<scalar_t>& tp) {
        tp.backward(static_cast<std::size_t>(batch),
                    {const_span<scalar_t>(x), const_span<scalar_t>(y), const_span<scalar_t>(w),
                     const_span<scalar_t>(g), mutable_span<scalar_t>(gx),
                     mutable_span<scalar_t>(gy), mutable_span<scalar_t>(gw)});
      });
    });
  });
  return {gx, gy, gw};
}

std::tuple<Tensor, Tensor, Tensor, Tensor> double_backward_kernel(
    const Plan& plan, const Tensor& x_in, const Tensor& y_in, const Tensor& w_in,
    const Tensor& g_in, const Tensor& ggx_in, const Tensor& ggy_in, const Tensor& ggw_in) {
  const int64_t batch = check_inputs(*plan, x_in, y_in, w_in);
  TORCH_CHECK(g_in.sizes() == torch::IntArrayRef({batch, plan->dim_out()}),
              "equifuse: grad_out must be [", batch, ", ", plan->dim_out(), "], got ",
              g_in.sizes());
  TORCH_CHECK(ggx_in.sizes() == x_in.sizes() && ggy_in.sizes() == y_in.sizes() &&
                  ggw_in.sizes() == w_in.sizes(),
              "equifuse: the double-backward cotangents must have the shapes of x, y and weight");
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  const auto like_x = [&](const Tensor& t) { return t.to(x.options()).contiguous(); };
  const Tensor g = like_x(g_in), ggx = like_x(ggx_in), ggy = like_x(ggy_in), ggw = like_x(ggw_in);
  Tensor gx = torch::empty_like(x), gy = torch::empty_like(y), gw = torch::empty_like(w);
  Tensor ggout = torch::empty_like(g);
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_tensor_product_double_backward", [&] {
      plan->with_backend<scalar_t>(x, [&](const TensorProduct<scalar_t>& tp) {
        tp.double_backward(
            static_cast<std::size_t>(batch),
            {const_span<scalar_t>(x), const_span<scalar_t>(y), const_span<scalar_t>(w),
             const_span<scalar_t>(g), const_span<scalar_t>(ggx), const_span<scalar_t>(ggy),
             const_span<scalar_t>(ggw), mutable_span<scalar_t>(gx), mutable_span<scalar_t>(gy),
             mutable_span<scalar_t>(gw), mutable_span<scalar_t>(ggout)});
      });
    });
  });
  return {gx, gy, gw, ggout};
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The backward pass as a differentiable function of (x, y, weight, grad_out).
class TensorProductBackwardFunction
    : public torch::autograd::Function<TensorProductBackwardFunction> {
 public:
  static tensor_list forward(AutogradContext* ctx, const Plan& plan, const Tensor& x,
                             const Tensor& y, const Tensor& w, const Tensor& g) {
    ctx->saved_data["plan"] = plan;
    ctx->save_for_backward({x, y, w, g});
    const at::AutoDispatchBelowADInplaceOrView below_autograd;
    static const auto backward = op<std::tuple<Tensor, Tensor, Tensor>(
        const Plan&, const Tensor&, const Tensor&, const Tensor&, const Tensor&)>(
        "equifuse::tensor_product_backward");
    auto [gx, gy, gw] = backward.call(plan, x, y, w, g);
    return {gx, gy, gw};
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const Plan plan = ctx->saved_data["plan"].toCustomClass<TensorProductPlan>();
    const auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &y = saved[1], &w = saved[2], &g = saved[3];
    static const auto double_backward = op<std::tuple<Tensor, Tensor, Tensor, Tensor>(
        const Plan&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
        const Tensor&, const Tensor&)>("equifuse::tensor_product_double_backward");
    auto [gx, gy, gw, ggout] =
        double_backward.call(plan, x, y, w, g, zeros_if_undefined(grads[0], x),
                             zeros_if_undefined(grads[1], y), zeros_if_undefined(grads[2], w));
    return {Tensor(), gx, gy, gw, ggout};
  }
};

class TensorProductFunction : public torch::autograd::Function<TensorProductFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Plan& plan, const Tensor& x, const Tensor& y,
                        const Tensor& w) {
    ctx->saved_data["plan"] = plan;
    ctx->save_for_backward({x, y, w});
    const at::AutoDispatchBelowADInplaceOrView below_autograd;
    static const auto forward_op =
        op<Tensor(const Plan&, const Tensor&, const Tensor&, const Tensor&)>(
            "equifuse::tensor_product");
    return forward_op.call(plan, x, y, w);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const Plan plan = ctx->saved_data["plan"].toCustomClass<TensorProductPlan>();
    const auto saved = ctx->get_saved_variables();
    if (!grads[0].defined()) return {Tensor(), Tensor(), Tensor(), Tensor()};
    auto g = TensorProductBackwardFunction::apply(plan, saved[0], saved[1], saved[2], grads[0]);
    return {Tensor(), g[0], g[1], g[2]};
  }
};

Tensor forward_autograd(const Plan& plan, const Tensor& x, const Tensor& y, const Tensor& w) {
  return TensorProductFunction::apply(plan, x, y, w);
}

std::tuple<Tensor, Tensor, Tensor> backward_autograd(const Plan& plan, const Tensor& x,
                                                     const Tensor& y, const Tensor& w,
                                                     const Tensor& g) {
  auto r = TensorProductBackwardFunction::apply(plan, x, y, w, g);
  return {r[0], r[1], r[2]};
}

}  // namespace
}  // namespace equifuse::torch_frontend

TORCH_LIBRARY_IMPL(equifuse, CPU, m) {
  m.impl("tensor_product", &equifuse::torch_frontend::forward_kernel);
  m.impl("tensor_product_backward", &equifuse::torch_frontend::backward_kernel);
  m.impl("tensor_product_double_backward", &equifuse::torch_frontend::double_backward_kernel);
}

#if defined(EQUIFUSE_TORCH_CUDA)
TORCH_LIBRARY_IMPL(equifuse, CUDA, m) {
  m.impl("tensor_product", &equifuse::torch_frontend::forward_kernel);
  m.impl("tensor_product_backward", &equifuse::torch_frontend::backward_kernel);
  m.impl("tensor_product_double_backward", &equifuse::torch_frontend::double_backward_kernel);
}
#endif

TORCH_LIBRARY_IMPL(equifuse, Autograd, m) {
  m.impl("tensor_product", &equifuse::torch_frontend::forward_autograd);
  m.impl("tensor_product_backward", &equifuse::torch_frontend::backward_autograd);
}
