#include "models/mace/mace_product.hpp"

#include "models/engine/elementwise.hpp"

namespace equifuse {

template <typename T>
MaceProduct<T>::MaceProduct(const Engine& engine, const MaceProductConfig& pc, int index,
                            const SpeciesSelection& species, const ParameterStore& p)
    : engine_(engine) {
  const std::string prefix = "products." + std::to_string(index) + ".";
  std::vector<ContractionParameters> contractions;
  const int channels = pc.irreps_in[0].mul;
  for (std::size_t o = 0; o < pc.contractions.size(); ++o) {
    ContractionParameters cp;
    cp.irrep = pc.contractions[o].irrep;
    cp.correlation = pc.contractions[o].correlation;
    const std::string cprefix = prefix + "contractions." + std::to_string(o) + ".";
    for (int nu = 1; nu <= cp.correlation; ++nu) {
      const std::string n = std::to_string(nu);
      const StoredTensor& w = p.integers(cprefix + "coupling." + n + ".indices", {-1, nu + 2});
      CouplingTensor u;
      u.indices = w.integers;
      u.values = p.reals(cprefix + "coupling." + n + ".values", {w.shape[0]});
      cp.couplings.push_back(std::move(u));
      // [species][K][channels], or one [1][K][channels] set for every species (agnostic).
      const int sets = pc.agnostic ? 1 : species.file_count();
      const auto& weights = p.reals(cprefix + "weights." + n, {sets, -1, channels});
      const auto per_species = weights.size() / static_cast<std::size_t>(sets);
      cp.weights.push_back(pc.agnostic ? weights : species.rows(weights, per_species));
      cp.num_coupling_weights.push_back(static_cast<int>(per_species) / channels);
    }
    contractions.push_back(std::move(cp));
  }
  contraction_ = std::make_unique<SymmetricContraction<T>>(
      engine, pc.irreps_in, pc.irreps_out, pc.agnostic ? 1 : species.count(), contractions);
  agnostic_ = pc.agnostic;
  const auto& weights = p.reals(prefix + "linear.weight",
                                {static_cast<std::int64_t>(EquivariantLinear<T>::weight_numel(
                                    pc.irreps_out, pc.irreps_out))});
  linear_ = std::make_unique<EquivariantLinear<T>>(
      engine, pc.irreps_out, pc.irreps_out, std::span<const double>(weights), 1.0,
      p.optional_vector(prefix + "linear.bias", EquivariantLinear<T>::bias_numel(pc.irreps_out)));
}

template <typename T>
MaceProduct<T>::~MaceProduct() = default;

template <typename T>
Buffer<T> MaceProduct<T>::forward(std::size_t nodes, const int* species, Buffer<T> message,
                                  const Buffer<T>& skip, Saved& saved) const {
  Buffer<T> contracted =
      engine_.buffer<T>(nodes * static_cast<std::size_t>(contraction_->dim_out()));
  contraction_->forward(nodes, message.data(), agnostic_ ? nullptr : species, contracted.data());
  Buffer<T> h = engine_.buffer<T>(nodes * static_cast<std::size_t>(linear_->dim_out()));
  linear_->forward(nodes, contracted.data(), h.data());
  if (!skip.empty()) add_into(engine_, h.data(), skip.data(), h.size());
  saved.message = std::move(message);
  return h;
}

template <typename T>
Buffer<T> MaceProduct<T>::backward(std::size_t nodes, const int* species, const Saved& saved,
                                   const T* grad_h_next) const {
  Buffer<T> grad_contracted =
      engine_.buffer<T>(nodes * static_cast<std::size_t>(contraction_->dim_out()));
  linear_->backward(nodes, grad_h_next, grad_contracted.data(), false);
  Buffer<T> grad_message = engine_.zeros<T>(saved.message.size());
  contraction_->backward(nodes, saved.message.data(), agnostic_ ? nullptr : species,
                         grad_contracted.data(), grad_message.data());
  return grad_message;
}

template class MaceProduct<float>;
template class MaceProduct<double>;

}  // namespace equifuse
