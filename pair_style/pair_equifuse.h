// pair_style equifuse: MACE and NequIP potentials (.eqf files) in LAMMPS, on the CPU or a CUDA
// GPU, exact on any number of MPI ranks (pair_style/neighbor_graph.hpp; docs/lammps.md).
//   pair_style equifuse [device auto|cpu|cuda] [precision float64|float32]
//   pair_coeff * * potential.eqf Element-of-type-1 Element-of-type-2 ...
#ifdef PAIR_CLASS
// Registered by the plugin loader (equifuse_plugin.cpp), not by LAMMPS's style tables.
#else

#ifndef EQUIFUSE_PAIR_EQUIFUSE_H
#define EQUIFUSE_PAIR_EQUIFUSE_H

#include <array>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "pair.h"

#include "pair_style/neighbor_graph.hpp"

namespace equifuse {
class Potential;
}

namespace LAMMPS_NS {

class PairEquifuse : public Pair {
 public:
  explicit PairEquifuse(class LAMMPS* instance);
  ~PairEquifuse() override;

  void compute(int eflag, int vflag) override;
  void settings(int narg, char** arg) override;
  void coeff(int narg, char** arg) override;
  void init_style() override;
  double init_one(int i, int j) override;
  int pack_reverse_comm(int n, int first, double* buf) override;
  void unpack_reverse_comm(int n, int* atoms, double* buf) override;
  double memory_usage() override;

 protected:  // shared with pair_style equifuse/kk (kokkos/pair_equifuse_kokkos.h)
  void allocate();
  // The potential for the elements of the atom types (the weights of others are not loaded).
  void load(const std::string& path, const std::vector<int>& type_elements);
  // The ghost shell exact message passing needs: K * r_max + skin on several ranks (ghosts of
  // other ranks must carry K hops), the neighbour cutoff alone on one rank (every ghost folds).
  double required_ghost_cutoff() const;
  // Stops the run with an error (error->one) for an exception of the graph or the potential;
  // atoms it names (coincident, non-finite) are named by atom ID.
  void report_compute_error(const std::exception& e, const std::string& style);
  // Adds a potential's energy and 3x3 virial (eV) to LAMMPS's global tallies, as requested.
  void tally_energy_and_virial(double energy, const std::array<std::array<double, 3>, 3>& w);

  std::string device_ = "auto";
  std::string precision_ = "float64";
  std::string head_;  // of a multi-head potential; empty: its only or "default" head
  double total_charge_ = 0, total_spin_ = 1;
  std::string potential_path_;
  std::unique_ptr<equifuse::Potential> potential_;
  std::vector<int> type_species_;  // by LAMMPS type (1-based): index in the potential's species
  double r_max_ = 0;
  int num_interactions_ = 0;

  equifuse::NeighborGraph graph_;  // rebuilt every step in the same memory
  // Per-atom scratch, sized nlocal + nghost.
  std::vector<int> owner_, species_;
  // Forces and per-atom virials of ghosts, returned to their owners by reverse communication
  // when newton_pair is off (with newton_pair on LAMMPS does it).
  std::vector<double> ghost_sums_;
  int reverse_values_ = 3;
};

}  // namespace LAMMPS_NS

#endif
#endif
