// Streamed edges (models/engine/edge_blocks.hpp): the models evaluated block by block, down to
// one receiver per block, equal the same models with every edge in one block (energies, per-atom
// energies, forces, virials, per-atom virials: 1e-12 relative in float64) for every model in
// tests/data and the shipped potentials, on the host and (where there is one) the GPU; and the
// model's peak working set per atom stays bounded as the system grows 8x.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/engine/memory_space.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/potential/model_options.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

const std::string kSource = EQUIFUSE_SOURCE_DIR;
const std::string kData = kSource + "/tests/data/models/";

struct StreamCase {
  std::string potential, structure, name;
  Backend backend;
};
void PrintTo(const StreamCase& c, std::ostream* out) {
  *out << c.name << (c.backend == Backend::cuda ? " cuda" : " cpu");
}

std::vector<StreamCase> stream_cases() {
  std::vector<StreamCase> models;
  for (const char* family : {"mace", "nequip", "foundation"}) {
    for (const auto& entry : std::filesystem::directory_iterator(kData + family)) {
      if (entry.path().extension() != ".eqf") continue;
      const std::string name = entry.path().stem().string();
      const std::string structure =
          kData + family + "/structures/" + name + "-triclinic_strained.extxyz";
      if (std::filesystem::exists(structure))
        models.push_back({entry.path().string(), structure, name, Backend::cpu});
    }
  }
  for (const char* name : {"cuau-mace-small", "cuau-nequip-small"}) {
    models.push_back({kSource + "/potentials/" + name + ".eqf",
                      kData + "shipped/structures/" + name + "-triclinic_strained.extxyz", name,
                      Backend::cpu});
  }
  std::sort(models.begin(), models.end(),
            [](const StreamCase& a, const StreamCase& b) { return a.name < b.name; });
  std::vector<StreamCase> cases = models;
  for (StreamCase c : models) {
    c.backend = Backend::cuda;
    cases.push_back(c);
  }
  return cases;
}

struct Evaluation {
  PotentialForces forces;
  std::size_t edges = 0, edge_bytes = 0;
};

Evaluation evaluate(const StreamCase& c, std::size_t edge_memory) {
  LoadOptions options;
  options.precision = Precision::float64;
  options.backend = c.backend;
  options.edge_memory = edge_memory;
  if (c.name == "mh1") options.head = "omat_pbe";  // of its six
  const auto potential = load_potential(c.potential, options);
  const AtomicStructure s = read_extxyz(c.structure).front();
  const AtomicGraph graph =
      make_atomic_graph(s, potential->info().species, potential->info().r_max);
  return {potential->evaluate_forces(graph), graph.num_edges(), potential->info().edge_bytes};
}

// max |a - b| / max |b|
double relative(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double scale = 0, worst = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    scale = std::max(scale, std::abs(b[i]));
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  return scale == 0 ? worst : worst / scale;
}

std::vector<double> flat(const Matrix3& m) {
  std::vector<double> out;
  for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
  return out;
}

class StreamedEdgesTest : public ::testing::TestWithParam<StreamCase> {};

