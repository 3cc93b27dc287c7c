// The per-edge inputs of MACE and NequIP: spherical harmonics of the edge vector (normalised,
// component normalisation) and the radial embedding of its length (radial_basis.cuh), with their
// derivatives, and the chain rule back to dE/d(edge vector) once the models have dE/dY, dE/dR and,
// where the cutoff is apart from the basis, dE/d(cutoff).
#pragma once

#include <memory>

#include "kernels/spherical_harmonics/spherical_harmonics.hpp"
#include "models/engine/engine.hpp"
#include "models/engine/engine_graph.hpp"
#include "models/layers/radial_basis.hpp"

namespace equifuse {

template <typename T>
class EdgeEmbedding {
 public:
  // sh_irreps: "1x0e+1x1o+..." (those of a polar vector; throws otherwise).
  EdgeEmbedding(const Engine& engine, const Irreps& sh_irreps, const RadialBasis& radial);
  int sh_dim() const { return spherical_harmonics_->dim(); }
  int num_basis() const { return num_basis_; }
  // Whether the polynomial cutoff is returned apart (MACE's apply_cutoff=False): the layers then
  // multiply their radial MLPs' outputs by Features::cutoff.
  bool cutoff_apart() const { return !cutoff_on_basis_; }
  const SphericalHarmonics& spherical_harmonics() const { return *spherical_harmonics_; }

  // What the layers read (sh, radial) and what the backward keeps: the derivatives and lengths.
  struct Features {
    Buffer<T> sh, radial;                    // [E][sh_dim], [E][num_basis]
    Buffer<T> cutoff;                        // [E] where the cutoff is apart, else empty
    Buffer<T> sh_grad, radial_grad, length;  // [E][sh_dim][3], [E][num_basis] (d/dr), [E]
    Buffer<T> cutoff_grad;                   // [E] (d/dr) where the cutoff is apart
    std::size_t bytes() const;
  };
  Features forward(const EngineGraph& graph) const;
  // dE/d(edge vector) [E][3] from dE/dY, dE/dR and (cutoff apart) dE/d(cutoff).
  Buffer<double> backward(const EngineGraph& graph, const Features& features,
                          const Buffer<T>& grad_sh, const Buffer<T>& grad_radial,
                          const Buffer<T>* grad_cutoff = nullptr) const;

 private:
  const Engine& engine_;
  std::unique_ptr<SphericalHarmonics> spherical_harmonics_;
  RadialBasisKind kind_;
  Buffer<T> centers_, covalent_radii_;
  int num_basis_;
  T prefactor_, r_max_;
  int p_;
  bool cutoff_on_basis_;
  DistanceTransformKind transform_;
  T q_, transform_p_, a_;
};

}  // namespace equifuse
