// `comm layer` (docs/lammps.md): the node features of ghost atoms owned by other ranks come from
// their owners before every message-passing layer after the first, through LAMMPS's forward
// communication, and in the backward their gradients go back through its reverse communication.
// The ghost shell is then one cutoff (r_max + skin), whatever the number of layers. Free of LAMMPS
// headers (tests/pair_style/test_layer_exchange.cpp emulates the ranks): the pair style provides
// the communication and calls the pack/unpack functions from its own.
//
// Rows travel per LAMMPS atom (local and ghost, LAMMPS's indices), as doubles: a double row holds
// one number per word, a float row two (bit copies, halving what float32 sends; MPI moves the
// words unchanged between ranks of one architecture).
#pragma once

#include <cstddef>
#include <vector>

#include "models/engine/ghost_exchange.hpp"

namespace equifuse {

// The per-atom rows of an exchange under way, as LAMMPS's pack functions move them: both
// exchanges pack with these (the Kokkos one on its host mirror when LAMMPS communicates from the
// host).
struct AtomWords {
  double* rows = nullptr;  // [num_atoms][words]
  int words = 0, width = 0;
  bool single = false;  // rows of floats, two a word
  // buffer[i] = the words of atom list[i] (list null: atom first + i); returns the words packed.
  int pack(int n, const int* list, int first, double* buffer) const;
  // The words of atoms [first, first + n) = buffer.
  void unpack(int n, int first, const double* buffer) const;
  // Row of atom list[i] += the row in buffer[i] (as numbers, not words).
  void add(int n, const int* list, const double* buffer) const;
};

// What the host and the Kokkos exchange share: LAMMPS's communication, the graph they were
// prepared for, the layout of the exchange under way and the count of what went where.
class LayerExchangeBase : public GhostExchange {
 public:
  // LAMMPS's communication of the pair style, which calls back the pack/unpack functions:
  // forward sends every owner's row to its ghosts, reverse adds every ghost's row to its owner's.
  class Communication {
   public:
    virtual ~Communication() = default;
    virtual void forward() = 0;
    virtual void reverse() = 0;
  };

  // What one rank packed for its neighbours in one evaluation (a rank's own periodic images
  // included, as LAMMPS packs those too).
  struct Traffic {
    std::vector<long> forward_calls, reverse_calls;  // by layer [0, num_interactions)
    double bytes = 0;                                // packed, both directions
  };

  // Words per atom a row of `width` numbers takes: the size LAMMPS's buffers need per atom.
  static int words_per_row(int width, bool single_precision) {
    return single_precision ? (width + 1) / 2 : width;
  }

  const Traffic& traffic() const { return traffic_; }
  // Words per atom of the exchange under way.
  int words_per_atom() const { return words_; }

 protected:
  explicit LayerExchangeBase(Communication& communication) : communication_(communication) {}
  // Before each evaluation: the graph's nodes, the number of LAMMPS atoms (local + ghost) and of
  // layers (for the traffic count). Clears the traffic count.
  void start(std::size_t num_nodes, int num_atoms, int num_layers);
  // Checks `rows` against the prepared graph and layer, sets the layout, counts the call.
  template <typename T>
  void begin_layer(int layer, const NodeRows<T>& rows, bool forward) const;
  void count_packed(int n) const;
  std::size_t atom_words_size() const {
    return static_cast<std::size_t>(num_atoms_) * static_cast<std::size_t>(words_);
  }

  Communication& communication_;
  std::size_t num_nodes_ = 0;
  int num_atoms_ = 0;
  // The exchange under way (set by forward/reverse before LAMMPS calls the pack functions).
  mutable int words_ = 0, width_ = 0;
  mutable bool single_ = false;
  mutable Traffic traffic_;
};

// The exchange in host memory (pair_style equifuse; equifuse/kk on a host Kokkos).
class LayerExchange final : public LayerExchangeBase {
 public:
  explicit LayerExchange(Communication& communication) : LayerExchangeBase(communication) {}

  // Before each evaluation: the LAMMPS atom of every node of the graph (local nodes are atoms
  // [0, num_local) in order, neighbor_graph.hpp; `node_atom` [num_nodes] stays valid until the
  // evaluation ends), the number of LAMMPS atoms and of layers.
  void prepare(const int* node_atom, std::size_t num_nodes, int num_atoms, int num_layers);

  void forward(int layer, const NodeRows<float>& features) const override;
  void forward(int layer, const NodeRows<double>& features) const override;
  void reverse(int layer, const NodeRows<float>& gradients) const override;
  void reverse(int layer, const NodeRows<double>& gradients) const override;

  // LAMMPS's pair pack/unpack, for the exchange under way: forward packs the rows of atoms
  // `list[0..n)` and unpacks into atoms [first, first + n); reverse packs atoms [first, first + n)
  // and adds into atoms `list[0..n)`. Each returns or reads words_per_row words per atom.
  int pack_forward(int n, const int* list, double* buffer) const;
  void unpack_forward(int n, int first, const double* buffer) const;
  int pack_reverse(int n, int first, double* buffer) const;
  void unpack_reverse(int n, const int* list, const double* buffer) const;

  // Host memory it keeps between evaluations.
  double memory_bytes() const {
    return static_cast<double>(atom_rows_.capacity() * sizeof(double) + staging_.capacity());
  }

 private:
  template <typename T>
  void forward_rows(int layer, const NodeRows<T>& features) const;
  template <typename T>
  void reverse_rows(int layer, const NodeRows<T>& gradients) const;
  // The bytes of an atom's row (read and written with memcpy: a row of floats lives in doubles).
  char* atom_row(std::size_t atom) const {
    return reinterpret_cast<char*>(atom_rows_.data() + atom * static_cast<std::size_t>(words_));
  }
  AtomWords atom_words() const { return {atom_rows_.data(), words_, width_, single_}; }

  const int* node_atom_ = nullptr;
  mutable std::vector<double> atom_rows_;  // [num_atoms][words_]
  mutable std::vector<char> staging_;      // node rows of a GPU potential, on the host
};

}  // namespace equifuse
