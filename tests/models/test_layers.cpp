// Every model layer on every backend, in both precisions: the forward against a direct reference
// written here in double from the layer's definition, and the backward against central finite
// differences of that reference. The same tests run on the host and on CUDA (skipped, and said so,
// where no GPU can run).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "kernels/tensor_product/tensor_product.hpp"
#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/layers/edge_embedding.hpp"
#include "models/layers/equivariant_linear.hpp"
#include "models/layers/gate.hpp"
#include "models/layers/layer_norm_mlp.hpp"
#include "models/layers/pair_repulsion.hpp"
#include "models/layers/radial_mlp.hpp"
#include "models/layers/species_linear.hpp"
#include "models/mace/edge_density.hpp"
#include "models/mace/mace_readout.hpp"
#include "models/mace/symmetric_contraction.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using testing::finite_difference_gradient;
using testing::random_vector;
using testing::relative_error;

struct LayerCase {
  Backend backend;
  Precision precision;
};

void PrintTo(const LayerCase& c, std::ostream* os) {
  *os << (c.backend == Backend::cpu ? "cpu " : "cuda ") << to_string(c.precision);
}

std::string case_name(const ::testing::TestParamInfo<LayerCase>& info) {
  return std::string(info.param.backend == Backend::cpu ? "cpu" : "cuda") + "_" +
         to_string(info.param.precision);
}

class LayerTest : public ::testing::TestWithParam<LayerCase> {
 public:
  void SetUp() override {
    if (!backend_runs_here(GetParam().backend)) GTEST_SKIP() << "no CUDA GPU on this machine";
    engine_ = std::make_unique<Engine>(GetParam().backend,
                                       ModelKernelSpec{GetParam().precision, {0, 1, 2, 3}});
  }
  const Engine& engine() const { return *engine_; }
  bool f64() const { return GetParam().precision == Precision::float64; }
  double forward_tolerance() const { return f64() ? 1e-12 : 2e-6; }
  double backward_tolerance() const { return f64() ? 1e-7 : 1e-4; }

  template <typename T>
  std::vector<double> run(const std::vector<double>& x,
                          const std::function<void(const Buffer<T>&, Buffer<T>&)>& layer,
                          std::size_t out_size) const {
    const Buffer<T> in = engine().upload(std::vector<T>(x.begin(), x.end()));
    Buffer<T> out = engine().zeros<T>(out_size);
    layer(in, out);
    const std::vector<T> host = engine().download(out);
    return {host.begin(), host.end()};
  }

  // forward(x) against reference(x), and backward(x, g) = d<g, forward(x)>/dx against finite
  // differences of <g, reference(x)>. `accumulates`: the backward adds into its output (checked
  // with a non-zero start).
  template <typename T>
  void check(std::vector<double> x, std::size_t out_size,
             const std::function<void(const Buffer<T>&, Buffer<T>&)>& forward,
             const std::function<void(const Buffer<T>&, const Buffer<T>&, Buffer<T>&)>& backward,
             const std::function<std::vector<double>(const std::vector<double>&)>& reference,
             bool accumulates = true) {
    std::mt19937_64 rng(11);
    const std::vector<double> expected = reference(x);
    ASSERT_EQ(expected.size(), out_size);
    const std::vector<double> ours = run<T>(x, forward, out_size);
    EXPECT_LE(relative_error(ours, expected), forward_tolerance()) << "forward";

    const std::vector<double> g = random_vector(out_size, rng);
    const std::vector<double> start =
        accumulates ? random_vector(x.size(), rng) : std::vector<double>(x.size(), 0.0);
    const Buffer<T> xb = engine().upload(std::vector<T>(x.begin(), x.end()));
    const Buffer<T> gb = engine().upload(std::vector<T>(g.begin(), g.end()));
    Buffer<T> gx = engine().upload(std::vector<T>(start.begin(), start.end()));
    backward(xb, gb, gx);
    std::vector<double> gradient;
    for (T v : engine().download(gx)) gradient.push_back(static_cast<double>(v));
    for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] -= start[i];
    const std::vector<double> fd = finite_difference_gradient(
        x, [&] { return testing::dot(g, reference(x)); }, 1e-5);
    EXPECT_LE(relative_error(gradient, fd), backward_tolerance()) << "backward";
  }

 private:
  std::unique_ptr<Engine> engine_;
};

// e3nn's Linear: out[w, m] = sum over input blocks of the same irrep of
// W[u, w] x[u, m] * scale / sqrt(sum of their multiplicities).
std::vector<double> linear_reference(const Irreps& in, const Irreps& out,
                                     const std::vector<double>& w, double scale, std::size_t rows,
                                     const std::vector<double>& x) {
  std::vector<double> y(rows * static_cast<std::size_t>(out.dim()), 0.0);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    for (std::size_t o = 0; o < out.size(); ++o) {
      if (in[i].ir != out[o].ir) continue;
      double fan_in = 0;
      for (const auto& b : in)
        if (b.ir == out[o].ir) fan_in += b.mul;
      const int d = in[i].ir.dim();
      for (std::size_t r = 0; r < rows; ++r)
        for (int u = 0; u < in[i].mul; ++u)
          for (int v = 0; v < out[o].mul; ++v)
            for (int m = 0; m < d; ++m)
              y[r * out.dim() + out.offset(o) + v * d + m] +=
                  scale / std::sqrt(fan_in) * w[offset + u * out[o].mul + v] *
                  x[r * in.dim() + in.offset(i) + u * d + m];
      offset += static_cast<std::size_t>(in[i].mul) * out[o].mul;
    }
  }
  return y;
}

