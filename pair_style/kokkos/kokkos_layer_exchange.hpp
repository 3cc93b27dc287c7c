// The layer exchange of pair_style/layer_exchange.hpp in a Kokkos memory space (the GPU for
// equifuse/kk): node rows go to per-atom rows, LAMMPS's Kokkos communication packs them into its
// own device buffers (GPU-aware MPI where LAMMPS uses it, else its host staging), and the ghosts'
// rows come back, all in kernels; no host copy of node features. Where LAMMPS communicates from
// the host instead, the same rows through a host mirror. Same rows, words and results as the host
// exchange (tests/pair_style/test_kokkos_layer_exchange.cpp, both paths). Free of LAMMPS's
// headers (the pair style adapts its dual views); header-only, like the graph builder.
#pragma once

#include <Kokkos_Core.hpp>

#include <string>
#include <type_traits>

#include "kernels/common/error.hpp"
#include "models/engine/ghost_exchange.hpp"
#include "models/engine/memory_space.hpp"
#include "pair_style/layer_exchange.hpp"

namespace equifuse {

namespace kokkos_exchange_detail {

// Kernels live in free functions: CUDA's extended lambdas may not be defined in private members.
// Rows of T are read and written through T pointers into the words (two floats per double).

template <class Execution, typename T>
void nodes_to_atoms(std::size_t first, std::size_t last, int width, const T* rows,
                    const int* node_atom, double* words, int words_per_atom) {
  const auto count = static_cast<long>((last - first) * static_cast<std::size_t>(width));
  Kokkos::parallel_for(
      "equifuse::nodes_to_atoms", Kokkos::RangePolicy<Execution>(0, count),
      KOKKOS_LAMBDA(const long k) {
        const long node = static_cast<long>(first) + k / width, c = k % width;
        const long atom = node_atom == nullptr ? node : node_atom[node];
        T* row = reinterpret_cast<T*>(words + atom * words_per_atom);
        row[c] = rows[node * width + c];
      });
}

// rows = atom rows (add: rows += atom rows), for nodes [first, last).
template <class Execution, typename T>
void atoms_to_nodes(std::size_t first, std::size_t last, int width, T* rows, const int* node_atom,
                    const double* words, int words_per_atom, bool add) {
  const auto count = static_cast<long>((last - first) * static_cast<std::size_t>(width));
  Kokkos::parallel_for(
      "equifuse::atoms_to_nodes", Kokkos::RangePolicy<Execution>(0, count),
      KOKKOS_LAMBDA(const long k) {
        const long node = static_cast<long>(first) + k / width, c = k % width;
        const long atom = node_atom == nullptr ? node : node_atom[node];
        const T* row = reinterpret_cast<const T*>(words + atom * words_per_atom);
        rows[node * width + c] = add ? rows[node * width + c] + row[c] : row[c];
      });
}

template <class Execution, typename T>
void clear_rows(std::size_t first, std::size_t last, int width, T* rows) {
  const auto begin = static_cast<long>(first * static_cast<std::size_t>(width));
  const auto end = static_cast<long>(last * static_cast<std::size_t>(width));
  Kokkos::parallel_for(
      "equifuse::clear_ghost_rows", Kokkos::RangePolicy<Execution>(begin, end),
      KOKKOS_LAMBDA(const long k) { rows[k] = T(0); });
}

// buffer[i] = words of atom list[i] (list null: atom first + i), or the reverse direction.
template <class Execution>
void copy_words(int n, const int* list, int first, int words_per_atom, const double* from_words,
                double* to_words, bool to_buffer) {
  const long count = static_cast<long>(n) * words_per_atom;
  Kokkos::parallel_for(
      "equifuse::copy_exchange_words", Kokkos::RangePolicy<Execution>(0, count),
      KOKKOS_LAMBDA(const long k) {
        const long i = k / words_per_atom, w = k % words_per_atom;
        const long atom = list == nullptr ? first + i : list[i];
        if (to_buffer)
          to_words[k] = from_words[atom * words_per_atom + w];
        else
          to_words[atom * words_per_atom + w] = from_words[k];
      });
}

template <class Execution, typename T>
void add_buffer_rows(int n, const int* list, int width, int words_per_atom, const double* buffer,
                     double* words) {
  const long count = static_cast<long>(n) * width;
  Kokkos::parallel_for(
      "equifuse::add_exchange_rows", Kokkos::RangePolicy<Execution>(0, count),
      KOKKOS_LAMBDA(const long k) {
        const long i = k / width, c = k % width;
        const T* in = reinterpret_cast<const T*>(buffer + i * words_per_atom);
        T* row = reinterpret_cast<T*>(words + static_cast<long>(list[i]) * words_per_atom);
        row[c] += in[c];
      });
}

}  // namespace kokkos_exchange_detail

// Whether equifuse's memory `space` is Kokkos's `Memory` (the potential can read LAMMPS's views,
// and the exchange its node rows, in place); none for other spaces (HIP, UVM) until equifuse has
// such a backend.
template <class Memory>
bool kokkos_memory_is(MemorySpace space) {
  if constexpr (std::is_same_v<Memory, Kokkos::HostSpace>) return space == MemorySpace::host;
#ifdef KOKKOS_ENABLE_CUDA
  if constexpr (std::is_same_v<Memory, Kokkos::CudaSpace>) return space == MemorySpace::cuda;
#endif
  return false;
}

template <class Device>
class KokkosLayerExchange final : public LayerExchangeBase {
 public:
  using Execution = typename Device::execution_space;
  using Memory = typename Device::memory_space;

