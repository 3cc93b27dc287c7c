// PyTorch custom ops over the fused graph convolution (kernels/convolution), in the "equifuse"
// namespace next to the tensor-product ops:
//
//   torch.ops.equifuse.graph_convolution(plan, x, y, weight, graph, algorithm)          -> out
//   torch.ops.equifuse.graph_convolution_backward(plan, x, y, weight, grad_out, graph, algorithm)
//                                                                                      -> (gx, gy,
//                                                                                      gw)
//   torch.ops.equifuse.graph_convolution_double_backward(plan, x, y, weight, grad_out, ggx, ggy,
//                                                        ggw, graph, algorithm) -> (gx, gy, gw,
//                                                        ggout)
//
// x: [num_nodes, dim_in1] (sender features), y: [num_edges, dim_in2], weight: [num_edges,
// weight_numel] (per edge) or [weight_numel] (shared); out: [num_nodes, dim_out], the sum over
// each node's incoming edges. `graph` is the int32 tensor built once per graph by
// equifuse_torch.ConvolutionGraph: senders, receivers (num_edges each), then the by-receiver
// and by-sender groupings (offsets num_nodes + 1, edge ids num_edges), concatenated. algorithm:
// "deterministic" or "atomic". Autograd as for the tensor product, to second order.
#include <torch/library.h>
#include <torch/torch.h>

#include <string>
#include <tuple>

#include "python/equifuse_torch/csrc/op_support.hpp"
#include "python/equifuse_torch/csrc/tensor_product_plan.hpp"

namespace equifuse::torch_frontend {
namespace {

// The view of the packed graph tensor; checks its length and device against x and y.
ConvolutionGraphView graph_view(const Tensor& graph, const Tensor& x, const Tensor& y) {
  const int64_t nodes = x.size(0), edges = y.size(0);
  TORCH_CHECK(
      graph.scalar_type() == torch::kInt32 && graph.dim() == 1 && graph.is_contiguous(),
      "equifuse: graph must be a contiguous int32 vector (equifuse_torch.ConvolutionGraph)");
  TORCH_CHECK(graph.size(0) == 4 * edges + 2 * (nodes + 1), "equifuse: graph has ", graph.size(0),
              " entries but ", nodes, " nodes and ", edges, " edges need ",
              4 * edges + 2 * (nodes + 1), " (was it built for these tensors?)");
  TORCH_CHECK(graph.device() == x.device(), "equifuse: graph is on ", graph.device(), ", x on ",
              x.device());
  const std::int32_t* p = graph.data_ptr<std::int32_t>();
  const auto take = [&](int64_t n) {
    std::span<const std::int32_t> s(p, static_cast<std::size_t>(n));
    p += n;
    return s;
  };
  ConvolutionGraphView v;
  v.num_nodes = static_cast<std::size_t>(nodes);
  v.num_edges = static_cast<std::size_t>(edges);
  v.senders = take(edges);
  v.receivers = take(edges);
  v.receiver_offsets = take(nodes + 1);
  v.receiver_edges = take(edges);
  v.sender_offsets = take(nodes + 1);
  v.sender_edges = take(edges);
  return v;
}

void check_inputs(const TensorProductPlan& plan, const Tensor& x, const Tensor& y,
                  const Tensor& weight) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == plan.dim_in1(), "equifuse: x must be [num_nodes, ",
              plan.dim_in1(), "] for ", plan.describe(), ", got ", x.sizes());
  TORCH_CHECK(y.dim() == 2 && y.size(1) == plan.dim_in2(), "equifuse: y must be [num_edges, ",
              plan.dim_in2(), "], got ", y.sizes());
  const int64_t edges = y.size(0);
  if (plan.shared_weights()) {
    TORCH_CHECK(weight.dim() == 1 && weight.size(0) == plan.weight_numel(),
                "equifuse: shared weights must be [", plan.weight_numel(), "], got ",
                weight.sizes());
  } else {
    TORCH_CHECK(
        weight.dim() == 2 && weight.size(0) == edges && weight.size(1) == plan.weight_numel(),
        "equifuse: per-edge weights must be [", edges, ", ", plan.weight_numel(), "], got ",
        weight.sizes());
  }
  TORCH_CHECK(x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64,
              "equifuse: tensors must be float32 or float64, got ", x.scalar_type());
  for (const Tensor* t : {&y, &weight}) {
    TORCH_CHECK(t->scalar_type() == x.scalar_type(),
                "equifuse: x, y and weight must share one dtype");
    TORCH_CHECK(t->device() == x.device(), "equifuse: x, y and weight must be on one device");
  }
}

