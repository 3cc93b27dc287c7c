// `comm layer` on emulated ranks, for the host and the Kokkos exchange tests: a crystal split into
// slab "ranks" (emulated_lammps.hpp: local atoms, ghosts within r_max + skin), each evaluated on
// its own thread with the graph of one hop of ghosts and an exchange whose communication moves rows
// as LAMMPS's swaps would: a rank packs in one call the rows of all its atoms that are ghosts of
// another rank (a list, as a forward swap's send list), the other unpacks them row by row; in the
// reverse a rank packs all its ghosts in one call (a range, as a reverse swap) and each owner adds
// its rows. Every pack must fit the buffer LAMMPS would size from the model's widths.
#pragma once

#include <gtest/gtest.h>

#include <barrier>
#include <cmath>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "pair_style/layer_exchange.hpp"
#include "pair_style/neighbor_graph.hpp"
#include "tests/pair_style/emulated_lammps.hpp"

namespace equifuse::testing_support {

inline constexpr double kLayerSkin = 1.0;

struct Location {
  int rank = -1, local = -1;  // the rank owning an atom ID, and its local index there
};

// Exchange: a GhostExchange built from a LayerExchangeBase::Communication&, with LAMMPS's host
// pack functions (pack_forward(n, list, buffer), unpack_forward(n, first, buffer),
// pack_reverse(n, first, buffer), unpack_reverse(n, list, buffer)) and traffic().
template <class Exchange>
class EmulatedWorld {
 public:
  EmulatedWorld(std::vector<EmulatedRank>& ranks, const std::vector<Location>& owner_of_tag,
                int max_words)
      : ranks_(ranks),
        owner_of_tag_(owner_of_tag),
        max_words_(max_words),
        barrier_(static_cast<long>(ranks.size())) {
    const std::size_t n = ranks.size();
    for (std::size_t r = 0; r < n; ++r) {
      links_.push_back(std::make_unique<Link>(*this, static_cast<int>(r)));
      exchanges_.push_back(std::make_unique<Exchange>(*links_.back()));
    }
    sends_.resize(n * n);
    ghost_rows_.resize(n);
  }
  Exchange& exchange(int rank) { return *exchanges_[static_cast<std::size_t>(rank)]; }
  // Atoms whose rows rank r packs in one forward exchange (ghosts of its atoms, its own periodic
  // images included) and in one reverse exchange (its ghosts).
  long forward_packs(int r) const {
    long count = 0;
    for (const EmulatedRank& q : ranks_)
      for (int i = q.num_local; i < q.num_atoms; ++i) count += owner_of_tag_[q.tag[i]].rank == r;
    return count;
  }
  long reverse_packs(int r) const {
    const EmulatedRank& q = ranks_[static_cast<std::size_t>(r)];
    return q.num_atoms - q.num_local;
  }

 private:
  struct Link final : LayerExchangeBase::Communication {
    Link(EmulatedWorld& w, int r) : world(w), rank(r) {}
    void forward() override { world.forward(rank); }
    void reverse() override { world.reverse(rank); }
    EmulatedWorld& world;
    int rank;
  };
  // What rank `from` sent rank `to` in a forward exchange: its ghosts there, in order, and rows.
  struct Send {
    std::vector<int> ghosts, locals;
    std::vector<double> words;
    int words_per_atom = 0;
  };
  Send& send(int from, int to) {
    return sends_[static_cast<std::size_t>(from) * ranks_.size() + to];
  }

  // Packs into a buffer sized as LAMMPS sizes it (max_words per atom) and checks the fit.
  template <class Pack>
  int checked_pack(int n, std::vector<double>& buffer, Pack pack) {
    buffer.assign(static_cast<std::size_t>(n) * max_words_ + 1, -7.0);
    const int words = pack(buffer.data());
    EXPECT_LE(words, n * max_words_) << "a pack larger than the buffer LAMMPS sizes";
    EXPECT_EQ(buffer.back(), -7.0) << "a pack wrote past its words";
    return n > 0 ? words / n : 0;
  }

