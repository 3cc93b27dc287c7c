// Tensor-product problems shared by the CPU and GPU backend tests: one per connection mode, with
// weighted and unweighted paths and an output block no instruction feeds, each with shared and
// with per-sample weights (shared first, in the same order).
#pragma once

#include <string>
#include <vector>

#include "kernels/tensor_product/tensor_product_problem.hpp"

namespace equifuse::testing {

struct NamedTestProblem {
  std::string name;
  TensorProductProblem problem;
};

inline std::vector<NamedTestProblem> connection_mode_problems() {
  std::vector<NamedTestProblem> out;
  for (bool shared : {true, false}) {
    const std::string s = shared ? " shared" : " per-sample";
    const TensorProductOptions o{.shared_weights = shared};
    out.push_back({"uvw" + s, fully_connected_tensor_product(
                                  Irreps::parse("3x0e+2x1o+1x2e"), Irreps::parse("1x0e+2x1o+1x2e"),
                                  Irreps::parse("2x0e+3x1o+2x2e+1x3o+1x1e"), o)});
    out.push_back({"uvu" + s, channelwise_tensor_product(Irreps::parse("5x0e+5x1o+3x2e"),
                                                         Irreps::parse("0e+1o+2e"),
                                                         Irreps::parse("0e+1o+2e+1e"), o)});
    out.push_back({"uvv+uvu unweighted" + s,
                   TensorProductProblem(Irreps::parse("3x0e+2x1o"), Irreps::parse("4x0e+4x1o"),
                                        Irreps::parse("4x1o+3x1o+4x0e+2x2e"),
                                        {{0, 1, 0, ConnectionMode::uvv, true},
                                         {1, 0, 0, ConnectionMode::uvv, false},
                                         {0, 1, 1, ConnectionMode::uvu, false},
                                         {1, 1, 2, ConnectionMode::uvv, true}},
                                        o)});
    out.push_back(
        {"uuw+uuu" + s, TensorProductProblem(Irreps::parse("3x1o+3x2e"), Irreps::parse("3x1o+3x0e"),
                                             Irreps::parse("2x0e+3x1e+1x2e+3x2e"),
                                             {{0, 0, 0, ConnectionMode::uuw, true},
                                              {0, 0, 1, ConnectionMode::uuu, true},
                                              {1, 1, 2, ConnectionMode::uuw, false},
                                              {1, 1, 3, ConnectionMode::uuu, false},
                                              {0, 0, 3, ConnectionMode::uuu, true, 0.5}},
                                             o)});
  }
  return out;
}

}  // namespace equifuse::testing
