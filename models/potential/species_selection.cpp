#include "models/potential/species_selection.hpp"

#include <algorithm>
#include <string>

#include "kernels/common/error.hpp"
#include "models/structure/atomic_structure.hpp"

namespace equifuse {

SpeciesSelection::SpeciesSelection(std::vector<int> file_species)
    : SpeciesSelection(std::move(file_species), {}) {}

SpeciesSelection::SpeciesSelection(std::vector<int> file_species, const std::vector<int>& elements)
    : file_species_(std::move(file_species)) {
  for (int z : elements) {
    if (std::find(file_species_.begin(), file_species_.end(), z) == file_species_.end()) {
      std::string known;
      for (int s : file_species_) known += (known.empty() ? "" : " ") + chemical_symbol(s);
      throw UnknownElement("element " + chemical_symbol(z) +
                               " is not in the potential (its elements: " + known + ")",
                           z, file_species_);
    }
  }
  for (std::size_t s = 0; s < file_species_.size(); ++s) {
    if (elements.empty() ||
        std::find(elements.begin(), elements.end(), file_species_[s]) != elements.end()) {
      kept_.push_back(static_cast<int>(s));
    }
  }
}

std::vector<int> SpeciesSelection::atomic_numbers() const {
  std::vector<int> z;
  for (int s : kept_) z.push_back(file_species_[static_cast<std::size_t>(s)]);
  return z;
}

std::vector<double> SpeciesSelection::rows(const std::vector<double>& table,
                                           std::size_t row_size) const {
  if (table.size() != file_species_.size() * row_size) {
    throw Error("species selection: a per-species table does not have one row per species");
  }
  std::vector<double> out;
  out.reserve(kept_.size() * row_size);
  for (int s : kept_) {
    const auto begin = table.begin() + static_cast<std::ptrdiff_t>(s * row_size);
    out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(row_size));
  }
  return out;
}

std::vector<double> SpeciesSelection::one_hot() const {
  std::vector<double> attributes(kept_.size() * file_species_.size(), 0.0);
  for (std::size_t k = 0; k < kept_.size(); ++k) {
    attributes[k * file_species_.size() + static_cast<std::size_t>(kept_[k])] = 1.0;
  }
  return attributes;
}

}  // namespace equifuse
