// Helpers shared by the test suite: random buffers, relative errors, finite differences.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/error.hpp"

namespace equifuse::testing {

// The message of the equifuse::Error that f throws, or "no error".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

template <typename T = double>
std::vector<T> random_vector(std::size_t n, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> dist(0.0, scale);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(dist(rng));
  return v;
}

// ||a - b|| / ||b|| (absolute ||a - b|| where b is zero), in double.
template <typename A, typename B>
double relative_error(const A& a, const B& b) {
  double diff = 0, ref = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    diff += d * d;
    ref += static_cast<double>(b[i]) * static_cast<double>(b[i]);
  }
  return ref > 0 ? std::sqrt(diff / ref) : std::sqrt(diff);
}

template <typename A, typename B>
double dot(const A& a, const B& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += static_cast<double>(a[i]) * static_cast<double>(b[i]);
  return s;
}

// Central differences of loss() with respect to every element of `buffer` (restored after).
template <typename Loss>
std::vector<double> finite_difference_gradient(std::vector<double>& buffer, Loss&& loss, double h) {
  std::vector<double> fd(buffer.size());
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    const double keep = buffer[i];
    buffer[i] = keep + h;
    const double plus = loss();
    buffer[i] = keep - h;
    const double minus = loss();
    buffer[i] = keep;
    fd[i] = (plus - minus) / (2 * h);
  }
  return fd;
}

}  // namespace equifuse::testing