template <typename T>
void linear_case(LayerTest& test, bool biases) {
  const Irreps in = Irreps::parse("3x0e+2x1o+2x0e+1x2e"),
               out = Irreps::parse("2x0e+3x1o+1x2e+1x0e");
  const std::size_t rows = 4;
  std::mt19937_64 rng(1);
  const auto w = random_vector(EquivariantLinear<T>::weight_numel(in, out), rng);
  const std::vector<double> b = biases ? random_vector(3, rng) : std::vector<double>();
  const EquivariantLinear<T> layer(test.engine(), in, out, w, 0.7, b);
  test.check<T>(
      random_vector(rows * in.dim(), rng), rows * out.dim(),
      [&](const Buffer<T>& x, Buffer<T>& y) { layer.forward(rows, x.data(), y.data()); },
      [&](const Buffer<T>&, const Buffer<T>& g, Buffer<T>& gx) {
        layer.backward(rows, g.data(), gx.data());
      },
      [&](const std::vector<double>& x) {
        std::vector<double> y = linear_reference(in, out, w, 0.7, rows, x);
        if (biases) {
          for (std::size_t r = 0; r < rows; ++r) {  // the 0e channels: 0, 1 and the last
            y[r * out.dim()] += 0.7 * b[0];
            y[r * out.dim() + 1] += 0.7 * b[1];
            y[r * out.dim() + static_cast<std::size_t>(out.dim()) - 1] += 0.7 * b[2];
          }
        }
        return y;
      });
}

TEST_P(LayerTest, EquivariantLinear) {
  for (bool biases : {false, true}) {
    SCOPED_TRACE(biases ? "with biases" : "without biases");
    if (f64())
      linear_case<double>(*this, biases);
    else
      linear_case<float>(*this, biases);
  }
}

// A tensor product x (x) attributes(species) -> out with shared weights (e3nn's
// FullyConnectedTensorProduct), evaluated by the kernel library's CPU reference.
template <typename T>
void species_linear_case(LayerTest& test) {
  const Irreps in = Irreps::parse("3x0e+2x1o"), out = Irreps::parse("2x0e+2x1o");
  const int num_species = 3, num_attributes = 2;
  const std::size_t rows = 5;
  const std::vector<int> species = {2, 0, 1, 2, 0};
  std::mt19937_64 rng(2);
  const auto attributes = random_vector(num_species * num_attributes, rng);
  const auto w = random_vector(SpeciesLinear<T>::weight_numel(in, num_attributes, out), rng);
  const SpeciesLinear<T> layer(test.engine(), in, num_species, attributes, num_attributes, out, w);
  const Buffer<int> sp = test.engine().upload(species);
  const auto reference = [&](const std::vector<double>& x) {
    const auto tp = make_tensor_product<double>(
        fully_connected_tensor_product(in, Irreps({MulIrrep{num_attributes, Irrep(0, 1)}}), out));
    std::vector<double> a(rows * num_attributes), y(rows * out.dim());
    for (std::size_t r = 0; r < rows; ++r)
      for (int k = 0; k < num_attributes; ++k)
        a[r * num_attributes + k] = attributes[species[r] * num_attributes + k];
    tp->forward(rows, {.x = x, .y = a, .weights = w, .out = y});
    return y;
  };
  test.check<T>(
      random_vector(rows * in.dim(), rng), rows * out.dim(),
      [&](const Buffer<T>& x, Buffer<T>& y) { layer.forward(rows, x.data(), sp.data(), y.data()); },
      [&](const Buffer<T>&, const Buffer<T>& g, Buffer<T>& gx) {
        layer.backward(rows, g.data(), sp.data(), gx.data());
      },
      reference);
}

TEST_P(LayerTest, SpeciesLinear) {
  if (f64())
    species_linear_case<double>(*this);
  else
    species_linear_case<float>(*this);
}

template <typename T>
void radial_mlp_case(LayerTest& test) {
  const std::vector<int> dims = {4, 8, 6, 5};
  const std::vector<double> layer_scales = {0.5, 0.35, 0.4};
  const double activation_scale = 1.68;
  const std::size_t rows = 6;
  std::mt19937_64 rng(3);
  std::vector<std::vector<double>> weights;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k)
    weights.push_back(random_vector(dims[k] * dims[k + 1], rng));
  const RadialMlp<T> mlp(test.engine(), dims, {weights.begin(), weights.end()}, layer_scales,
                         activation_scale);
  const auto reference = [&](const std::vector<double>& x) {
    std::vector<double> y;
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<double> a(x.begin() + r * dims[0], x.begin() + (r + 1) * dims[0]);
      for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
        std::vector<double> z(dims[k + 1], 0.0);
        for (int i = 0; i < dims[k]; ++i)
          for (int j = 0; j < dims[k + 1]; ++j)
            z[j] += a[i] * weights[k][i * dims[k + 1] + j] * layer_scales[k];
        if (k + 2 < dims.size())
          for (double& v : z) v = activation_scale * v / (1 + std::exp(-v));
        a = z;
      }
      y.insert(y.end(), a.begin(), a.end());
    }
    return y;
  };
  typename RadialMlp<T>::Saved saved;
  test.check<T>(
      random_vector(rows * dims[0], rng), rows * dims.back(),
      [&](const Buffer<T>& x, Buffer<T>& y) { saved = mlp.forward(rows, x.data(), y.data()); },
      [&](const Buffer<T>& x, const Buffer<T>& g, Buffer<T>& gx) {
        Buffer<T> y = test.engine().buffer<T>(rows * dims.back());
        const auto s = mlp.forward(rows, x.data(), y.data());
        mlp.backward(rows, s, g.data(), gx.data());
      },
      reference, false);
}

