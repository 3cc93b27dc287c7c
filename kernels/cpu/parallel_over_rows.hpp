// OpenMP loops over rows that also sum a gradient of shared weights, reproducibly.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace equifuse {

// Runs per_sample(z, grad_weights_accumulator) over the batch in parallel. With shared weights
// each thread accumulates its own weight gradient over a fixed contiguous range of samples and
// the partial sums are added in thread order, so results are reproducible for a thread count.
// With per-sample weights (or no weight gradient) the accumulator is the sample's own row.
template <typename T, typename F>
void parallel_over_rows(std::size_t batch, bool shared_weights, std::span<T> grad_weights,
                        std::size_t weight_numel, F&& per_sample) {
  std::fill(grad_weights.begin(), grad_weights.end(), T(0));
  const auto n = static_cast<std::ptrdiff_t>(batch);
  if (!shared_weights || grad_weights.empty()) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t z = 0; z < n; ++z) {
      per_sample(z, grad_weights.empty() ? nullptr : grad_weights.data() + z * weight_numel);
    }
    return;
  }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  std::vector<std::vector<T>> partial(threads, std::vector<T>(weight_numel, T(0)));
#pragma omp parallel num_threads(threads)
  {
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    const std::ptrdiff_t begin = n * t / threads, end = n * (t + 1) / threads;
    for (std::ptrdiff_t z = begin; z < end; ++z) per_sample(z, partial[t].data());
  }
  for (const auto& p : partial)
    for (std::size_t k = 0; k < weight_numel; ++k) grad_weights[k] += p[k];
}

}  // namespace equifuse
