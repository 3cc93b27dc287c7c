// Real spherical harmonics identical to e3nn.o3.spherical_harmonics, with their gradient with
// respect to the input vector (forces need it).
//
// Y^0 = 1, Y^1 = sqrt(3) (x, y, z), and Y^{l+1}_i = c_l sum_jk C(l+1,1,l)_ijk r_j Y^l_k with
// c_l > 0 fixed by |Y^{l+1}(0,1,0)|^2 = 2l+3: homogeneous polynomials whose coefficients are
// computed once from our own Wigner 3j symbols, then scaled by the chosen normalisation.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

enum class ShNormalization {
  integral,   // integral over the sphere of Y_m^2 is 1 (e3nn's default)
  component,  // |Y^l|^2 = 2l+1 on the sphere
  norm,       // |Y^l| = 1 on the sphere
};
ShNormalization parse_sh_normalization(std::string_view name);

inline constexpr int kMaxShDegree = 12;

class SphericalHarmonics {
 public:
  // `ls` lists the degrees in output order (repeats allowed), like e3nn's list argument.
  // normalize: project the input onto the unit sphere first (x / max(|x|, 1e-12), as e3nn).
  SphericalHarmonics(std::vector<int> ls, bool normalize,
                     ShNormalization normalization = ShNormalization::integral);
  // Degrees 0..lmax.
  static SphericalHarmonics up_to(int lmax, bool normalize,
                                  ShNormalization normalization = ShNormalization::integral);

  int dim() const { return dim_; }
  // Irreps of the output for a polar-vector input: 1x0e+1x1o+1x2e+...
  Irreps irreps() const;

  // One vector: out[dim()].
  template <typename T>
  void evaluate(const T* vector, T* out) const;
  // One vector: out[dim()] and grad[dim()][3] = d out / d vector.
  template <typename T>
  void evaluate_with_gradient(const T* vector, T* out, T* grad) const;
  // A batch of vectors [n][3] -> out [n][dim()] (OpenMP over n).
  template <typename T>
  void evaluate_batch(std::size_t n, const T* vectors, T* out) const;

  // The polynomial of each output component in the unit vector (normalisation applied): what a
  // GPU code generator needs to emit the same function.
  struct Term {
    int a, b, c;  // exponents of x, y, z
    double coefficient;
  };
  const std::vector<std::vector<Term>>& terms() const { return terms_; }
  int lmax() const { return lmax_; }
  const std::vector<int>& ls() const { return ls_; }
  bool normalize() const { return normalize_; }

 private:
  // terms_[row] for each output component (normalisation already applied).
  std::vector<std::vector<Term>> terms_;
  std::vector<int> ls_;
  bool normalize_;
  int dim_ = 0;
  int lmax_ = 0;

  template <typename T>
  void evaluate_polynomials(const T* r, T* out, T* grad) const;
};

}  // namespace equifuse
