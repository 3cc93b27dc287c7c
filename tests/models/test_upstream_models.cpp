// MACE and NequIP on equifuse against the upstream packages themselves (mace-torch, nequip):
// energies, per-atom energies, forces, virials, per-atom virials (MACE) and stresses of randomly
// initialised models covering the hyperparameter space (MACE: l, correlation orders, channels,
// species, depths, readouts, MACE and ScaleShiftMACE; NequIP: l, parity, feature counts, resnet,
// self-connections, per-type neighbour normalisation, readout depth, type-embedding width) on
// periodic, triclinic, slab, cluster, single-atom-cell and isolated-atom structures; and the MACE
// foundation-model architectures (every head; a molecule and a 0.6 A close contact too).
// References are written by python/equifuse_reference/{mace,nequip,mace_foundation}_reference.py
// (tests/data/models).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse {
namespace {

const std::string kDataDir = std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/";

// Reference models are "<family>_<name>" (tests/data/models/<family>/<model>.eqf); the shipped
// potentials are "shipped_<file>" (potentials/<file>.eqf, references in tests/data/models/shipped);
// the foundation architectures are tests/data/models/foundation/<model>.eqf with one reference per
// head and charge/spin setting (<model>[@<head>][%<k>].json).
struct Case {
  std::string model, structure;
  Precision precision;
  std::string reference_name;  // foundation: the JSON's name, when not the model's
  std::string family() const {
    return reference_name.empty() ? model.substr(0, model.find('_')) : "foundation";
  }
  std::string name() const {
    if (!reference_name.empty()) return reference_name;
    return family() == "shipped" ? model.substr(8) : model;
  }
  std::string potential() const {
    if (family() == "shipped")
      return std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + name() + ".eqf";
    return kDataDir + family() + "/" + model + ".eqf";
  }
};
// What ctest prints for a case (instead of its bytes).
void PrintTo(const Case& c, std::ostream* out) {
  *out << c.model << " " << c.structure << " " << to_string(c.precision);
}

const std::vector<const char*> kStructures = {"fcc_rattled",   "triclinic_strained",
                                              "slab_pbc_xy",   "cluster",
                                              "isolated_atom", "primitive_cell"};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const char* model :
       {"mace_l1_corr3_two_layers", "mace_scalar_corr2_one_layer", "mace_l2_mixed_corr_plain_first",
        "mace_three_layers_corr1", "nequip_l1_parity_resnet", "nequip_l2_three_species",
        "nequip_one_species_sc", "shipped_cuau-nequip-small", "shipped_cuau-mace-small"}) {
    for (const char* structure : kStructures) {
      for (Precision p : {Precision::float64, Precision::float32})
        cases.push_back({model, structure, p, ""});
    }
  }
  // Foundation architectures: every reference file, with the molecule and the close contact.
  std::vector<std::string> references;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir + "foundation")) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() == ".json" && file.rfind("versions", 0) != 0)
      references.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(references.begin(), references.end());
  for (const std::string& reference : references) {
    const std::string model = reference.substr(0, reference.find_first_of("@%"));
    std::vector<const char*> structures = kStructures;
    structures.push_back("molecule");
    structures.push_back("close_contact");
    for (const char* structure : structures) {
      for (Precision p : {Precision::float64, Precision::float32})
        cases.push_back({model, structure, p, reference});
    }
  }
  return cases;
}

nlohmann::json load_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

std::vector<double> flatten(const nlohmann::json& j) {
  std::vector<double> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      auto part = flatten(e);
      out.insert(out.end(), part.begin(), part.end());
    }
  } else {
    out.push_back(j.get<double>());
  }
  return out;
}

// max |a - b| <= tolerance * max(|b|_max, floor)
void expect_close(const std::vector<double>& ours, const std::vector<double>& reference,
                  double tolerance, const std::string& what, double floor = 1.0) {
  ASSERT_EQ(ours.size(), reference.size()) << what;
  double scale = floor, worst = 0;
  for (double r : reference) scale = std::max(scale, std::abs(r));
  for (std::size_t i = 0; i < ours.size(); ++i)
    worst = std::max(worst, std::abs(ours[i] - reference[i]));
  EXPECT_LE(worst, tolerance * scale)
      << what << ": max deviation " << worst << " at scale " << scale;
}

