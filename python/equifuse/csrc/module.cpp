// equifuse._equifuse: the C++ library as the Python package sees it. A loaded potential evaluates
// a structure (numpy arrays) to energy, per-atom energies, forces, virials and, for fully periodic
// structures, stresses, with a fresh neighbour list or one kept between calls (NeighborList);
// equifuse::Error becomes equifuse.Error, a ValueError. A multi-head potential is loaded for one
// head; models that embed a total charge and spin (MACE-OMOL) take them at load. The Python layer
// (potential.py) checks and converts the arguments; this file only moves arrays across.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/array.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/common/error.hpp"
#include "kernels/tensor_product/tensor_product.hpp"
#include "model_loader/potential_file.hpp"
#include "models/potential/atomic_graph.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/neighbor_list.hpp"
#include "models/structure/skin_neighbor_list.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace equifuse::python {
namespace {

using Numbers = nb::ndarray<const std::int32_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using Positions = nb::ndarray<const double, nb::shape<-1, 3>, nb::c_contig, nb::device::cpu>;
using Cell = nb::ndarray<const double, nb::shape<3, 3>, nb::c_contig, nb::device::cpu>;
using Array = nb::ndarray<nb::numpy, double>;

// A numpy array that owns the vector's storage (no copy).
Array to_numpy(std::vector<double>&& values, std::initializer_list<std::size_t> shape) {
  auto* owned = new std::vector<double>(std::move(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<double>*>(p); });
  return Array(owned->data(), shape, owner);
}

std::vector<double> flat(const Matrix3& m) {
  std::vector<double> out;
  for (const auto& row : m) out.insert(out.end(), row.begin(), row.end());
  return out;
}

AtomicStructure make_structure(const Numbers& numbers, const Positions& positions, const Cell& cell,
                               const std::array<bool, 3>& pbc) {
  const std::size_t n = numbers.shape(0);
  if (positions.shape(0) != n) {
    throw Error("positions have " + std::to_string(positions.shape(0)) + " rows for " +
                std::to_string(n) + " atomic numbers");
  }
  AtomicStructure s;
  s.atomic_numbers.assign(numbers.data(), numbers.data() + n);
  s.positions.resize(n);
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t k = 0; k < 3; ++k) s.positions[a][k] = positions(a, k);
  for (std::size_t r = 0; r < 3; ++r)
    for (std::size_t c = 0; c < 3; ++c) s.cell[r][c] = cell(r, c);
  s.pbc = pbc;
  return s;
}

class LoadedPotential {
 public:
  LoadedPotential(const std::string& path, const std::string& precision, const std::string& device,
                  const std::string& head, double total_charge, double total_spin)
      : backend_(parse_backend(device)),
        potential_(load_potential(path, LoadOptions{.precision = parse_precision(precision),
                                                    .backend = backend_,
                                                    .head = head,
                                                    .total_charge = total_charge,
                                                    .total_spin = total_spin})) {}

  const PotentialInfo& info() const { return potential_->info(); }
  std::string device() const { return backend_ == Backend::cuda ? "cuda" : "cpu"; }

