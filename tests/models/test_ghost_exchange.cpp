// The models' hook between message-passing layers (GhostExchange): a structure split into
// subdomains, each evaluated by its own thread as an MPI rank would be, with a ghost shell of one
// cutoff (periodic images and atoms of other subdomains) whose node features come from their
// owners layer by layer and whose gradients go back, gives the energy and forces of the whole
// structure. One subdomain exercises periodic images alone; three include an empty one. With
// streamed edges in blocks of one receiver, 2 subdomains equal one block on the same subdomains.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/extxyz.hpp"
#include "models/structure/neighbor_list.hpp"

namespace equifuse {
namespace {

struct Owner {
  int rank, node;  // the subdomain that owns the atom, and its local node there
};

struct Subdomain {
  AtomicGraph graph;
  std::vector<int> node_atom;  // atom of each node (local and ghost)
  std::vector<Owner> owners;   // of each ghost node [num_local, num_nodes)
};

// Subdomain r holds the atoms with rank_of[a] == r as local nodes and, as ghosts, every other
// atom image within r_max of one of them; edges go to local receivers only.
std::vector<Subdomain> split(const AtomicStructure& s, const std::vector<int>& species_list,
                             double r_max, const std::vector<int>& rank_of, int ranks) {
  const AtomicGraph whole = make_atomic_graph(s, species_list, r_max);
  std::vector<Subdomain> parts(static_cast<std::size_t>(ranks));
  std::vector<int> local_node(s.size());
  for (int r = 0; r < ranks; ++r) {
    Subdomain& p = parts[r];
    for (std::size_t a = 0; a < s.size(); ++a) {
      if (rank_of[a] != r) continue;
      local_node[a] = static_cast<int>(p.node_atom.size());
      p.node_atom.push_back(static_cast<int>(a));
      p.graph.species.push_back(whole.species[a]);
    }
    p.graph.num_local = p.node_atom.size();
  }
  for (int r = 0; r < ranks; ++r) {
    Subdomain& p = parts[r];
    std::map<std::vector<long>, int> ghost_of;  // (atom, shift in micro-Angstrom) -> node
    for (std::size_t e = 0; e < whole.num_edges(); ++e) {
      const int receiver = whole.receivers[e], sender = whole.senders[e];
      if (rank_of[receiver] != r) continue;
      const double* v = &whole.edge_vectors[3 * e];
      std::vector<long> key{sender};
      bool image = false;
      for (int k = 0; k < 3; ++k) {
        const double shift = v[k] - (s.positions[receiver][k] - s.positions[sender][k]);
        key.push_back(std::lround(shift * 1e6));
        image = image || key.back() != 0;
      }
      int node = 0;
      if (rank_of[sender] == r && !image) {
        node = local_node[sender];
      } else {
        const auto [it, added] = ghost_of.emplace(key, static_cast<int>(p.node_atom.size()));
        if (added) {
          p.node_atom.push_back(sender);
          p.graph.species.push_back(whole.species[sender]);
          p.owners.push_back({rank_of[sender], local_node[sender]});
        }
        node = it->second;
      }
      p.graph.senders.push_back(node);
      p.graph.receivers.push_back(local_node[receiver]);
      p.graph.edge_vectors.insert(p.graph.edge_vectors.end(), v, v + 3);
    }
    p.graph.num_nodes = p.node_atom.size();
  }
  return parts;
}

// Every subdomain's thread calls the same exchange; a barrier separates publishing the rows,
// reading the owners' rows and (reverse) clearing the ghost rows.
class ThreadExchange final : public GhostExchange {
 public:
  explicit ThreadExchange(const std::vector<Subdomain>& parts)
      : parts_(parts), barrier_(static_cast<std::ptrdiff_t>(parts.size())), rows_(parts.size()) {}

  void forward(int, const NodeRows<float>& f) const override { copy_from_owners(f); }
  void forward(int, const NodeRows<double>& f) const override { copy_from_owners(f); }
  void reverse(int, const NodeRows<float>& g) const override { add_to_owners(g); }
  void reverse(int, const NodeRows<double>& g) const override { add_to_owners(g); }

  int calls() const { return calls_; }

 private:
  template <typename T>
  void copy_from_owners(const NodeRows<T>& f) const {
    const int me = publish(f);
    const Subdomain& p = parts_[me];
    for (std::size_t g = 0; g < p.owners.size(); ++g) {
      const Owner& o = p.owners[g];
      const T* source =
          static_cast<const T*>(rows_[o.rank]) + static_cast<std::size_t>(o.node) * f.width;
      std::copy(source, source + f.width, f.data + (f.num_local + g) * f.width);
    }
    barrier_.arrive_and_wait();  // every owner row read before anyone moves on
  }