class UpstreamModelTest : public ::testing::TestWithParam<Case> {};

TEST_P(UpstreamModelTest, MatchesUpstreamPackage) {
  const Case& c = GetParam();
  const std::string dir = kDataDir + c.family() + "/";
  const auto file = load_json(dir + c.name() + ".json");
  const auto& reference = file["structures"][c.structure];
  LoadOptions options{.precision = c.precision};
  if (file["model"].contains("head")) options.head = file["model"]["head"].get<std::string>();
  if (reference.contains("total_charge")) {
    options.total_charge = reference["total_charge"].get<double>();
    options.total_spin = reference["total_spin"].get<double>();
  }
  const auto potential = load_potential(c.potential(), options);
  if (c.family() == "foundation") {
    if (!options.head.empty()) {
      EXPECT_EQ(potential->info().head, options.head);
    }
  } else if (c.family() != "shipped") {
    EXPECT_EQ(potential->info().architecture, c.family());
  }
  const auto frames = read_extxyz(dir + "structures/" + reference["file"].get<std::string>());
  ASSERT_EQ(frames.size(), 1u);
  const AtomicStructure& s = frames[0];
  const AtomicGraph graph =
      make_atomic_graph(s, potential->info().species, potential->info().r_max);
  EXPECT_EQ(graph.num_edges(), reference["num_edges"].get<std::size_t>());
  const PotentialOutput out = potential->evaluate(graph);
  const ForcesAndVirial fv = forces_and_virial(graph, out.edge_gradients);

  // fp64: 1e-8 relative; fp32: energies 1e-5, forces and virials 1e-4 (relative to the largest).
  const bool f64 = c.precision == Precision::float64;
  const double energy_tol = f64 ? 1e-8 : 1e-5, force_tol = f64 ? 1e-8 : 1e-4;
  expect_close({out.energy}, {reference["energy"].get<double>()}, energy_tol, "energy");
  expect_close(out.node_energies, flatten(reference["node_energies"]), energy_tol, "node energies");
  // mace-torch's Chebyshev basis has no autograd (torch.special.chebyshev_polynomial_t): its
  // forces are not -dE/dr, so only the energies are references (ModelPhysicsTest checks ours).
  if (file["model"].value("upstream_forces_not_gradients", false)) return;
  // Forces that vanish by symmetry (single-atom cells) are compared on an absolute 0.01 eV/A scale.
  expect_close(fv.forces, flatten(reference["forces"]), force_tol, "forces", 0.01);
  std::vector<double> virial;
  for (const auto& row : fv.virial) virial.insert(virial.end(), row.begin(), row.end());
  // Virials sum many edge terms that cancel (a one-atom cell has 40+ images): in fp32 they are
  // compared on a 0.1 eV floor, the size of one edge's term, rather than on the small total.
  const double virial_floor = f64 ? 0.01 : 0.1;
  if (reference.contains("virial")) {
    expect_close(virial, flatten(reference["virial"]), force_tol, "virial", virial_floor);
  }
  if (reference.contains("atomic_virials")) {
    expect_close(fv.atomic_virials, flatten(reference["atomic_virials"]), force_tol,
                 "atomic virials", virial_floor);
  }
  if (reference.contains("stress")) {
    const Matrix3 stress = stress_from_virial(fv.virial, s.volume());
    std::vector<double> flat;
    for (const auto& row : stress) flat.insert(flat.end(), row.begin(), row.end());
    expect_close(flat, flatten(reference["stress"]), force_tol, "stress",
                 f64 ? 1e-4 : virial_floor / s.volume());
  }
}

INSTANTIATE_TEST_SUITE_P(Models, UpstreamModelTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string model = param_info.param.family() == "foundation"
                                                   ? "foundation_" + param_info.param.name()
                                                   : param_info.param.model;
                           for (char& ch : model)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return model + "_" + param_info.param.structure + "_" +
                                  to_string(param_info.param.precision);
                         });

}  // namespace
}  // namespace equifuse
