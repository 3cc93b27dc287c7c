// A few integers computed by device kernels (counts, flags) that the host needs, read without a
// copy operation: kernels accumulate them in device memory, one small kernel stores them into
// pinned host memory mapped into the device's address space (as Kokkos returns the results of its
// reductions), and the host reads them after waiting for the execution space. Header-only, like
// the graph builder.
#pragma once

#include <Kokkos_Core.hpp>

#include <array>
#include <string>

namespace equifuse {

template <class Device, int N>
class KokkosHostReadback {
 public:
  using Execution = typename Device::execution_space;

  explicit KokkosHostReadback(const std::string& label)
      : values_(label), host_(label + "_on_host") {}

  // Where kernels accumulate (atomics allowed: device memory).
  const Kokkos::View<int[N], Device>& values() const { return values_; }
  // Zero, in stream order.
  void clear() const { Kokkos::deep_copy(Execution(), values_, 0); }
  // Waits for the kernels before it; returns the values.
  std::array<int, N> read() const {
    const auto from = values_;
    const auto to = host_;
    Kokkos::parallel_for(
        "equifuse::host_readback", Kokkos::RangePolicy<Execution>(0, N),
        KOKKOS_LAMBDA(const int i) { to(i) = from(i); });
    Execution().fence("equifuse::host_readback");
    std::array<int, N> out{};
    for (int i = 0; i < N; ++i) out[i] = host_(i);
    return out;
  }

 private:
  Kokkos::View<int[N], Device> values_;
  Kokkos::View<int[N], Kokkos::SharedHostPinnedSpace> host_;
};

}  // namespace equifuse
