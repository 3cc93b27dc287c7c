// Physics of an evaluated potential (MACE and NequIP), independent of upstream: forces are -dE/dr
// (central finite differences through the whole pipeline, neighbour list included), the virial is
// -dE/dstrain, and energy is invariant (forces covariant) under rotations, translations and
// permutations.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

// "<family>_<name>" lives in tests/data/models/<family>; "foundation_<name>" is <name> in
// tests/data/models/foundation.
bool foundation(const std::string& model) {
  return model.rfind("foundation_", 0) == 0;
}
std::string data_dir(const std::string& model) {
  return std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" +
         model.substr(0, model.find('_'));
}
std::string file_name(const std::string& model) {
  return foundation(model) ? model.substr(11) : model;
}
std::string potential_file(const std::string& model) {
  return data_dir(model) + "/" + file_name(model) + ".eqf";
}

struct Evaluation {
  double energy;
  ForcesAndVirial fv;
};

Evaluation run(const Potential& p, const AtomicStructure& s) {
  const AtomicGraph graph = make_atomic_graph(s, p.info().species, p.info().r_max);
  const PotentialOutput out = p.evaluate(graph);
  return {out.energy, forces_and_virial(graph, out.edge_gradients)};
}

AtomicStructure structure(const std::string& model, const std::string& name) {
  return read_extxyz(data_dir(model) + "/structures/" + file_name(model) + "-" + name + ".extxyz")
      .at(0);
}

using Matrix = std::array<std::array<double, 3>, 3>;

Matrix random_rotation(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0, 1);
  double q[4] = {n(rng), n(rng), n(rng), n(rng)};
  const double norm = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  for (double& v : q) v /= norm;
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  return {{{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
           {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
           {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}}};
}

std::array<double, 3> transform(const Matrix& r, const std::array<double, 3>& v) {
  std::array<double, 3> out{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out[i] += r[i][j] * v[j];
  return out;
}

// The multi-head foundation model is tested on one of its heads (not its first).
std::string head(const std::string& model) {
  return model == "foundation_mh1" ? "spice_wB97M" : "";
}

class ModelPhysicsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelPhysicsTest, ForcesAreMinusEnergyGradient) {
  const auto potential =
      load_potential(potential_file(GetParam()), LoadOptions{.head = head(GetParam())});
  std::vector<std::string> names = {"cluster", "triclinic_strained"};
  if (foundation(GetParam())) names.push_back("close_contact");  // inside ZBL's range
  for (const std::string& name : names) {
    AtomicStructure s = structure(GetParam(), name);
    const Evaluation base = run(*potential, s);
    const double h = 1e-5;
    double worst = 0, scale = 1e-3;
    for (std::size_t a = 0; a < std::min<std::size_t>(s.size(), 6); ++a) {
      for (int k = 0; k < 3; ++k) {
        const double x = s.positions[a][k];
        s.positions[a][k] = x + h;
        const double plus = run(*potential, s).energy;
        s.positions[a][k] = x - h;
        const double minus = run(*potential, s).energy;
        s.positions[a][k] = x;
        const double fd = -(plus - minus) / (2 * h);
        worst = std::max(worst, std::abs(fd - base.fv.forces[3 * a + k]));
        scale = std::max(scale, std::abs(fd));
      }
    }
    EXPECT_LE(worst, 1e-7 * std::max(1.0, scale) + 1e-8) << name;
  }
}

TEST_P(ModelPhysicsTest, VirialIsMinusStrainDerivative) {
  const auto potential =
      load_potential(potential_file(GetParam()), LoadOptions{.head = head(GetParam())});
  const AtomicStructure s0 = structure(GetParam(), "triclinic_strained");
  const Evaluation base = run(*potential, s0);
  const double h = 1e-6;
  for (int a = 0; a < 3; ++a) {
    for (int b = a; b < 3; ++b) {
      double energies[2];
      for (int sign = 0; sign < 2; ++sign) {
        const double e = sign ? -h : h;
        Matrix strain{};
        for (int i = 0; i < 3; ++i) strain[i][i] = 1;
        strain[a][b] += a == b ? e : e / 2;
        strain[b][a] += a == b ? 0 : e / 2;
        AtomicStructure s = s0;
        for (auto& r : s.positions) r = transform(strain, r);
        for (auto& row : s.cell) row = transform(strain, row);
        energies[sign] = run(*potential, s).energy;
      }
      const double fd = -(energies[0] - energies[1]) / (2 * h);
      EXPECT_NEAR(base.fv.virial[a][b], fd, 1e-6 * std::max(1.0, std::abs(fd))) << a << b;
    }
  }
}

TEST_P(ModelPhysicsTest, InvariantUnderRotationTranslationAndPermutation) {
  const auto potential =
      load_potential(potential_file(GetParam()), LoadOptions{.head = head(GetParam())});
  std::mt19937_64 rng(11);
  for (const char* name : {"cluster", "fcc_rattled", "slab_pbc_xy"}) {
    const AtomicStructure s = structure(GetParam(), name);
    const Evaluation base = run(*potential, s);
    const Matrix rotation = random_rotation(rng);
    AtomicStructure moved = s;
    for (auto& r : moved.positions) {
      r = transform(rotation, r);
      for (double& x : r) x += 0.37;
    }
    for (auto& row : moved.cell) row = transform(rotation, row);
    // Permute: reverse the atom order.
    std::reverse(moved.positions.begin(), moved.positions.end());
    std::reverse(moved.atomic_numbers.begin(), moved.atomic_numbers.end());
    const Evaluation other = run(*potential, moved);
    EXPECT_NEAR(other.energy, base.energy, 1e-9 * std::max(1.0, std::abs(base.energy))) << name;
    const std::size_t n = s.size();
    for (std::size_t a = 0; a < n; ++a) {
      const std::array<double, 3> f{base.fv.forces[3 * a], base.fv.forces[3 * a + 1],
                                    base.fv.forces[3 * a + 2]};
      const auto expected = transform(rotation, f);
      for (int k = 0; k < 3; ++k) {
        EXPECT_NEAR(other.fv.forces[3 * (n - 1 - a) + k], expected[k], 1e-9)
            << name << " atom " << a;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Models, ModelPhysicsTest,
    ::testing::Values("mace_l1_corr3_two_layers", "mace_l2_mixed_corr_plain_first",
                      "mace_three_layers_corr1", "nequip_l1_parity_resnet",
                      "nequip_l2_three_species", "foundation_mpa0_medium", "foundation_mh1",
                      "foundation_omol", "foundation_nequip_oam_l", "foundation_chebyshev_plain"));

TEST(ModelPhysics, IsolatedAtomHasItsReferenceEnergyAndNoForce) {
  const auto potential = load_potential(data_dir("mace") + "/mace_scalar_corr2_one_layer.eqf");
  AtomicStructure s;
  s.atomic_numbers = {8};
  s.positions = {{{1.0, 2.0, 3.0}}};
  const Evaluation e = run(*potential, s);
  // one layer, no neighbours: E0(O) = -2.0 (the reference script's E0s are linspace(-3, -1, 3)).
  EXPECT_NEAR(e.energy, -2.0, 1e-12);
  for (double f : e.fv.forces) EXPECT_EQ(f, 0.0);
}

}  // namespace
}  // namespace equifuse
