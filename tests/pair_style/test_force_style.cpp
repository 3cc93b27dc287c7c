// pair_style equifuse in the manner of LAMMPS's unittest/force-styles: a YAML reference per
// shipped potential (force-styles/<potential>.yaml: energy, virial and forces of data.cuau at the
// start and after 4 steps of NVE) that every way of running reproduces: newton on and off, 2 and 4
// ranks of which some own no atom, after write_data/read_data and write_restart/read_restart
// (pair_coeff given again), inside pair_style hybrid/overlay with zbl, and next to a second
// equifuse instance of another potential and precision. In every run compute pe/atom sums to the
// energy and compute stress/atom to the virial; after delete_atoms, lost atoms (thermo_modify
// lost ignore) and fix box/relax, LAMMPS's results are `equifuse eval`'s for the structure it
// then has. The reference itself equals `equifuse eval`, so it cannot go stale unnoticed.
// EQUIFUSE_FORCE_STYLE_GENERATE=1 rewrites the references (with pair_style equifuse).
// None of these cases needs node features exchanged layer by layer between ranks: the ghost
// shell carries every hop (docs/lammps.md).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "tests/pair_style/force_style_reference.hpp"
#include "tests/pair_style/lammps_runner.hpp"

namespace equifuse {
namespace {

using lammps_testing::ForceStyleReference;
using lammps_testing::kNewtonOffOnSeveralRanks;
using lammps_testing::kNktv2p;
using lammps_testing::kPairStyle;
using lammps_testing::pair_commands;
using lammps_testing::potential_path;
using lammps_testing::run_lammps;
namespace fs = std::filesystem;

const std::string kFolder = std::string(EQUIFUSE_SOURCE_DIR) + "/tests/pair_style/force-styles/";
constexpr double kEpsilon = 1e-9;  // every double-precision comparison: |a - b| <= eps max(1, |b|)

std::string reference_path(const std::string& potential) {
  return kFolder + potential + ".yaml";
}

// A LAMMPS input built step by step; snapshot() records the last step's totals and atoms.
class Deck {
 public:
  explicit Deck(const std::string& newton) { start(newton); }
  void start(const std::string& newton) {
    text_ += "units metal\natom_style atomic\nnewton " + newton + "\n";
  }
  Deck& add(const std::string& commands) {
    text_ += commands + "\n";
    return *this;
  }
  // The pair style (`pair_lines`: plugin load, pair_style, pair_coeff, computes of its own), the
  // per-atom sums and the virial pressure, kept current on every run's last step by thermo
  // output, with `extra` thermo values (sub-style energies) recorded by snapshot() as well.
  Deck& pair(const std::string& pair_lines, const std::vector<std::string>& extra = {}) {
    extra_ = extra;
    text_ += pair_lines +
             "compute pe all pe/atom\ncompute st all stress/atom NULL virial\n"
             "compute pe_sum all reduce sum c_pe\n"
             "compute st_sum all reduce sum c_st[1] c_st[2] c_st[3] c_st[4] c_st[5] c_st[6]\n"
             "compute p all pressure NULL virial\nthermo_style custom step pe c_pe_sum";
    for (int k = 1; k <= 6; ++k) text_ += " c_st_sum[" + std::to_string(k) + "]";
    for (int k = 1; k <= 6; ++k) text_ += " c_p[" + std::to_string(k) + "]";
    for (const std::string& value : extra_) text_ += " " + value;
    text_ += "\n";
    return *this;
  }
  Deck& snapshot(const std::string& label) {
    text_ += "write_dump all custom " + label +
             ".dump id type x y z fx fy fz modify sort id format float %.17g\nprint \"";
    std::vector<std::string> values = {"pe", "c_pe_sum"};
    for (int k = 1; k <= 6; ++k) values.push_back("c_st_sum[" + std::to_string(k) + "]");
    for (int k = 1; k <= 6; ++k) values.push_back("c_p[" + std::to_string(k) + "]");
    for (const char* box : {"vol", "xlo", "xhi", "ylo", "yhi", "zlo", "zhi", "xy", "xz", "yz"})
      values.push_back(box);
    values.insert(values.end(), extra_.begin(), extra_.end());
    for (const std::string& v : values) text_ += "$(" + v + ":%.17g) ";
    text_ += "$(atoms)\" file " + label + ".txt\n";
    return *this;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::string> extra_;
};

struct Atom {
  int type = 0;
  std::array<double, 3> x{}, f{};
};

// What snapshot() recorded. Virials in eV, LAMMPS's order (xx yy zz xy xz yz).
struct Snapshot {
  double energy = 0, pe_sum = 0, volume = 0;
  std::array<double, 6> virial{};
  std::array<double, 6> stress_sum{};  // -(sum of compute stress/atom) / nktv2p: the virial
  std::array<double, 3> lo{}, hi{};
  double xy = 0, xz = 0, yz = 0;
  std::vector<double> extra;
  long natoms = 0;
  std::map<int, Atom> atoms;  // by atom ID

