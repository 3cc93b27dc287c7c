// Awkward geometry, with the shipped MACE and NequIP potentials: coincident and nearly coincident
// atoms are an error naming both (never NaN or Inf), non-finite positions and cells are refused,
// atoms far outside the cell give the results of their wrapped positions, and isolated atoms,
// mixed periodicity, extreme triclinic tilts and cells much smaller than the cutoff give the
// results of an equivalent plain structure. An element of the potential with no atoms, mixed
// periodicity (a slab), an isolated atom and a one-atom cell smaller than the cutoff are also
// checked against the upstream packages (test_upstream_models.cpp); the last test here checks that
// those references still contain such structures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>

#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/extxyz.hpp"
#include "tests/support/test_support.hpp"

namespace equifuse {
namespace {

using Vec3 = std::array<double, 3>;

std::string shipped(const std::string& name) {
  return std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + name + ".eqf";
}

AtomicStructure reference_structure(const std::string& potential, const std::string& name) {
  return read_extxyz(std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/shipped/structures/" +
                     potential + "-" + name + ".extxyz")
      .at(0);
}

struct Result {
  double energy = 0;
  std::vector<double> forces;  // [n][3]
  Matrix3 virial{};
};

Result evaluate(const Potential& p, const AtomicStructure& s) {
  const AtomicGraph graph = make_atomic_graph(s, p.info().species, p.info().r_max);
  const PotentialForces out = p.evaluate_forces(graph);
  return {out.energy, out.forces.forces, out.forces.virial};
}

// |a - b| <= tolerance * max(1, |b|) for energy, every force and virial component.
void expect_same(const Result& a, const Result& b, double tolerance) {
  EXPECT_NEAR(a.energy, b.energy, tolerance * std::max(1.0, std::abs(b.energy)));
  ASSERT_EQ(a.forces.size(), b.forces.size());
  for (std::size_t i = 0; i < a.forces.size(); ++i)
    EXPECT_NEAR(a.forces[i], b.forces[i], tolerance) << "atom " << i / 3 + 1;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      EXPECT_NEAR(a.virial[r][c], b.virial[r][c],
                  tolerance * std::max(1.0, std::abs(b.virial[r][c])));
}

void expect_finite(const Result& r) {
  EXPECT_TRUE(std::isfinite(r.energy));
  for (double f : r.forces) EXPECT_TRUE(std::isfinite(f));
  for (const auto& row : r.virial)
    for (double v : row) EXPECT_TRUE(std::isfinite(v));
}

using testing::error_of;

Vec3 lattice_point(const AtomicStructure& s, const std::array<double, 3>& n) {
  Vec3 r{};
  for (int d = 0; d < 3; ++d)
    for (int k = 0; k < 3; ++k) r[k] += n[d] * s.cell[d][k];
  return r;
}

class GeometryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { potential_ = load_potential(shipped(GetParam())); }
  AtomicStructure structure(const std::string& name) const {
    return reference_structure(GetParam(), name);
  }
  // The conventional fcc cell (3.7 Angstrom, 4 atoms, both elements), displaced: small, so that
  // the tests that evaluate it many times stay quick under the sanitizers.
  AtomicStructure rattled_fcc_cell() const {
    AtomicStructure s;
    s.cell = {{{3.7, 0, 0}, {0, 3.7, 0}, {0, 0, 3.7}}};
    s.pbc = {true, true, true};
    const auto& species = potential_->info().species;
    s.atomic_numbers = {species.front(), species.back(), species.front(), species.front()};
    s.positions = {{{0.1, -0.05, 0.02}}, {{1.9, 1.8, -0.1}}, {{1.8, 0.07, 1.87}}, {{0, 1.9, 1.8}}};
    return s;
  }
  std::unique_ptr<Potential> potential_;
};

TEST_P(GeometryTest, CoincidentAtomsAreAnErrorNamingBoth) {
  AtomicStructure s = structure("cluster");
  s.positions[4] = s.positions[1];  // atoms 2 and 5
  const std::string message = error_of([&] { evaluate(*potential_, s); });
  EXPECT_NE(message.find("atoms 2 and 5 are 0 Angstrom apart, closer than 0.0001 Angstrom"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("remove one of them or move them apart"), std::string::npos) << message;
  // Closer than the threshold, not quite coincident.
  s.positions[4][0] += 5e-5;
  EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("atoms 2 and 5 are 5e-05 Angstrom"),
            std::string::npos);
}

TEST_P(GeometryTest, AtomOnAPeriodicImageOfAnotherIsAnError) {
  AtomicStructure s = structure("fcc_rattled");
  const Vec3 shift = lattice_point(s, {1, -2, 3});
  for (int k = 0; k < 3; ++k) s.positions[6][k] = s.positions[2][k] + shift[k];  // atoms 3 and 7
  EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("atoms 3 and 7 are"),
            std::string::npos);
}

