// `equifuse eval POTENTIAL STRUCTURE`: energy, forces and stress of every frame of an extended
// XYZ file with an equifuse potential: the quickest check of a potential without LAMMPS.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/option_value.hpp"
#include "kernels/common/error.hpp"
#include "model_loader/potential_file.hpp"
#include "models/potential/forces_and_virial.hpp"
#include "models/potential/species_selection.hpp"
#include "models/structure/extxyz.hpp"

namespace equifuse::cli {

namespace {

void print_usage() {
  std::puts(
      "usage: equifuse eval POTENTIAL.eqf STRUCTURE.extxyz [--precision float64|float32] [--device "
      "cpu|cuda]\n"
      "                     [--head NAME] [--charge Q] [--spin 2S+1] [--output OUT.extxyz] "
      "[--quiet] [--repeat N]\n"
      "                     [--memory SIZE|all]\n"
      "--head picks a head of a multi-head potential (an error lists them); --charge and --spin\n"
      "set the total charge and spin multiplicity of models that embed them (MACE-OMOL; default\n"
      "0 and 1).\n"
      "Evaluates every frame: energy (eV), per-atom forces (eV/Angstrom), virial (eV) and, for "
      "fully\n"
      "periodic frames, stress (eV/Angstrom^3, ASE's sign: positive under tension). --output "
      "writes\n"
      "the frames with energy, stress, per-atom energies and forces (extended XYZ, ASE-readable,\n"
      "17 significant digits: the doubles computed).\n"
      "--quiet prints only the per-frame summary lines. --repeat N evaluates each frame N more "
      "times\n"
      "and prints the median times of the model (energy, forces, virial) and of the neighbour "
      "list,\n"
      "and the peak memory of the model's arrays since the start (host, or the GPU's) and of one\n"
      "evaluation (its working set, bytes per atom).\n"
      "--memory bounds the per-edge arrays of one block of streamed edges (e.g. 64MB; default\n"
      "256MB on the host, 2GB on a GPU): smaller blocks use less memory and make more, smaller\n"
      "kernel calls; all puts every edge in one block.");
}

}  // namespace

int eval_command(const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  std::string output;
  Precision precision = Precision::float64;
  Backend backend = Backend::cpu;
  bool quiet = false;
  int repeat = 0;
  LoadOptions load;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      print_usage();
      return 0;
    } else if (a == "--precision") {
      precision = parse_precision(option_value(args, i));
    } else if (a == "--device") {
      backend = parse_backend(option_value(args, i));
    } else if (a == "--output" || a == "-o") {
      output = option_value(args, i);
    } else if (a == "--repeat") {
      const std::string& v = option_value(args, i);
      try {
        repeat = std::stoi(v);
      } catch (const std::exception&) {
        repeat = -1;
      }
      if (repeat < 0) throw Error("--repeat expects a non-negative integer, got \"" + v + "\"");
    } else if (a == "--head") {
      load.head = option_value(args, i);
    } else if (a == "--charge" || a == "--spin") {
      const std::string& v = option_value(args, i);
      double value = 0;
      try {
        std::size_t used = 0;
        value = std::stod(v, &used);
        if (used != v.size()) throw Error("");
      } catch (const std::exception&) {
        throw Error(a + " expects a number, got \"" + v + "\"");
      }
      (a == "--charge" ? load.total_charge : load.total_spin) = value;
    } else if (a == "--memory") {
      load.edge_memory = parse_edge_memory(option_value(args, i));
    } else if (a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      throw Error("equifuse eval: unknown option \"" + a + "\"");
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2) {
    print_usage();
    return 2;
  }
  const auto frames = read_extxyz(positional[1]);
  // Only the elements of the structures are loaded (a foundation model has 89).
  std::vector<int> elements;
  for (const AtomicStructure& s : frames)
    for (int z : s.atomic_numbers)
      if (std::find(elements.begin(), elements.end(), z) == elements.end()) elements.push_back(z);
  std::unique_ptr<Potential> potential;
  try {
    load.precision = precision;
    load.backend = backend;
    load.elements = elements;
    potential = load_potential(positional[0], load);
  } catch (const UnknownElement& e) {
    for (std::size_t f = 0; f < frames.size(); ++f) {
      const auto& z = frames[f].atomic_numbers;
      const auto it = std::find(z.begin(), z.end(), e.atomic_number());
      if (it == z.end()) continue;
      std::string known;
      for (int s : e.known()) known += (known.empty() ? "" : " ") + chemical_symbol(s);
      throw Error("frame " + std::to_string(f) + ", atom " + std::to_string(it - z.begin() + 1) +
                  " is " + chemical_symbol(e.atomic_number()) + ", which " + positional[0] +
                  " does not know (its elements: " + known + ")");
    }
    throw;
  }
  const PotentialInfo& info = potential->info();
  std::printf("potential: %s (%s), %zu elements, r_max %.4g %s, %d interactions, %s, %s\n",
              positional[0].c_str(), info.architecture.c_str(), info.species.size(), info.r_max,
              info.length_unit.c_str(), info.num_interactions, to_string(info.precision).c_str(),
              backend == Backend::cuda ? "cuda" : "cpu");
  if (info.heads.size() > 1) {
    std::printf("head: %s (of %zu)\n", info.head.c_str(), info.heads.size());
  }
  std::ofstream out_file;
  if (!output.empty()) {
    out_file.open(output);
    if (!out_file) throw Error("cannot write \"" + output + "\"");
  }
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const AtomicStructure& s = frames[f];
    const auto start = std::chrono::steady_clock::now();
    const AtomicGraph graph = make_atomic_graph(s, info.species, info.r_max);
    const PotentialForces result = potential->evaluate_forces(graph);
    const ForcesAndVirial& fv = result.forces;
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const bool periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
    std::printf("frame %zu: %zu atoms, %zu edges, energy %.10f %s (%.3f ms)\n", f, s.size(),
                graph.num_edges(), result.energy, info.energy_unit.c_str(), ms);
    if (repeat > 0) {
      // Graph construction and model evaluation (energy, forces, virial) timed separately.
      std::vector<double> graph_ms, model_ms;
      const MemorySpace space = potential->memory_space();
      const std::size_t host_before = memory_use(MemorySpace::host).in_use;
      const std::size_t before = memory_use(space).in_use;
      reset_peak_memory(MemorySpace::host);
      reset_peak_memory(space);
      for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const AtomicGraph g = make_atomic_graph(s, info.species, info.r_max);
        const auto t1 = std::chrono::steady_clock::now();
        const PotentialForces unused = potential->evaluate_forces(g);
        (void)unused;
        const auto t2 = std::chrono::steady_clock::now();
        graph_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        model_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
      }
      std::sort(graph_ms.begin(), graph_ms.end());
      std::sort(model_ms.begin(), model_ms.end());
      std::printf("  timing: model %.3f ms (median of %d), neighbour list %.3f ms\n",
                  model_ms[model_ms.size() / 2], repeat, graph_ms[graph_ms.size() / 2]);
      // One evaluation's working set: the engine's graph and every intermediate, above what
      // outlives it (weights; this program's own copies of the structure are not counted).
      const auto report = [&](MemorySpace where, std::size_t baseline) {
        const MemoryUse memory = memory_use(where);
        const double working = static_cast<double>(memory.peak_in_use - baseline);
        // "peak in use/held": weights included (the figures torch reports), as before.
        std::printf(
            "  %s memory: peak in use %.1f MiB, peak held %.1f MiB; evaluation peak %.1f MiB "
            "(%.0f bytes per atom) above %.1f MiB of weights\n",
            where == MemorySpace::host ? "host" : "device",
            static_cast<double>(memory.peak_in_use) / (1 << 20),
            static_cast<double>(memory.peak_held) / (1 << 20), working / (1 << 20),
            working / static_cast<double>(s.size()), static_cast<double>(baseline) / (1 << 20));
      };
      report(space, before);
      if (space != MemorySpace::host) report(MemorySpace::host, host_before);
      std::printf(
          "  streamed edges: blocks of at most %zu edges, or one atom's (memory %zu KiB, %zu "
          "bytes per edge)\n",
          info.block_edges == 0 ? graph.num_edges() : info.block_edges, info.edge_memory >> 10,
          info.edge_bytes);
    }
    Matrix3 stress{};
    if (periodic) stress = stress_from_virial(fv.virial, s.volume());
    if (!quiet) {
      std::puts("  atom  element            fx            fy            fz        energy");
      for (std::size_t a = 0; a < s.size(); ++a) {
        std::printf("  %4zu  %-7s %13.8f %13.8f %13.8f %13.8f\n", a + 1,
                    chemical_symbol(s.atomic_numbers[a]).c_str(), fv.forces[3 * a],
                    fv.forces[3 * a + 1], fv.forces[3 * a + 2], result.node_energies[a]);
      }
      std::printf("  virial (eV): ");
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) std::printf("%.8f ", fv.virial[r][c]);
      std::puts("");
      if (periodic) {
        std::printf("  stress (eV/A^3, xx yy zz yz xz xy): %.10f %.10f %.10f %.10f %.10f %.10f\n",
                    stress[0][0], stress[1][1], stress[2][2], stress[1][2], stress[0][2],
                    stress[0][1]);
      }
    }
    if (out_file) {
      char info_line[512];
      std::snprintf(info_line, sizeof info_line, "energy=%.17g", result.energy);
      std::string extra = info_line;
      if (periodic) {
        std::snprintf(info_line, sizeof info_line,
                      " stress=\"%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g\"",
                      stress[0][0], stress[0][1], stress[0][2], stress[1][0], stress[1][1],
                      stress[1][2], stress[2][0], stress[2][1], stress[2][2]);
        extra += info_line;
      }
      write_extxyz(out_file, s, {{"energies", 1, result.node_energies}, {"forces", 3, fv.forces}},
                   extra);
    }
  }
  if (!output.empty()) std::printf("wrote %s\n", output.c_str());
  return 0;
}

}  // namespace equifuse::cli
