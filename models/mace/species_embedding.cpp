#include "models/mace/species_embedding.hpp"

#include "kernels/common/error.hpp"
#include "models/layers/equivariant_linear.hpp"

namespace equifuse {

std::vector<double> species_embedding_table(const ParameterStore& p, const std::string& name,
                                            const Irreps& out, const SpeciesSelection& species) {
  for (const MulIrrep& block : out) {
    if (block.ir != Irrep(0, 1)) {
      throw Error("MACE: the species embedding " + out.to_string() + " must be even scalars");
    }
  }
  const int num_species = species.file_count();
  const Irreps one_hot({MulIrrep{num_species, Irrep(0, 1)}});
  const auto& weights = p.reals(name, {num_species * out.dim()});
  std::vector<LinearBlock> blocks;
  const std::vector<double> folded = EquivariantLinear<double>::folded_weights(
      one_hot, out, std::span<const double>(weights), 1.0, &blocks);
  const auto dim = static_cast<std::size_t>(out.dim());
  std::vector<double> table(static_cast<std::size_t>(num_species) * dim, 0.0);
  for (const LinearBlock& b : blocks) {
    for (int u = 0; u < b.mul_in; ++u)
      for (int v = 0; v < b.mul_out; ++v)
        table[static_cast<std::size_t>(u) * dim + static_cast<std::size_t>(b.out_offset + v)] =
            folded[static_cast<std::size_t>(b.weight_offset) +
                   static_cast<std::size_t>(u) * b.mul_out + v];
  }
  return species.rows(table, dim);
}

}  // namespace equifuse
