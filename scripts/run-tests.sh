#!/usr/bin/env bash
# Installs what the tests need, builds equifuse and runs the whole test suite: the C++ formatting
# check, then the CPU tests under AddressSanitizer and UndefinedBehaviorSanitizer (against the
# committed e3nn golden files), a minute of libFuzzer on each reader of untrusted input (fuzz/),
# then the full suite in an optimised build, including the live comparison with e3nn, and the
# Python package: `pip install .` into build/python-site and its tests, examples included.
# GPU tests report as skipped on machines without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-dependencies.sh tests
python=$(scripts/install-dependencies.sh python-path)
package_python=$(scripts/install-dependencies.sh package-python-path)
eval "$(scripts/install-lammps.sh | grep '^LAMMPS_')"
# LAMMPS with the KOKKOS package (OpenMP), and its Kokkos, for pair_style equifuse/kk.
eval "$(scripts/install-lammps.sh kokkos | grep -E '^(LAMMPS_KOKKOS_|KOKKOS_DIR=)')"

echo "== formatting =="
scripts/check-format.sh

echo "== sanitizer build (ASan + UBSan) =="
# The PyTorch frontend and the LAMMPS plugin are left out here: a sanitized library cannot be
# loaded into python or an unsanitized lmp (the plugin's graph builder is tested in both builds);
# so is the Kokkos graph builder (an unsanitized Kokkos), tested in the release build.
cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEQUIFUSE_SANITIZE=ON \
  -DEQUIFUSE_WERROR=ON -DEQUIFUSE_WITH_TORCH=OFF -DEQUIFUSE_REFERENCE_PYTHON="$python" >/dev/null
cmake --build build/sanitize -j "$jobs"
(cd build/sanitize && ASAN_OPTIONS=detect_leaks=1 ctest -j "$jobs" --output-on-failure -E 'e3nn\.live|lammps\.|pair_style\.kokkos')

echo "== fuzzing (libFuzzer, clang-14, ASan + UBSan) =="
# Each reader fuzzed for EQUIFUSE_FUZZ_SECONDS (60) from the committed seeds, seed 1, two at a
# time; every input that once failed is replayed (fuzz/README.md).
cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DEQUIFUSE_FUZZ=ON -DEQUIFUSE_BUILD_TESTS=OFF -DEQUIFUSE_WITH_CUDA=OFF -DEQUIFUSE_WITH_TORCH=OFF \
  -DEQUIFUSE_WERROR=ON >/dev/null
cmake --build build/fuzz -j "$jobs" --target equifuse_fuzzers
(cd build/fuzz && ctest -j "$jobs" --output-on-failure -L fuzz)
cat build/fuzz/fuzz/runs/*/summary

echo "== release build: full suite =="
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DEQUIFUSE_WERROR=ON \
  -DEQUIFUSE_REFERENCE_PYTHON="$python" -DEQUIFUSE_TORCH_PYTHON="$python" \
  -DEQUIFUSE_LAMMPS_SOURCE_DIR="$LAMMPS_SOURCE_DIR" -DEQUIFUSE_LAMMPS_BINARY="$LAMMPS_BINARY" \
  -DEQUIFUSE_KOKKOS_DIR="$KOKKOS_DIR" -DEQUIFUSE_LAMMPS_KOKKOS_SOURCE_DIR="$LAMMPS_KOKKOS_SOURCE_DIR" \
  -DEQUIFUSE_LAMMPS_KOKKOS_BINARY="$LAMMPS_KOKKOS_BINARY" \
  -DEQUIFUSE_PYTHON_PACKAGE=ON -DPython_EXECUTABLE="$package_python" \
  -DEQUIFUSE_PACKAGE_PYTHON="$package_python" -DEQUIFUSE_PACKAGE_SITE="$PWD/build/python-site" >/dev/null
cmake --build build/release -j "$jobs"

echo "== Python package: pip install . =="
# The release build already built the package's module and tool: pip builds in that folder
# (build-dir), which leaves nothing to compile, and installs into a folder of the clone (--target),
# not into the cached environment that other clones share, whose packages it uses (--no-deps,
# --no-build-isolation).
CMAKE_GENERATOR="Unix Makefiles" CMAKE_BUILD_PARALLEL_LEVEL="$jobs" "$package_python" -m pip install \
  --no-deps --no-build-isolation --upgrade --disable-pip-version-check --target build/python-site \
  --config-settings=build-dir=build/release . >build/python-install.log 2>&1 ||
  { tail -40 build/python-install.log; exit 1; }
tail -1 build/python-install.log

cd build/release && ctest -j "$jobs" --output-on-failure
