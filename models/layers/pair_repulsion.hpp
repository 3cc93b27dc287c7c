// Pair repulsion added to a message-passing model's energy: the Ziegler-Biersack-Littmark form of
// MACE's ZBLBasis (its own screening constants, cutoff at the sum of the pair's covalent radii)
// and of NequIP's ZBL (LAMMPS's constants, cutoff at r_max), both a sum over directed edges of
// pair_repulsion_kernels.cuh's V_e given to the receiver. Parameters as the potential file stores
// them; the per-pair tables are built for the model's (kept) species.
#pragma once

#include <array>
#include <vector>

#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"

namespace equifuse {

struct PairRepulsionParameters {
  std::vector<int> atomic_numbers;  // per species of the model
  double prefactor = 0;             // K_uv = prefactor Z_u Z_v
  // a_uv = screening_length / (Z_u^screening_exponent + Z_v^screening_exponent)
  double screening_length = 0, screening_exponent = 0;
  std::array<double, 4> coefficients{}, exponents{};  // c_k, d_k
  // rc_uv = covalent_radii[u] + covalent_radii[v], or r_max where no radii are given
  std::vector<double> covalent_radii;
  double r_max = 0;
  int p = 0;
};

class PairRepulsion {
 public:
  PairRepulsion(const Engine& engine, const PairRepulsionParameters& parameters);
  // node_energy [num_nodes] += each local receiver's pair energy (if not null); edge_gradients
  // [num_edges][3] += seed * dV/d(edge vector) of edges into local receivers (if not null).
  void evaluate(const EngineGraph& graph, double seed, Buffer<double>* node_energy,
                Buffer<double>* edge_gradients) const;

 private:
  const Engine& engine_;
  int num_species_;
  Buffer<double> charge_product_, inverse_screening_, pair_cutoff_;
  std::array<double, 4> c_, d_;
  int p_;
};

}  // namespace equifuse
