#include "models/layers/pair_repulsion.hpp"

#include <cmath>

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"
#include "models/layers/pair_repulsion_kernels.cuh"

namespace equifuse {

namespace {

constexpr auto kPairRepulsion =
    elementwise_kernel<PairRepulsionArgs, pair_repulsion_at, &PairRepulsionArgs::nodes>(
        "pair_repulsion");

}  // namespace

PairRepulsion::PairRepulsion(const Engine& engine, const PairRepulsionParameters& p)
    : engine_(engine),
      num_species_(static_cast<int>(p.atomic_numbers.size())),
      c_(p.coefficients),
      d_(p.exponents),
      p_(p.p) {
  const auto n = static_cast<std::size_t>(num_species_);
  const bool covalent = !p.covalent_radii.empty();
  if ((covalent && p.covalent_radii.size() != n) || (!covalent && !(p.r_max > 0)) || p.p < 1 ||
      !(p.screening_length > 0)) {
    throw Error(
        "pair repulsion: needs a covalent radius per species (or r_max), p >= 1 and a "
        "positive screening length");
  }
  std::vector<double> charge(n * n), screening(n * n), cutoff(n * n);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t v = 0; v < n; ++v) {
      const double zu = p.atomic_numbers[u], zv = p.atomic_numbers[v];
      charge[u * n + v] = p.prefactor * zu * zv;
      screening[u * n + v] =
          (std::pow(zu, p.screening_exponent) + std::pow(zv, p.screening_exponent)) /
          p.screening_length;
      cutoff[u * n + v] = covalent ? p.covalent_radii[u] + p.covalent_radii[v] : p.r_max;
    }
  }
  charge_product_ = engine.upload(charge);
  inverse_screening_ = engine.upload(screening);
  pair_cutoff_ = engine.upload(cutoff);
}

void PairRepulsion::evaluate(const EngineGraph& g, double seed, Buffer<double>* node_energy,
                             Buffer<double>* edge_gradients) const {
  PairRepulsionArgs args{static_cast<long>(g.num_nodes),
                         static_cast<long>(g.num_local),
                         g.receiver_offsets.data(),
                         g.receiver_edges.data(),
                         g.senders.data(),
                         g.species.data(),
                         g.vectors.data(),
                         num_species_,
                         charge_product_.data(),
                         inverse_screening_.data(),
                         pair_cutoff_.data(),
                         {c_[0], c_[1], c_[2], c_[3]},
                         {d_[0], d_[1], d_[2], d_[3]},
                         p_,
                         seed,
                         node_energy ? node_energy->data() : nullptr,
                         edge_gradients ? edge_gradients->data() : nullptr};
  engine_.launch(kPairRepulsion, args, LaunchShape::over(static_cast<long>(g.num_nodes)));
}

}  // namespace equifuse