  template <typename T>
  void add_to_owners(const NodeRows<T>& g) const {
    const int me = publish(g);
    for (std::size_t r = 0; r < parts_.size(); ++r) {
      const Subdomain& p = parts_[r];
      const T* rows = static_cast<const T*>(rows_[r]);
      for (std::size_t k = 0; k < p.owners.size(); ++k) {
        if (p.owners[k].rank != me) continue;
        const T* source = rows + (p.graph.num_local + k) * g.width;
        T* target = g.data + static_cast<std::size_t>(p.owners[k].node) * g.width;
        for (int c = 0; c < g.width; ++c) target[c] += source[c];
      }
    }
    barrier_.arrive_and_wait();  // every ghost row read before it is cleared
    std::fill(g.data + g.num_local * g.width, g.data + g.num_nodes * g.width, T(0));
    barrier_.arrive_and_wait();
  }

  // The calling thread's subdomain (set by the thread that evaluates it).
  template <typename T>
  int publish(const NodeRows<T>& rows) const {
    const int me = current_rank;
    rows_[static_cast<std::size_t>(me)] = rows.data;
    ++calls_;
    barrier_.arrive_and_wait();  // every subdomain's rows published
    return me;
  }

 public:
  static thread_local int current_rank;

 private:
  const std::vector<Subdomain>& parts_;
  mutable std::barrier<> barrier_;
  mutable std::vector<const void*> rows_;
  mutable std::atomic<int> calls_{0};
};

thread_local int ThreadExchange::current_rank = -1;

struct Totals {
  double energy = 0;
  std::vector<double> forces;  // [atoms][3]
};

Totals whole_structure(const Potential& potential, const AtomicStructure& s) {
  const AtomicGraph graph = make_atomic_graph(s, potential.info().species, potential.info().r_max);
  const PotentialOutput out = potential.evaluate(graph);
  return {out.energy, forces_and_virial(graph, out.edge_gradients).forces};
}

Totals subdomains(const Potential& potential, const AtomicStructure& s,
                  const std::vector<int>& rank_of, int ranks, bool exchange_features,
                  int* calls = nullptr) {
  const std::vector<Subdomain> parts =
      split(s, potential.info().species, potential.info().r_max, rank_of, ranks);
  const ThreadExchange exchange(parts);
  std::vector<PotentialOutput> outputs(parts.size());
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r] {
      ThreadExchange::current_rank = r;
      outputs[r] = potential.evaluate(parts[r].graph, exchange_features ? &exchange : nullptr);
    });
  }
  for (std::thread& t : threads) t.join();
  if (calls != nullptr) *calls = exchange.calls();
  Totals totals;
  totals.forces.assign(3 * s.size(), 0.0);
  for (int r = 0; r < ranks; ++r) {
    totals.energy += outputs[r].energy;
    const ForcesAndVirial fv = forces_and_virial(parts[r].graph, outputs[r].edge_gradients);
    for (std::size_t n = 0; n < parts[r].node_atom.size(); ++n)
      for (int k = 0; k < 3; ++k)
        totals.forces[3 * parts[r].node_atom[n] + k] += fv.forces[3 * n + k];
  }
  return totals;
}

double max_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

class GhostExchangeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GhostExchangeTest, SubdomainsWithOneCutoffOfGhostsEqualTheWholeStructure) {
  const std::string model = GetParam();
  const std::string dir = std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" +
                          model.substr(0, model.find('_')) + "/";
  const auto potential = load_potential(dir + model + ".eqf");
  const int layers = potential->info().num_interactions;
  ASSERT_GE(layers, 2) << "a one-layer model exchanges nothing";
  for (const char* name : {"fcc_rattled", "triclinic_strained", "slab_pbc_xy"}) {
    SCOPED_TRACE(name);
    const AtomicStructure s =
        read_extxyz(dir + "structures/" + model + "-" + name + ".extxyz").at(0);
    const Totals reference = whole_structure(*potential, s);
    double x_min = 1e30, x_max = -1e30;
    for (const auto& p : s.positions) {
      x_min = std::min(x_min, p[0]);
      x_max = std::max(x_max, p[0]);
    }
    for (int ranks : {1, 2, 3}) {
      SCOPED_TRACE(std::to_string(ranks) + " subdomains");
      // Slabs along x; with three, the middle one stays empty.
      std::vector<int> rank_of;
      for (const auto& p : s.positions) {
        const bool upper = p[0] > 0.5 * (x_min + x_max);
        rank_of.push_back(ranks == 1 ? 0 : ranks == 2 ? (upper ? 1 : 0) : (upper ? 2 : 0));
      }
      int calls = 0;
      const Totals split_run = subdomains(*potential, s, rank_of, ranks, true, &calls);
      EXPECT_NEAR(split_run.energy, reference.energy,
                  1e-10 * std::max(1.0, std::abs(reference.energy)));
      EXPECT_LE(max_difference(split_run.forces, reference.forces), 1e-10);
      // Once forward and once back between every two layers, on every subdomain.
      EXPECT_EQ(calls, 2 * (layers - 1) * ranks);
    }
    // Without the exchange the ghosts' features are wrong after the first layer: the hook matters.
    std::vector<int> halves;
    for (const auto& p : s.positions) halves.push_back(p[0] > 0.5 * (x_min + x_max) ? 1 : 0);
    const Totals without = subdomains(*potential, s, halves, 2, false);
    EXPECT_GT(max_difference(without.forces, reference.forces), 1e-6);
  }
}

