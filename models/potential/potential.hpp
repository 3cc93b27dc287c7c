// The interface every interatomic potential implements (MACE, NequIP; any precision and
// backend): energy, per-node energies and the gradient of the energy with respect to every edge
// vector, from which forces and virials follow (potential/forces_and_virial.hpp). All of them are
// models on the engine (engine/model_potential.hpp).
#pragma once

#include <string>
#include <vector>

#include "models/engine/buffer.hpp"
#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/engine/ghost_exchange.hpp"
#include "models/potential/atomic_graph.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/potential/precision.hpp"

namespace equifuse {

struct PotentialInfo {
  std::string architecture;  // "mace", "nequip"
  std::vector<int> species;  // atomic numbers, in the model's order
  double r_max = 0;          // Angstrom
  std::string energy_unit = "eV";
  std::string length_unit = "Angstrom";
  int num_interactions =
      0;  // message-passing layers: energies depend on atoms this many r_max away
  Precision precision = Precision::float64;
  std::vector<std::string> heads = {"default"};  // every head the file keeps
  std::string head = "default";                  // the one this potential evaluates
  // Numbers per node that GhostExchange::forward moves before layer 1, 2, ... (what layer t reads
  // of its neighbours): [num_interactions - 1]. Pair styles size LAMMPS's buffers with them.
  std::vector<int> exchanged_widths;
  // Streamed edges (ModelOptions::edge_memory): the bytes a block may use (0: one block), the
  // model's largest per-edge working set (bytes per edge) and so the edges per block (0: all).
  std::size_t edge_memory = 0, edge_bytes = 0, block_edges = 0;
};

struct PotentialOutput {
  double energy = 0;                   // sum of node_energies over local nodes
  std::vector<double> node_energies;   // [num_local]
  std::vector<double> edge_gradients;  // [num_edges][3] = dE / d edge_vector
};

// What MD and `equifuse eval` need: energies, forces and virials per node.
struct PotentialForces {
  double energy = 0;
  std::vector<double> node_energies;  // [num_local]
  ForcesAndVirial forces;             // per node of the graph, ghosts included
};

// Which totals evaluate_forces_resident returns (each is a reduction the host waits for; an MD
// step needs them only when LAMMPS tallies energy or virial).
struct ResidentTotals {
  bool energy = true, virial = true;
};

// Results left in the potential's memory; only the totals asked for reach the host.
struct ResidentForces {
  double energy = 0;
  Matrix3 virial{};
  Buffer<double> node_energies;           // [num_local]
  Buffer<double> forces, atomic_virials;  // [num_nodes][3], [num_nodes][3][3]
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual const PotentialInfo& info() const = 0;
  // Where the potential's arrays live: a ResidentGraph must be in this memory.
  virtual MemorySpace memory_space() const = 0;
  // The GPU programs it runs (engine.hpp), on whichever backend it was loaded.
  virtual const KernelManifest& kernel_manifest() const = 0;

  // Throws equifuse::Error for a graph that does not fit the potential (species index, sizes).
  // `exchange` (optional): the features of ghost nodes come from their owners between layers.
  virtual PotentialOutput evaluate(const AtomicGraph& graph,
                                   const GhostExchange* exchange = nullptr) const = 0;
  // The same evaluation reduced to forces and virials per node (forces_and_virial.hpp), summed
  // where the model runs: per-node arrays come back, tens of times smaller than per-edge ones.
  virtual PotentialForces evaluate_forces(const AtomicGraph& graph,
                                          const GhostExchange* exchange = nullptr) const = 0;
  // A graph already in the potential's memory (the Kokkos pair style's, built where LAMMPS's
  // atoms live); the results stay there.
  virtual ResidentForces evaluate_forces_resident(
      const ResidentGraph& graph, ResidentTotals totals = {},
      const GhostExchange* exchange = nullptr) const = 0;
};

}  // namespace equifuse
