// The interface every interatomic potential implements (MACE, NequIP; any precision and
// backend): energy, per-node energies and the gradient of the energy with respect to every edge
// vector, from which forces and virials follow (potential/forces_and_virial.hpp).
#pragma once

#include <string>
#include <vector>

#include "models/potential/atomic_graph.hpp"

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

class Potential {
 public:
  virtual ~Potential() = default;
  virtual const PotentialInfo& info() const = 0;
  // Throws equifuse::Error for a graph that does not fit the potential (species index, sizes).
  virtual PotentialOutput evaluate(const AtomicGraph& graph) const = 0;
};

}  // namespace equifuse