  void forward(int me) {
    barrier_.arrive_and_wait();  // every rank has its local rows in place
    for (std::size_t q = 0; q < ranks_.size(); ++q) {
      const EmulatedRank& other = ranks_[q];
      Send& s = send(me, static_cast<int>(q));
      s.ghosts.clear();
      s.locals.clear();
      for (int i = other.num_local; i < other.num_atoms; ++i) {
        const Location owner = owner_of_tag_[other.tag[i]];
        if (owner.rank != me) continue;
        s.ghosts.push_back(i);
        s.locals.push_back(owner.local);
      }
      const int n = static_cast<int>(s.locals.size());
      s.words_per_atom = checked_pack(n, s.words, [&](double* buffer) {
        return exchange(me).pack_forward(n, s.locals.data(), buffer);
      });
    }
    barrier_.arrive_and_wait();
    for (std::size_t from = 0; from < ranks_.size(); ++from) {
      const Send& s = send(static_cast<int>(from), me);
      for (std::size_t k = 0; k < s.ghosts.size(); ++k)
        exchange(me).unpack_forward(1, s.ghosts[k], s.words.data() + k * s.words_per_atom);
    }
    barrier_.arrive_and_wait();  // buffers read before they are written again
  }

  void reverse(int me) {
    const EmulatedRank& mine = ranks_[static_cast<std::size_t>(me)];
    const int n = mine.num_atoms - mine.num_local;
    GhostRows& g = ghost_rows_[static_cast<std::size_t>(me)];
    g.words_per_atom = checked_pack(n, g.words, [&](double* buffer) {
      return exchange(me).pack_reverse(n, mine.num_local, buffer);
    });
    barrier_.arrive_and_wait();
    for (std::size_t q = 0; q < ranks_.size(); ++q) {
      const EmulatedRank& other = ranks_[q];
      const GhostRows& rows = ghost_rows_[q];
      for (int i = other.num_local; i < other.num_atoms; ++i) {
        const Location owner = owner_of_tag_[other.tag[i]];
        if (owner.rank != me) continue;
        exchange(me).unpack_reverse(
            1, &owner.local,
            rows.words.data() +
                static_cast<std::size_t>(i - other.num_local) * rows.words_per_atom);
      }
    }
    barrier_.arrive_and_wait();
  }

  struct GhostRows {
    std::vector<double> words;
    int words_per_atom = 0;
  };