ConvolutionAlgorithm algorithm_of(const std::string& name) {
  return translate_errors([&] { return parse_convolution_algorithm(name); });
}

Tensor forward_kernel(const Plan& plan, const Tensor& x_in, const Tensor& y_in, const Tensor& w_in,
                      const Tensor& graph, const std::string& algorithm) {
  check_inputs(*plan, x_in, y_in, w_in);
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  const ConvolutionGraphView g = graph_view(graph, x, y);
  Tensor out = torch::empty({x.size(0), plan->dim_out()}, x.options());
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_graph_convolution", [&] {
      plan->with_convolution<scalar_t>(
          x, algorithm_of(algorithm), [&](const GraphConvolution<scalar_t>& conv) {
            conv.forward(g, {const_span<scalar_t>(x), const_span<scalar_t>(y),
                             const_span<scalar_t>(w), mutable_span<scalar_t>(out)});
          });
    });
  });
  return out;
}

std::tuple<Tensor, Tensor, Tensor> backward_kernel(const Plan& plan, const Tensor& x_in,
                                                   const Tensor& y_in, const Tensor& w_in,
                                                   const Tensor& g_in, const Tensor& graph,
                                                   const std::string& algorithm) {
  check_inputs(*plan, x_in, y_in, w_in);
  TORCH_CHECK(g_in.sizes() == torch::IntArrayRef({x_in.size(0), plan->dim_out()}),
              "equifuse: grad_out must be [", x_in.size(0), ", ", plan->dim_out(), "], got ",
              g_in.sizes());
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  const Tensor go = g_in.to(x.options()).contiguous();
  const ConvolutionGraphView g = graph_view(graph, x, y);
  Tensor gx = torch::empty_like(x), gy = torch::empty_like(y), gw = torch::empty_like(w);
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_graph_convolution_backward", [&] {
      plan->with_convolution<scalar_t>(
          x, algorithm_of(algorithm), [&](const GraphConvolution<scalar_t>& conv) {
            conv.backward(
                g, {const_span<scalar_t>(x), const_span<scalar_t>(y), const_span<scalar_t>(w),
                    const_span<scalar_t>(go), mutable_span<scalar_t>(gx),
                    mutable_span<scalar_t>(gy), mutable_span<scalar_t>(gw)});
          });
    });
  });
  return {gx, gy, gw};
}

std::tuple<Tensor, Tensor, Tensor, Tensor> double_backward_kernel(
    const Plan& plan, const Tensor& x_in, const Tensor& y_in, const Tensor& w_in,
    const Tensor& g_in, const Tensor& ggx_in, const Tensor& ggy_in, const Tensor& ggw_in,
    const Tensor& graph, const std::string& algorithm) {
  check_inputs(*plan, x_in, y_in, w_in);
  TORCH_CHECK(g_in.sizes() == torch::IntArrayRef({x_in.size(0), plan->dim_out()}),
              "equifuse: grad_out must be [", x_in.size(0), ", ", plan->dim_out(), "], got ",
              g_in.sizes());
  TORCH_CHECK(ggx_in.sizes() == x_in.sizes() && ggy_in.sizes() == y_in.sizes() &&
                  ggw_in.sizes() == w_in.sizes(),
              "equifuse: the double-backward cotangents must have the shapes of x, y and weight");
  const Tensor x = x_in.contiguous(), y = y_in.contiguous(), w = w_in.contiguous();
  const auto like_x = [&](const Tensor& t) { return t.to(x.options()).contiguous(); };
  const Tensor go = like_x(g_in), ggx = like_x(ggx_in), ggy = like_x(ggy_in), ggw = like_x(ggw_in);
  const ConvolutionGraphView g = graph_view(graph, x, y);
  Tensor gx = torch::empty_like(x), gy = torch::empty_like(y), gw = torch::empty_like(w);
  Tensor ggout = torch::empty_like(go);
  translate_errors([&] {
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "equifuse_graph_convolution_double_backward", [&] {
      plan->with_convolution<scalar_t>(
          x, algorithm_of(algorithm), [&](const GraphConvolution<scalar_t>& conv) {
            conv.double_backward(
                g,
                {const_span<scalar_t>(x), const_span<scalar_t>(y), const_span<scalar_t>(w),
                 const_span<scalar_t>(go), const_span<scalar_t>(ggx), const_span<scalar_t>(ggy),
                 const_span<scalar_t>(ggw), mutable_span<scalar_t>(gx), mutable_span<scalar_t>(gy),
                 mutable_span<scalar_t>(gw), mutable_span<scalar_t>(ggout)});
          });
    });
  });
  return {gx, gy, gw, ggout};
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