  // energy, energies [n], forces [n][3], virial [3][3], virials [n][3][3], num_edges and, for
  // fully periodic structures, stress [3][3] and stresses [n][3][3] (-virial / volume, as
  // `equifuse eval`).
  nb::dict evaluate(const Numbers& numbers, const Positions& positions, const Cell& cell,
                    const std::array<bool, 3>& pbc, SkinNeighborList* list) const {
    const AtomicStructure s = make_structure(numbers, positions, cell, pbc);
    const std::size_t n = s.size();
    PotentialForces result;
    std::size_t num_edges = 0;
    {
      nb::gil_scoped_release unlocked;
      const PotentialInfo& i = info();
      const AtomicGraph graph = list ? make_atomic_graph(s, i.species, list->update(s))
                                     : make_atomic_graph(s, i.species, i.r_max);
      num_edges = graph.num_edges();
      result = potential_->evaluate_forces(graph);
    }
    ForcesAndVirial& fv = result.forces;
    nb::dict out;
    out["energy"] = result.energy;
    out["num_edges"] = num_edges;
    if (pbc[0] && pbc[1] && pbc[2]) {
      const double volume = s.volume();
      out["stress"] = to_numpy(flat(stress_from_virial(fv.virial, volume)), {3, 3});
      std::vector<double> stresses(9 * n);
      for (std::size_t a = 0; a < n; ++a) {
        Matrix3 atom{};
        for (int r = 0; r < 3; ++r)
          for (int c = 0; c < 3; ++c) atom[r][c] = fv.atomic_virials[9 * a + 3 * r + c];
        const std::vector<double> stress = flat(stress_from_virial(atom, volume));
        std::copy(stress.begin(), stress.end(), stresses.begin() + 9 * a);
      }
      out["stresses"] = to_numpy(std::move(stresses), {n, 3, 3});
    }
    out["energies"] = to_numpy(std::move(result.node_energies), {n});
    out["forces"] = to_numpy(std::move(fv.forces), {n, 3});
    out["virial"] = to_numpy(flat(fv.virial), {3, 3});
    out["virials"] = to_numpy(std::move(fv.atomic_virials), {n, 3, 3});
    return out;
  }

 private:
  Backend backend_;
  std::unique_ptr<Potential> potential_;
};

}  // namespace
}  // namespace equifuse::python

NB_MODULE(_equifuse, m) {
  using namespace equifuse;
  using equifuse::python::LoadedPotential;
  nb::exception<Error>(m, "Error", PyExc_ValueError);

  m.def(
      "cuda_built", [] { return backend_available(Backend::cuda); },
      "Whether this build has the CUDA backend.");
  m.def(
      "cuda_available", [] { return backend_runs_here(Backend::cuda); },
      "Whether the CUDA backend can run here (built, and a GPU is visible).");

  m.def(
      "chemical_symbol", [](int z) { return chemical_symbol(z); }, "atomic_number"_a,
      "The chemical symbol of an atomic number (1-118).");

  nb::class_<SkinNeighborList>(m, "NeighborList")
      .def(nb::init<double, double>(), "cutoff"_a, "skin"_a)
      .def_prop_ro("cutoff", &SkinNeighborList::cutoff)
      .def_prop_ro("skin", &SkinNeighborList::skin)
      .def_prop_ro("builds", &SkinNeighborList::builds)
      .def_prop_ro("rebuilt", &SkinNeighborList::rebuilt);

  nb::class_<LoadedPotential>(m, "LoadedPotential")
      .def(nb::init<const std::string&, const std::string&, const std::string&, const std::string&,
                    double, double>(),
           "path"_a, "precision"_a, "device"_a, "head"_a = "", "total_charge"_a = 0.0,
           "total_spin"_a = 1.0)
      .def_prop_ro("heads", [](const LoadedPotential& p) { return p.info().heads; })
      .def_prop_ro("head", [](const LoadedPotential& p) { return p.info().head; })
      .def_prop_ro("architecture", [](const LoadedPotential& p) { return p.info().architecture; })
      .def_prop_ro("species", [](const LoadedPotential& p) { return p.info().species; })
      .def_prop_ro("r_max", [](const LoadedPotential& p) { return p.info().r_max; })
      .def_prop_ro("num_interactions",
                   [](const LoadedPotential& p) { return p.info().num_interactions; })
      .def_prop_ro("energy_unit", [](const LoadedPotential& p) { return p.info().energy_unit; })
      .def_prop_ro("length_unit", [](const LoadedPotential& p) { return p.info().length_unit; })
      .def_prop_ro("precision",
                   [](const LoadedPotential& p) { return to_string(p.info().precision); })
      .def_prop_ro("device", &LoadedPotential::device)
      .def("evaluate", &LoadedPotential::evaluate, "numbers"_a, "positions"_a, "cell"_a, "pbc"_a,
           "neighbor_list"_a.none() = nb::none());
}
