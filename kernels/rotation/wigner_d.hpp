// Wigner D matrices in e3nn's real basis, built from our own spherical harmonics: D^l(R) is the
// unique matrix with Y^l(R r) = D^l(R) Y^l(r) for all r. Used to check equivariance and to rotate
// features; also matches e3nn.o3.wigner_D for the same rotation.
#pragma once

#include <array>
#include <vector>

#include "kernels/irreps/irreps.hpp"

namespace equifuse {

using Matrix3 = std::array<double, 9>;  // row-major 3x3

// e3nn's Euler convention: R = Ry(alpha) Rx(beta) Ry(gamma).
Matrix3 rotation_from_angles(double alpha, double beta, double gamma);

// (2l+1) x (2l+1), row-major, for a proper rotation R (det +1).
std::vector<double> wigner_d(int l, const Matrix3& rotation);

// Block-diagonal representation matrix (dim x dim, row-major) of an O(3) element on `irreps`:
// for det(R) = -1 the block of (l, p) is p * D^l(-R).
std::vector<double> irreps_representation(const Irreps& irreps, const Matrix3& rotation);

}  // namespace equifuse