  std::vector<EmulatedRank>& ranks_;
  const std::vector<Location>& owner_of_tag_;
  int max_words_;
  std::barrier<> barrier_;
  std::vector<std::unique_ptr<Link>> links_;
  std::vector<std::unique_ptr<Exchange>> exchanges_;
  std::vector<Send> sends_;            // [from][to]
  std::vector<GhostRows> ghost_rows_;  // [rank]
};

// The largest row of the model in words: what comm_forward sizes LAMMPS's buffers by.
inline int max_exchange_words(const PotentialInfo& info) {
  int words = 0;
  for (int width : info.exchanged_widths)
    words = std::max(words,
                     LayerExchangeBase::words_per_row(width, info.precision == Precision::float32));
  return words;
}

// Slabs [bounds[r], bounds[r + 1]) along x (equal bounds: a rank without atoms), each evaluated
// with its exchange after `prepare(exchange, graph, num_atoms, layers)`; then the totals against
// the whole structure and the traffic of every rank: one forward and one reverse exchange per
// layer after the first, one row per ghost each way.
template <class Exchange>
void expect_layer_exchange_equals_whole(
    const Potential& potential, const Crystal& c, const std::vector<double>& bounds,
    const std::function<void(Exchange&, const NeighborGraph&, int, int)>& prepare) {
  const PotentialInfo& info = potential.info();
  const double r_max = info.r_max;
  const int num_ranks = static_cast<int>(bounds.size()) - 1;
  std::vector<EmulatedRank> ranks;
  std::vector<Location> owner_of_tag(c.positions.size());
  for (int r = 0; r < num_ranks; ++r) {
    ranks.push_back(
        emulate_rank(c, bounds[r], bounds[r + 1], r_max + kLayerSkin, r_max + kLayerSkin));
    for (int i = 0; i < ranks.back().num_local; ++i) owner_of_tag[ranks.back().tag[i]] = {r, i};
  }
  EmulatedWorld<Exchange> world(ranks, owner_of_tag, max_exchange_words(info));
  std::vector<NeighborGraph> graphs(ranks.size());
  std::vector<PotentialOutput> outputs(ranks.size());
  std::vector<std::thread> threads;
  for (int r = 0; r < num_ranks; ++r) {
    threads.emplace_back([&, r] {
      EmulatedRank& rank = ranks[static_cast<std::size_t>(r)];
      NeighborListView view = rank.view();
      view.num_lists = rank.num_local;  // comm layer needs no lists of ghosts
      NeighborGraph& graph = graphs[static_cast<std::size_t>(r)];
      build_neighbor_graph(view, r_max, 1, graph);
      Exchange& exchange = world.exchange(r);
      prepare(exchange, graph, rank.num_atoms, info.num_interactions);
      outputs[static_cast<std::size_t>(r)] = potential.evaluate(graph.graph, &exchange);
    });
  }
  for (std::thread& t : threads) t.join();

  CrystalTotals run;
  run.forces.assign(3 * c.positions.size(), 0.0);
  const bool single = info.precision == Precision::float32;
  double words = 0;
  for (int width : info.exchanged_widths) words += LayerExchangeBase::words_per_row(width, single);
  for (int r = 0; r < num_ranks; ++r) {
    const NeighborGraph& graph = graphs[static_cast<std::size_t>(r)];
    const PotentialOutput& out = outputs[static_cast<std::size_t>(r)];
    const ForcesAndVirial fv = forces_and_virial(graph.graph, out.edge_gradients);
    run.energy += out.energy;
    for (std::size_t node = 0; node < graph.node_atom.size(); ++node) {
      const int tag = ranks[static_cast<std::size_t>(r)].tag[graph.node_atom[node]];
      for (int k = 0; k < 3; ++k) run.forces[3 * tag + k] += fv.forces[3 * node + k];
    }
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) run.virial[a][b] += fv.virial[a][b];
    const LayerExchangeBase::Traffic& t = world.exchange(r).traffic();
    for (int layer = 0; layer < info.num_interactions; ++layer) {
      EXPECT_EQ(t.forward_calls[layer], layer == 0 ? 0 : 1) << "rank " << r << " layer " << layer;
      EXPECT_EQ(t.reverse_calls[layer], layer == 0 ? 0 : 1) << "rank " << r << " layer " << layer;
    }
    EXPECT_EQ(t.bytes,
              8 * words * static_cast<double>(world.forward_packs(r) + world.reverse_packs(r)))
        << "rank " << r;
  }

  const CrystalTotals reference = whole_structure(potential, c);
  const double tolerance = single ? 2e-4 : 1e-10;
  EXPECT_NEAR(run.energy, reference.energy, tolerance * std::abs(reference.energy));
  for (std::size_t i = 0; i < reference.forces.size(); ++i)
    ASSERT_NEAR(run.forces[i], reference.forces[i], tolerance) << "atom " << i / 3;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      EXPECT_NEAR(run.virial[a][b], reference.virial[a][b], single ? 2e-3 : 1e-9);
}

// Three thin slabs (3.7 Angstrom, thinner than r_max) of a 3-cell crystal, then the same with a
// fourth rank that owns no atom.
inline std::vector<std::vector<double>> thin_slab_decompositions(double box) {
  return {{0, box / 3, 2 * box / 3, box}, {0, box / 3, box / 3, 2 * box / 3, box}};
}

}  // namespace equifuse::testing_support
