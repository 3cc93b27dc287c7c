// Compares the kernel core with e3nn itself. The reference directory (EQUIFUSE_REFERENCE_DIR) is
// written by python/equifuse_reference/e3nn_reference.py: live into the build tree when e3nn is
// installed, or the committed golden copy in tests/data/e3nn. Missing data skips, visibly.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "kernels/clebsch_gordan/wigner_3j.hpp"
#include "kernels/rotation/wigner_d.hpp"
#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "kernels/tensor_product/problem_json.hpp"
#include "kernels/tensor_product/tensor_product.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::relative_error;

// Loads <dir>/<file> or skips the calling test.
#define LOAD_REFERENCE_OR_SKIP(var, file)                                                      \
  nlohmann::json var;                                                                          \
  do {                                                                                         \
    const char* dir = std::getenv("EQUIFUSE_REFERENCE_DIR");                                   \
    if (dir == nullptr) GTEST_SKIP() << "EQUIFUSE_REFERENCE_DIR is not set";                   \
    std::ifstream in(std::string(dir) + "/" + (file));                                         \
    if (!in) GTEST_SKIP() << "no e3nn reference " << dir << "/" << (file) << " (e3nn absent)"; \
    in >> var;                                                                                 \
  } while (0)

constexpr double kFloat64Tolerance = 1e-10;
constexpr double kFloat32Tolerance = 1e-5;

TEST(E3nnReference, Versions) {
  LOAD_REFERENCE_OR_SKIP(versions, "versions.json");
  std::cout << "reference written by e3nn " << versions["e3nn"] << ", torch " << versions["torch"]
            << (versions["golden"].get<bool>() ? " (committed golden files)" : " (live)") << "\n";
  SUCCEED();
}

TEST(E3nnReference, Wigner3j) {
  LOAD_REFERENCE_OR_SKIP(data, "wigner_3j.json");
  int blocks = 0;
  for (const auto& b : data["blocks"]) {
    const int l1 = b["l"][0], l2 = b["l"][1], l3 = b["l"][2];
    SCOPED_TRACE("l = (" + std::to_string(l1) + "," + std::to_string(l2) + "," +
                 std::to_string(l3) + ")");
    const ClebschGordanBlock& ours = wigner_3j(l1, l2, l3);
    std::vector<double> theirs(ours.dense.size(), 0.0);
    const auto index = b["index"].get<std::vector<std::size_t>>();
    const auto value = b["value"].get<std::vector<double>>();
    for (std::size_t n = 0; n < index.size(); ++n) theirs.at(index[n]) = value[n];
    ASSERT_LT(relative_error(ours.dense, theirs), 1e-12);
    // Same sparsity pattern: our nonzero list is exactly e3nn's nonzeros.
    std::size_t e3nn_nonzeros = 0;
    for (double v : value) e3nn_nonzeros += std::abs(v) > kNonzeroThreshold;
    EXPECT_EQ(ours.nonzeros.size(), e3nn_nonzeros);
    ++blocks;
  }
  std::cout << "compared " << blocks << " Wigner 3j blocks up to l = " << data["lmax"] << "\n";
}

TEST(E3nnReference, SphericalHarmonicsAndGradients) {
  LOAD_REFERENCE_OR_SKIP(data, "spherical_harmonics.json");
  for (const auto& set : data["sets"]) {
    const auto ls = set["ls"].get<std::vector<int>>();
    const bool normalize = set["normalize"];
    const std::string normalization = set["normalization"];
    SCOPED_TRACE("normalize=" + std::to_string(normalize) + " normalization=" + normalization +
                 " ls=" + set["ls"].dump());
    const SphericalHarmonics sh(ls, normalize, parse_sh_normalization(normalization));
    const auto vectors = set["vectors"].get<std::vector<double>>();
    const auto values = set["values"].get<std::vector<double>>();
    const auto jacobian = set["jacobian"].get<std::vector<double>>();
    const std::size_t n = vectors.size() / 3, d = sh.dim();
    std::vector<double> ours(n * d), grad(n * d * 3);
    for (std::size_t i = 0; i < n; ++i) {
      sh.evaluate_with_gradient(&vectors[3 * i], &ours[i * d], &grad[i * d * 3]);
    }
    EXPECT_LT(relative_error(ours, values), kFloat64Tolerance);
    EXPECT_LT(relative_error(grad, jacobian), kFloat64Tolerance);
    std::vector<float> ours32(n * d);
    std::vector<float> vectors32(vectors.begin(), vectors.end());
    sh.evaluate_batch<float>(n, vectors32.data(), ours32.data());
    EXPECT_LT(relative_error(ours32, values), kFloat32Tolerance);
    const double zero[3] = {0, 0, 0};
    std::vector<double> at_zero(d);
    sh.evaluate(zero, at_zero.data());
    EXPECT_LT(relative_error(at_zero, set["zero_vector_values"].get<std::vector<double>>()), 1e-14);
  }
}

TEST(E3nnReference, WignerDAndEulerAngles) {
  LOAD_REFERENCE_OR_SKIP(data, "wigner_d.json");
  for (const auto& r : data["rotations"]) {
    const auto angles = r["angles"].get<std::vector<double>>();
    const Matrix3 rotation = rotation_from_angles(angles[0], angles[1], angles[2]);
    EXPECT_LT(relative_error(rotation, r["matrix"].get<std::vector<double>>()), 1e-14);
    for (std::size_t l = 0; l < r["d"].size(); ++l) {
      SCOPED_TRACE("l = " + std::to_string(l));
      EXPECT_LT(relative_error(wigner_d(static_cast<int>(l), rotation),
                               r["d"][l].get<std::vector<double>>()),
                1e-11);
    }
  }
}

