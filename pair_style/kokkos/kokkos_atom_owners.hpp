// Which local atom each ghost is a periodic image of (by atom ID), in the memory space of LAMMPS's
// Kokkos views: owner(i) = the local atom with tag(i), or i itself when no local atom has that ID
// (a ghost owned by another rank) and for local atoms. The graph builder folds the former onto
// their owners (kokkos_neighbor_graph.hpp). Independent of LAMMPS's atom map, which an input need
// not define. Header-only, like the graph builder.
#pragma once

#include <Kokkos_Core.hpp>
#include <Kokkos_UnorderedMap.hpp>

#include <string>

#include "kernels/common/error.hpp"
#include "pair_style/kokkos/kokkos_host_readback.hpp"

namespace equifuse {

template <class Tag, class Device>
struct KokkosAtomOwners {
  Kokkos::View<int*, Device> owner;                 // [num_atoms]
  bool ghosts_of_other_ranks = false;               // some ghost has no local owner
  Kokkos::UnorderedMap<Tag, int, Device> local_of;  // tag -> local index, kept between calls
  // Failed insertions and ghosts of other ranks met, read by the host.
  KokkosHostReadback<Device, 2> status{"equifuse::owner_status"};
};

template <class Device, class TagView>
void find_atom_owners(int num_local, int num_atoms, const TagView& tag,
                      KokkosAtomOwners<typename TagView::non_const_value_type, Device>& out) {
  using Execution = typename Device::execution_space;
  using Tag = typename TagView::non_const_value_type;
  if (num_local < 0 || num_atoms < num_local) throw Error("atom owners: invalid atom counts");
  const auto n = static_cast<std::size_t>(num_atoms);
  if (out.owner.extent(0) < n)
    out.owner = Kokkos::View<int*, Device>(
        Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string("equifuse::owner")),
        n + n / 8 + 16);
  // Room for every local atom at a load the map handles well (it grows only, between calls).
  const auto capacity = static_cast<std::uint32_t>(2 * static_cast<std::size_t>(num_local) + 64);
  if (out.local_of.capacity() < capacity)
    out.local_of = Kokkos::UnorderedMap<Tag, int, Device>(capacity);
  out.local_of.clear();
  const auto map = out.local_of;
  const auto owner = out.owner;
  const auto status = out.status.values();
  out.status.clear();
  Kokkos::parallel_for(
      "equifuse::map_local_tags", Kokkos::RangePolicy<Execution>(0, num_local),
      KOKKOS_LAMBDA(const int i) {
        if (map.insert(tag(i), i).failed()) Kokkos::atomic_add(&status(0), 1);
      });
  Kokkos::parallel_for(
      "equifuse::ghost_owners", Kokkos::RangePolicy<Execution>(0, num_atoms),
      KOKKOS_LAMBDA(const int i) {
        if (i < num_local) {
          owner(i) = i;
          return;
        }
        const auto found = map.find(tag(i));
        const bool owned = map.valid_at(found);
        owner(i) = owned ? map.value_at(found) : i;
        if (!owned) Kokkos::atomic_max(&status(1), 1);
      });
  const auto found = out.status.read();
  if (found[0] != 0) throw Error("atom owners: the map of local atom IDs is full");
  out.ghosts_of_other_ranks = found[1] != 0;
}

}  // namespace equifuse