TEST_P(LayerTest, RadialMlp) {
  if (f64())
    radial_mlp_case<double>(*this);
  else
    radial_mlp_case<float>(*this);
}

// mace-torch's RadialMLP: Linear (bias) -> LayerNorm -> SiLU per hidden layer, a last Linear; the
// backward of the first three inputs only (the rest are species embeddings).
template <typename T>
void layer_norm_mlp_case(LayerTest& test) {
  const std::vector<int> dims = {5, 7, 6, 4};
  const int input_gradients = 3;
  const std::size_t rows = 6;
  const double eps = 1e-5;
  std::mt19937_64 rng(13);
  std::vector<LayerNormMlpLayer> layers;
  for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
    LayerNormMlpLayer l;
    l.weight = random_vector(dims[k] * dims[k + 1], rng, 0.5);
    l.bias = random_vector(dims[k + 1], rng, 0.3);
    if (k + 2 < dims.size()) {
      l.gamma = random_vector(dims[k + 1], rng, 0.5);
      for (double& g : l.gamma) g += 1.0;
      l.beta = random_vector(dims[k + 1], rng, 0.2);
    }
    layers.push_back(l);
  }
  const LayerNormMlp<T> mlp(test.engine(), dims, layers, eps, input_gradients);
  // The reference sees the first three inputs of each row; the rest are held fixed.
  const std::vector<double> fixed = random_vector(rows * (dims[0] - input_gradients), rng);
  const auto full_input = [&](const std::vector<double>& x) {
    std::vector<double> in;
    for (std::size_t r = 0; r < rows; ++r) {
      in.insert(in.end(), x.begin() + r * input_gradients, x.begin() + (r + 1) * input_gradients);
      in.insert(in.end(), fixed.begin() + r * (dims[0] - input_gradients),
                fixed.begin() + (r + 1) * (dims[0] - input_gradients));
    }
    return in;
  };
  const auto reference = [&](const std::vector<double>& x) {
    const std::vector<double> in = full_input(x);
    std::vector<double> y;
    for (std::size_t r = 0; r < rows; ++r) {
      std::vector<double> a(in.begin() + r * dims[0], in.begin() + (r + 1) * dims[0]);
      for (std::size_t k = 0; k + 1 < dims.size(); ++k) {
        std::vector<double> z(dims[k + 1]);
        for (int o = 0; o < dims[k + 1]; ++o) {
          z[o] = layers[k].bias[o];
          for (int i = 0; i < dims[k]; ++i) z[o] += layers[k].weight[o * dims[k] + i] * a[i];
        }
        if (k + 2 < dims.size()) {
          double mean = 0, var = 0;
          for (double v : z) mean += v / static_cast<double>(z.size());
          for (double v : z) var += (v - mean) * (v - mean) / static_cast<double>(z.size());
          for (int o = 0; o < dims[k + 1]; ++o) {
            const double yv =
                (z[o] - mean) / std::sqrt(var + eps) * layers[k].gamma[o] + layers[k].beta[o];
            z[o] = yv / (1 + std::exp(-yv));
          }
        }
        a = z;
      }
      y.insert(y.end(), a.begin(), a.end());
    }
    return y;
  };
  test.check<T>(
      random_vector(rows * input_gradients, rng), rows * dims.back(),
      [&](const Buffer<T>& x, Buffer<T>& y) {
        std::vector<double> host;
        for (T v : test.engine().download(x)) host.push_back(static_cast<double>(v));
        const std::vector<double> in = full_input(host);
        const Buffer<T> input = test.engine().upload(std::vector<T>(in.begin(), in.end()));
        const auto saved = mlp.forward(rows, input.data(), y.data());
      },
      [&](const Buffer<T>& x, const Buffer<T>& g, Buffer<T>& gx) {
        std::vector<double> host;
        for (T v : test.engine().download(x)) host.push_back(static_cast<double>(v));
        const std::vector<double> in = full_input(host);
        const Buffer<T> input = test.engine().upload(std::vector<T>(in.begin(), in.end()));
        Buffer<T> y = test.engine().buffer<T>(rows * dims.back());
        const auto saved = mlp.forward(rows, input.data(), y.data());
        mlp.backward(rows, saved, g.data(), gx.data());
      },
      reference, false);
}

TEST_P(LayerTest, LayerNormMlp) {
  if (f64())
    layer_norm_mlp_case<double>(*this);
  else
    layer_norm_mlp_case<float>(*this);
}