  AtomicStructure structure(std::array<bool, 3> pbc) const {
    AtomicStructure s;
    s.cell = {{{hi[0] - lo[0], 0, 0}, {xy, hi[1] - lo[1], 0}, {xz, yz, hi[2] - lo[2]}}};
    s.pbc = pbc;
    for (const auto& [id, a] : atoms) {
      s.atomic_numbers.push_back(a.type == 1 ? 29 : 79);
      s.positions.push_back({a.x[0] - lo[0], a.x[1] - lo[1], a.x[2] - lo[2]});
    }
    return s;
  }
  // An atom's fractional coordinate along the first lattice vector (LAMMPS's lamda x).
  double fraction_x(const Atom& a) const {
    const double lz = (a.x[2] - lo[2]) / (hi[2] - lo[2]);
    const double ly = (a.x[1] - lo[1] - yz * lz) / (hi[1] - lo[1]);
    return (a.x[0] - lo[0] - xy * ly - xz * lz) / (hi[0] - lo[0]);
  }
};

Snapshot read_snapshot(const fs::path& dir, const std::string& label, std::size_t extras = 0) {
  Snapshot s;
  std::ifstream totals(dir / (label + ".txt"));
  std::array<double, 6> pressure{};
  totals >> s.energy >> s.pe_sum;
  for (double& v : s.stress_sum) totals >> v;
  for (double& v : pressure) totals >> v;
  totals >> s.volume >> s.lo[0] >> s.hi[0] >> s.lo[1] >> s.hi[1] >> s.lo[2] >> s.hi[2] >> s.xy >>
      s.xz >> s.yz;
  s.extra.resize(extras);
  for (double& v : s.extra) totals >> v;
  totals >> s.natoms;
  EXPECT_TRUE(totals) << "no complete " << label << ".txt in " << dir;
  for (int k = 0; k < 6; ++k) {
    s.virial[k] = pressure[k] * s.volume / kNktv2p;  // the virial pressure is W / V * nktv2p
    s.stress_sum[k] = -s.stress_sum[k] / kNktv2p;    // stress/atom is -W_i * nktv2p
  }
  std::ifstream dump(dir / (label + ".dump"));
  std::string line;
  for (int i = 0; i < 9 && std::getline(dump, line); ++i) {
  }
  int id = 0;
  Atom a;
  while (dump >> id >> a.type >> a.x[0] >> a.x[1] >> a.x[2] >> a.f[0] >> a.f[1] >> a.f[2])
    s.atoms[id] = a;
  EXPECT_EQ(static_cast<long>(s.atoms.size()), s.natoms) << label << ".dump in " << dir;
  return s;
}

void expect_near(double value, double reference, double tolerance, const std::string& what) {
  EXPECT_NEAR(value, reference, tolerance * std::max(1.0, std::abs(reference))) << what;
}

// Per-atom energies sum to the energy, per-atom virials to the virial.
void expect_per_atom_sums(const Snapshot& s) {
  expect_near(s.pe_sum, s.energy, kEpsilon, "sum of compute pe/atom");
  for (int k = 0; k < 6; ++k)
    expect_near(s.stress_sum[k], s.virial[k], kEpsilon,
                "sum of compute stress/atom, component " + std::to_string(k));
}

// Energy, virial and forces of the reference's `phase` (init, run), to `tolerance`.
void expect_reference(const Snapshot& s, const ForceStyleReference& ref, const std::string& phase,
                      double tolerance = kEpsilon) {
  expect_near(s.energy, ref.number(phase + "_vdwl"), tolerance, phase + "_vdwl");
  const std::vector<double> stress = ref.numbers(phase + "_stress");
  ASSERT_EQ(stress.size(), 6u);
  for (int k = 0; k < 6; ++k)
    expect_near(s.virial[k], stress[k], tolerance, phase + "_stress " + std::to_string(k));
  const auto forces = ref.forces(phase + "_forces");
  ASSERT_EQ(forces.size(), s.atoms.size()) << phase + "_forces";
  for (const auto& [id, f] : forces)
    for (int k = 0; k < 3; ++k)
      expect_near(s.atoms.at(id).f[k], f[k], tolerance,
                  phase + "_forces of atom " + std::to_string(id));
}

// `equifuse eval` of the structure LAMMPS had: energy, virial, forces.
void expect_equals_eval(const Snapshot& s, const std::string& potential,
                        std::array<bool, 3> pbc = {true, true, true}) {
  const auto model = load_potential(potential_path(potential));
  const AtomicStructure structure = s.structure(pbc);
  const PotentialForces out = model->evaluate_forces(
      make_atomic_graph(structure, model->info().species, model->info().r_max));
  expect_near(s.energy, out.energy, kEpsilon, "energy against equifuse eval");
  const int order[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  for (int k = 0; k < 6; ++k)
    expect_near(s.virial[k], out.forces.virial[order[k][0]][order[k][1]], kEpsilon,
                "virial against equifuse eval");
  std::size_t i = 0;
  for (const auto& [id, a] : s.atoms) {
    for (int k = 0; k < 3; ++k)
      expect_near(a.f[k], out.forces.forces[3 * i + k], kEpsilon,
                  "force against equifuse eval, atom " + std::to_string(id));
    ++i;
  }
}

const std::string kReadData = "read_data " + kFolder + "data.cuau";
const std::string kRunFour = "fix nve all nve\ntimestep 0.001\nrun 4";

// The reference from the runs of InitRunAndDeleteAtoms (pair_style equifuse, one rank).
void write_reference(const std::string& potential, const fs::path& dir, const Snapshot& init,
                     const Snapshot& run) {
  ForceStyleReference ref;
  const std::string log = lammps_testing::read_text(dir / "log.lammps");
  const auto open = log.find('('), close = log.find(')');
  std::time_t now = std::time(nullptr);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  ref.set("lammps_version", log.substr(open + 1, close - open - 1));
  ref.set("date_generated", date);
  ref.set("epsilon", "1e-9");  // kEpsilon
  ref.set("prerequisites", "atom atomic\npair equifuse\n");
  ref.set("pre_commands", "");
  ref.set("post_commands", "fix nve all nve\ntimestep 0.001\n");
  ref.set("input_file", "data.cuau");
  ref.set("pair_style", "equifuse");
  ref.set("pair_coeff", "* * " + potential + ".eqf Cu Au\n");
  ref.set("extract", "");
  ref.set("natoms", std::to_string(init.natoms));
  for (const auto& [phase, s] : {std::pair{"init", &init}, std::pair{"run", &run}}) {
    const std::string p = phase;
    ref.set(p + "_vdwl", ForceStyleReference::format(s->energy));
    ref.set(p + "_coul", "0");
    std::string stress, forces;
    for (double v : s->virial)
      stress += (stress.empty() ? "" : " ") + ForceStyleReference::format(v);
    for (const auto& [id, a] : s->atoms)
      forces += std::to_string(id) + " " + ForceStyleReference::format(a.f[0]) + " " +
                ForceStyleReference::format(a.f[1]) + " " + ForceStyleReference::format(a.f[2]) +
                "\n";
    ref.set(p + "_stress", stress + "\n");
    ref.set(p + "_forces", forces);
  }
  ref.write(reference_path(potential));
}

class ForceStyleTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& potential() const { return GetParam(); }
  ForceStyleReference reference() const {
    return ForceStyleReference::read(reference_path(potential()));
  }
  std::string name(const std::string& what) const {
    return "force-style-" + potential() + "-" + what;
  }
};

// One rank, newton on: the reference at the start and after 4 steps; then 3 atoms deleted.
TEST_P(ForceStyleTest, InitRunAndDeleteAtoms) {
  Deck deck("on");
  deck.add(kReadData).pair(pair_commands(potential())).add("run 0").snapshot("init");
  deck.add(kRunFour).snapshot("run");
  deck.add("group gone id 3 11 20\ndelete_atoms group gone compress no\nrun 0").snapshot("deleted");
  const fs::path dir = run_lammps(name("init"), deck.text(), 1);
  const Snapshot init = read_snapshot(dir, "init"), run = read_snapshot(dir, "run"),
                 deleted = read_snapshot(dir, "deleted");
  // The style is tested first: with a constant style the compiler may fold the condition and
  // warn that getenv's result is discarded (g++ 13 with Ubuntu's fortified glibc did).
  if (kPairStyle == "equifuse" && std::getenv("EQUIFUSE_FORCE_STYLE_GENERATE") != nullptr)
    write_reference(potential(), dir, init, run);
  const ForceStyleReference ref = reference();
  EXPECT_EQ(init.natoms, std::stol(ref.text("natoms")));
  expect_reference(init, ref, "init");
  expect_reference(run, ref, "run");
  expect_equals_eval(init, potential());  // the reference is equifuse eval's
  EXPECT_EQ(deleted.natoms, init.natoms - 3);
  expect_equals_eval(deleted, potential());
  for (const Snapshot* s : {&init, &run, &deleted}) expect_per_atom_sums(*s);
}

TEST_P(ForceStyleTest, NewtonOff) {
  Deck deck("off");
  deck.add(kReadData).pair(pair_commands(potential())).add("run 0").snapshot("init");
  deck.add(kRunFour).snapshot("run");
  const fs::path dir = run_lammps(name("newton-off"), deck.text(), 1);
  const ForceStyleReference ref = reference();
  for (const char* phase : {"init", "run"}) {
    const Snapshot s = read_snapshot(dir, phase);
    expect_reference(s, ref, phase);
    expect_per_atom_sums(s);
  }
}

// 2 and 4 ranks split along x: the slab fills the first half of the box, so that 1 and 2 ranks
// own no atom (checked). With 4 ranks newton off too where the style allows it.
TEST_P(ForceStyleTest, RanksThatOwnNoAtom) {
  const ForceStyleReference ref = reference();
  for (const int ranks : {2, 4}) {
    const std::string newton = ranks == 4 && kNewtonOffOnSeveralRanks ? "off" : "on";
    SCOPED_TRACE(std::to_string(ranks) + " ranks, newton " + newton);
    Deck deck(newton);
    deck.add("processors " + std::to_string(ranks) + " 1 1").add(kReadData);
    deck.pair(pair_commands(potential())).add("run 0").snapshot("init");
    deck.add(kRunFour).snapshot("run");
    const fs::path dir = run_lammps(name(std::to_string(ranks) + "-ranks"), deck.text(), ranks);
    for (const char* phase : {"init", "run"}) {
      const Snapshot s = read_snapshot(dir, phase);
      expect_reference(s, ref, phase);
      expect_per_atom_sums(s);
      for (const auto& [id, a] : s.atoms)
        EXPECT_LT(s.fraction_x(a), 0.5) << "atom " << id << " is not in the slab's half";
    }
  }
}

// write_data/read_data and write_restart/read_restart; pair_style and pair_coeff are given again
// (equifuse stores nothing in restart files).
TEST_P(ForceStyleTest, DataFileAndRestart) {
  Deck deck("on");
  deck.add(kReadData).pair(pair_commands(potential())).add("run 0");
  deck.add("write_data cuau.data\nwrite_restart cuau.restart\nclear");
  deck.start("on");
  deck.add("read_data cuau.data").pair(pair_commands(potential())).add("run 0").snapshot("data");
  deck.add("clear\nread_restart cuau.restart").pair(pair_commands(potential()));
  deck.add("run 0").snapshot("restart");
  const fs::path dir = run_lammps(name("data-restart"), deck.text(), 1);
  const ForceStyleReference ref = reference();
  for (const char* label : {"data", "restart"}) {
    SCOPED_TRACE(label);
    const Snapshot s = read_snapshot(dir, label);
    expect_reference(s, ref, "init");
    expect_per_atom_sums(s);
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, ForceStyleTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param.substr(5, param_info.param.find('-', 5) - 5);
                         });

const std::string kMace = "cuau-mace-small", kNequip = "cuau-nequip-small";

std::string zbl_coeffs(const std::string& sub_style) {
  return "pair_coeff 1 1 " + sub_style + "29 29\npair_coeff 1 2 " + sub_style +
         "29 79\npair_coeff 2 2 " + sub_style + "79 79\n";
}

// pair_style hybrid/overlay equifuse zbl (how users add repulsion): the equifuse part is the
// reference, whole and as compute pair reports it; zbl's part is zbl's alone.
TEST(ForceStyleHybrid, OverlayWithZbl) {
  Deck deck("on");
  deck.add(kReadData);
  deck.pair(
      "plugin load " EQUIFUSE_PLUGIN
      "\npair_style hybrid/overlay equifuse zbl 2.0 3.0\n"
      "pair_coeff * * equifuse " +
          potential_path(kMace) + " Cu Au\n" + zbl_coeffs("zbl ") +
          "compute e_eq all pair equifuse\ncompute p_eq all pressure NULL pair/hybrid "
          "equifuse\n",
      {"c_e_eq", "c_p_eq[1]", "c_p_eq[2]", "c_p_eq[3]", "c_p_eq[4]", "c_p_eq[5]", "c_p_eq[6]"});
  deck.add("run 0").snapshot("hybrid");
  deck.add("clear").start("on");
  deck.add(kReadData)
      .pair("pair_style zbl 2.0 3.0\n" + zbl_coeffs(""))
      .add("run 0")
      .snapshot("zbl");
  const fs::path dir = run_lammps("force-style-hybrid-zbl", deck.text(), 1);
  const Snapshot hybrid = read_snapshot(dir, "hybrid", 7), zbl = read_snapshot(dir, "zbl");
  EXPECT_GT(std::abs(zbl.energy), 1e-3) << "zbl must contribute for the test to mean anything";
  const ForceStyleReference ref = ForceStyleReference::read(reference_path(kMace));
  expect_near(hybrid.extra[0], ref.number("init_vdwl"), kEpsilon, "compute pair equifuse");
  for (int k = 0; k < 6; ++k)
    expect_near(hybrid.extra[1 + k] * hybrid.volume / kNktv2p, ref.numbers("init_stress")[k],
                kEpsilon, "compute pressure pair/hybrid equifuse");
  Snapshot difference = hybrid;
  difference.energy -= zbl.energy;
  for (int k = 0; k < 6; ++k) difference.virial[k] -= zbl.virial[k];
  for (auto& [id, a] : difference.atoms)
    for (int k = 0; k < 3; ++k) a.f[k] -= zbl.atoms.at(id).f[k];
  expect_reference(difference, ref, "init");
  expect_per_atom_sums(hybrid);
}

// Two equifuse instances in one hybrid/overlay, of other potentials and precisions (MACE in
// float64, NequIP in float32): each is its reference, the whole their sum.
TEST(ForceStyleHybrid, TwoEquifuseInstances) {
  Deck deck("on");
  deck.add(kReadData);
  deck.pair("plugin load " EQUIFUSE_PLUGIN
            "\npair_style hybrid/overlay equifuse precision float64 equifuse precision float32\n"
            "pair_coeff * * equifuse 1 " +
                potential_path(kMace) +
                " Cu Au\n"
                "pair_coeff * * equifuse 2 " +
                potential_path(kNequip) +
                " Cu Au\n"
                "compute e1 all pair equifuse 1\ncompute e2 all pair equifuse 2\n",
            {"c_e1", "c_e2"});
  deck.add("run 0").snapshot("both");
  const fs::path dir = run_lammps("force-style-two-instances", deck.text(), 1);
  const Snapshot both = read_snapshot(dir, "both", 2);
  const ForceStyleReference mace = ForceStyleReference::read(reference_path(kMace));
  const ForceStyleReference nequip = ForceStyleReference::read(reference_path(kNequip));
  expect_near(both.extra[0], mace.number("init_vdwl"), kEpsilon, "MACE's part (float64)");
  expect_near(both.extra[1], nequip.number("init_vdwl"), 1e-5, "NequIP's part (float32)");
  expect_near(both.energy, both.extra[0] + both.extra[1], kEpsilon, "the sum");
  const auto mace_forces = mace.forces("init_forces"), nequip_forces = nequip.forces("init_forces");
  for (const auto& [id, a] : both.atoms)
    for (int k = 0; k < 3; ++k)
      EXPECT_NEAR(a.f[k], mace_forces.at(id)[k] + nequip_forces.at(id)[k], 1e-4) << "atom " << id;
  expect_per_atom_sums(both);
}

// fix box/relax (all six components) with conjugate gradients: the box and atoms relax to
// vanishing stress and forces, and the result is equifuse eval's for the relaxed structure.
TEST(ForceStyleMinimize, BoxRelax) {
  Deck deck("on");
  deck.add(
      "lattice fcc 3.75\nregion box block 0 2 0 2 0 2\ncreate_box 2 box\ncreate_atoms 1 box\n"
      "set type 1 type/fraction 2 0.3 12345\ndisplace_atoms all random 0.05 0.05 0.05 4321\n"
      "change_box all triclinic\nmass 1 63.546\nmass 2 196.97");
  deck.pair(pair_commands(kMace)).add("run 0").snapshot("start");
  deck.add(
          "fix relax all box/relax tri 0.0 vmax 0.01\nmin_style cg\nminimize 0 1e-3 200 2000\n"
          "unfix relax\nrun 0")
      .snapshot("relaxed");
  const fs::path dir = run_lammps("force-style-box-relax", deck.text(), 1);
  const Snapshot start = read_snapshot(dir, "start"), relaxed = read_snapshot(dir, "relaxed");
  EXPECT_LT(relaxed.energy, start.energy - 0.01);
  EXPECT_GT(std::abs(relaxed.volume / start.volume - 1), 1e-3) << "the box did not change";
  for (int k = 0; k < 6; ++k)
    EXPECT_LT(std::abs(relaxed.virial[k] / relaxed.volume * kNktv2p), 50.0)
        << "pressure component " << k << " (bar) after box/relax";
  for (const auto& [id, a] : relaxed.atoms)
    for (int k = 0; k < 3; ++k) EXPECT_LT(std::abs(a.f[k]), 1e-2) << "atom " << id;
  expect_equals_eval(relaxed, kMace);
  expect_per_atom_sums(relaxed);
}

// An atom leaves through a non-periodic face: with thermo_modify lost ignore the run goes on with
// one atom fewer, and the energy is that of the atoms left.
TEST(ForceStyleLostAtoms, ThermoModifyLostIgnore) {
  Deck deck("on");
  deck.add(kReadData).add("change_box all boundary f p p");
  deck.pair(pair_commands(kMace)).add("thermo_modify lost ignore");
  deck.add(
          "group leaving id 17\nvelocity leaving set -300 0 0 units box\n"
          "neigh_modify every 1 delay 0 check yes\n" +
          kRunFour + "\nrun 6")
      .snapshot("lost");
  const fs::path dir = run_lammps("force-style-lost-atoms", deck.text(), 1);
  const Snapshot lost = read_snapshot(dir, "lost");
  EXPECT_EQ(lost.natoms, 31);
  EXPECT_EQ(lost.atoms.count(17), 0u);
  expect_equals_eval(lost, kMace, {false, true, true});
  expect_per_atom_sums(lost);
}

}  // namespace
}  // namespace equifuse
