#include "models/layers/edge_embedding.hpp"

#include <cmath>

#include "kernels/common/error.hpp"

namespace equifuse {

EdgeEmbedding::EdgeEmbedding(const Irreps& sh_irreps, RadialBasis radial) : radial_(std::move(radial)) {
  std::vector<int> ls;
  for (const auto& block : sh_irreps) {
    if (block.mul != 1 || block.ir.p != (block.ir.l % 2 ? -1 : 1)) {
      throw Error("spherical harmonics irreps " + sh_irreps.to_string() +
                  " are not those of a polar vector");
    }
    ls.push_back(block.ir.l);
  }
  spherical_harmonics_ = std::make_unique<SphericalHarmonics>(ls, true, ShNormalization::component);
}

template <typename T>
EdgeFeatures<T> EdgeEmbedding::evaluate(const std::vector<double>& edge_vectors) const {
  const std::size_t num_edges = edge_vectors.size() / 3;
  const auto sh_dim = static_cast<std::size_t>(this->sh_dim());
  const auto nb = static_cast<std::size_t>(num_basis());
  EdgeFeatures<T> f;
  f.sh.resize(num_edges * sh_dim);
  f.sh_grad.resize(num_edges * sh_dim * 3);
  f.radial.resize(num_edges * nb);
  f.radial_grad.resize(num_edges * nb);
  f.length.resize(num_edges);
#pragma omp parallel for schedule(static)
  for (std::size_t e = 0; e < num_edges; ++e) {
    T v[3];
    for (int k = 0; k < 3; ++k) v[k] = static_cast<T>(edge_vectors[3 * e + k]);
    spherical_harmonics_->evaluate_with_gradient(v, &f.sh[e * sh_dim], &f.sh_grad[e * sh_dim * 3]);
    f.length[e] = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    radial_.evaluate(f.length[e], &f.radial[e * nb], &f.radial_grad[e * nb]);
  }
  return f;
}

template <typename T>
std::vector<double> EdgeEmbedding::edge_gradients(const EdgeFeatures<T>& f, const std::vector<T>& grad_sh,
                                                  const std::vector<T>& grad_radial,
                                                  const std::vector<double>& edge_vectors) const {
  const std::size_t num_edges = f.length.size();
  const auto sh_dim = static_cast<std::size_t>(this->sh_dim());
  const auto nb = static_cast<std::size_t>(num_basis());
  std::vector<double> out(3 * num_edges, 0.0);
#pragma omp parallel for schedule(static)
  for (std::size_t e = 0; e < num_edges; ++e) {
    double g[3] = {0, 0, 0};
    for (std::size_t i = 0; i < sh_dim; ++i) {
      for (int k = 0; k < 3; ++k) {
        g[k] += static_cast<double>(grad_sh[e * sh_dim + i]) *
                static_cast<double>(f.sh_grad[(e * sh_dim + i) * 3 + k]);
      }
    }
    double dr = 0;
    for (std::size_t b = 0; b < nb; ++b) {
      dr += static_cast<double>(grad_radial[e * nb + b]) * static_cast<double>(f.radial_grad[e * nb + b]);
    }
    const double r = static_cast<double>(f.length[e]);
    for (int k = 0; k < 3; ++k) out[3 * e + k] = g[k] + dr * edge_vectors[3 * e + k] / r;
  }
  return out;
}

template EdgeFeatures<float> EdgeEmbedding::evaluate<float>(const std::vector<double>&) const;
template EdgeFeatures<double> EdgeEmbedding::evaluate<double>(const std::vector<double>&) const;
template std::vector<double> EdgeEmbedding::edge_gradients<float>(const EdgeFeatures<float>&,
    const std::vector<float>&, const std::vector<float>&, const std::vector<double>&) const;
template std::vector<double> EdgeEmbedding::edge_gradients<double>(const EdgeFeatures<double>&,
    const std::vector<double>&, const std::vector<double>&, const std::vector<double>&) const;

}  // namespace equifuse
