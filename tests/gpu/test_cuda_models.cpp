// The models on the CUDA engine: the model-layer kernel library compiles with NVRTC for sm_90
// (everywhere), and MACE and NequIP on the GPU equal themselves on the CPU (fp64 1e-10, fp32 1e-4
// relative) for every reference model and structure, ghost nodes included (skipped without a GPU).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/extxyz.hpp"
#ifdef EQUIFUSE_HAVE_CUDA
#include <random>

#include "kernels/convolution/convolution_graph.hpp"
#include "kernels/cuda/nvrtc_compiler.hpp"
#include "models/engine/cuda/model_kernel_program.hpp"
#include "tests/support/cuda_buffers.hpp"
#endif

namespace equifuse {
namespace {

// "<family>_<name>": tests/data/models/<family>/<family>_<name>; "foundation_<name>":
// tests/data/models/foundation/<name> (MH-1 on a head other than its first).
bool foundation(const std::string& model) {
  return model.rfind("foundation_", 0) == 0;
}
std::string data_dir(const std::string& model) {
  return std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" +
         model.substr(0, model.find('_')) + "/";
}
std::string file_name(const std::string& model) {
  return foundation(model) ? model.substr(11) : model;
}
LoadOptions options(const std::string& model, Precision precision, Backend backend) {
  return {.precision = precision,
          .backend = backend,
          .head = model == "foundation_mh1" ? "oc20_usemppbe" : ""};
}

TEST(NvrtcCompiles, ModelKernelsForSm90) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  for (const std::vector<int>& degrees : {std::vector<int>{0, 1}, std::vector<int>{0, 1, 2, 3}}) {
    for (Precision precision : {Precision::float32, Precision::float64}) {
      EXPECT_GT(compile_cuda_to_cubin(model_kernel_program({precision, degrees}), 90).size(),
                1000u);
    }
  }
#endif
}

// Before sm_80 the tensor-core dense layer compiles to its FFMA code (no mma.sync there).
TEST(NvrtcCompiles, ModelKernelsForSm75) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  EXPECT_GT(compile_cuda_to_cubin(model_kernel_program({Precision::float32, {0, 1}}), 75).size(),
            1000u);
#endif
}

double max_relative(const std::vector<double>& a, const std::vector<double>& b) {
  double scale = 1e-3, worst = 0;
  for (double v : b) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst / scale;
}

// The edge groupings built on the device equal ConvolutionGraph's on the host, for edges in random
// order, nodes without edges, and more nodes than one scan block holds.
TEST(DeviceGraph, GroupsEdgesLikeTheHost) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  if (!testing::have_gpu()) GTEST_SKIP() << "no CUDA GPU on this machine";
  const Engine gpu(Backend::cuda, {Precision::float64, {0, 1}});
  std::mt19937 random(7);
  for (std::size_t num_nodes : {1ul, 5ul, 3000ul}) {
    std::uniform_int_distribution<std::int32_t> node(
        0, static_cast<std::int32_t>(num_nodes / 2));  // half stay empty
    std::vector<std::int32_t> senders(num_nodes * 7), receivers(num_nodes * 7);
    for (auto& s : senders) s = node(random);
    for (auto& r : receivers) r = node(random) * 2 % static_cast<std::int32_t>(num_nodes);
    const ConvolutionGraph host(num_nodes, senders, receivers);
    AtomicGraph graph;
    graph.num_nodes = graph.num_local = num_nodes;
    graph.species.assign(num_nodes, 0);
    graph.senders = senders;
    graph.receivers = receivers;
    graph.edge_vectors.assign(3 * senders.size(), 1.0);
    const EngineGraph device = make_engine_graph(gpu, graph, 1, "test");
    EXPECT_EQ(gpu.download(device.receiver_offsets), host.receiver_offsets())
        << num_nodes << " nodes";
    EXPECT_EQ(gpu.download(device.receiver_edges), host.receiver_edges()) << num_nodes << " nodes";
    EXPECT_EQ(gpu.download(device.sender_offsets), host.sender_offsets()) << num_nodes << " nodes";
    EXPECT_EQ(gpu.download(device.sender_edges), host.sender_edges()) << num_nodes << " nodes";
  }
#endif
}

class CudaModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaModelTest, MatchesCpu) {
#ifndef EQUIFUSE_HAVE_CUDA
  GTEST_SKIP() << "this build has no CUDA backend";
#else
  if (!testing::have_gpu()) GTEST_SKIP() << "no CUDA GPU on this machine";
  for (Precision precision : {Precision::float64, Precision::float32}) {
    const double tolerance = precision == Precision::float64 ? 1e-10 : 1e-4;
    const std::string file = data_dir(GetParam()) + file_name(GetParam());
    const auto cpu = load_potential(file + ".eqf", options(GetParam(), precision, Backend::cpu));
    const auto gpu = load_potential(file + ".eqf", options(GetParam(), precision, Backend::cuda));
    std::vector<std::string> names = {"fcc_rattled", "triclinic_strained", "cluster",
                                      "isolated_atom"};
    if (foundation(GetParam())) names.push_back("close_contact");
    for (const std::string& name : names) {
      const auto s = read_extxyz(data_dir(GetParam()) + "structures/" + file_name(GetParam()) +
                                 "-" + name + ".extxyz")
                         .at(0);
      AtomicGraph graph = make_atomic_graph(s, cpu->info().species, cpu->info().r_max);
      if (name == "cluster") graph.num_local = graph.num_nodes - 2;  // two "ghosts"
      const auto a = cpu->evaluate(graph);
      const auto b = gpu->evaluate(graph);
      EXPECT_LE(std::abs(a.energy - b.energy), tolerance * std::max(1.0, std::abs(a.energy)))
          << name;
      EXPECT_LE(max_relative(b.node_energies, a.node_energies), tolerance) << name;
      EXPECT_LE(max_relative(b.edge_gradients, a.edge_gradients), tolerance) << name;
      // Forces and virials summed on the device = the host sums of the CPU model's gradients.
      const ForcesAndVirial host = forces_and_virial(graph, a.edge_gradients);
      const PotentialForces device = gpu->evaluate_forces(graph);
      EXPECT_LE(std::abs(device.energy - b.energy), tolerance * std::max(1.0, std::abs(a.energy)))
          << name;
      EXPECT_LE(max_relative(device.forces.forces, host.forces), tolerance) << name;
      EXPECT_LE(max_relative(device.forces.atomic_virials, host.atomic_virials), tolerance) << name;
      std::vector<double> host_virial, device_virial;
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
          host_virial.push_back(host.virial[r][c]);
          device_virial.push_back(device.forces.virial[r][c]);
        }
      EXPECT_LE(max_relative(device_virial, host_virial), tolerance) << name;

      // The same graph handed over as device arrays (the Kokkos pair style's entry): the same
      // kernels on the same data, so forces equal bit for bit; energy and virial are summed on
      // the device in another order.
      ASSERT_EQ(gpu->memory_space(), MemorySpace::cuda);
      const Engine memory(Backend::cuda, {precision, {0}});
      const Buffer<std::int32_t> senders = memory.upload(graph.senders),
                                 receivers = memory.upload(graph.receivers);
      const Buffer<int> species = memory.upload(graph.species);
      const Buffer<double> vectors = memory.upload(graph.edge_vectors);
      const ResidentGraph resident_graph{graph.num_nodes, graph.num_local, graph.num_edges(),
                                         species.data(),  senders.data(),  receivers.data(),
                                         vectors.data()};
      const ResidentForces resident = gpu->evaluate_forces_resident(resident_graph);
      EXPECT_NEAR(resident.energy, device.energy, 1e-12 * std::max(1.0, std::abs(device.energy)))
          << name;
      EXPECT_EQ(memory.download(resident.node_energies), device.node_energies) << name;
      EXPECT_EQ(memory.download(resident.forces), device.forces.forces) << name;
      EXPECT_EQ(memory.download(resident.atomic_virials), device.forces.atomic_virials) << name;
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
          EXPECT_NEAR(resident.virial[r][c], device.forces.virial[r][c],
                      1e-12 * std::max(1.0, std::abs(device_virial[3 * r + c])))
              << name;  // Without the totals (MD steps where LAMMPS tallies neither): the same
                        // forces, no sums.
      const ResidentForces forces_only =
          gpu->evaluate_forces_resident(resident_graph, {.energy = false, .virial = false});
      EXPECT_EQ(forces_only.energy, 0.0) << name;
      EXPECT_EQ(forces_only.virial, Matrix3{}) << name;
      EXPECT_EQ(memory.download(forces_only.forces), device.forces.forces) << name;
    }
  }
#endif
}

INSTANTIATE_TEST_SUITE_P(
    Models, CudaModelTest,
    ::testing::Values("mace_l1_corr3_two_layers", "mace_scalar_corr2_one_layer",
                      "mace_l2_mixed_corr_plain_first", "mace_three_layers_corr1",
                      "nequip_l1_parity_resnet", "nequip_l2_three_species", "nequip_one_species_sc",
                      "foundation_mp0b_medium", "foundation_mpa0_medium", "foundation_omat0_small",
                      "foundation_mh1", "foundation_off23_large", "foundation_omol",
                      "foundation_gaussian_soft_last_readout", "foundation_chebyshev_plain",
                      "foundation_reduced_cg", "foundation_nequip_oam_l",
                      "foundation_nequip_oam_xl"));

}  // namespace
}  // namespace equifuse