template <typename T>
void gate_case(LayerTest& test) {
  // 2 activated scalars (SiLU, tanh), 3 gates (tanh, SiLU, sigmoid) on a 1o (3 components), a 0e
  // and a 0e.
  GateParameters p;
  p.dim_in = 10;
  p.scalar_index = {0, 3};
  p.scalar_activation = {0, 1};
  p.scalar_scale = {1.6, 1.2};
  p.gate_index = {1, 2, 8};
  p.gate_activation = {1, 0, 2};
  p.gate_scale = {1.3, 1.7, 1.85};
  p.gated_index = {4, 5, 6, 7, 9};
  p.gated_gate = {0, 0, 0, 1, 2};
  const std::size_t rows = 5, dim_out = 7;
  const Gate<T> gate(test.engine(), p);
  const auto act = [](int kind, double z) {
    if (kind == 2) return 1 / (1 + std::exp(-z));
    return kind == 0 ? z / (1 + std::exp(-z)) : std::tanh(z);
  };
  const auto reference = [&](const std::vector<double>& x) {
    std::vector<double> y;
    for (std::size_t r = 0; r < rows; ++r) {
      const double* xr = &x[r * p.dim_in];
      for (std::size_t k = 0; k < p.scalar_index.size(); ++k)
        y.push_back(p.scalar_scale[k] * act(p.scalar_activation[k], xr[p.scalar_index[k]]));
      for (std::size_t j = 0; j < p.gated_index.size(); ++j) {
        const int c = p.gated_gate[j];
        y.push_back(xr[p.gated_index[j]] * p.gate_scale[c] *
                    act(p.gate_activation[c], xr[p.gate_index[c]]));
      }
    }
    return y;
  };
  std::mt19937_64 rng(4);
  test.check<T>(
      random_vector(rows * p.dim_in, rng), rows * dim_out,
      [&](const Buffer<T>& x, Buffer<T>& y) { gate.forward(rows, x.data(), y.data()); },
      [&](const Buffer<T>& x, const Buffer<T>& g, Buffer<T>& gx) {
        gate.backward(rows, x.data(), g.data(), gx.data());
      },
      reference);
}

TEST_P(LayerTest, Gate) {
  if (f64())
    gate_case<double>(*this);
  else
    gate_case<float>(*this);
}

// out[c][o block, m] = sum_nu sum_z U_nu[z] W_nu[species][k_z][c] prod_j x[c][i_j(z)] with random
// sparse couplings U (the definition, before any folding).
template <typename T>
void symmetric_contraction_case(LayerTest& test) {
  const Irreps in = Irreps::parse("3x0e+3x1o"), out = Irreps::parse("3x0e+3x1o");
  const int channels = 3, num_species = 2, components = 4;
  const std::size_t rows = 4;
  const std::vector<int> species = {1, 0, 1, 1};
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> component(0, components - 1);
  std::vector<ContractionParameters> contractions;
  for (std::size_t o = 0; o < out.size(); ++o) {
    ContractionParameters cp;
    cp.irrep = out[o].ir;
    cp.correlation = 3;
    const int dim = out[o].ir.dim();
    for (int nu = 1; nu <= 3; ++nu) {
      const int k_count = 2;
      CouplingTensor u;
      for (int z = 0; z < 6; ++z) {
        u.indices.push_back(z % dim);
        for (int j = 0; j < nu; ++j) u.indices.push_back(component(rng));
        u.indices.push_back(z % k_count);
        u.values.push_back(random_vector(1, rng)[0]);
      }
      cp.couplings.push_back(u);
      cp.weights.push_back(random_vector(num_species * k_count * channels, rng));
      cp.num_coupling_weights.push_back(k_count);
    }
    contractions.push_back(cp);
  }
  const SymmetricContraction<T> layer(test.engine(), in, out, num_species, contractions);
  const Buffer<int> sp = test.engine().upload(species);
  const auto reference = [&](const std::vector<double>& x) {
    std::vector<double> y(rows * out.dim(), 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
      for (int c = 0; c < channels; ++c) {
        // component i of channel c: block of i, entry within the irrep
        const auto xc = [&](int i) {
          const int block = i == 0 ? 0 : 1, m = i == 0 ? 0 : i - 1;
          return x[r * in.dim() + in.offset(block) + c * in[block].ir.dim() + m];
        };
        for (std::size_t o = 0; o < out.size(); ++o) {
          const ContractionParameters& cp = contractions[o];
          const int dim = out[o].ir.dim();
          for (int nu = 1; nu <= cp.correlation; ++nu) {
            const CouplingTensor& u = cp.couplings[nu - 1];
            const int width = nu + 2, k_count = cp.num_coupling_weights[nu - 1];
            for (std::size_t z = 0; z < u.values.size(); ++z) {
              const std::int32_t* idx = &u.indices[z * width];
              double term =
                  u.values[z] *
                  cp.weights[nu - 1][(species[r] * k_count + idx[width - 1]) * channels + c];
              for (int j = 1; j <= nu; ++j) term *= xc(idx[j]);
              y[r * out.dim() + out.offset(o) + c * dim + idx[0]] += term;
            }
          }
        }
      }
    }
    return y;
  };
  test.check<T>(
      random_vector(rows * in.dim(), rng), rows * out.dim(),
      [&](const Buffer<T>& x, Buffer<T>& y) { layer.forward(rows, x.data(), sp.data(), y.data()); },
      [&](const Buffer<T>& x, const Buffer<T>& g, Buffer<T>& gx) {
        layer.backward(rows, x.data(), sp.data(), g.data(), gx.data());
      },
      reference);
}

