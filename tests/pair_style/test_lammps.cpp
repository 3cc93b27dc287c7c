// pair_style equifuse inside LAMMPS (the lmp of EQUIFUSE_LAMMPS_BINARY, run with mpiexec): energy,
// per-atom energies, forces, virial and per-atom virials equal `equifuse eval`'s on the same
// structure for 1, 2 and 3 ranks (3 slabs thinner than r_max), newton on and off, `comm layer`
// (the default) and `comm shell`, comm_style brick and tiled, streamed edges in blocks of one
// receiver on 2 ranks (`memory 1KB`); 200 MD steps on 3 ranks follow the
// 1-rank trajectory step by step; forces are minus the finite-difference gradient of LAMMPS's
// energy; NVE conserves energy.
// Built for pair_style equifuse and for equifuse/kk (lammps_runner.hpp), which run the same decks;
// equal to `equifuse eval`, the two styles equal each other.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "tests/pair_style/lammps_runner.hpp"

namespace equifuse {
namespace {

using lammps_testing::kNewtonOffOnSeveralRanks;
using lammps_testing::kNktv2p;
using lammps_testing::pair_commands;
using lammps_testing::potential_path;
using lammps_testing::run_lammps;
namespace fs = std::filesystem;

enum class Shape { alloy, triclinic, slab };

// Cu-Au fcc (30% Au), displaced; triclinic by an affine shear; slab: fixed (non-periodic) z.
std::string structure_commands(Shape shape) {
  std::string s = shape == Shape::slab ? "boundary p p f\n" : "boundary p p p\n";
  s += "lattice fcc 3.7\n";
  s += shape == Shape::slab ? "region box block 0 3 0 3 -1 4\nregion atoms block 0 3 0 3 0 3\n"
                            : "region box block 0 3 0 3 0 3\n";
  s += "create_box 2 box\n";
  s += shape == Shape::slab ? "create_atoms 1 region atoms\n" : "create_atoms 1 box\n";
  s += "set type 1 type/fraction 2 0.3 12345\n";
  if (shape == Shape::triclinic)
    s += "change_box all triclinic\nchange_box all xy final 1.1 xz final 0.6 yz final -0.4 remap\n";
  s += "displace_atoms all random 0.12 0.12 0.12 4321\n";
  s += "mass 1 63.546\nmass 2 196.97\n";
  return s;
}

struct LammpsResult {
  double energy = 0;
  Matrix3 virial{};
  AtomicStructure structure;
  std::vector<double> forces, atom_energies, atom_virials;  // per atom, by id
};

// With md_steps: that many steps of NVE at 600 K first (the result is the last step's).
LammpsResult run_single_point(const std::string& name, const std::string& potential, Shape shape,
                              int ranks, bool newton, const std::string& processors = "",
                              const std::string& style_args = "", int md_steps = 0,
                              const std::string& after_structure = "",
                              const std::string& pair = "") {
  std::string deck =
      "units metal\natom_style atomic\nnewton " + std::string(newton ? "on" : "off") + "\n";
  deck += processors + "\n" + structure_commands(shape) + after_structure + "\n" +
          (pair.empty() ? pair_commands(potential, style_args) : pair);
  if (md_steps > 0) {
    // loop geom: the same velocities on any number of ranks.
    deck +=
        "velocity all create 600 4928 mom yes rot yes loop geom\nfix 1 all nve\n"
        "timestep 0.001\nrun " +
        std::to_string(md_steps) + "\nunfix 1\n";
  }
  deck +=
      "compute pe all pe/atom\ncompute st all stress/atom NULL virial\ncompute p all pressure NULL "
      "virial\n"
      "thermo_style custom step pe c_p[1]\n"
      "dump atoms all custom 1 atoms.txt id type x y z fx fy fz c_pe c_st[1] c_st[2] c_st[3] "
      "c_st[4] "
      "c_st[5] c_st[6]\ndump_modify atoms sort id format float %.17g\nrun 0\n"
      "print \"$(pe:%.17g) $(c_p[1]:%.17g) $(c_p[2]:%.17g) $(c_p[3]:%.17g) $(c_p[4]:%.17g) "
      "$(c_p[5]:%.17g) $(c_p[6]:%.17g) $(vol:%.17g) $(xlo:%.17g) $(xhi:%.17g) $(ylo:%.17g) "
      "$(yhi:%.17g) $(zlo:%.17g) $(zhi:%.17g) $(xy:%.17g) $(xz:%.17g) $(yz:%.17g)\" file "
      "result.txt\n";
  const fs::path dir = run_lammps(name, deck, ranks);
  LammpsResult r;
  std::ifstream result(dir / "result.txt");
  double p[6], volume, lo[3], hi[3], xy, xz, yz;
  result >> r.energy >> p[0] >> p[1] >> p[2] >> p[3] >> p[4] >> p[5] >> volume >> lo[0] >> hi[0] >>
      lo[1] >> hi[1] >> lo[2] >> hi[2] >> xy >> xz >> yz;
  EXPECT_TRUE(result) << "no result.txt in " << dir;
  // Pressure from the virial alone: P_ab = W_ab / V * nktv2p.
  const int index[3][3] = {{0, 3, 4}, {3, 1, 5}, {4, 5, 2}};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) r.virial[a][b] = p[index[a][b]] * volume / kNktv2p;
  r.structure.cell = {{{hi[0] - lo[0], 0, 0}, {xy, hi[1] - lo[1], 0}, {xz, yz, hi[2] - lo[2]}}};
  r.structure.pbc = {true, true, shape != Shape::slab};
  std::ifstream atoms(dir / "atoms.txt");
  std::string line;
  for (int i = 0; i < 9 && std::getline(atoms, line);) ++i;  // the dump's header
  int id, type;
  double x[3], f[3], e, s[6];
  while (atoms >> id >> type >> x[0] >> x[1] >> x[2] >> f[0] >> f[1] >> f[2] >> e >> s[0] >> s[1] >>
         s[2] >> s[3] >> s[4] >> s[5]) {
    r.structure.atomic_numbers.push_back(type == 1 ? 29 : 79);
    r.structure.positions.push_back({x[0] - lo[0], x[1] - lo[1], x[2] - lo[2]});
    r.forces.insert(r.forces.end(), f, f + 3);
    r.atom_energies.push_back(e);
    for (double v : s) r.atom_virials.push_back(-v / kNktv2p);  // stress/atom = -virial * nktv2p
  }
  return r;
}

// `equifuse eval` on the structure LAMMPS had, compared quantity by quantity.
void expect_equals_eval(const LammpsResult& lmp, const std::string& potential,
                        const std::string& head = "") {
  const auto model = load_potential(potential_path(potential), LoadOptions{.head = head});
  const AtomicGraph g =
      make_atomic_graph(lmp.structure, model->info().species, model->info().r_max);
  const PotentialOutput out = model->evaluate(g);
  const ForcesAndVirial fv = forces_and_virial(g, out.edge_gradients);
  ASSERT_EQ(lmp.forces.size(), fv.forces.size());
  EXPECT_NEAR(lmp.energy, out.energy, 1e-10 * std::abs(out.energy));
  for (std::size_t i = 0; i < lmp.atom_energies.size(); ++i)
    EXPECT_NEAR(lmp.atom_energies[i], out.node_energies[i], 1e-10) << "atom " << i + 1;
  for (std::size_t i = 0; i < fv.forces.size(); ++i)
    EXPECT_NEAR(lmp.forces[i], fv.forces[i], 1e-9) << "atom " << i / 3 + 1;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) EXPECT_NEAR(lmp.virial[a][b], fv.virial[a][b], 1e-8);
  const int order[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  for (std::size_t i = 0; i < lmp.structure.size(); ++i)
    for (int k = 0; k < 6; ++k)
      EXPECT_NEAR(lmp.atom_virials[6 * i + k],
                  fv.atomic_virials[9 * i + 3 * order[k][0] + order[k][1]], 1e-9)
          << "atom " << i + 1 << " component " << k;
}

struct Case {
  std::string potential;
  Shape shape;
  std::string shape_name;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.potential << " " << c.shape_name;
}

class LammpsPairStyleTest : public ::testing::TestWithParam<Case> {
 protected:
  std::string name(const std::string& what) const {
    return GetParam().potential + "-" + GetParam().shape_name + "-" + what;
  }
};

TEST_P(LammpsPairStyleTest, OneRankEqualsEval) {
  expect_equals_eval(run_single_point(name("np1"), GetParam().potential, GetParam().shape, 1, true),
                     GetParam().potential);
}

TEST_P(LammpsPairStyleTest, OneRankNewtonOffEqualsEval) {
  expect_equals_eval(
      run_single_point(name("np1-off"), GetParam().potential, GetParam().shape, 1, false),
      GetParam().potential);
}

TEST_P(LammpsPairStyleTest, TwoRanksEqualEval) {
  expect_equals_eval(run_single_point(name("np2"), GetParam().potential, GetParam().shape, 2, true),
                     GetParam().potential);
  // Streamed edges in blocks of one receiver (`memory 1KB`), against eval's one block.
  SCOPED_TRACE("memory 1KB");
  expect_equals_eval(run_single_point(name("np2-streamed"), GetParam().potential, GetParam().shape,
                                      2, true, "", " memory 1KB"),
                     GetParam().potential);
}

// Three slabs of 3.7 Angstrom along x: thinner than r_max (4.5 Angstrom for MACE, 6 for NequIP),
// so that ghosts come from ranks two slabs away; with `comm layer` (the default) and with `comm
// shell` (a shell of K * r_max).
TEST_P(LammpsPairStyleTest, ThreeThinSubdomainsEqualEval) {
  for (bool newton : {true, false}) {
    if (!newton && !kNewtonOffOnSeveralRanks) continue;
    SCOPED_TRACE(newton ? "newton on" : "newton off");
    expect_equals_eval(run_single_point(name(newton ? "np3" : "np3-off"), GetParam().potential,
                                        GetParam().shape, 3, newton, "processors 3 1 1"),
                       GetParam().potential);
  }
  SCOPED_TRACE("comm shell");
  expect_equals_eval(run_single_point(name("np3-shell"), GetParam().potential, GetParam().shape, 3,
                                      true, "processors 3 1 1", " comm shell"),
                     GetParam().potential);
}

// comm_style tiled with recursive bisection moves the layer exchange's rows as brick does.
TEST_P(LammpsPairStyleTest, TiledCommunicationEqualsEval) {
  if (GetParam().shape != Shape::alloy) GTEST_SKIP() << "one shape suffices";
  expect_equals_eval(run_single_point(name("np3-tiled"), GetParam().potential, GetParam().shape, 3,
                                      true, "comm_style tiled", "", 0, "balance 1.0 rcb"),
                     GetParam().potential);
}

// Inside pair_style hybrid/overlay (beside a zero style) on 2 ranks: LAMMPS sizes its buffers by
// the hybrid's communication sizes, which equifuse raises to its own.
TEST_P(LammpsPairStyleTest, HybridOverlayOnTwoRanksEqualsEval) {
  if (GetParam().shape != Shape::alloy) GTEST_SKIP() << "one shape suffices";
  const std::string pair = "plugin load " EQUIFUSE_PLUGIN
                           "\npair_style hybrid/overlay equifuse "
                           "zero 3.0\npair_coeff * * equifuse " +
                           potential_path(GetParam().potential) + " Cu Au\npair_coeff * * zero\n";
  expect_equals_eval(run_single_point(name("np2-hybrid"), GetParam().potential, GetParam().shape, 2,
                                      true, "", "", 0, "", pair),
                     GetParam().potential);
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, LammpsPairStyleTest,
                         ::testing::Values(Case{"cuau-mace-small", Shape::alloy, "alloy"},
                                           Case{"cuau-mace-small", Shape::triclinic, "triclinic"},
                                           Case{"cuau-mace-small", Shape::slab, "slab"},
                                           Case{"cuau-nequip-small", Shape::alloy, "alloy"},
                                           Case{"cuau-nequip-small", Shape::triclinic, "triclinic"},
                                           Case{"cuau-nequip-small", Shape::slab, "slab"}),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string n = param_info.param.potential.substr(
                               5, param_info.param.potential.find('-', 5) - 5);
                           return n + "_" + param_info.param.shape_name;
                         });