template <typename T>
std::vector<T> as(const nlohmann::json& j) {
  const auto v = j.get<std::vector<double>>();
  return std::vector<T>(v.begin(), v.end());
}

template <typename T>
void compare_tensor_product(const nlohmann::json& c, const TensorProductProblem& problem,
                            double tol) {
  const char* dtype = sizeof(T) == 8 ? "float64" : "float32";
  SCOPED_TRACE(dtype);
  const auto tp = make_tensor_product<T>(problem);
  const std::size_t batch = c["batch"];
  const auto& in = c["inputs"];
  const auto x = as<T>(in["x"]), y = as<T>(in["y"]), w = as<T>(in["weights"]),
             g = as<T>(in["grad_out"]);
  const auto ggx = as<T>(in["grad_grad_x"]), ggy = as<T>(in["grad_grad_y"]);
  const auto ggw = as<T>(in["grad_grad_weights"]);
  const auto& ref = c[dtype];
  std::vector<T> out(problem.out_size(batch)), gx(x.size()), gy(y.size()), gw(w.size()),
      ggo(g.size());

  tp->forward(batch, {x, y, w, out});
  EXPECT_LT(relative_error(out, ref["forward"]["out"].get<std::vector<double>>()), tol)
      << "forward";

  tp->backward(batch, {x, y, w, g, gx, gy, gw});
  const auto& b = ref["backward"];
  EXPECT_LT(relative_error(gx, b["grad_x"].get<std::vector<double>>()), tol) << "backward grad_x";
  EXPECT_LT(relative_error(gy, b["grad_y"].get<std::vector<double>>()), tol) << "backward grad_y";
  EXPECT_LT(relative_error(gw, b["grad_weights"].get<std::vector<double>>()), tol)
      << "backward grad_w";

  tp->double_backward(batch, {x, y, w, g, ggx, ggy, ggw, gx, gy, gw, ggo});
  const auto& d = ref["double_backward"];
  EXPECT_LT(relative_error(gx, d["grad_x"].get<std::vector<double>>()), tol)
      << "double backward grad_x";
  EXPECT_LT(relative_error(gy, d["grad_y"].get<std::vector<double>>()), tol)
      << "double backward grad_y";
  EXPECT_LT(relative_error(gw, d["grad_weights"].get<std::vector<double>>()), tol)
      << "double backward grad_w";
  EXPECT_LT(relative_error(ggo, d["grad_grad_out"].get<std::vector<double>>()), tol)
      << "double backward grad_grad_out";
}

TEST(E3nnReference, TensorProducts) {
  LOAD_REFERENCE_OR_SKIP(data, "tensor_products.json");
  int cases = 0;
  for (const auto& c : data["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const TensorProductProblem problem = problem_from_json(c["problem"]);
    // Layout and normalisation as e3nn built them.
    EXPECT_EQ(problem.irreps_out().to_string(), c["e3nn_irreps_out"].get<std::string>());
    EXPECT_EQ(problem.weight_numel(), c["e3nn_weight_numel"].get<int>());
    const auto coefficients = c["e3nn_coefficients"].get<std::vector<double>>();
    ASSERT_EQ(problem.instructions().size(), coefficients.size());
    for (std::size_t n = 0; n < coefficients.size(); ++n) {
      EXPECT_NEAR(problem.instructions()[n].coefficient, coefficients[n],
                  1e-14 * std::abs(coefficients[n]));
    }
    // Builders reproduce e3nn's FullyConnectedTensorProduct and MACE's construction.
    if (c["problem"].contains("builder")) {
      const auto& b = c["problem"]["builder"];
      TensorProductOptions options;
      options.shared_weights = c["problem"]["shared_weights"];
      const Irreps in1 = Irreps::parse(b["in1"].get<std::string>());
      const Irreps in2 = Irreps::parse(b["in2"].get<std::string>());
      const TensorProductProblem built =
          b["kind"] == "fully_connected"
              ? fully_connected_tensor_product(in1, in2, Irreps::parse(b["out"].get<std::string>()),
                                               options)
              : channelwise_tensor_product(
                    in1, in2, Irreps::parse(b["out_filter"].get<std::string>()), options);
      nlohmann::json expected = c["problem"];
      expected.erase("builder");
      nlohmann::json ours = problem_to_json(built);
      for (auto& ins : ours["instructions"]) ins.erase(5);  // e3nn's tuples here omit path_weight
      EXPECT_EQ(ours["irreps_out"],
                Irreps::parse(expected["irreps_out"].get<std::string>()).to_string());
      EXPECT_EQ(ours["instructions"], expected["instructions"]);
    }
    compare_tensor_product<double>(c, problem, kFloat64Tolerance);
    compare_tensor_product<float>(c, problem, kFloat32Tolerance);
    ++cases;
  }
  std::cout << "compared " << cases << " tensor-product cases (forward, backward, double backward; "
            << "float64 and float32)\n";
}

}  // namespace
}  // namespace equifuse