TEST_P(LayerTest, SymmetricContraction) {
  if (f64())
    symmetric_contraction_case<double>(*this);
  else
    symmetric_contraction_case<float>(*this);
}

// The spherical harmonics (the kernel library's, checked against e3nn) and the radial embedding
// evaluated here in double from its definition (radial_basis.cuh), for every basis, distance
// transform and place of the cutoff; the backward gives dE/d(edge vector) for dE/dY, dE/dR and
// (cutoff apart) dE/d(cutoff).
struct EmbeddingCase {
  RadialBasisKind kind;
  DistanceTransformKind transform;
  bool cutoff_on_basis;
};

double chebyshev(int n, double t) {
  if (std::abs(t) <= 1) return std::cos(n * std::acos(t));
  const double sign = t < 0 && n % 2 == 1 ? -1.0 : 1.0;
  return sign * std::cosh(n * std::acosh(std::abs(t)));
}

template <typename T>
void edge_embedding_case(LayerTest& test, const EmbeddingCase& c) {
  const Irreps sh_irreps = Irreps::parse("1x0e+1x1o+1x2e+1x3o");
  const std::vector<double> centers = c.kind == kGaussianBasis
                                          ? std::vector<double>{0.0, 1.3, 2.6, 3.9}
                                          : std::vector<double>{0.6, 1.3, 2.1, 2.9};
  const double prefactor = c.kind == kGaussianBasis ? -0.3 : 0.8, r_max = 4.0;
  const int p = 5;
  const std::vector<double> radii = {0.7, 1.3};  // covalent radii of the two species
  DistanceTransform transform{c.transform, 0.9183, 4.5791,
                              c.transform == kSoftTransform ? 4.0 : 1.0805, radii};
  const EdgeEmbedding<T> layer(
      test.engine(), sh_irreps,
      RadialBasis(c.kind, centers, prefactor, r_max, p, c.cutoff_on_basis, transform));
  const SphericalHarmonics sh({0, 1, 2, 3}, true, ShNormalization::component);
  const std::size_t edges = 6, dim = 16, nb = centers.size();
  const std::size_t radial_size = nb + (c.cutoff_on_basis ? 0 : 1);
  std::mt19937_64 rng(6);
  std::vector<double> vectors = random_vector(3 * edges, rng, 1.6);
  vectors[0] = 4.5;  // one edge beyond r_max: no cutoff
  AtomicGraph graph;
  graph.num_nodes = graph.num_local = edges + 1;
  for (std::size_t n = 0; n <= edges; ++n) graph.species.push_back(static_cast<int>(n % 2));
  for (std::size_t e = 0; e < edges; ++e) {
    graph.senders.push_back(static_cast<std::int32_t>(e + 1));
    graph.receivers.push_back(0);
  }
  const auto reference = [&](const std::vector<double>& v) {
    std::vector<double> y;
    for (std::size_t e = 0; e < edges; ++e) {
      std::vector<double> values(dim);
      sh.evaluate(&v[3 * e], values.data());
      y.insert(y.end(), values.begin(), values.end());
    }
    for (std::size_t e = 0; e < edges; ++e) {
      const double r = std::sqrt(v[3 * e] * v[3 * e] + v[3 * e + 1] * v[3 * e + 1] +
                                 v[3 * e + 2] * v[3 * e + 2]);
      const double x = r / r_max;
      const double f = r < r_max ? 1 - (p + 1.0) * (p + 2) / 2 * std::pow(x, p) +
                                       p * (p + 2.0) * std::pow(x, p + 1) -
                                       p * (p + 1.0) / 2 * std::pow(x, p + 2)
                                 : 0.0;
      const double cu = radii[static_cast<std::size_t>(graph.species[graph.senders[e]])];
      const double cv = radii[static_cast<std::size_t>(graph.species[graph.receivers[e]])];
      double t = r;
      if (c.transform == kAgnesiTransform) {
        const double q = transform.q, tp = transform.p, a = transform.a, z = r / (0.5 * (cu + cv));
        t = 1 / (1 + a * std::pow(z, q) / (1 + std::pow(z, q - tp)));
      } else if (c.transform == kSoftTransform) {
        const double r0 = cu + cv, p0 = 0.75 * r0, p1 = 4.0 / 3 * r0;
        const double s = 0.5 * (1 + std::tanh(transform.a / (p1 - p0) * (r - (p0 + p1) / 2)));
        t = p0 + (r - p0) * s;
      }
      const double g = c.cutoff_on_basis ? f : 1.0;
      for (std::size_t k = 0; k < nb; ++k) {
        double b = prefactor * std::sin(centers[k] * t) / t;
        if (c.kind == kGaussianBasis) b = std::exp(prefactor * (t - centers[k]) * (t - centers[k]));
        if (c.kind == kChebyshevBasis) b = chebyshev(static_cast<int>(k) + 1, t);
        y.push_back(b * g);
      }
      if (!c.cutoff_on_basis) y.push_back(f);
    }
    return y;
  };
  const auto with_vectors = [&](const Buffer<T>& v) {
    graph.edge_vectors.clear();
    for (T value : test.engine().download(v))
      graph.edge_vectors.push_back(static_cast<double>(value));
    return make_engine_graph(test.engine(), graph, 2, "test");
  };
  // Radial outputs per edge: the basis, then the cutoff where it is apart.
  const auto radial_rows = [&](const typename EdgeEmbedding<T>::Features& f) {
    const std::vector<T> radial = test.engine().download(f.radial);
    const std::vector<T> cutoff =
        c.cutoff_on_basis ? std::vector<T>() : test.engine().download(f.cutoff);
    std::vector<T> rows;
    for (std::size_t e = 0; e < edges; ++e) {
      rows.insert(rows.end(), radial.begin() + e * nb, radial.begin() + (e + 1) * nb);
      if (!c.cutoff_on_basis) rows.push_back(cutoff[e]);
    }
    return rows;
  };
  ASSERT_EQ(layer.cutoff_apart(), !c.cutoff_on_basis);
  test.check<T>(
      vectors, edges * (dim + radial_size),
      [&](const Buffer<T>& v, Buffer<T>& y) {
        const EngineGraph g = with_vectors(v);
        const auto f = layer.forward(g);
        std::vector<T> host = test.engine().download(f.sh);
        const std::vector<T> radial = radial_rows(f);
        host.insert(host.end(), radial.begin(), radial.end());
        y = test.engine().upload(host);
      },
      [&](const Buffer<T>& v, const Buffer<T>& g, Buffer<T>& gv) {
        const EngineGraph graph_here = with_vectors(v);
        const auto f = layer.forward(graph_here);
        const std::vector<T> all = test.engine().download(g);
        std::vector<T> grad_radial, grad_cutoff;
        for (std::size_t e = 0; e < edges; ++e) {
          const auto row = all.begin() + static_cast<std::ptrdiff_t>(edges * dim + e * radial_size);
          grad_radial.insert(grad_radial.end(), row, row + static_cast<std::ptrdiff_t>(nb));
          if (!c.cutoff_on_basis) grad_cutoff.push_back(row[static_cast<std::ptrdiff_t>(nb)]);
        }
        const Buffer<T> grad_sh =
            test.engine().upload(std::vector<T>(all.begin(), all.begin() + edges * dim));
        const Buffer<T> grad_r = test.engine().upload(grad_radial);
        const Buffer<T> grad_c = test.engine().upload(grad_cutoff);
        const std::vector<double> gradient = test.engine().download(
            layer.backward(graph_here, f, grad_sh, grad_r, c.cutoff_on_basis ? nullptr : &grad_c));
        gv = test.engine().upload(std::vector<T>(gradient.begin(), gradient.end()));
      },
      reference, false);
}

