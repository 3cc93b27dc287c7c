// Running the lmp of EQUIFUSE_LAMMPS_BINARY with mpiexec on a deck, for the LAMMPS tests
// (test_lammps.cpp, test_force_style.cpp). Built twice: for pair_style equifuse, and for
// equifuse/kk in a LAMMPS with the KOKKOS package (EQUIFUSE_PAIR_STYLE, EQUIFUSE_LAMMPS_OPTIONS:
// "-k on ... -sf kk ..."; tests/CMakeLists.txt), which runs the same decks.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace equifuse::lammps_testing {

namespace fs = std::filesystem;
inline constexpr double kNktv2p = 1.6021765e6;  // LAMMPS metal units: bar per eV/Angstrom^3
#ifndef EQUIFUSE_PAIR_STYLE
#define EQUIFUSE_PAIR_STYLE "equifuse"
#define EQUIFUSE_LAMMPS_OPTIONS ""
#endif
inline constexpr std::string_view kPairStyle = EQUIFUSE_PAIR_STYLE;
// equifuse/kk on several ranks needs newton_pair on (tests/CMakeLists.txt checks its error).
inline constexpr bool kNewtonOffOnSeveralRanks = kPairStyle == "equifuse";

// A shipped potential by name, or a reference model (tests/data/models/<dir>/<name>) by its path.
inline std::string potential_path(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return std::string(EQUIFUSE_SOURCE_DIR) + "/tests/data/models/" + name + ".eqf";
  return std::string(EQUIFUSE_SOURCE_DIR) + "/potentials/" + name + ".eqf";
}

// The plugin, pair_style equifuse (or /kk, by the suffix) with `style_args` (each preceded by a
// space) and its pair_coeff for Cu Au.
inline std::string pair_commands(const std::string& potential, const std::string& style_args = "") {
  return "plugin load " EQUIFUSE_PLUGIN "\npair_style equifuse" + style_args + "\npair_coeff * * " +
         potential_path(potential) + " Cu Au\n";
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `deck` with LAMMPS on `ranks` MPI ranks in a fresh folder; returns that folder. A run that
// fails is a test failure showing the log.
inline fs::path run_lammps(const std::string& test_name, const std::string& deck, int ranks) {
  // OpenMPI: allow root (CI containers) and more ranks than cores; one thread per rank.
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  setenv("OMP_NUM_THREADS", "1", 1);
  const fs::path dir = fs::path(EQUIFUSE_TEST_WORK_DIR) / test_name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "in.lammps") << deck;
  const std::string command = "cd '" + dir.string() + "' && '" EQUIFUSE_MPIEXEC "' -n " +
                              std::to_string(ranks) +
                              " '" EQUIFUSE_LAMMPS_BINARY "' " EQUIFUSE_LAMMPS_OPTIONS
                              " -in in.lammps -log log.lammps -screen none";
  if (std::system(command.c_str()) != 0)
    ADD_FAILURE() << command << " failed; log:\n" << read_text(dir / "log.lammps");
  return dir;
}

}  // namespace equifuse::lammps_testing
