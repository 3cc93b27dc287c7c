// e3nn's Linear of a one-hot species vector, as MACE's node embedding and the non-linear blocks'
// species embeddings use it: the row of its normalised weights of each species. The
// normalisation counts every species of the file, so the table is built for all of them and then
// reduced to the kept ones.
#pragma once

#include <vector>

#include "kernels/irreps/irreps.hpp"
#include "models/potential/parameter_store.hpp"
#include "models/potential/species_selection.hpp"

namespace equifuse {

// [kept species][out.dim()] from the weights of Linear(S x 0e -> out) stored under `name`; out
// must be even scalars.
std::vector<double> species_embedding_table(const ParameterStore& parameters,
                                            const std::string& name, const Irreps& out,
                                            const SpeciesSelection& species);

}  // namespace equifuse
