#!/usr/bin/env bash
# Installs what equifuse needs, builds it and LAMMPS (from Debian's source package, cached under
# ~/.cache/equifuse), and runs the main job: molecular dynamics of a Cu-Au alloy (256 atoms, NVT
# at 600 K, 500 steps) with the shipped MACE potential through pair_style equifuse, on the GPU
# when one is present and on the CPU otherwise. Extra arguments go to LAMMPS, e.g.
#   scripts/run-main.sh -var potential $PWD/potentials/cuau-nequip-small.eqf -var steps 2000
# Output: build/main/md-run/ (log.lammps, cuau-nvt.dump).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-dependencies.sh main
eval "$(scripts/install-lammps.sh | grep '^LAMMPS_')"
cmake -S . -B build/main -DCMAKE_BUILD_TYPE=Release -DEQUIFUSE_BUILD_TESTS=OFF \
  -DEQUIFUSE_WITH_TORCH=OFF -DEQUIFUSE_LAMMPS_SOURCE_DIR="$LAMMPS_SOURCE_DIR" >/dev/null
cmake --build build/main -j "$(nproc)"

run_dir=build/main/md-run
mkdir -p "$run_dir"
cd "$run_dir"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)} "$LAMMPS_BINARY" -in "$root/examples/cuau-nvt.in" \
  -var plugin "$root/build/main/pair_style/equifuseplugin.so" \
  -var potential "$root/potentials/cuau-mace-small.eqf" "$@"
echo
echo "equifuse: MD output in $root/$run_dir: log.lammps (thermo), cuau-nvt.dump (trajectory)"