TEST_P(LayerTest, EdgeEmbedding) {
  for (const EmbeddingCase& c : {EmbeddingCase{kBesselBasis, kNoTransform, true},
                                 EmbeddingCase{kBesselBasis, kAgnesiTransform, false},
                                 EmbeddingCase{kGaussianBasis, kSoftTransform, true},
                                 EmbeddingCase{kChebyshevBasis, kNoTransform, false},
                                 EmbeddingCase{kBesselBasis, kAgnesiTransform, true}}) {
    SCOPED_TRACE("basis " + std::to_string(c.kind) + ", transform " + std::to_string(c.transform) +
                 (c.cutoff_on_basis ? ", cutoff on the basis" : ", cutoff apart"));
    if (f64())
      edge_embedding_case<double>(*this, c);
    else
      edge_embedding_case<float>(*this, c);
  }
}

// Pair repulsion (MACE's and NequIP's ZBL forms): node energies against the definition in double,
// edge gradients against finite differences of seed * (sum of local receivers' energies); ghosts
// receive nothing.
TEST_P(LayerTest, PairRepulsion) {
  PairRepulsionParameters mace_form{{1, 8, 29},
                                    0.5 * 14.3996,
                                    0.4543 * 0.529,
                                    0.3,
                                    {0.1818, 0.5099, 0.2802, 0.02817},
                                    {3.2, 0.9423, 0.4028, 0.2016},
                                    {0.31, 0.66, 1.32},
                                    0,
                                    5};
  PairRepulsionParameters nequip_form{{1, 8, 29},
                                      7.1998225,
                                      0.46850,
                                      0.23,
                                      {0.02817, 0.28022, 0.50986, 0.18175},
                                      {0.20162, 0.40290, 0.94229, 3.19980},
                                      {},
                                      3.5,
                                      6};
  for (const PairRepulsionParameters& form : {mace_form, nequip_form}) {
    SCOPED_TRACE(form.covalent_radii.empty() ? "NequIP's form" : "MACE's form");
    const PairRepulsion zbl(engine(), form);
    AtomicGraph graph;
    graph.num_nodes = 5;
    graph.num_local = 4;
    graph.species = {0, 1, 2, 2, 1};
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> length(0.3, 3.0);
    for (int r = 0; r < 5; ++r) {
      for (int s = 0; s < 5; ++s) {
        if (r == s) continue;
        graph.senders.push_back(s);
        graph.receivers.push_back(r);
        const std::vector<double> u = random_vector(3, rng);
        const double norm = std::sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]), l = length(rng);
        for (int k = 0; k < 3; ++k) graph.edge_vectors.push_back(u[k] / norm * l);
      }
    }
    const double seed = 0.7;
    const auto reference = [&](const std::vector<double>& vectors) {
      std::vector<double> energy(graph.num_local, 0.0);
      for (std::size_t e = 0; e < graph.num_edges(); ++e) {
        const auto v = static_cast<std::size_t>(graph.receivers[e]);
        if (v >= graph.num_local) continue;
        const auto zu =
            form.atomic_numbers[static_cast<std::size_t>(graph.species[graph.senders[e]])];
        const auto zv = form.atomic_numbers[static_cast<std::size_t>(graph.species[v])];
        const double r =
            std::sqrt(vectors[3 * e] * vectors[3 * e] + vectors[3 * e + 1] * vectors[3 * e + 1] +
                      vectors[3 * e + 2] * vectors[3 * e + 2]);
        const double rc =
            form.covalent_radii.empty()
                ? form.r_max
                : form.covalent_radii[static_cast<std::size_t>(graph.species[graph.senders[e]])] +
                      form.covalent_radii[static_cast<std::size_t>(graph.species[v])];
        if (r >= rc) continue;
        const double a = form.screening_length / (std::pow(zu, form.screening_exponent) +
                                                  std::pow(zv, form.screening_exponent));
        double phi = 0;
        for (int k = 0; k < 4; ++k)
          phi += form.coefficients[k] * std::exp(-form.exponents[k] * r / a);
        const double x = r / rc, p = form.p;
        const double f = 1 - (p + 1) * (p + 2) / 2 * std::pow(x, p) +
                         p * (p + 2) * std::pow(x, p + 1) - p * (p + 1) / 2 * std::pow(x, p + 2);
        energy[v] += form.prefactor * zu * zv / r * phi * f;
      }
      return energy;
    };
    const auto run = [&](const std::vector<double>& vectors, bool gradients) {
      graph.edge_vectors = vectors;
      const EngineGraph g = make_engine_graph(engine(), graph, 3, "test");
      Buffer<double> energy = engine().zeros<double>(graph.num_nodes);
      Buffer<double> edge_gradients = engine().zeros<double>(3 * graph.num_edges());
      zbl.evaluate(g, seed, &energy, gradients ? &edge_gradients : nullptr);
      std::vector<double> e = engine().download(energy);
      EXPECT_EQ(e[4], 0.0) << "a ghost receives no pair energy";
      e.resize(graph.num_local);
      return std::make_pair(e, engine().download(edge_gradients));
    };
    std::vector<double> vectors = graph.edge_vectors;
    const auto [energy, gradients] = run(vectors, true);
    EXPECT_LE(relative_error(energy, reference(vectors)), 1e-13);
    const std::vector<double> fd = finite_difference_gradient(
        vectors,
        [&] {
          double sum = 0;
          for (double v : reference(vectors)) sum += seed * v;
          return sum;
        },
        1e-6);
    EXPECT_LE(relative_error(gradients, fd), 1e-7);
  }
}