// Foundation architectures (tests/data/models/foundation; Cu and Au of their 89 elements) in an
// MD deck: a multi-head model with ZBL (MH-1's options, head picked by pair_style's keyword) and a
// Density-block model with ZBL (MPA-0's), 40 steps of NVE on 1 and 2 ranks, then equal to
// `equifuse eval` of the last step's structure. The fcc spacing is inside the Cu-Cu ZBL range.
struct FoundationCase {
  std::string model, head;
};

class LammpsFoundationModelTest : public ::testing::TestWithParam<FoundationCase> {};

TEST_P(LammpsFoundationModelTest, MdOnOneAndTwoRanksEqualsEval) {
  const FoundationCase& c = GetParam();
  const std::string potential = "foundation/" + c.model;
  const std::string args = c.head.empty() ? "" : " head " + c.head;
  const LammpsResult one = run_single_point("foundation-" + c.model + "-np1", potential,
                                            Shape::triclinic, 1, true, "", args, 40);
  expect_equals_eval(one, potential, c.head);
  const LammpsResult two = run_single_point("foundation-" + c.model + "-np2", potential,
                                            Shape::triclinic, 2, true, "", args, 40);
  expect_equals_eval(two, potential, c.head);
  // The two trajectories agree (summation order differs between decompositions only). Atom ids
  // depend on the decomposition create_atoms ran on: match atoms by position.
  const auto& a = one.structure;
  const auto& b = two.structure;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    double nearest = 1e300;
    std::size_t match = 0;
    for (std::size_t j = 0; j < b.size(); ++j) {
      double d2 = 0;
      for (int d = 0; d < 3; ++d) d2 += std::pow(a.positions[i][d] - b.positions[j][d], 2);
      if (d2 < nearest) nearest = d2, match = j;
    }
    EXPECT_LT(std::sqrt(nearest), 1e-8) << "atom " << i + 1 << " of the 1-rank run";
    EXPECT_EQ(a.atomic_numbers[i], b.atomic_numbers[match]) << "atom " << i + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Foundation, LammpsFoundationModelTest,
                         ::testing::Values(FoundationCase{"mh1", "omat_pbe"},
                                           FoundationCase{"mpa0_medium", ""}),
                         [](const ::testing::TestParamInfo<FoundationCase>& param_info) {
                           return param_info.param.model;
                         });

