// What a model is built for, beyond its file: the backend, the elements a run needs, the head of
// a multi-head model and the per-structure inputs some models embed (MACE-OMOL's total charge and
// spin).
#pragma once

#include <cstddef>
#include <optional>
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
  // Bytes of per-edge working arrays one block of streamed edges may use (models/engine/
  // edge_blocks.hpp): smaller blocks bound memory, at the cost of more, smaller kernel calls.
  // 0: every edge in one block. Unset: default_edge_memory(backend).
  std::optional<std::size_t> edge_memory;
};

// 256 MiB on the host, 2 GiB on a GPU (whose kernels want large blocks).
std::size_t default_edge_memory(Backend backend);
// "all" (0: one block), or a size with a unit: "512MB", "2GB", "64MiB" (decimal and binary units
// both taken as binary, as LAMMPS users write them); throws naming the text otherwise.
std::size_t parse_edge_memory(const std::string& text);

// The index of `head` in `heads` by the rule above; throws equifuse::Error listing the heads.
int select_head(const std::vector<std::string>& heads, const std::string& head);

}  // namespace equifuse
