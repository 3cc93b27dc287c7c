// The CPU backend against mathematics: finite differences of backward and double backward,
// rotation and parity equivariance, float32 against float64, and buffer-size errors. (Agreement
// with e3nn itself is test_e3nn_reference.cpp.)
#include <gtest/gtest.h>

#include "kernels/common/error.hpp"
#include "kernels/rotation/wigner_d.hpp"
#include "kernels/tensor_product/tensor_product.hpp"
#include "tests/support/test_problems.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::dot;
using testing::random_vector;
using testing::relative_error;

std::vector<testing::NamedTestProblem> problems() {
  return testing::connection_mode_problems();
}

struct Inputs {
  std::vector<double> x, y, w, g, ggx, ggy, ggw;
};

Inputs random_inputs(const TensorProductProblem& p, std::size_t batch, std::mt19937_64& rng) {
  return {random_vector(p.in1_size(batch), rng),    random_vector(p.in2_size(batch), rng),
          random_vector(p.weight_size(batch), rng), random_vector(p.out_size(batch), rng),
          random_vector(p.in1_size(batch), rng),    random_vector(p.in2_size(batch), rng),
          random_vector(p.weight_size(batch), rng)};
}

class CpuTensorProductTest : public ::testing::TestWithParam<int> {};

// L(x, y, w) = <g, out>: backward must equal its gradient.
TEST_P(CpuTensorProductTest, BackwardMatchesFiniteDifferences) {
  const auto c = problems()[GetParam()];
  SCOPED_TRACE(c.name);
  const auto& p = c.problem;
  const auto tp = make_tensor_product<double>(p);
  const std::size_t batch = 3;
  std::mt19937_64 rng(42 + GetParam());
  auto in = random_inputs(p, batch, rng);
  std::vector<double> gx(in.x.size()), gy(in.y.size()), gw(in.w.size()), out(p.out_size(batch));
  tp->backward(batch, {in.x, in.y, in.w, in.g, gx, gy, gw});
  const auto loss = [&] {
    tp->forward(batch, {in.x, in.y, in.w, out});
    return dot(in.g, out);
  };
  // The loss is linear in each argument, so central differences are exact up to rounding.
  const double h = 1e-3;
  for (auto [buffer, grad, name] :
       {std::tuple{&in.x, &gx, "x"}, {&in.y, &gy, "y"}, {&in.w, &gw, "w"}}) {
    EXPECT_LT(relative_error(*grad, testing::finite_difference_gradient(*buffer, loss, h)), 1e-9)
        << name;
  }
}

// L2 = <ggx, grad_x> + <ggy, grad_y> + <ggw, grad_w> as a function of (x, y, w, grad_out):
// double backward must equal its gradient.
TEST_P(CpuTensorProductTest, DoubleBackwardMatchesFiniteDifferences) {
  const auto c = problems()[GetParam()];
  SCOPED_TRACE(c.name);
  const auto& p = c.problem;
  const auto tp = make_tensor_product<double>(p);
  const std::size_t batch = 2;
  std::mt19937_64 rng(7 + GetParam());
  auto in = random_inputs(p, batch, rng);
  std::vector<double> dx(in.x.size()), dy(in.y.size()), dw(in.w.size()), dg(in.g.size());
  tp->double_backward(batch, {in.x, in.y, in.w, in.g, in.ggx, in.ggy, in.ggw, dx, dy, dw, dg});
  std::vector<double> gx(in.x.size()), gy(in.y.size()), gw(in.w.size());
  const auto l2 = [&] {
    tp->backward(batch, {in.x, in.y, in.w, in.g, gx, gy, gw});
    return dot(in.ggx, gx) + dot(in.ggy, gy) + dot(in.ggw, gw);
  };
  const double h =
      1e-3;  // L2 is at most quadratic in any one argument: central differences are exact
  for (auto [buffer, grad, name] : {std::tuple{&in.x, &dx, "x"},
                                    {&in.y, &dy, "y"},
                                    {&in.w, &dw, "w"},
                                    {&in.g, &dg, "grad_out"}}) {
    EXPECT_LT(relative_error(*grad, testing::finite_difference_gradient(*buffer, l2, h)), 1e-9)
        << name;
  }
}

// TP(D1 x, D2 y) = Dout TP(x, y) for a rotation and for a rotation composed with inversion.
TEST_P(CpuTensorProductTest, EquivariantUnderO3) {
  const auto c = problems()[GetParam()];
  SCOPED_TRACE(c.name);
  const auto& p = c.problem;
  const auto tp = make_tensor_product<double>(p);
  const std::size_t batch = 2;
  std::mt19937_64 rng(99 + GetParam());
  const auto in = random_inputs(p, batch, rng);
  for (double sign : {1.0, -1.0}) {
    Matrix3 r = rotation_from_angles(0.4, 2.0, -1.1);
    for (double& v : r) v *= sign;
    const auto apply = [&](const Irreps& irreps, const std::vector<double>& v) {
      const auto d = irreps_representation(irreps, r);
      const std::size_t n = irreps.dim();
      std::vector<double> out(v.size(), 0.0);
      for (std::size_t z = 0; z < v.size() / n; ++z)
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j) out[z * n + i] += d[i * n + j] * v[z * n + j];
      return out;
    };
    std::vector<double> out(p.out_size(batch)), out_rotated(p.out_size(batch));
    tp->forward(batch, {in.x, in.y, in.w, out});
    const auto rx = apply(p.irreps_in1(), in.x), ry = apply(p.irreps_in2(), in.y);
    tp->forward(batch, {rx, ry, in.w, out_rotated});
    EXPECT_LT(relative_error(out_rotated, apply(p.irreps_out(), out)), 1e-12) << "det " << sign;
  }
}

