// The elements of a potential file that a run keeps: a LAMMPS deck names its elements in
// pair_coeff, `equifuse eval` reads them from its structures. A foundation model knows 89
// elements; the per-species weights of those a run does not have are never folded, copied to the
// backend or evaluated, so they cost neither memory nor time. Species are kept in the file's
// order; an index of the model is then an index into the kept list.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/common/error.hpp"

namespace equifuse {

// An element a run asks for that the potential does not have.
class UnknownElement : public Error {
 public:
  UnknownElement(const std::string& message, int atomic_number, std::vector<int> known)
      : Error(message), atomic_number_(atomic_number), known_(std::move(known)) {}
  int atomic_number() const { return atomic_number_; }
  const std::vector<int>& known() const { return known_; }  // the potential's elements

 private:
  int atomic_number_;
  std::vector<int> known_;
};

class SpeciesSelection {
 public:
  // Every species of a file with `file_species` (atomic numbers).
  explicit SpeciesSelection(std::vector<int> file_species);
  // Those whose element is in `elements` (atomic numbers; an empty list keeps every species).
  // Throws UnknownElement naming an element the file does not have, and the file's elements.
  SpeciesSelection(std::vector<int> file_species, const std::vector<int>& elements);

  int file_count() const { return static_cast<int>(file_species_.size()); }
  int count() const { return static_cast<int>(kept_.size()); }
  // Atomic numbers of the kept species, in the model's order.
  std::vector<int> atomic_numbers() const;
  // A per-species table [file species][row_size] reduced to the kept rows.
  std::vector<double> rows(const std::vector<double>& table, std::size_t row_size) const;
  // One-hot attributes [kept][file species] of the kept species: what a species-dependent tensor
  // product of the file's one-hot species becomes.
  std::vector<double> one_hot() const;

 private:
  std::vector<int> file_species_;
  std::vector<int> kept_;  // indices into file_species_
};

}  // namespace equifuse
