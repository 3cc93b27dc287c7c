// The "equifuse" TorchScript library: the TensorProductPlan class and every op's schema, in one
// block so that the schemas, which name the class, are parsed after it is registered. The
// kernels and autograd functions are registered by tensor_product_ops.cpp and
// graph_convolution_ops.cpp.
#include <torch/library.h>

#include <string>

#include "python/equifuse_torch/csrc/tensor_product_plan.hpp"

TORCH_LIBRARY(equifuse, m) {
  using equifuse::torch_frontend::TensorProductPlan;
  m.class_<TensorProductPlan>("TensorProductPlan")
      .def(torch::init<std::string>())
      .def("weight_numel", &TensorProductPlan::weight_numel)
      .def("dim_in1", &TensorProductPlan::dim_in1)
      .def("dim_in2", &TensorProductPlan::dim_in2)
      .def("dim_out", &TensorProductPlan::dim_out)
      .def("shared_weights", &TensorProductPlan::shared_weights)
      .def("describe", &TensorProductPlan::describe)
      .def("problem_json", &TensorProductPlan::problem_json)
      .def("instructions_json", &TensorProductPlan::instructions_json)
      // Pickling (torch.save of a module, TorchScript export) keeps the problem description.
      .def_pickle(
          [](const c10::intrusive_ptr<TensorProductPlan>& self) { return self->problem_json(); },
          [](std::string state) { return c10::make_intrusive<TensorProductPlan>(state); });
  m.def(
      "tensor_product(__torch__.torch.classes.equifuse.TensorProductPlan plan, Tensor x, Tensor y, "
      "Tensor weight) -> Tensor");
  m.def(
      "tensor_product_backward(__torch__.torch.classes.equifuse.TensorProductPlan plan, Tensor x, "
      "Tensor y, Tensor weight, Tensor grad_out) -> (Tensor, Tensor, Tensor)");
  m.def(
      "tensor_product_double_backward(__torch__.torch.classes.equifuse.TensorProductPlan plan, "
      "Tensor x, Tensor y, Tensor weight, Tensor grad_out, Tensor grad_grad_x, Tensor grad_grad_y, "
      "Tensor grad_grad_weight) -> (Tensor, Tensor, Tensor, Tensor)");
  // Graph convolution (graph_convolution_ops.cpp).
  m.def(
      "graph_convolution(__torch__.torch.classes.equifuse.TensorProductPlan plan, Tensor x, Tensor "
      "y, "
      "Tensor weight, Tensor graph, str algorithm) -> Tensor");
  m.def(
      "graph_convolution_backward(__torch__.torch.classes.equifuse.TensorProductPlan plan, Tensor "
      "x, "
      "Tensor y, Tensor weight, Tensor grad_out, Tensor graph, str algorithm) -> (Tensor, Tensor, "
      "Tensor)");
  m.def(
      "graph_convolution_double_backward(__torch__.torch.classes.equifuse.TensorProductPlan plan, "
      "Tensor x, Tensor y, Tensor weight, Tensor grad_out, Tensor grad_grad_x, Tensor grad_grad_y, "
      "Tensor grad_grad_weight, Tensor graph, str algorithm) -> (Tensor, Tensor, Tensor, Tensor)");
}
