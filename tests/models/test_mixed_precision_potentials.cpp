// Two potentials of different precision (and architecture) in one process, as two pair_style
// equifuse instances of one LAMMPS run are: evaluated in turn, each gives what it gives alone, and
// float32 agrees with float64 to its precision. On the CPU and, where a GPU is visible, on CUDA
// (each precision has its own kernels there).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "model_loader/potential_file.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

std::string shipped(const std::string& name) {
  return std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + name + ".eqf";
}

void expect_close(const PotentialForces& a, const PotentialForces& b, double tolerance) {
  EXPECT_NEAR(a.energy, b.energy, tolerance * std::abs(b.energy));
  ASSERT_EQ(a.forces.forces.size(), b.forces.forces.size());
  for (std::size_t i = 0; i < a.forces.forces.size(); ++i)
    EXPECT_NEAR(a.forces.forces[i], b.forces.forces[i], tolerance) << "atom " << i / 3 + 1;
}

class MixedPrecisionTest : public ::testing::TestWithParam<Backend> {};

TEST_P(MixedPrecisionTest, TwoPotentialsOfDifferentPrecisionInOneProcess) {
  const Backend backend = GetParam();
  if (!backend_runs_here(backend)) GTEST_SKIP() << "no CUDA GPU (or no CUDA backend) here";
  const AtomicStructure s =
      read_extxyz(std::string(EQUIFUSE_SOURCE_DIR) +
                  "/tests/data/models/shipped/structures/cuau-mace-small-triclinic_strained.extxyz")
          .at(0);
  struct Member {
    std::string potential;
    Precision precision;
  };
  const Member members[] = {{"cuau-mace-small", Precision::float64},
                            {"cuau-mace-small", Precision::float32},
                            {"cuau-nequip-small", Precision::float32}};
  const auto evaluate = [&](const Potential& p) {
    return p.evaluate_forces(make_atomic_graph(s, p.info().species, p.info().r_max));
  };
  std::vector<PotentialForces> alone;
  for (const Member& m : members)
    alone.push_back(evaluate(*load_potential(shipped(m.potential), m.precision, backend)));
  // All three loaded together, evaluated in turn, twice.
  std::vector<std::unique_ptr<Potential>> together;
  for (const Member& m : members)
    together.push_back(load_potential(shipped(m.potential), m.precision, backend));
  for (int round = 0; round < 2; ++round)
    for (std::size_t k = 0; k < together.size(); ++k) {
      SCOPED_TRACE(members[k].potential + " " + to_string(members[k].precision) + ", round " +
                   std::to_string(round));
      expect_close(evaluate(*together[k]), alone[k], 1e-12);
    }
  expect_close(alone[1], alone[0], 1e-4);  // MACE in float32 against float64
}

INSTANTIATE_TEST_SUITE_P(Backends, MixedPrecisionTest,
                         ::testing::Values(Backend::cpu, Backend::cuda),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::cpu ? "cpu" : "cuda";
                         });

}  // namespace
}  // namespace equifuse