TEST_P(StreamedEdgesTest, BlocksEqualOneBlock) {
  const StreamCase& c = GetParam();
  if (!backend_runs_here(c.backend)) GTEST_SKIP() << "no CUDA GPU (or no CUDA backend) here";
  const Evaluation whole = evaluate(c, 0);
  // 1 byte: one receiver per block; then blocks of about a tenth of the edges.
  for (const std::size_t memory : {std::size_t(1), whole.edge_bytes * (whole.edges / 10 + 1)}) {
    SCOPED_TRACE("edge memory " + std::to_string(memory) + " bytes");
    const Evaluation streamed = evaluate(c, memory);
    ASSERT_GT(whole.edges, memory / whole.edge_bytes + 1) << "the structure fits in one block";
    const PotentialForces& a = streamed.forces;
    const PotentialForces& b = whole.forces;
    EXPECT_LE(std::abs(a.energy - b.energy), 1e-12 * std::max(1.0, std::abs(b.energy)));
    EXPECT_LE(relative(a.node_energies, b.node_energies), 1e-12);
    EXPECT_LE(relative(a.forces.forces, b.forces.forces), 1e-12);
    EXPECT_LE(relative(flat(a.forces.virial), flat(b.forces.virial)), 1e-12);
    EXPECT_LE(relative(a.forces.atomic_virials, b.forces.atomic_virials), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, StreamedEdgesTest, ::testing::ValuesIn(stream_cases()),
                         [](const auto& test) {
                           std::string name =
                               test.param.name + "_" +
                               (test.param.backend == Backend::cuda ? "cuda" : "cpu");
                           for (char& ch : name)
                             if (std::isalnum(static_cast<unsigned char>(ch)) == 0) ch = '_';
                           return name;
                         });

// The memory option: a size with a binary unit (any case), or all; anything else is an error
// naming the text.
TEST(StreamedEdges, MemoryOptionTakesSizesWithUnits) {
  EXPECT_EQ(parse_edge_memory("all"), 0u);
  EXPECT_EQ(parse_edge_memory("1KB"), 1024u);
  EXPECT_EQ(parse_edge_memory("256MB"), 256u << 20);
  EXPECT_EQ(parse_edge_memory("64mib"), 64u << 20);
  EXPECT_EQ(parse_edge_memory("2G"), std::size_t(2) << 30);
  for (const char* bad : {"", "lots", "0MB", "5", "MB", "1.5GB", "1234567MB", "-1MB"}) {
    try {
      parse_edge_memory(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("memory \"") + bad + "\""),
                std::string::npos);
    }
  }
}

// An fcc Cu crystal of n^3 conventional cells (4 n^3 atoms), rattled so that no symmetry helps.
AtomicStructure fcc_copper(int n) {
  const double a = 3.61;
  AtomicStructure s;
  s.cell = {{{n * a, 0, 0}, {0, n * a, 0}, {0, 0, n * a}}};
  s.pbc = {true, true, true};
  const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  unsigned state = 7;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k)
        for (const auto& b : basis) {
          std::array<double, 3> p{(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a};
          for (double& x : p) {
            state = state * 1103515245u + 12345u;
            x += 0.05 * (static_cast<double>(state >> 16 & 0x7fff) / 0x7fff - 0.5);
          }
          s.positions.push_back(p);
          s.atomic_numbers.push_back(29);
        }
  return s;
}

// The peak bytes per atom of one evaluation above what outlives it (weights), in the model's
// memory space.
double peak_bytes_per_atom(const Potential& potential, const AtomicStructure& s) {
  const AtomicGraph graph = make_atomic_graph(s, potential.info().species, potential.info().r_max);
  const MemorySpace space = potential.memory_space();
  const std::size_t before = memory_use(space).in_use;
  reset_peak_memory(space);
  const PotentialForces forces = potential.evaluate_forces(graph);
  EXPECT_TRUE(std::isfinite(forces.energy));
  return static_cast<double>(memory_use(space).peak_in_use - before) /
         static_cast<double>(s.size());
}

// The shipped MACE in float32 with 4 MiB blocks, 256 and 2,048 atoms (42 edges per atom): the
// working set per atom must not grow, and stays under 40 KB per atom (13 KB measured). Before
// streamed edges the model kept every layer's per-edge MLP weights, activations and spherical
// harmonics to the backward: 277 MiB at 2,048 atoms, 140 KB per atom (equifuse eval --repeat 1
// of commit b7353b1 on the same crystal).
TEST(StreamedEdges, WorkingSetPerAtomStaysBounded) {
  LoadOptions options;
  options.precision = Precision::float32;
  options.edge_memory = std::size_t(4) << 20;
  const auto potential = load_potential(kSource + "/potentials/cuau-mace-small.eqf", options);
  const double small = peak_bytes_per_atom(*potential, fcc_copper(4));
  const double large = peak_bytes_per_atom(*potential, fcc_copper(8));
  std::printf("peak working set: %.0f bytes per atom at 256 atoms, %.0f at 2048\n", small, large);
  EXPECT_LE(large, small * 1.05) << "the working set per atom grows with the system";
  EXPECT_LE(large, 40e3);
}

}  // namespace
}  // namespace equifuse
