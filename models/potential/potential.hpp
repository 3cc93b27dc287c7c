// The interface every interatomic potential implements (MACE, NequIP; any precision and
// backend): energy, per-node energies and the gradient of the energy with respect to every edge
// vector, from which forces and virials follow (potential/forces_and_virial.hpp).
#pragma once

#include <string>
#include <vector>

#include "models/potential/atomic_graph.hpp"
#include "models/potential/forces_and_virial.hpp"

namespace equifuse {

enum class Precision { float32, float64 };
Precision parse_precision(const std::string& name);
std::string to_string(Precision precision);

struct PotentialInfo {
  std::string architecture;  // "mace", "nequip"
  std::vector<int> species;  // atomic numbers, in the model's order
  double r_max = 0;          // Angstrom
  std::string energy_unit = "eV";
  std::string length_unit = "Angstrom";
  int num_interactions = 0;  // message-passing layers: energies depend on atoms this many r_max away
  Precision precision = Precision::float64;
};

struct PotentialOutput {
  double energy = 0;                  // sum of node_energies over local nodes
  std::vector<double> node_energies;  // [num_local]
  std::vector<double> edge_gradients; // [num_edges][3] = dE / d edge_vector
};

// What MD and `equifuse eval` need: energies, forces and virials per node.
struct PotentialForces {
  double energy = 0;
  std::vector<double> node_energies;  // [num_local]
  ForcesAndVirial forces;             // per node of the graph, ghosts included
};

class Potential {
 public:
  virtual ~Potential() = default;
  virtual const PotentialInfo& info() const = 0;
  // Throws equifuse::Error for a graph that does not fit the potential (species index, sizes).
  virtual PotentialOutput evaluate(const AtomicGraph& graph) const = 0;
  // The same evaluation reduced to forces and virials (forces_and_virial.hpp). This default does
  // it on the host from evaluate()'s edge gradients; a GPU potential sums on the device and
  // copies back per-node arrays, tens of times smaller than per-edge ones.
  virtual PotentialForces evaluate_forces(const AtomicGraph& graph) const;
};

}  // namespace equifuse
