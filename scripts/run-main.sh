#!/usr/bin/env bash
# Installs what equifuse needs, builds it, and runs the main job. Until the LAMMPS plugin lands,
# the main job runs the tensor-product engine on MACE's and NequIP's convolution problems from
# bench/problems.json, on the CPU: forward, backward and double backward, with time per call and
# checksums. Extra arguments go to `equifuse tp` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-dependencies.sh main
cmake -S . -B build/main -DCMAKE_BUILD_TYPE=Release -DEQUIFUSE_BUILD_TESTS=OFF >/dev/null
cmake --build build/main -j "$(nproc)"
if [ $# -eq 0 ]; then
  set -- --name mace-medium --name nequip-l2-32 --batch 4096
fi
exec build/main/cli/equifuse tp "$@"