// MACE's edge-density normalisation: x = (message [N][dim], d [E], cutoff [E]) -> message_i /
// (beta sum_{e -> i} tanh(d_e^2) cutoff_e + alpha), with the gradients of all three.
template <typename T>
void edge_density_case(LayerTest& test) {
  const double alpha = 20.0, beta = 0.7;
  const EdgeDensity<T> density(test.engine(), alpha, beta);
  AtomicGraph graph;
  graph.num_nodes = graph.num_local = 4;
  graph.species.assign(4, 0);
  graph.senders = {1, 2, 3, 0, 2, 0, 1};
  graph.receivers = {0, 0, 0, 1, 1, 2, 3};
  graph.edge_vectors.assign(3 * graph.senders.size(), 1.0);
  const EngineGraph g = make_engine_graph(test.engine(), graph, 1, "test");
  const EdgeBlocks blocks(test.engine(), g, 0);
  const EdgeBlock& block = blocks.blocks().front();
  const std::size_t nodes = 4, edges = 7;
  const int dim = 3;
  const auto reference = [&](const std::vector<double>& x) {
    std::vector<double> y(x.begin(), x.begin() + nodes * dim), den(nodes, 0.0);
    for (std::size_t e = 0; e < edges; ++e) {
      const double d = x[nodes * dim + e], c = x[nodes * dim + edges + e];
      den[static_cast<std::size_t>(graph.receivers[e])] += std::tanh(d * d) * c;
    }
    for (std::size_t n = 0; n < nodes; ++n)
      for (int k = 0; k < dim; ++k) y[n * dim + k] /= beta * den[n] + alpha;
    return y;
  };
  std::mt19937_64 rng(14);
  std::vector<double> x = random_vector(nodes * dim + 2 * edges, rng);
  const auto split = [&](const Buffer<T>& in) {
    const std::vector<T> host = test.engine().download(in);
    return std::array<Buffer<T>, 3>{
        test.engine().upload(std::vector<T>(host.begin(), host.begin() + nodes * dim)),
        test.engine().upload(
            std::vector<T>(host.begin() + nodes * dim, host.begin() + nodes * dim + edges)),
        test.engine().upload(std::vector<T>(host.begin() + nodes * dim + edges, host.end()))};
  };
  test.check<T>(
      x, nodes * dim,
      [&](const Buffer<T>& in, Buffer<T>& y) {
        auto [message, d, cutoff] = split(in);
        typename EdgeDensity<T>::Saved saved;
        Buffer<T> densities = test.engine().buffer<T>(nodes);
        density.sum_block(block, d.data(), cutoff.data(), densities.data());
        density.normalize(nodes, std::move(densities), message, dim, saved);
        y = std::move(message);
      },
      [&](const Buffer<T>& in, const Buffer<T>& grad, Buffer<T>& gx) {
        auto [message, d, cutoff] = split(in);
        typename EdgeDensity<T>::Saved saved;
        Buffer<T> densities = test.engine().buffer<T>(nodes);
        density.sum_block(block, d.data(), cutoff.data(), densities.data());
        density.normalize(nodes, std::move(densities), message, dim, saved);
        Buffer<T> grad_message = test.engine().copy_of(grad);
        Buffer<T> grad_cutoff = test.engine().zeros<T>(edges);
        const Buffer<T> grad_density = density.node_backward(nodes, saved, grad_message, dim);
        const Buffer<T> grad_d = density.block_backward(block, d.data(), cutoff.data(),
                                                        grad_density.data(), grad_cutoff.data());
        std::vector<T> all = test.engine().download(grad_message);
        for (const Buffer<T>* part : {&grad_d, static_cast<const Buffer<T>*>(&grad_cutoff)}) {
          const std::vector<T> host = test.engine().download(*part);
          all.insert(all.end(), host.begin(), host.end());
        }
        gx = test.engine().upload(all);
      },
      reference, false);
}