// 200 steps of NVE at 600 K of the fcc alloy (108 atoms) on 3 ranks (thin slabs, `comm layer`)
// follow the 1-rank run step by step: energies and pressure every 10 steps agree to rounding (the
// decompositions sum in other orders; a wrong exchange shows at the first step).
class LammpsTrajectoryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LammpsTrajectoryTest, ThreeRanksFollowOneRankStepByStep) {
  const auto thermo = [&](int ranks) {
    const std::string deck =
        "units metal\natom_style atomic\n" + std::string(ranks > 1 ? "processors 3 1 1\n" : "") +
        "lattice fcc 3.7\nregion box block 0 3 0 3 0 3\ncreate_box 2 box\ncreate_atoms 1 box\n"
        "set type 1 type/fraction 2 0.3 12345\nmass 1 63.546\nmass 2 196.97\n" +
        pair_commands(GetParam()) +
        "velocity all create 600 4928 mom yes rot yes loop geom\nfix 1 all nve\n"
        "timestep 0.001\nthermo 10\nthermo_style custom step pe ke press\n"
        "fix t all print 10 \"$(step) $(pe:%.15g) $(ke:%.15g) $(press:%.15g)\" file thermo.txt "
        "screen no\nrun 200\n";
    const fs::path dir =
        run_lammps("trajectory-" + GetParam() + "-np" + std::to_string(ranks), deck, ranks);
    std::ifstream in(dir / "thermo.txt");
    std::string line;
    std::getline(in, line);  // fix print's title line
    std::vector<std::array<double, 4>> rows;
    std::array<double, 4> row{};
    while (in >> row[0] >> row[1] >> row[2] >> row[3]) rows.push_back(row);
    return rows;
  };
  const auto one = thermo(1), three = thermo(3);
  ASSERT_EQ(one.size(), 21u);
  ASSERT_EQ(three.size(), one.size());
  for (std::size_t k = 0; k < one.size(); ++k) {
    EXPECT_EQ(one[k][0], three[k][0]);
    EXPECT_NEAR(three[k][1], one[k][1], 1e-9 * std::abs(one[k][1])) << "pe, step " << one[k][0];
    EXPECT_NEAR(three[k][2], one[k][2], 1e-9 * std::abs(one[k][2]) + 1e-12)
        << "ke, step " << one[k][0];
    EXPECT_NEAR(three[k][3], one[k][3], 1e-7 * std::abs(one[k][3]) + 1e-6)
        << "press, step " << one[k][0];
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, LammpsTrajectoryTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param.substr(5, param_info.param.find('-', 5) - 5);
                         });