// Streamed edges on 2 subdomains: blocks of one receiver (edge_memory 1 byte) equal one block on
// the same subdomains (1e-12 in float64), for every model in tests/data and the shipped ones.
struct TwoRankCase {
  std::string name, potential, structure;
};
void PrintTo(const TwoRankCase& c, std::ostream* out) {
  *out << c.name;
}

std::vector<TwoRankCase> two_rank_cases() {
  const std::string source = EQUIFUSE_SOURCE_DIR;
  const std::string data = source + "/tests/data/models/";
  std::vector<TwoRankCase> cases;
  for (const char* family : {"mace", "nequip", "foundation"}) {
    for (const auto& entry : std::filesystem::directory_iterator(data + family)) {
      if (entry.path().extension() != ".eqf") continue;
      const std::string name = entry.path().stem().string();
      const std::string structure = data + family + "/structures/" + name + "-fcc_rattled.extxyz";
      if (std::filesystem::exists(structure))
        cases.push_back({name, entry.path().string(), structure});
    }
  }
  for (const char* name : {"cuau-mace-small", "cuau-nequip-small"}) {
    cases.push_back({name, source + "/potentials/" + name + ".eqf",
                     data + "shipped/structures/" + name + "-fcc_rattled.extxyz"});
  }
  std::sort(cases.begin(), cases.end(),
            [](const TwoRankCase& a, const TwoRankCase& b) { return a.name < b.name; });
  return cases;
}

class StreamedTwoRanksTest : public ::testing::TestWithParam<TwoRankCase> {};

TEST_P(StreamedTwoRanksTest, BlocksOfOneReceiverEqualOneBlock) {
  const TwoRankCase& c = GetParam();
  const AtomicStructure s = read_extxyz(c.structure).at(0);
  const auto load = [&](std::size_t edge_memory) {
    LoadOptions options;
    options.edge_memory = edge_memory;
    if (c.name == "mh1") options.head = "omat_pbe";  // of its six
    return load_potential(c.potential, options);
  };
  const auto one_block = load(0), streamed = load(1);
  double x_min = 1e30, x_max = -1e30;
  for (const auto& p : s.positions) {
    x_min = std::min(x_min, p[0]);
    x_max = std::max(x_max, p[0]);
  }
  std::vector<int> halves;
  for (const auto& p : s.positions) halves.push_back(p[0] > 0.5 * (x_min + x_max) ? 1 : 0);
  const Totals a = subdomains(*streamed, s, halves, 2, true);
  const Totals b = subdomains(*one_block, s, halves, 2, true);
  EXPECT_NEAR(a.energy, b.energy, 1e-12 * std::max(1.0, std::abs(b.energy)));
  double scale = 1e-30;
  for (double f : b.forces) scale = std::max(scale, std::abs(f));
  EXPECT_LE(max_difference(a.forces, b.forces), 1e-12 * scale);
}

INSTANTIATE_TEST_SUITE_P(Models, StreamedTwoRanksTest, ::testing::ValuesIn(two_rank_cases()),
                         [](const auto& test) {
                           std::string name = test.param.name;
                           for (char& ch : name)
                             if (std::isalnum(static_cast<unsigned char>(ch)) == 0) ch = '_';
                           return name;
                         });

INSTANTIATE_TEST_SUITE_P(Models, GhostExchangeTest,
                         ::testing::Values("mace_l1_corr3_two_layers", "mace_three_layers_corr1",
                                           "nequip_l2_three_species", "nequip_l1_parity_resnet"));

}  // namespace
}  // namespace equifuse