// Just outside the threshold the models are finite in both precisions (1/r and r/|r| terms).
TEST_P(GeometryTest, NearlyCoincidentAtomsBeyondTheThresholdAreFinite) {
  AtomicStructure s = structure("cluster");
  s.positions[4] = s.positions[1];
  s.positions[4][2] += 2 * kMinimumAtomDistance;
  for (Precision precision : {Precision::float64, Precision::float32}) {
    SCOPED_TRACE(to_string(precision));
    expect_finite(evaluate(*load_potential(shipped(GetParam()), precision), s));
  }
}

TEST_P(GeometryTest, NonFinitePositionsAndCellsAreRefused) {
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    AtomicStructure s = structure("fcc_rattled");
    s.positions[3][1] = bad;
    EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("atom 4 has the position"),
              std::string::npos);
    EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("must be a finite number"),
              std::string::npos);
    s = structure("fcc_rattled");
    s.cell[2][0] = bad;
    EXPECT_NE(
        error_of([&] { evaluate(*potential_, s); }).find("cell entry 1 of lattice vector 3 is"),
        std::string::npos);
  }
}

// Every atom moved by a random lattice vector of up to 1000 cells (periodic directions only):
// the results of the wrapped structure, as LAMMPS (remap) and ASE (wrap) see it.
TEST_P(GeometryTest, AtomsFarOutsideTheCellAreWrapped) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> cells(-1000, 1000);
  for (const AtomicStructure& s : {rattled_fcc_cell(), structure("slab_pbc_xy")}) {
    AtomicStructure far = s;
    for (auto& r : far.positions) {
      const Vec3 shift =
          lattice_point(s, {s.pbc[0] ? cells(rng) * 1.0 : 0, s.pbc[1] ? cells(rng) * 1.0 : 0,
                            s.pbc[2] ? cells(rng) * 1.0 : 0});
      for (int k = 0; k < 3; ++k) r[k] += shift[k];
    }
    // Positions of ~10^4 Angstrom keep ~1e-12 Angstrom: the results agree to about that.
    expect_same(evaluate(*potential_, far), evaluate(*potential_, s), 1e-8);
  }
}

// An atom more than 10^9 cells away (image shifts are ints) is an error naming it, not UB.
TEST_P(GeometryTest, AtomsBillionsOfCellsOutsideAreRefused) {
  AtomicStructure s = rattled_fcc_cell();
  s.positions[2][1] = -1e300;
  EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("atom 3 is -"), std::string::npos);
  EXPECT_NE(error_of([&] { evaluate(*potential_, s); })
                .find("cells outside the periodic cell along lattice vector 2 (at most 1e9 are "
                      "accepted)"),
            std::string::npos)
      << error_of([&] { evaluate(*potential_, s); });
}

// Atoms hundreds of Angstrom apart, in open space and in a large periodic box: each has its
// isolated-atom energy and no force (binning stores only occupied bins).
TEST_P(GeometryTest, IsolatedAtomsHaveTheirIsolatedEnergiesAndNoForce) {
  const auto& species = potential_->info().species;
  AtomicStructure lone;
  lone.positions = {{{0, 0, 0}}};
  std::vector<double> isolated;
  for (int z : species) {
    lone.atomic_numbers = {z};
    isolated.push_back(evaluate(*potential_, lone).energy);
  }
  AtomicStructure s;
  const std::vector<Vec3> at = {{0, 0, 0}, {250, 0, 0}, {0, 300, 40}, {-120, 80, 500}};
  double expected = 0;
  for (std::size_t a = 0; a < at.size(); ++a) {
    s.positions.push_back(at[a]);
    s.atomic_numbers.push_back(species[a % species.size()]);
    expected += isolated[a % species.size()];
  }
  for (bool periodic : {false, true}) {
    SCOPED_TRACE(periodic ? "in a 1000 Angstrom periodic box" : "open boundaries");
    if (periodic) {
      s.cell = {{{1000, 0, 0}, {0, 1000, 0}, {0, 0, 1000}}};
      s.pbc = {true, true, true};
    }
    const Result r = evaluate(*potential_, s);
    EXPECT_NEAR(r.energy, expected, 1e-12 * std::abs(expected));
    for (double f : r.forces) EXPECT_EQ(f, 0.0);
  }
}

// Periodic along some directions only: the same as fully periodic with the other lattice vectors
// stretched beyond the reach of any edge.
TEST_P(GeometryTest, MixedPeriodicityEqualsFullPeriodicityWithVacuum) {
  const AtomicStructure s = structure("slab_pbc_xy");
  for (const std::array<bool, 3> pbc :
       {std::array<bool, 3>{true, true, false}, {true, false, false}, {false, true, true}}) {
    SCOPED_TRACE(std::to_string(pbc[0]) + std::to_string(pbc[1]) + std::to_string(pbc[2]));
    AtomicStructure mixed = s, vacuum = s;
    mixed.pbc = pbc;
    vacuum.pbc = {true, true, true};
    for (int d = 0; d < 3; ++d)
      if (!pbc[d])
        for (int k = 0; k < 3; ++k) vacuum.cell[d][k] *= 20;  // > 100 Angstrom: no edge crosses
    // Atoms moved to the middle of the stretched cell along the open directions, where it does
    // not wrap them (a translation, which leaves the open-boundary results as they are).
    const Vec3 centre =
        lattice_point(vacuum, {pbc[0] ? 0 : 0.5, pbc[1] ? 0 : 0.5, pbc[2] ? 0 : 0.5});
    for (auto& r : vacuum.positions)
      for (int k = 0; k < 3; ++k) r[k] += centre[k];
    expect_same(evaluate(*potential_, vacuum), evaluate(*potential_, mixed), 1e-10);
  }
}