// Forces against central differences of LAMMPS's own energy (step 1e-4 Angstrom), on 2 ranks.
class LammpsFiniteDifferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LammpsFiniteDifferenceTest, ForcesAreMinusEnergyGradient) {
  std::string deck = "units metal\natom_style atomic\natom_modify map array\n" +
                     structure_commands(Shape::triclinic) + pair_commands(GetParam()) +
                     "thermo_style custom step pe\nvariable h equal 1e-4\n";
  const int atoms[] = {1, 40, 77};
  const char* axes[] = {"x", "y", "z"};
  for (int atom : atoms) {
    deck += "group probe" + std::to_string(atom) + " id " + std::to_string(atom) + "\n";
    for (int d = 0; d < 3; ++d) {
      const std::string g = "probe" + std::to_string(atom);
      std::string plus = d == 0 ? "${h} 0 0" : d == 1 ? "0 ${h} 0" : "0 0 ${h}";
      std::string minus2 = d == 0 ? "-$(2*v_h) 0 0" : d == 1 ? "0 -$(2*v_h) 0" : "0 0 -$(2*v_h)";
      deck += "run 0\nprint \"F $(f" + std::string(axes[d]) + "[" + std::to_string(atom) +
              "]:%.17g)\" append fd.txt\n";
      deck += "displace_atoms " + g + " move " + plus +
              " units box\nrun 0\nprint \"P $(pe:%.17g)\" append fd.txt\n";
      deck += "displace_atoms " + g + " move " + minus2 +
              " units box\nrun 0\nprint \"M $(pe:%.17g)\" append fd.txt\n";
      deck += "displace_atoms " + g + " move " + plus + " units box\n";
    }
  }
  const fs::path dir = run_lammps("fd-" + GetParam(), deck, 2);
  std::ifstream fd(dir / "fd.txt");
  std::string tag;
  double force = 0, plus = 0, minus = 0, value = 0;
  int checked = 0;
  while (fd >> tag >> value) {
    if (tag == "F") force = value;
    if (tag == "P") plus = value;
    if (tag == "M") {
      minus = value;
      // Central differences err by ~h^2/6 |d^3E/dx^3| ~ 1e-6 here; a wrong force by far more.
      EXPECT_NEAR(force, -(plus - minus) / 2e-4, 1e-5) << "check " << checked;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9);
}

// NVE: total energy stays within a bound over 2000 steps of 1 fs at 600 K (32 atoms, 1 rank).
TEST_P(LammpsFiniteDifferenceTest, NveConservesEnergy) {
  const std::string deck =
      "units metal\natom_style atomic\nlattice fcc 3.7\nregion box block 0 2 0 2 0 2\n"
      "create_box 2 box\ncreate_atoms 1 box\nset type 1 type/fraction 2 0.3 12345\n"
      "mass 1 63.546\nmass 2 196.97\n" +
      pair_commands(GetParam()) +
      "velocity all create 600 4928 mom yes rot yes\nfix 1 all nve\ntimestep 0.001\n"
      "thermo_style custom step etotal\nthermo_modify format float %.12f\n"
      "variable e equal etotal\nfix e all print 20 \"${e}\" file energy.txt screen no\n"
      "run 2000\n";
  const fs::path dir = run_lammps("nve-" + GetParam(), deck, 1);
  std::ifstream in(dir / "energy.txt");
  std::string line;
  std::getline(in, line);  // fix print's title line
  double e0 = 0, e = 0, worst = 0;
  int samples = 0;
  while (in >> e) {
    if (samples++ == 0) e0 = e;
    worst = std::max(worst, std::abs(e - e0));
  }
  EXPECT_GE(samples, 100);
  // 32 atoms at 600 K: kinetic energy ~2.5 eV; a force that is not -dE/dr drifts by far more.
  EXPECT_LT(worst / 32, 1e-4) << "largest |E(t) - E(0)| per atom";
  std::printf("NVE, 2000 steps: largest |E(t) - E(0)| = %.3g eV (%.3g eV/atom)\n", worst,
              worst / 32);
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, LammpsFiniteDifferenceTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param.substr(5, param_info.param.find('-', 5) - 5);
                         });

}  // namespace
}  // namespace equifuse
