// pair_style equifuse: MACE and NequIP potentials (.eqf files) in LAMMPS, on the CPU or a CUDA
// GPU, exact on any number of MPI ranks (pair_style/neighbor_graph.hpp; docs/lammps.md).
//   pair_style equifuse [device auto|cpu|cuda] [precision float64|float32] [comm layer|shell]
//   pair_coeff * * potential.eqf Element-of-type-1 Element-of-type-2 ...
#ifdef PAIR_CLASS
// Registered by the plugin loader (equifuse_plugin.cpp), not by LAMMPS's style tables.
#else

#ifndef EQUIFUSE_PAIR_EQUIFUSE_H
#define EQUIFUSE_PAIR_EQUIFUSE_H

#include <array>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pair.h"

#include "pair_style/layer_exchange.hpp"
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
  int pack_forward_comm(int n, int* atoms, double* buf, int pbc_flag, int* pbc) override;
  void unpack_forward_comm(int n, int first, double* buf) override;
  int pack_reverse_comm(int n, int first, double* buf) override;
  void unpack_reverse_comm(int n, int* atoms, double* buf) override;
  double memory_usage() override;
#ifdef EQUIFUSE_LAMMPS_PAIR_FINISH
  // At the end of a run: what each rank computed and communicated (log and screen).
  void finish() override;
#endif

 protected:  // shared with pair_style equifuse/kk (kokkos/pair_equifuse_kokkos.h)
  void allocate();
  // The potential for the elements of the atom types (the weights of others are not loaded).
  void load(const std::string& path, const std::vector<int>& type_elements);
  // Whether node features of ghosts are exchanged between layers (`comm layer` on several ranks
  // with a model of several layers): then the ghost shell is one cutoff and the graph keeps one
  // hop of ghosts; else (`comm shell`) ghosts of other ranks carry K hops of the graph.
  bool exchanges_layers() const;
  // The ghost shell exact message passing needs: K * r_max + skin for `comm shell` on several
  // ranks, else LAMMPS's own (r_max + skin; on one rank every ghost folds onto its owner).
  double required_ghost_cutoff() const;
  // Hops of ghosts the graph needs (1 with the layer exchange, else K).
  int graph_hops() const {
    return exchanges_layers() ? 1 : num_interactions_;
  }
  // Sizes LAMMPS's per-atom communication buffers (comm_forward, comm_reverse) and logs the mode.
  void init_communication();
  // Starts measuring one evaluation's memory (the potential's peak working set above its weights).
  void start_step();
  // Counts one evaluation of this rank for the end-of-run report.
  void count_step(std::size_t num_local, std::size_t num_nodes, std::size_t num_edges,
                  double bytes_packed);
  // Stops the run with an error (error->one) for an exception of the graph or the potential;
  // atoms it names (coincident, non-finite) are named by atom ID.
  void report_compute_error(const std::exception& e, const std::string& style);
  // Adds a potential's energy and 3x3 virial (eV) to LAMMPS's global tallies, as requested.
  void tally_energy_and_virial(double energy, const std::array<std::array<double, 3>, 3>& w);

  std::string device_ = "auto";
  std::string precision_ = "float64";
  std::string head_;  // of a multi-head potential; empty: its only or "default" head
  double total_charge_ = 0, total_spin_ = 1;
  std::string comm_mode_ = "layer";         // `comm layer` or `comm shell`
  std::optional<std::size_t> edge_memory_;  // `memory SIZE|all`; unset: the backend's default
  std::string logged_mode_;                 // the mode init_communication last logged
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

  // LAMMPS's forward and reverse communication of this pair style, for the layer exchange.
  struct Communication final : equifuse::LayerExchange::Communication {
    explicit Communication(PairEquifuse& p) : pair(p) {}
    void forward() override;
    void reverse() override;
    PairEquifuse& pair;
  };
  // What pack/unpack_reverse_comm move: ghost forces (newton_pair off) or feature gradients.
  enum class ReversePayload { forces, features };
  ReversePayload reverse_payload_ = ReversePayload::forces;
  Communication communication_{*this};
  equifuse::LayerExchange exchange_{communication_};

  // This rank's work in the current run (finish() reports it): the last step's graph and the bytes
  // the layer exchange packed, summed over steps.
  struct RunCounts {
    long steps = 0;
    double local = 0, nodes = 0, edges = 0, bytes = 0;
    double peak_per_atom = 0;  // the model's working set, bytes per local atom, largest step
  } run_counts_;
  std::size_t memory_before_ = 0;  // in use when the step began
};

}  // namespace LAMMPS_NS

#endif
#endif
