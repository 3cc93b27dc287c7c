// pair_style equifuse/kk: pair_style equifuse in a LAMMPS built with the KOKKOS package. Positions,
// neighbour lists and forces stay in LAMMPS's Kokkos views: the graph is built there
// (kokkos_neighbor_graph.hpp) and handed to the potential where it lives when the potential's
// memory is the views' (a GPU potential under a CUDA Kokkos, a host potential under a host one). A
// step issues no host <-> device copy: the host waits for the graph's sizes (once on one rank,
// twice with ghosts of other ranks) and, only on steps where LAMMPS tallies them, the energy and
// virial, which kernels write into mapped pinned memory. Same keywords, pair_coeff and results as
// equifuse (docs/kokkos.md).
//   pair_style equifuse/kk [device auto|cpu|cuda] [precision float64|float32]
// Several MPI ranks need newton_pair on (LAMMPS then returns ghost forces to their owners):
//   -k on g 1 -sf kk -pk kokkos newton on neigh half
// With `comm layer` node features are exchanged between layers on the device, through LAMMPS's
// Kokkos communication (kokkos_layer_exchange.hpp).
#ifdef PAIR_CLASS
// Registered by the plugin loader (equifuse_plugin.cpp): equifuse/kk, equifuse/kk/device,
// equifuse/kk/host.
#else

#ifndef EQUIFUSE_PAIR_EQUIFUSE_KOKKOS_H
#define EQUIFUSE_PAIR_EQUIFUSE_KOKKOS_H

#include "kokkos_base.h"
#include "kokkos_type.h"
#include "pair_kokkos.h"

#include "pair_style/kokkos/kokkos_atom_owners.hpp"
#include "pair_style/kokkos/kokkos_layer_exchange.hpp"
#include "pair_style/kokkos/kokkos_neighbor_graph.hpp"
#include "pair_style/pair_equifuse.h"

namespace LAMMPS_NS {

template <class DeviceType>
class PairEquifuseKokkos : public PairEquifuse, public KokkosBase {
 public:
  using device_type = DeviceType;

  explicit PairEquifuseKokkos(class LAMMPS* instance);
  ~PairEquifuseKokkos() override;
  void compute(int eflag, int vflag) override;
  void init_style() override;
  double memory_usage() override;
  // LAMMPS's host communication of the layer exchange, and its device communication.
  int pack_forward_comm(int n, int* atoms, double* buf, int pbc_flag, int* pbc) override;
  void unpack_forward_comm(int n, int first, double* buf) override;
  int pack_reverse_comm(int n, int first, double* buf) override;
  void unpack_reverse_comm(int n, int* atoms, double* buf) override;
  int pack_forward_comm_kokkos(int n, DAT::tdual_int_1d send_list, DAT::tdual_double_1d& buf,
                               int pbc_flag, int* pbc) override;
  void unpack_forward_comm_kokkos(int n, int first, DAT::tdual_double_1d& buf) override;
  int pack_reverse_comm_kokkos(int n, int first, DAT::tdual_double_1d& buf) override;
  void unpack_reverse_comm_kokkos(int n, DAT::tdual_int_1d send_list,
                                  DAT::tdual_double_1d& buf) override;

 private:
  // The potential on the graph's arrays where it can read them (ResidentGraph), else on a host
  // copy (evaluate_on_host).
  void evaluate_graph();
  void evaluate_on_host();
  // The layer exchange for this step, prepared (null without one): on the device where LAMMPS
  // communicates from the device, else the host exchange.
  const equifuse::GhostExchange* prepare_exchange();
  // Adds node forces [num_nodes][3], per-atom virials [num_nodes][3][3] and node energies
  // [num_local], in DeviceType's memory, into LAMMPS's per-atom views.
  void add_node_results(const double* forces, const double* atomic_virials,
                        const double* node_energies);

  equifuse::KokkosNeighborGraph<DeviceType> graph_;
  equifuse::KokkosAtomOwners<tagint, DeviceType> owners_;
  equifuse::KokkosLayerExchange<DeviceType> device_exchange_{communication_};
  Kokkos::View<int*, DeviceType> species_of_type_;  // [ntypes + 1]
  Kokkos::View<int*, DeviceType> atom_species_;     // [nlocal + nghost]
  DAT::ttransform_kkacc_1d k_eatom;
  DAT::ttransform_kkacc_1d_6 k_vatom;
};

}  // namespace LAMMPS_NS

#endif
#endif