class ConvolutionBackwardFunction : public torch::autograd::Function<ConvolutionBackwardFunction> {
 public:
  static tensor_list forward(AutogradContext* ctx, const Plan& plan, const Tensor& x,
                             const Tensor& y, const Tensor& w, const Tensor& g, const Tensor& graph,
                             const std::string& algorithm) {
    ctx->saved_data["plan"] = plan;
    ctx->saved_data["algorithm"] = algorithm;
    ctx->save_for_backward({x, y, w, g, graph});
    const at::AutoDispatchBelowADInplaceOrView below_autograd;
    static const auto backward = op<std::tuple<Tensor, Tensor, Tensor>(
        const Plan&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
        const std::string&)>("equifuse::graph_convolution_backward");
    auto [gx, gy, gw] = backward.call(plan, x, y, w, g, graph, algorithm);
    return {gx, gy, gw};
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const Plan plan = ctx->saved_data["plan"].toCustomClass<TensorProductPlan>();
    const std::string algorithm = ctx->saved_data["algorithm"].toStringRef();
    const auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &y = saved[1], &w = saved[2], &g = saved[3], &graph = saved[4];
    static const auto double_backward = op<std::tuple<Tensor, Tensor, Tensor, Tensor>(
        const Plan&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
        const Tensor&, const Tensor&, const Tensor&, const std::string&)>(
        "equifuse::graph_convolution_double_backward");
    auto [gx, gy, gw, ggout] = double_backward.call(
        plan, x, y, w, g, zeros_if_undefined(grads[0], x), zeros_if_undefined(grads[1], y),
        zeros_if_undefined(grads[2], w), graph, algorithm);
    return {Tensor(), gx, gy, gw, ggout, Tensor(), Tensor()};
  }
};

class ConvolutionFunction : public torch::autograd::Function<ConvolutionFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Plan& plan, const Tensor& x, const Tensor& y,
                        const Tensor& w, const Tensor& graph, const std::string& algorithm) {
    ctx->saved_data["plan"] = plan;
    ctx->saved_data["algorithm"] = algorithm;
    ctx->save_for_backward({x, y, w, graph});
    const at::AutoDispatchBelowADInplaceOrView below_autograd;
    static const auto forward_op =
        op<Tensor(const Plan&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                  const std::string&)>("equifuse::graph_convolution");
    return forward_op.call(plan, x, y, w, graph, algorithm);
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    if (!grads[0].defined()) return {Tensor(), Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
    const Plan plan = ctx->saved_data["plan"].toCustomClass<TensorProductPlan>();
    const std::string algorithm = ctx->saved_data["algorithm"].toStringRef();
    const auto saved = ctx->get_saved_variables();
    auto g = ConvolutionBackwardFunction::apply(plan, saved[0], saved[1], saved[2], grads[0],
                                                saved[3], algorithm);
    return {Tensor(), g[0], g[1], g[2], Tensor(), Tensor()};
  }
};

Tensor forward_autograd(const Plan& plan, const Tensor& x, const Tensor& y, const Tensor& w,
                        const Tensor& graph, const std::string& algorithm) {
  return ConvolutionFunction::apply(plan, x, y, w, graph, algorithm);
}

std::tuple<Tensor, Tensor, Tensor> backward_autograd(const Plan& plan, const Tensor& x,
                                                     const Tensor& y, const Tensor& w,
                                                     const Tensor& g, const Tensor& graph,
                                                     const std::string& algorithm) {
  auto r = ConvolutionBackwardFunction::apply(plan, x, y, w, g, graph, algorithm);
  return {r[0], r[1], r[2]};
}

}  // namespace
}  // namespace equifuse::torch_frontend

TORCH_LIBRARY_IMPL(equifuse, CPU, m) {
  m.impl("graph_convolution", &equifuse::torch_frontend::forward_kernel);
  m.impl("graph_convolution_backward", &equifuse::torch_frontend::backward_kernel);
  m.impl("graph_convolution_double_backward", &equifuse::torch_frontend::double_backward_kernel);
}

#if defined(EQUIFUSE_TORCH_CUDA)
TORCH_LIBRARY_IMPL(equifuse, CUDA, m) {
  m.impl("graph_convolution", &equifuse::torch_frontend::forward_kernel);
  m.impl("graph_convolution_backward", &equifuse::torch_frontend::backward_kernel);
  m.impl("graph_convolution_double_backward", &equifuse::torch_frontend::double_backward_kernel);
}
#endif

TORCH_LIBRARY_IMPL(equifuse, Autograd, m) {
  m.impl("graph_convolution", &equifuse::torch_frontend::forward_autograd);
  m.impl("graph_convolution_backward", &equifuse::torch_frontend::backward_autograd);
}