  explicit KokkosLayerExchange(Communication& communication) : LayerExchangeBase(communication) {}

  // As LayerExchange::prepare, with the graph's node -> atom view in Device's memory.
  void prepare(const Kokkos::View<int*, Device>& node_atom, std::size_t num_nodes, int num_atoms,
               int num_layers) {
    node_atom_ = node_atom;
    start(num_nodes, num_atoms, num_layers);
  }

  void forward(int layer, const NodeRows<float>& f) const override { forward_rows(layer, f); }
  void forward(int layer, const NodeRows<double>& f) const override { forward_rows(layer, f); }
  void reverse(int layer, const NodeRows<float>& g) const override { reverse_rows(layer, g); }
  void reverse(int layer, const NodeRows<double>& g) const override { reverse_rows(layer, g); }

  // LAMMPS's Kokkos pair pack/unpack (kokkos_base.h) on Device's views, for the exchange under
  // way; words_per_row words per atom.
  int pack_forward(int n, const Kokkos::View<int*, Device>& list,
                   const Kokkos::View<double*, Device>& buffer) const {
    to_device();
    kokkos_exchange_detail::copy_words<Execution>(n, list.data(), 0, words_, atom_rows_.data(),
                                                  buffer.data(), true);
    count_packed(n);
    return n * words_;
  }
  void unpack_forward(int n, int first, const Kokkos::View<double*, Device>& buffer) const {
    to_device();
    kokkos_exchange_detail::copy_words<Execution>(n, nullptr, first, words_, buffer.data(),
                                                  atom_rows_.data(), false);
    host_current_ = false;
  }
  int pack_reverse(int n, int first, const Kokkos::View<double*, Device>& buffer) const {
    to_device();
    kokkos_exchange_detail::copy_words<Execution>(n, nullptr, first, words_, atom_rows_.data(),
                                                  buffer.data(), true);
    count_packed(n);
    return n * words_;
  }
  void unpack_reverse(int n, const Kokkos::View<int*, Device>& list,
                      const Kokkos::View<double*, Device>& buffer) const {
    to_device();
    if (single_)
      kokkos_exchange_detail::add_buffer_rows<Execution, float>(n, list.data(), width_, words_,
                                                                buffer.data(), atom_rows_.data());
    else
      kokkos_exchange_detail::add_buffer_rows<Execution, double>(n, list.data(), width_, words_,
                                                                 buffer.data(), atom_rows_.data());
    host_current_ = false;
  }

  // The same for LAMMPS's host communication (CommBrick's pack functions), which KOKKOS takes
  // without GPU-aware MPI, with `comm/pair/forward host`, `pair/only on` and comm_style tiled: on
  // a host mirror of the atom rows, copied from the device at the first host pack and back before
  // the rows are read.
  int pack_forward(int n, const int* list, double* buffer) const {
    count_packed(n);
    return host_words().pack(n, list, 0, buffer);
  }
  void unpack_forward(int n, int first, const double* buffer) const {
    host_words().unpack(n, first, buffer);
    host_modified_ = true;
  }
  int pack_reverse(int n, int first, double* buffer) const {
    count_packed(n);
    return host_words().pack(n, nullptr, first, buffer);
  }
  void unpack_reverse(int n, const int* list, const double* buffer) const {
    host_words().add(n, list, buffer);
    host_modified_ = true;
  }

 private:
  // Rows where Device's kernels read them: in place when the potential's memory is Device's, else
  // a staging copy (a host potential under a GPU Kokkos, or the reverse).
  template <typename T>
  T* device_rows(const NodeRows<T>& rows) const {
    if (kokkos_memory_is<Memory>(rows.space)) return rows.data;
    const std::size_t size = rows.num_nodes * static_cast<std::size_t>(rows.width);
    const std::size_t words = size * sizeof(T) / sizeof(double) + 1;
    if (staging_.extent(0) < words)
      staging_ = Kokkos::View<double*, Device>(
          Kokkos::view_alloc(Kokkos::WithoutInitializing,
                             std::string("equifuse::exchange_staging")),
          words);
    T* staged = reinterpret_cast<T*>(staging_.data());
    copy_rows(staged, Memory(), rows.data, rows.space, size);
    return staged;
  }
  template <typename T>
  void return_rows(const NodeRows<T>& rows, const T* staged, std::size_t first_node) const {
    if (kokkos_memory_is<Memory>(rows.space)) return;
    const auto width = static_cast<std::size_t>(rows.width);
    copy_rows(rows.data + first_node * width, rows.space, staged + first_node * width, Memory(),
              (rows.num_nodes - first_node) * width);
  }