TEST_P(LayerTest, EdgeDensity) {
  if (f64())
    edge_density_case<double>(*this);
  else
    edge_density_case<float>(*this);
}

// MACE's readouts: linear (only the scalars of the features reach the energy) and
// linear-SiLU-linear.
template <typename T>
void readout_case(LayerTest& test, bool nonlinear) {
  const Irreps in = Irreps::parse("4x0e+2x1o"), hidden = Irreps::parse("3x0e"),
               energy = Irreps::parse("1x0e");
  const std::size_t rows = 5;
  const double activation_scale = 1.679;
  std::mt19937_64 rng(nonlinear ? 8 : 7);
  ParameterStore store("test");
  MaceReadoutConfig config;
  config.irreps_in = in;
  std::vector<double> w1, w2;
  if (nonlinear) {
    config.kind = MaceReadoutConfig::Kind::nonlinear;
    config.hidden_irreps = hidden;
    config.activation_scale = activation_scale;
    w1 = random_vector(EquivariantLinear<T>::weight_numel(in, hidden), rng);
    w2 = random_vector(EquivariantLinear<T>::weight_numel(hidden, energy), rng);
    store.add("readouts.0.linear_1.weight",
              {{static_cast<std::int64_t>(w1.size())}, false, w1, {}});
    store.add("readouts.0.linear_2.weight",
              {{static_cast<std::int64_t>(w2.size())}, false, w2, {}});
  } else {
    w1 = random_vector(EquivariantLinear<T>::weight_numel(in, energy), rng);
    store.add("readouts.0.linear.weight", {{static_cast<std::int64_t>(w1.size())}, false, w1, {}});
  }
  const MaceReadout<T> readout(test.engine(), config, 0, 0, 1, store);
  store.check_all_used();
  const auto reference = [&](const std::vector<double>& x) {
    if (!nonlinear) return linear_reference(in, energy, w1, 1.0, rows, x);
    std::vector<double> h = linear_reference(in, hidden, w1, 1.0, rows, x);
    for (double& v : h) v = activation_scale * v / (1 + std::exp(-v));
    return linear_reference(hidden, energy, w2, 1.0, rows, h);
  };
  test.check<T>(
      random_vector(rows * in.dim(), rng), rows,
      [&](const Buffer<T>& x, Buffer<T>& y) {
        typename MaceReadout<T>::Saved saved;
        y = readout.forward(rows, x.data(), saved);
      },
      [&](const Buffer<T>& x, const Buffer<T>& g, Buffer<T>& gx) {
        typename MaceReadout<T>::Saved saved;
        const Buffer<T> e = readout.forward(rows, x.data(), saved);
        readout.backward(rows, saved, g.data(), gx.data());
      },
      reference);
}

TEST_P(LayerTest, MaceReadouts) {
  for (bool nonlinear : {false, true}) {
    SCOPED_TRACE(nonlinear ? "non-linear" : "linear");
    if (f64())
      readout_case<double>(*this, nonlinear);
    else
      readout_case<float>(*this, nonlinear);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LayerTest,
                         ::testing::Values(LayerCase{Backend::cpu, Precision::float64},
                                           LayerCase{Backend::cpu, Precision::float32},
                                           LayerCase{Backend::cuda, Precision::float64},
                                           LayerCase{Backend::cuda, Precision::float32}),
                         case_name);

}  // namespace
}  // namespace equifuse
