#include "models/layers/edge_embedding.hpp"

#include "kernels/common/error.hpp"
#include "models/engine/elementwise.hpp"
#include "models/layers/edge_embedding_kernels.cuh"

namespace equifuse {

namespace {

std::vector<int> polar_vector_degrees(const Irreps& sh_irreps) {
  std::vector<int> ls;
  for (const auto& block : sh_irreps) {
    if (block.mul != 1 || block.ir.p != (block.ir.l % 2 ? -1 : 1)) {
      throw Error("spherical harmonics irreps " + sh_irreps.to_string() +
                  " are not those of a polar vector");
    }
    ls.push_back(block.ir.l);
  }
  return ls;
}

template <typename T>
constexpr auto kEdgeGradients = elementwise_kernel<EdgeGradientArgs<T>, edge_gradient_at<T>,
                                                   &EdgeGradientArgs<T>::edges>("edge_gradients");

}  // namespace

template <typename T>
EdgeEmbedding<T>::EdgeEmbedding(const Engine& engine, const Irreps& sh_irreps,
                                const RadialBasis& radial)
    : engine_(engine),
      spherical_harmonics_(std::make_unique<SphericalHarmonics>(polar_vector_degrees(sh_irreps),
                                                                true, ShNormalization::component)),
      kind_(radial.kind()),
      centers_(engine.upload(std::vector<T>(radial.centers().begin(), radial.centers().end()))),
      covalent_radii_(engine.upload(std::vector<T>(radial.transform().covalent_radii.begin(),
                                                   radial.transform().covalent_radii.end()))),
      num_basis_(radial.size()),
      prefactor_(static_cast<T>(radial.prefactor())),
      r_max_(static_cast<T>(radial.r_max())),
      p_(radial.p()),
      cutoff_on_basis_(radial.cutoff_on_basis()),
      transform_(radial.transform().kind),
      q_(static_cast<T>(radial.transform().q)),
      transform_p_(static_cast<T>(radial.transform().p)),
      a_(static_cast<T>(radial.transform().a)) {}

template <typename T>
std::size_t EdgeEmbedding<T>::Features::bytes() const {
  return sh.bytes() + radial.bytes() + cutoff.bytes() + sh_grad.bytes() + radial_grad.bytes() +
         length.bytes() + cutoff_grad.bytes();
}

template <typename T>
typename EdgeEmbedding<T>::Features EdgeEmbedding<T>::forward(const EngineGraph& graph) const {
  const std::size_t num_edges = graph.num_edges;
  const auto dim = static_cast<std::size_t>(sh_dim()), nb = static_cast<std::size_t>(num_basis_);
  Features f;
  f.sh = engine_.buffer<T>(num_edges * dim);
  f.sh_grad = engine_.buffer<T>(num_edges * dim * 3);
  f.radial = engine_.buffer<T>(num_edges * nb);
  f.radial_grad = engine_.buffer<T>(num_edges * nb);
  f.length = engine_.buffer<T>(num_edges);
  if (!cutoff_on_basis_) {
    f.cutoff = engine_.buffer<T>(num_edges);
    f.cutoff_grad = engine_.buffer<T>(num_edges);
  }
  const bool transformed = transform_ != kNoTransform;
  const EdgeEmbeddingArgs<T> args{
      static_cast<long>(num_edges),
      sh_dim(),
      graph.vectors.data(),
      transformed ? graph.species.data() : nullptr,
      graph.senders.data(),
      graph.receivers.data(),
      {kind_, num_basis_, centers_.data(), prefactor_, r_max_, p_, cutoff_on_basis_ ? 1 : 0,
       transform_, q_, transform_p_, a_, transformed ? covalent_radii_.data() : nullptr},
      f.sh.data(),
      f.sh_grad.data(),
      f.radial.data(),
      f.radial_grad.data(),
      f.length.data(),
      cutoff_on_basis_ ? nullptr : f.cutoff.data(),
      cutoff_on_basis_ ? nullptr : f.cutoff_grad.data()};
  if (engine_.space() == MemorySpace::host) {
    // The host path evaluates the harmonics with the kernel library (the device kernel has them
    // generated from the same polynomial terms).
    const SphericalHarmonics& sh = *spherical_harmonics_;
#pragma omp parallel for schedule(static)
    for (long e = 0; e < args.edges; ++e) {
      T v[3];
      for (int k = 0; k < 3; ++k) v[k] = static_cast<T>(args.vectors[3 * e + k]);
      sh.evaluate_with_gradient(v, args.sh + e * args.sh_dim, args.sh_grad + e * args.sh_dim * 3);
      args.length[e] = kernel_math::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      edge_radial_at(args, e);
    }
  } else {
    engine_.launch(Kernel<EdgeEmbeddingArgs<T>>{"edge_embedding", nullptr}, args,
                   LaunchShape::over(args.edges));
  }
  return f;
}

template <typename T>
Buffer<double> EdgeEmbedding<T>::backward(const EngineGraph& graph, const Features& f,
                                          const Buffer<T>& grad_sh, const Buffer<T>& grad_radial,
                                          const Buffer<T>* grad_cutoff) const {
  Buffer<double> gradients = engine_.buffer<double>(3 * graph.num_edges);
  const long edges = static_cast<long>(graph.num_edges);
  const bool cutoff = grad_cutoff != nullptr && !cutoff_on_basis_;
  engine_.launch(kEdgeGradients<T>,
                 {edges, sh_dim(), num_basis_, grad_sh.data(), f.sh_grad.data(), grad_radial.data(),
                  f.radial_grad.data(), f.length.data(), cutoff ? grad_cutoff->data() : nullptr,
                  cutoff ? f.cutoff_grad.data() : nullptr, graph.vectors.data(), gradients.data()},
                 LaunchShape::over(edges));
  return gradients;
}

template class EdgeEmbedding<float>;
template class EdgeEmbedding<double>;

}  // namespace equifuse