  // Between a potential's memory and Device's: Kokkos copies from the host, equifuse from its GPU.
  template <typename T>
  static void copy_rows(T* to, Memory, const T* from, MemorySpace from_space, std::size_t size) {
    if (from_space == MemorySpace::host) {
      Kokkos::deep_copy(
          Kokkos::View<T*, Memory, Kokkos::MemoryUnmanaged>(to, size),
          Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(from, size));
      return;
    }
    if (!std::is_same_v<Memory, Kokkos::HostSpace>)
      throw Error("equifuse/kk: the potential's memory cannot be read from this Kokkos space");
    copy_memory(to, MemorySpace::host, from, from_space, size * sizeof(T));
  }
  template <typename T>
  static void copy_rows(T* to, MemorySpace to_space, const T* from, Memory, std::size_t size) {
    if (to_space == MemorySpace::host) {
      Kokkos::deep_copy(Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(to, size),
                        Kokkos::View<const T*, Memory, Kokkos::MemoryUnmanaged>(from, size));
      return;
    }
    if (!std::is_same_v<Memory, Kokkos::HostSpace>)
      throw Error("equifuse/kk: the potential's memory cannot be written from this Kokkos space");
    copy_memory(to, to_space, from, MemorySpace::host, size * sizeof(T));
  }

  // The atom rows of this exchange, zeroed for a reverse.
  void size_atom_rows(bool clear) const {
    const std::size_t size = atom_words_size();
    if (atom_rows_.extent(0) < size)
      atom_rows_ =
          Kokkos::View<double*, Device>("equifuse::exchange_atom_rows", size + size / 8 + 16);
    else if (clear)
      Kokkos::deep_copy(atom_rows_, 0.0);
    host_current_ = false;
    host_modified_ = false;
  }
  AtomWords host_words() const {
    if (!host_current_) {
      // A copy even where Device's memory is the host's: the device path of a host backend uses
      // the host exchange instead, and the tests then check the copies both ways.
      if (host_rows_.extent(0) != atom_rows_.extent(0))
        host_rows_ = Kokkos::create_mirror(atom_rows_);
      Kokkos::deep_copy(host_rows_, atom_rows_);
      host_current_ = true;
    }
    return {host_rows_.data(), words_, width_, single_};
  }
  // The host's changes (LAMMPS's host communication) back to Device's rows.
  void to_device() const {
    if (!host_modified_) return;
    Kokkos::deep_copy(atom_rows_, host_rows_);
    host_modified_ = false;
  }

  template <typename T>
  void forward_rows(int layer, const NodeRows<T>& features) const {
    begin_layer(layer, features, true);
    size_atom_rows(false);
    T* rows = device_rows(features);
    kokkos_exchange_detail::nodes_to_atoms<Execution>(0, features.num_local, width_, rows, nullptr,
                                                      atom_rows_.data(), words_);
    Execution().fence();
    communication_.forward();
    to_device();
    kokkos_exchange_detail::atoms_to_nodes<Execution>(features.num_local, features.num_nodes,
                                                      width_, rows, node_atom_.data(),
                                                      atom_rows_.data(), words_, false);
    Execution().fence();  // the potential reads the rows on its own stream next
    return_rows(features, rows, features.num_local);
  }

  template <typename T>
  void reverse_rows(int layer, const NodeRows<T>& gradients) const {
    begin_layer(layer, gradients, false);
    size_atom_rows(true);
    T* rows = device_rows(gradients);
    kokkos_exchange_detail::nodes_to_atoms<Execution>(gradients.num_local, gradients.num_nodes,
                                                      width_, rows, node_atom_.data(),
                                                      atom_rows_.data(), words_);
    kokkos_exchange_detail::clear_rows<Execution>(gradients.num_local, gradients.num_nodes, width_,
                                                  rows);
    Execution().fence();
    communication_.reverse();
    to_device();
    kokkos_exchange_detail::atoms_to_nodes<Execution>(0, gradients.num_local, width_, rows, nullptr,
                                                      atom_rows_.data(), words_, true);
    Execution().fence();
    return_rows(gradients, rows, 0);
  }

  Kokkos::View<int*, Device> node_atom_;
  mutable Kokkos::View<double*, Device> atom_rows_, staging_;
  mutable typename Kokkos::View<double*, Device>::host_mirror_type host_rows_;
  // The host mirror holds the device's rows; the host changed them since.
  mutable bool host_current_ = false, host_modified_ = false;
};

}  // namespace equifuse
