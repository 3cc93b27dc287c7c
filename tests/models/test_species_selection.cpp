// A potential loaded for some of its elements (LoadOptions::elements, what pair_coeff names) gives
// bit for bit the results of the whole potential on structures of those elements, keeps them in
// the file's order, and refuses an element the file does not have by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_loader/potential_file.hpp"
#include "models/potential/species_selection.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

std::string model_path(const std::string& model) {
  return std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" +
         model.substr(0, model.find('_')) + "/" + model + ".eqf";
}

AtomicStructure structure_of(const std::string& model, const std::vector<int>& elements) {
  const std::string dir = std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" +
                          model.substr(0, model.find('_')) + "/structures/";
  AtomicStructure s = read_extxyz(dir + model + "-fcc_rattled.extxyz").at(0);
  for (std::size_t a = 0; a < s.size(); ++a) s.atomic_numbers[a] = elements[a % elements.size()];
  return s;
}

class SpeciesSelectionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SpeciesSelectionTest, SubsetEqualsTheWholePotentialBitForBit) {
  const auto whole = load_potential(model_path(GetParam()));
  const std::vector<int> file_species = whole->info().species;
  ASSERT_GE(file_species.size(), 2u);
  // Each single element, and the first two asked for in reverse order.
  std::vector<std::vector<int>> subsets;
  for (int z : file_species) subsets.push_back({z});
  subsets.push_back({file_species[1], file_species[0]});
  for (const std::vector<int>& elements : subsets) {
    const auto part =
        load_potential(model_path(GetParam()), {Precision::float64, Backend::cpu, elements});
    std::vector<int> in_file_order;
    for (int z : file_species)
      for (int e : elements)
        if (e == z) in_file_order.push_back(z);
    EXPECT_EQ(part->info().species, in_file_order);
    const AtomicStructure s = structure_of(GetParam(), elements);
    const PotentialOutput a =
        whole->evaluate(make_atomic_graph(s, file_species, whole->info().r_max));
    const PotentialOutput b =
        part->evaluate(make_atomic_graph(s, part->info().species, part->info().r_max));
    EXPECT_EQ(a.energy, b.energy);
    EXPECT_EQ(a.node_energies, b.node_energies);
    EXPECT_EQ(a.edge_gradients, b.edge_gradients);
  }
}

TEST_P(SpeciesSelectionTest, AnElementTheFileDoesNotHaveIsNamed) {
  try {
    load_potential(model_path(GetParam()), {Precision::float64, Backend::cpu, {26}});
    FAIL() << "expected UnknownElement";
  } catch (const UnknownElement& e) {
    EXPECT_EQ(e.atomic_number(), 26);
    EXPECT_EQ(e.known(), load_potential(model_path(GetParam()))->info().species);
    EXPECT_NE(std::string(e.what()).find("element Fe is not in the potential (its elements: "),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SpeciesSelectionTest,
                         ::testing::Values("mace_l1_corr3_two_layers",
                                           "mace_l2_mixed_corr_plain_first",
                                           "nequip_l2_three_species"));

}  // namespace
}  // namespace equifuse