// Tilted cells of the same lattice give the same results: b' = b + m1 a, c' = c + m2 a + m3 b'.
// (7, -5, 9) is under half an Angstrom thick across two faces and (-30, 11, 40) thinner still
// (both searched in a reduced basis); (2, 0, 0) is a moderate tilt (searched over more images).
TEST_P(GeometryTest, ExtremeTriclinicTiltsEqualTheUntiltedCell) {
  const AtomicStructure s = rattled_fcc_cell();
  const Result untilted = evaluate(*potential_, s);
  const auto& a = s.cell[0];
  const auto& b = s.cell[1];
  const auto& c = s.cell[2];
  for (const auto& [m1, m2, m3] : {std::array<double, 3>{7, -5, 9}, {2, 0, 0}, {-30, 11, 40}}) {
    SCOPED_TRACE(std::to_string(m1) + " " + std::to_string(m2) + " " + std::to_string(m3));
    AtomicStructure tilted = s;
    for (int k = 0; k < 3; ++k) {
      tilted.cell[1][k] = b[k] + m1 * a[k];
      tilted.cell[2][k] = c[k] + m2 * a[k] + m3 * tilted.cell[1][k];
    }
    expect_same(evaluate(*potential_, tilted), untilted, 1e-10);
  }
}

// A two-atom cell about half the cutoff wide (many images) equals its 3x3x3 supercell, scaled.
TEST_P(GeometryTest, CellMuchSmallerThanTheCutoffEqualsItsSupercell) {
  AtomicStructure small;
  small.cell = {{{2.6, 0.1, 0}, {-0.3, 2.5, 0.2}, {0.4, 0.2, 2.7}}};
  small.pbc = {true, true, true};
  const auto& species = potential_->info().species;
  small.atomic_numbers = {species.front(), species.back()};
  small.positions = {{{0.1, 0.05, -0.02}}, {{1.2, 1.4, 1.25}}};
  AtomicStructure super;
  super.pbc = small.pbc;
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) super.cell[r][k] = 3 * small.cell[r][k];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int l = 0; l < 3; ++l)
        for (std::size_t a = 0; a < small.size(); ++a) {
          const Vec3 shift = lattice_point(small, {i * 1.0, j * 1.0, l * 1.0});
          super.atomic_numbers.push_back(small.atomic_numbers[a]);
          super.positions.push_back({small.positions[a][0] + shift[0],
                                     small.positions[a][1] + shift[1],
                                     small.positions[a][2] + shift[2]});
        }
  const Result one = evaluate(*potential_, small), many = evaluate(*potential_, super);
  Result scaled = one;
  scaled.energy *= 27;
  for (auto& row : scaled.virial)
    for (double& v : row) v *= 27;
  scaled.forces.clear();
  for (int copy = 0; copy < 27; ++copy)
    scaled.forces.insert(scaled.forces.end(), one.forces.begin(), one.forces.end());
  expect_same(many, scaled, 1e-9);
}

TEST_P(GeometryTest, DegenerateCellIsAnError) {
  AtomicStructure s = structure("primitive_cell");
  for (int k = 0; k < 3; ++k) s.cell[2][k] = s.cell[0][k] + 1e-3 * s.cell[2][k];  // nearly flat
  EXPECT_NE(error_of([&] { evaluate(*potential_, s); }).find("a degenerate cell"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, GeometryTest,
                         ::testing::Values("cuau-mace-small", "cuau-nequip-small"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param.substr(5, param_info.param.find('-', 5) - 5);
                         });

// The upstream comparison (test_upstream_models.cpp) covers these geometries: if the references
// are regenerated without them, this fails.
TEST(Geometry, UpstreamReferencesCoverTheAwkwardGeometries) {
  for (const char* potential : {"cuau-mace-small", "cuau-nequip-small"}) {
    SCOPED_TRACE(potential);
    const auto model = load_potential(shipped(potential));
    const AtomicStructure one_element = reference_structure(potential, "fcc_rattled");
    EXPECT_EQ(
        std::set<int>(one_element.atomic_numbers.begin(), one_element.atomic_numbers.end()).size(),
        1u);  // the potential has two
    EXPECT_EQ(model->info().species.size(), 2u);
    EXPECT_EQ(reference_structure(potential, "slab_pbc_xy").pbc,
              (std::array<bool, 3>{true, true, false}));
    const AtomicStructure isolated = reference_structure(potential, "isolated_atom");
    EXPECT_EQ(isolated.size(), 1u);
    EXPECT_FALSE(isolated.periodic());
    const AtomicStructure primitive = reference_structure(potential, "primitive_cell");
    EXPECT_EQ(primitive.size(), 1u);
    EXPECT_LT(std::cbrt(primitive.volume()), model->info().r_max / 1.5);
  }
}

}  // namespace
}  // namespace equifuse
