// Arguments of the non-linear interaction block's input kernel (nonlinear_interaction.cu on the
// GPU, nonlinear_interaction.cpp on the host) and the per-edge function both share: the input of
// its radial and density MLPs, [radial basis, source embedding of the sender's species, target
// embedding of the receiver's species].
#pragma once

#include "models/engine/kernel_prelude.cuh"

namespace equifuse {

template <typename Real>
struct EdgeMlpInputsArgs {
  long n;  // edges
  int num_basis, embedding_dim;
  const Real* radial;  // [edges][num_basis]
  const int *senders, *receivers, *species;
  const Real *source, *target;  // [species][embedding_dim]
  Real* out;                    // [edges][num_basis + 2 embedding_dim]
};

template <typename Real>
EQUIFUSE_HD inline void edge_mlp_inputs_at(const EdgeMlpInputsArgs<Real>& a, long e) {
  const int width = a.num_basis + 2 * a.embedding_dim;
  Real* row = a.out + e * width;
  for (int k = 0; k < a.num_basis; ++k) row[k] = a.radial[e * a.num_basis + k];
  const Real* s = a.source + static_cast<long>(a.species[a.senders[e]]) * a.embedding_dim;
  const Real* t = a.target + static_cast<long>(a.species[a.receivers[e]]) * a.embedding_dim;
  for (int k = 0; k < a.embedding_dim; ++k) {
    row[a.num_basis + k] = s[k];
    row[a.num_basis + a.embedding_dim + k] = t[k];
  }
}

}  // namespace equifuse
