#include "pair_style/kokkos/pair_equifuse_kokkos.h"

#include <type_traits>

#include "atom_kokkos.h"
#include "atom_masks.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory_kokkos.h"
#include "neigh_list_kokkos.h"
#include "neigh_request.h"
#include "neighbor.h"

#include "models/potential/potential.hpp"

using namespace LAMMPS_NS;

namespace equifuse::kokkos_pair {

// Kernels live in free functions: CUDA's extended lambdas may not be defined in private members.

template <class Device, class TypeView>
void species_of_atoms(int num_atoms, const TypeView& type, const Kokkos::View<int*, Device>& table,
                      const Kokkos::View<int*, Device>& species) {
  Kokkos::parallel_for(
      "equifuse::atom_species", Kokkos::RangePolicy<typename Device::execution_space>(0, num_atoms),
      KOKKOS_LAMBDA(const int i) { species(i) = table(type(i)); });
}

// Every node is a distinct atom, so the additions need no atomics.
template <class Device, class ForceView, class EnergyView, class VirialView>
void add_node_results(const KokkosNeighborGraph<Device>& graph, const double* node_forces,
                      const double* node_virials, const double* node_energies, const ForceView& f,
                      const EnergyView& eatom, const VirialView& vatom, bool per_atom_energy,
                      bool per_atom_virial) {
  const auto node_atom = graph.node_atom;
  const int num_local = graph.num_local;
  Kokkos::parallel_for(
      "equifuse::add_node_results",
      Kokkos::RangePolicy<typename Device::execution_space>(0, graph.num_nodes),
      KOKKOS_LAMBDA(const int node) {
        const int a = node_atom(node);
        for (int k = 0; k < 3; ++k) f(a, k) += node_forces[3 * node + k];
        if (per_atom_energy && node < num_local) eatom(a) += node_energies[node];
        if (per_atom_virial) {
          const double* w = node_virials + 9 * node;  // LAMMPS order: xx yy zz xy xz yz
          vatom(a, 0) += w[0];
          vatom(a, 1) += w[4];
          vatom(a, 2) += w[8];
          vatom(a, 3) += w[1];
          vatom(a, 4) += w[2];
          vatom(a, 5) += w[5];
        }
      });
}

}  // namespace equifuse::kokkos_pair

template <class DeviceType>
PairEquifuseKokkos<DeviceType>::PairEquifuseKokkos(LAMMPS* instance) : PairEquifuse(instance) {
  respa_enable = 0;
  kokkosable = 1;
  atomKK = static_cast<AtomKokkos*>(atom);
  execution_space = ExecutionSpaceFromDevice<DeviceType>::space;
  datamask_read = X_MASK | F_MASK | TAG_MASK | TYPE_MASK;
  datamask_modify = F_MASK;
  reverse_comm_device = 1;  // the layer exchange's gradients (forces go back through the atoms)
}

