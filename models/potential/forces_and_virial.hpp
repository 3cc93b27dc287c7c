// Forces, virial and per-atom virials from the edge-vector gradients of the energy. With
// edge vector v_e = r[receiver] - r[sender] and g_e = dE/dv_e:
//   F[receiver] -= g_e, F[sender] += g_e
//   virial = -sym(sum_e g_e (x) v_e)     (-dE/dstrain, as ASE/MACE; stress = -virial / volume)
//   per-atom virial: each edge's -sym(g_e (x) v_e) split equally between its two atoms (MACE's
//   atomic_virials), so that they sum to the virial.
#pragma once

#include <array>
#include <vector>

#include "models/potential/atomic_graph.hpp"

namespace equifuse {

using Matrix3 = std::array<std::array<double, 3>, 3>;

struct ForcesAndVirial {
  std::vector<double> forces;          // [num_nodes][3]
  Matrix3 virial{};                    // eV
  std::vector<double> atomic_virials;  // [num_nodes][3][3]
};

ForcesAndVirial forces_and_virial(const AtomicGraph& graph,
                                  const std::vector<double>& edge_gradients);

// stress = -virial / volume (eV / Angstrom^3).
Matrix3 stress_from_virial(const Matrix3& virial, double volume);

}  // namespace equifuse
