// The Kokkos layer exchange (pair_style/kokkos/kokkos_layer_exchange.hpp) on emulated ranks
// (emulated_layer_exchange.hpp), in Kokkos's default execution space: through its Kokkos pack
// functions on views (what LAMMPS's device communication calls) and through its host pack
// functions on the host mirror (what LAMMPS's host communication calls without GPU-aware MPI or
// with comm_style tiled), equal to the whole structure, with the host exchange's traffic.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>

#include "model_loader/potential_file.hpp"
#include "pair_style/kokkos/kokkos_layer_exchange.hpp"
#include "tests/pair_style/emulated_layer_exchange.hpp"

namespace equifuse {
namespace {

using Device = Kokkos::DefaultExecutionSpace::device_type;

template <class T>
Kokkos::View<T*, Device> to_device(const T* host, std::size_t n) {
  Kokkos::View<T*, Device> view("equifuse::test_copy", n);
  Kokkos::deep_copy(view,
                    Kokkos::View<const T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(host, n));
  return view;
}

template <class T>
void to_host(T* host, const Kokkos::View<T*, Device>& view, std::size_t n) {
  Kokkos::deep_copy(Kokkos::View<T*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>(host, n),
                    Kokkos::subview(view, std::make_pair(std::size_t{0}, n)));
}

// KokkosLayerExchange behind the host pack interface of the emulation: DevicePath sends each pack
// through the view functions (lists and buffers copied into Device's memory), else through the
// host functions.
template <bool DevicePath>
class KokkosExchangeUnderTest final : public GhostExchange {
 public:
  explicit KokkosExchangeUnderTest(LayerExchangeBase::Communication& c) : inner_(c) {}
  void prepare(const NeighborGraph& graph, int num_atoms, int layers) {
    node_atom_ = to_device(graph.node_atom.data(), graph.node_atom.size());
    inner_.prepare(node_atom_, graph.node_atom.size(), num_atoms, layers);
  }
  void forward(int layer, const NodeRows<float>& f) const override { inner_.forward(layer, f); }
  void forward(int layer, const NodeRows<double>& f) const override { inner_.forward(layer, f); }
  void reverse(int layer, const NodeRows<float>& g) const override { inner_.reverse(layer, g); }
  void reverse(int layer, const NodeRows<double>& g) const override { inner_.reverse(layer, g); }
  const LayerExchangeBase::Traffic& traffic() const { return inner_.traffic(); }

  int pack_forward(int n, const int* list, double* buffer) const {
    if (!DevicePath) return inner_.pack_forward(n, list, buffer);
    const Kokkos::View<double*, Device> words("equifuse::test_buffer", words_of(n));
    const int packed = inner_.pack_forward(n, to_device(list, static_cast<std::size_t>(n)), words);
    to_host(buffer, words, static_cast<std::size_t>(packed));
    return packed;
  }
  void unpack_forward(int n, int first, const double* buffer) const {
    if (!DevicePath) return inner_.unpack_forward(n, first, buffer);
    inner_.unpack_forward(n, first, to_device(buffer, words_of(n)));
  }
  int pack_reverse(int n, int first, double* buffer) const {
    if (!DevicePath) return inner_.pack_reverse(n, first, buffer);
    const Kokkos::View<double*, Device> words("equifuse::test_buffer", words_of(n));
    const int packed = inner_.pack_reverse(n, first, words);
    to_host(buffer, words, static_cast<std::size_t>(packed));
    return packed;
  }
  void unpack_reverse(int n, const int* list, const double* buffer) const {
    if (!DevicePath) return inner_.unpack_reverse(n, list, buffer);
    inner_.unpack_reverse(n, to_device(list, static_cast<std::size_t>(n)),
                          to_device(buffer, words_of(n)));
  }

 private:
  std::size_t words_of(int n) const {
    return static_cast<std::size_t>(n) * static_cast<std::size_t>(inner_.words_per_atom());
  }
  KokkosLayerExchange<Device> inner_;
  Kokkos::View<int*, Device> node_atom_;
};

template <class Exchange>
void check_decompositions(const std::string& name, Precision precision) {
  const auto potential =
      load_potential(std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + name + ".eqf",
                     LoadOptions{.precision = precision});
  const testing_support::Crystal crystal = testing_support::make_crystal(3);
  for (const std::vector<double>& bounds : testing_support::thin_slab_decompositions(crystal.box)) {
    SCOPED_TRACE(std::to_string(bounds.size() - 1) + " ranks");
    testing_support::expect_layer_exchange_equals_whole<Exchange>(
        *potential, crystal, bounds,
        [](Exchange& exchange, const NeighborGraph& graph, int num_atoms, int layers) {
          exchange.prepare(graph, num_atoms, layers);
        });
  }
}

TEST(KokkosLayerExchange, DevicePackFunctionsEqualTheWholeStructure) {
  check_decompositions<KokkosExchangeUnderTest<true>>("cuau-mace-small", Precision::float64);
  check_decompositions<KokkosExchangeUnderTest<true>>("cuau-nequip-small", Precision::float32);
}

TEST(KokkosLayerExchange, HostPackFunctionsEqualTheWholeStructure) {
  check_decompositions<KokkosExchangeUnderTest<false>>("cuau-nequip-small", Precision::float64);
  check_decompositions<KokkosExchangeUnderTest<false>>("cuau-mace-small", Precision::float32);
}

}  // namespace
}  // namespace equifuse