template <class DeviceType>
PairEquifuseKokkos<DeviceType>::~PairEquifuseKokkos() {
  if (copymode) return;
  memoryKK->destroy_kokkos(k_eatom, eatom);
  memoryKK->destroy_kokkos(k_vatom, vatom);
  eatom = nullptr;
  vatom = nullptr;
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::init_style() {
  PairEquifuse::init_style();
  auto* request = neighbor->find_request(this);
  request->set_kokkos_host(std::is_same_v<DeviceType, LMPHostType> &&
                           !std::is_same_v<DeviceType, LMPDeviceType>);
  request->set_kokkos_device(std::is_same_v<DeviceType, LMPDeviceType>);
  // Forces on ghosts of other ranks reach their owners through LAMMPS's reverse communication,
  // which newton_pair off turns off (equifuse does that exchange itself; on the device it would
  // mean a host round trip every step).
  if (comm->nprocs > 1 && force->newton_pair == 0)
    error->all(FLERR,
               "pair_style equifuse/kk on several MPI ranks needs newton_pair on (with KOKKOS: "
               "-pk kokkos newton on neigh half)");
  const int ntypes = atom->ntypes;
  species_of_type_ = Kokkos::View<int*, DeviceType>("equifuse::species_of_type", ntypes + 1);
  auto table = Kokkos::create_mirror_view(species_of_type_);
  for (int t = 0; t <= ntypes; ++t) table(t) = t == 0 ? 0 : type_species_[t];
  Kokkos::deep_copy(species_of_type_, table);
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::compute(int eflag, int vflag) {
  ev_init(eflag, vflag, 0);
  if (eflag_atom) {
    memoryKK->destroy_kokkos(k_eatom, eatom);
    memoryKK->create_kokkos(k_eatom, eatom, maxeatom, "pair:eatom");
  }
  if (vflag_atom) {
    memoryKK->destroy_kokkos(k_vatom, vatom);
    memoryKK->create_kokkos(k_vatom, vatom, maxvatom, "pair:vatom");
  }
  atomKK->sync(execution_space, datamask_read);
  atomKK->modified(execution_space, datamask_modify);

  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const auto x = atomKK->k_x.template view<DeviceType>();
  const auto tag = atomKK->k_tag.template view<DeviceType>();
  const auto type = atomKK->k_type.template view<DeviceType>();
  auto* kokkos_list = static_cast<NeighListKokkos<DeviceType>*>(list);

  try {
    // Ghosts and their IDs change only when LAMMPS rebuilds its lists; types may change any step.
    if (neighbor->ago == 0 || owners_.owner.extent(0) < static_cast<std::size_t>(nall))
      equifuse::find_atom_owners<DeviceType>(nlocal, nall, tag, owners_);
    if (atom_species_.extent(0) < static_cast<std::size_t>(nall))
      atom_species_ = Kokkos::View<int*, DeviceType>(
          Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("equifuse::atom_species")),
          nall + nall / 8 + 16);
    equifuse::kokkos_pair::species_of_atoms<DeviceType>(nall, type, species_of_type_,
                                                        atom_species_);
    equifuse::KokkosGraphSettings settings;
    settings.neighbor_mask = NEIGHMASK;
    settings.r_max = r_max_;
    settings.num_interactions = graph_hops();
    settings.ghosts_of_other_ranks = owners_.ghosts_of_other_ranks;
    settings.lists_rebuilt = neighbor->ago == 0;
    start_step();
    equifuse::build_kokkos_neighbor_graph<DeviceType>(
        nlocal, nall, list->inum + list->gnum, x, atom_species_, owners_.owner,
        kokkos_list->d_ilist, kokkos_list->d_numneigh, kokkos_list->d_neighbors, settings, graph_);
    evaluate_graph();
    double bytes = 0;
    if (exchanges_layers())
      bytes = (execution_space == Device ? device_exchange_.traffic() : exchange_.traffic()).bytes;
    count_step(static_cast<std::size_t>(graph_.num_local),
               static_cast<std::size_t>(graph_.num_nodes),
               static_cast<std::size_t>(graph_.num_edges), bytes);
  } catch (const std::exception& e) {
    atomKK->sync(Host, TAG_MASK);  // the atom IDs the message names
    report_compute_error(e, "pair_style equifuse/kk");
  }

  if (eflag_atom) {
    k_eatom.template modify<DeviceType>();
    k_eatom.sync_host();
  }
  if (vflag_atom) {
    k_vatom.template modify<DeviceType>();
    k_vatom.sync_host();
  }
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::evaluate_graph() {
  if (!equifuse::kokkos_memory_is<typename DeviceType::memory_space>(potential_->memory_space())) {
    evaluate_on_host();
    return;
  }
  // The potential reads the graph where it was built; it runs on its own stream, so the graph
  // must be complete first.
  typename DeviceType::execution_space().fence();
  equifuse::ResidentGraph in;
  in.num_nodes = static_cast<std::size_t>(graph_.num_nodes);
  in.num_local = static_cast<std::size_t>(graph_.num_local);
  in.num_edges = static_cast<std::size_t>(graph_.num_edges);
  in.species = graph_.species.data();
  in.senders = graph_.senders.data();
  in.receivers = graph_.receivers.data();
  in.edge_vectors = graph_.vectors.data();
  // Energy and virial come back only on steps where LAMMPS tallies them.
  const equifuse::ResidentForces out = potential_->evaluate_forces_resident(
      in, {.energy = eflag_global != 0, .virial = vflag_global != 0}, prepare_exchange());
  add_node_results(out.forces.data(), out.atomic_virials.data(), out.node_energies.data());
  tally_energy_and_virial(out.energy, out.virial);
  // `out`'s arrays return to the potential's memory when it goes out of scope.
  typename DeviceType::execution_space().fence();
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::evaluate_on_host() {
  // A potential in other memory than the Kokkos views (a host potential under a GPU Kokkos): the
  // graph goes to the host, the results come back.
  const auto num_edges = static_cast<std::size_t>(graph_.num_edges);
  const auto num_nodes = static_cast<std::size_t>(graph_.num_nodes);
  const auto senders = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), graph_.senders);
  const auto receivers = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), graph_.receivers);
  const auto vectors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), graph_.vectors);
  const auto species = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), graph_.species);
  equifuse::AtomicGraph g;
  g.num_nodes = num_nodes;
  g.num_local = static_cast<std::size_t>(graph_.num_local);
  g.species.assign(species.data(), species.data() + num_nodes);
  g.senders.assign(senders.data(), senders.data() + num_edges);
  g.receivers.assign(receivers.data(), receivers.data() + num_edges);
  g.edge_vectors.assign(vectors.data(), vectors.data() + 3 * num_edges);
  const equifuse::PotentialForces result = potential_->evaluate_forces(g, prepare_exchange());

  using HostValues = Kokkos::View<const double*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
  const auto to_device = [](const std::vector<double>& values) {
    return Kokkos::create_mirror_view_and_copy(typename DeviceType::memory_space(),
                                               HostValues(values.data(), values.size()));
  };
  const auto forces = to_device(result.forces.forces);
  const auto virials = to_device(result.forces.atomic_virials);
  const auto energies = to_device(result.node_energies);
  add_node_results(forces.data(), virials.data(), energies.data());
  typename DeviceType::execution_space().fence();  // before the staging views are released
  tally_energy_and_virial(result.energy, result.forces.virial);
}

