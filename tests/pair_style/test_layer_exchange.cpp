// `comm layer` without LAMMPS (emulated_layer_exchange.hpp): slab ranks, each on its own thread
// with a LayerExchange, equal the whole structure (energy, forces, virial), an empty rank
// included; every layer's features cross once each way per evaluation, in words_per_row words per
// ghost (float32: two numbers per word), within the buffers LAMMPS sizes.
#include <gtest/gtest.h>

#include "model_loader/potential_file.hpp"
#include "pair_style/layer_exchange.hpp"
#include "tests/pair_style/emulated_layer_exchange.hpp"

namespace equifuse {
namespace {

using testing_support::make_crystal;

struct Case {
  std::string potential;
  Precision precision;
};

class LayerExchangeTest : public ::testing::TestWithParam<Case> {};

TEST_P(LayerExchangeTest, SlabRanksWithOneCutoffOfGhostsEqualTheWholeStructure) {
  const Case& param = GetParam();
  const auto potential =
      load_potential(std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + param.potential + ".eqf",
                     LoadOptions{.precision = param.precision});
  const PotentialInfo& info = potential->info();
  ASSERT_GE(info.num_interactions, 2);
  ASSERT_EQ(info.exchanged_widths.size(), static_cast<std::size_t>(info.num_interactions - 1));
  const testing_support::Crystal crystal = make_crystal(3);
  for (const std::vector<double>& bounds : testing_support::thin_slab_decompositions(crystal.box)) {
    SCOPED_TRACE(std::to_string(bounds.size() - 1) + " ranks");
    testing_support::expect_layer_exchange_equals_whole<LayerExchange>(
        *potential, crystal, bounds,
        [](LayerExchange& exchange, const NeighborGraph& graph, int num_atoms, int layers) {
          exchange.prepare(graph.node_atom.data(), graph.node_atom.size(), num_atoms, layers);
        });
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPotentials, LayerExchangeTest,
                         ::testing::Values(Case{"cuau-mace-small", Precision::float64},
                                           Case{"cuau-nequip-small", Precision::float64},
                                           Case{"cuau-mace-small", Precision::float32}),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return p.param.potential.substr(5, p.param.potential.find('-', 5) - 5) +
                                  (p.param.precision == Precision::float32 ? "_float32"
                                                                           : "_float64");
                         });

// A row of an odd number of floats ends in half a word; rows of doubles take one word a number.
TEST(LayerExchange, WordsPerRow) {
  EXPECT_EQ(LayerExchange::words_per_row(64, false), 64);
  EXPECT_EQ(LayerExchange::words_per_row(64, true), 32);
  EXPECT_EQ(LayerExchange::words_per_row(7, true), 4);
}

// An exchange used for another graph than it was prepared for is an error, not a wrong result.
TEST(LayerExchange, RejectsRowsOfAnotherGraph) {
  struct Nothing final : LayerExchange::Communication {
    void forward() override {}
    void reverse() override {}
  } nothing;
  LayerExchange exchange(nothing);
  const std::vector<int> node_atom{0, 1, 5};
  exchange.prepare(node_atom.data(), node_atom.size(), 6, 2);
  std::vector<double> rows(4 * 8, 1.0);
  EXPECT_THROW(exchange.forward(1, NodeRows<double>{rows.data(), 4, 2, 8}), Error);
  EXPECT_THROW(exchange.forward(2, NodeRows<double>{rows.data(), 3, 2, 8}), Error);
  EXPECT_NO_THROW(exchange.forward(1, NodeRows<double>{rows.data(), 3, 2, 8}));
}

}  // namespace
}  // namespace equifuse
