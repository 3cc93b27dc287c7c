// What a model is built for, beyond its file: the backend, the elements a run needs, the head of
// a multi-head model and the per-structure inputs some models embed (MACE-OMOL's total charge and
// spin).
#pragma once

#include <string>
#include <vector>

#include "kernels/tensor_product/tensor_product.hpp"

namespace equifuse {

struct ModelOptions {
  Backend backend = Backend::cpu;  // Backend::cuda: the current GPU
  // Atomic numbers a run needs (LAMMPS's pair_coeff elements, a structure's); empty: every
  // element of the file. The weights of the others are never folded or copied to the backend.
  std::vector<int> elements;
  // Of a multi-head file: empty or "default" (any case) picks its only head, or the one named
  // "default"; other names must match a head exactly.
  std::string head;
  double total_charge = 0, total_spin = 1;  // spin as a multiplicity (mace-torch's default 1)
};

// The index of `head` in `heads` by the rule above; throws equifuse::Error listing the heads.
int select_head(const std::vector<std::string>& heads, const std::string& head);

}  // namespace equifuse