TEST_P(CpuTensorProductTest, Float32AgreesWithFloat64) {
  const auto c = problems()[GetParam()];
  SCOPED_TRACE(c.name);
  const auto& p = c.problem;
  const std::size_t batch = 4;
  std::mt19937_64 rng(5);
  const auto in = random_inputs(p, batch, rng);
  const auto f = [](const std::vector<double>& v) {
    return std::vector<float>(v.begin(), v.end());
  };
  std::vector<double> out64(p.out_size(batch)), dx64(in.x.size()), dy64(in.y.size()),
      dw64(in.w.size()), dg64(in.g.size());
  std::vector<float> out32(out64.size()), dx32(dx64.size()), dy32(dy64.size()), dw32(dw64.size()),
      dg32(dg64.size());
  make_tensor_product<double>(p)->forward(batch, {in.x, in.y, in.w, out64});
  const auto x = f(in.x), y = f(in.y), w = f(in.w), g = f(in.g), ggx = f(in.ggx), ggy = f(in.ggy),
             ggw = f(in.ggw);
  make_tensor_product<float>(p)->forward(batch, {x, y, w, out32});
  EXPECT_LT(relative_error(out32, out64), 1e-5);
  make_tensor_product<double>(p)->double_backward(
      batch, {in.x, in.y, in.w, in.g, in.ggx, in.ggy, in.ggw, dx64, dy64, dw64, dg64});
  make_tensor_product<float>(p)->double_backward(
      batch, {x, y, w, g, ggx, ggy, ggw, dx32, dy32, dw32, dg32});
  EXPECT_LT(relative_error(dx32, dx64), 1e-5);
  EXPECT_LT(relative_error(dw32, dw64), 1e-5);
  EXPECT_LT(relative_error(dg32, dg64), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(AllModes, CpuTensorProductTest, ::testing::Range(0, 8));

TEST(CpuTensorProduct, SharedWeightGradientIsTheBatchSum) {
  const auto shared = problems()[0].problem;
  const auto per_sample = problems()[4].problem;  // the same uvw problem with per-sample weights
  ASSERT_EQ(shared.weight_numel(), per_sample.weight_numel());
  const std::size_t batch = 37, n = shared.weight_numel();
  std::mt19937_64 rng(1);
  const auto in = random_inputs(shared, batch, rng);
  std::vector<double> w_rows(batch * n);
  for (std::size_t z = 0; z < batch; ++z)
    std::copy(in.w.begin(), in.w.end(), w_rows.begin() + z * n);
  std::vector<double> gx(in.x.size()), gy(in.y.size()), gw(n), gw_rows(batch * n);
  make_tensor_product<double>(shared)->backward(batch, {in.x, in.y, in.w, in.g, gx, gy, gw});
  make_tensor_product<double>(per_sample)
      ->backward(batch, {in.x, in.y, w_rows, in.g, gx, gy, gw_rows});
  std::vector<double> summed(n, 0.0);
  for (std::size_t z = 0; z < batch; ++z)
    for (std::size_t k = 0; k < n; ++k) summed[k] += gw_rows[z * n + k];
  EXPECT_LT(relative_error(gw, summed), 1e-13);
}

TEST(CpuTensorProduct, EmptyBatchAndNoWeights) {
  const TensorProductProblem p(Irreps::parse("2x1o"), Irreps::parse("2x1o"), Irreps::parse("2x0e"),
                               {{0, 0, 0, ConnectionMode::uuu, false}});
  EXPECT_EQ(p.weight_numel(), 0);
  const auto tp = make_tensor_product<double>(p);
  std::vector<double> none;
  tp->forward(0, {none, none, none, none});
  // Unweighted uuu with identical inputs: out_u = |x_u|^2 / sqrt(3) (the (1,1,0) block is
  // I/sqrt(3)).
  const std::vector<double> x = {1, 2, 3, 0, 1, 0};
  std::vector<double> out(2);
  tp->forward(1, {x, x, none, out});
  EXPECT_NEAR(out[0], 14 / std::sqrt(3.0), 1e-13);
  EXPECT_NEAR(out[1], 1 / std::sqrt(3.0), 1e-13);
}

TEST(CpuTensorProduct, WrongBufferSizesNameTheBuffer) {
  const auto p = problems()[0].problem;
  const auto tp = make_tensor_product<float>(p);
  std::vector<float> x(p.in1_size(2)), y(p.in2_size(2)), w(p.weight_size(2)), out(p.out_size(2));
  std::vector<float> short_y(y.size() - 1);
  try {
    tp->forward(2, {x, short_y, w, out});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'y'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(tp->forward(3, {x, y, w, out}), Error);
  std::vector<float> gx(x.size()), gy(y.size()), gw(w.size() + 1);
  EXPECT_THROW(tp->backward(2, {x, y, w, out, gx, gy, gw}), Error);
  EXPECT_THROW(parse_backend("cuda-but-not-built"), Error);
}

}  // namespace
}  // namespace equifuse