template <class DeviceType>
const equifuse::GhostExchange* PairEquifuseKokkos<DeviceType>::prepare_exchange() {
  if (!exchanges_layers()) return nullptr;
  const int nall = atom->nlocal + atom->nghost;
  // LAMMPS's Kokkos communication packs on the device for a device pair style, else on the host
  // with PairEquifuse's pack functions (CommKokkos::forward_comm).
  if (execution_space == Device) {
    device_exchange_.prepare(graph_.node_atom, static_cast<std::size_t>(graph_.num_nodes), nall,
                             num_interactions_);
    return &device_exchange_;
  }
  // A host pair style: the graph's views are host memory.
  exchange_.prepare(graph_.node_atom.data(), static_cast<std::size_t>(graph_.num_nodes), nall,
                    num_interactions_);
  return &exchange_;
}

// LAMMPS's host communication (CommBrick's, also under KOKKOS: without GPU-aware MPI, comm_style
// tiled, `comm/pair/... host`): a device pair style's rows through the device exchange's host
// mirror; a host one's through pair_style equifuse's exchange.
template <class DeviceType>
int PairEquifuseKokkos<DeviceType>::pack_forward_comm(int n, int* atoms, double* buf, int pbc_flag,
                                                      int* pbc) {
  if (execution_space != Device)
    return PairEquifuse::pack_forward_comm(n, atoms, buf, pbc_flag, pbc);
  return device_exchange_.pack_forward(n, atoms, buf);
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::unpack_forward_comm(int n, int first, double* buf) {
  if (execution_space != Device) return PairEquifuse::unpack_forward_comm(n, first, buf);
  device_exchange_.unpack_forward(n, first, buf);
}

template <class DeviceType>
int PairEquifuseKokkos<DeviceType>::pack_reverse_comm(int n, int first, double* buf) {
  if (execution_space != Device || reverse_payload_ != ReversePayload::features)
    return PairEquifuse::pack_reverse_comm(n, first, buf);
  return device_exchange_.pack_reverse(n, first, buf);
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::unpack_reverse_comm(int n, int* atoms, double* buf) {
  if (execution_space != Device || reverse_payload_ != ReversePayload::features)
    return PairEquifuse::unpack_reverse_comm(n, atoms, buf);
  device_exchange_.unpack_reverse(n, atoms, buf);
}

template <class DeviceType>
int PairEquifuseKokkos<DeviceType>::pack_forward_comm_kokkos(int n, DAT::tdual_int_1d send_list,
                                                             DAT::tdual_double_1d& buf, int, int*) {
  return device_exchange_.pack_forward(n, send_list.template view<DeviceType>(),
                                       buf.template view<DeviceType>());
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::unpack_forward_comm_kokkos(int n, int first,
                                                                DAT::tdual_double_1d& buf) {
  device_exchange_.unpack_forward(n, first, buf.template view<DeviceType>());
}

template <class DeviceType>
int PairEquifuseKokkos<DeviceType>::pack_reverse_comm_kokkos(int n, int first,
                                                             DAT::tdual_double_1d& buf) {
  return device_exchange_.pack_reverse(n, first, buf.template view<DeviceType>());
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::unpack_reverse_comm_kokkos(int n, DAT::tdual_int_1d send_list,
                                                                DAT::tdual_double_1d& buf) {
  device_exchange_.unpack_reverse(n, send_list.template view<DeviceType>(),
                                  buf.template view<DeviceType>());
}

template <class DeviceType>
void PairEquifuseKokkos<DeviceType>::add_node_results(const double* forces,
                                                      const double* atomic_virials,
                                                      const double* node_energies) {
  typename ArrayTypes<DeviceType>::t_kkacc_1d d_eatom;
  typename ArrayTypes<DeviceType>::t_kkacc_1d_6 d_vatom;
  if (eflag_atom) d_eatom = k_eatom.template view<DeviceType>();
  if (vflag_atom) d_vatom = k_vatom.template view<DeviceType>();
  equifuse::kokkos_pair::add_node_results(graph_, forces, atomic_virials, node_energies,
                                          atomKK->k_f.template view<DeviceType>(), d_eatom, d_vatom,
                                          eflag_atom != 0, vflag_atom != 0);
}

template <class DeviceType>
double PairEquifuseKokkos<DeviceType>::memory_usage() {
  const auto bytes = [](const auto& view) {
    return static_cast<double>(view.span() *
                               sizeof(typename std::decay_t<decltype(view)>::value_type));
  };
  return Pair::memory_usage() + bytes(graph_.senders) + bytes(graph_.receivers) +
         bytes(graph_.vectors) + bytes(graph_.node_atom) + bytes(graph_.species) +
         bytes(graph_.count) + bytes(graph_.first_edge) + bytes(graph_.hop) +
         bytes(graph_.node_of) + bytes(graph_.ghost_senders) + bytes(graph_.ghost_vectors) +
         bytes(owners_.owner) + bytes(atom_species_);
}

namespace LAMMPS_NS {
template class PairEquifuseKokkos<LMPDeviceType>;
#ifdef LMP_KOKKOS_GPU
template class PairEquifuseKokkos<LMPHostType>;
#endif
}  // namespace LAMMPS_NS
