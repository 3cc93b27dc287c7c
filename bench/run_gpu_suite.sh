#!/usr/bin/env bash
# One command for a GPU machine: build with the CUDA backend and the PyTorch frontend, run the GPU
# tests (and, in the same breath, the CPU suite against the e3nn installed there), compute-sanitizer
# on a subset, then the benchmark of equifuse (C++ API) and of equifuse, e3nn, OpenEquivariance and
# cuEquivariance through PyTorch on every problem, and the report. Results go to $OUT (default
# build-gpu/out).
#   bench/run_gpu_suite.sh test|bench|bench-equifuse|bench-peers|bench-conv|bench-models|bench-model-peers|bench-md|test-kokkos|bench-md-kokkos|report|all
# bench-conv: the fused graph convolution benchmark (convolution.jsonl; EQUIFUSE_CONV_ARGS adds
# arguments to convolution_benchmark.py).
# bench-models: energy + forces time of the potentials in EQUIFUSE_BENCH_POTENTIALS (.eqf files) on
# fcc Cu and water of EQUIFUSE_MODEL_SIZES atoms (models.jsonl), GPU and CPU.
# bench-model-peers: model_benchmark.py for MACE and NequIP against their upstream packages, plain,
# with cuEquivariance and (NequIP) OpenEquivariance, time and peak memory (model-peers.jsonl);
# EQUIFUSE_UPSTREAM_SITES as for bench-md, EQUIFUSE_PEER_PYTHONPATH for the accelerators' packages,
# EQUIFUSE_PEER_FAMILIES (default: mace nequip).
# bench-md: LAMMPS with pair_style equifuse (EQUIFUSE_LAMMPS_SOURCE_ARCHIVE): its tests on the GPU
# and MD throughput next to the upstream models (md.jsonl; EQUIFUSE_MD_ARGS for md_benchmark.py).
# Peers are whatever python3 imports: pip install openequivariance cuequivariance-torch
# cuequivariance-ops-torch-cu13 (a missing one is reported as unavailable, not skipped silently).
# Optional: EQUIFUSE_DEPS=<folder with include/nlohmann and googletest/> for machines without
# those packages; EQUIFUSE_KERNEL_CACHE=<folder> to reuse kernels compiled by `equifuse precompile`;
# test-kokkos, bench-md-kokkos: pair_style equifuse/kk in Debian's LAMMPS with the KOKKOS package
# for CUDA (EQUIFUSE_LAMMPS_KOKKOS_SOURCE_ARCHIVE, EQUIFUSE_KOKKOS_SOURCE_ARCHIVE from
# `scripts/install-lammps.sh kokkos pack`; Kokkos architecture EQUIFUSE_KOKKOS_ARCH, default
# HOPPER90): its tests on the GPU and the host <-> device copies per step of a 10^5-atom run
# counted with CUPTI (test-kokkos; transfers-*.json for equifuse/kk, equifuse and LAMMPS's lj/cut/kk
# on the same atoms, with lists rebuilt when needed and every 10 steps; transfers.md sums them up),
# MD throughput of equifuse/kk next to equifuse and the upstream models (bench-md-kokkos, md.jsonl).
# EQUIFUSE_BENCH_ARGS (C++ benchmark) and EQUIFUSE_PEER_ARGS (peer_benchmark.py) add arguments;
# EQUIFUSE_CMAKE_ARGS adds CMake options (e.g. -DEQUIFUSE_WITH_TORCH=OFF for the MD stages);
# EQUIFUSE_BUILD_TARGETS builds only those targets.
set -uo pipefail
cd "$(dirname "$0")/.."
stage=${1:-all}
OUT=${OUT:-$PWD/build-gpu/out}
mkdir -p "$OUT"
deps=${EQUIFUSE_DEPS:-}
extra=()
if [ -n "$deps" ]; then
  extra+=(-DEQUIFUSE_JSON_INCLUDE_DIR="$deps/include" -DEQUIFUSE_GTEST_SOURCE_DIR="$deps/googletest")
fi
# LAMMPS for the plugin (bench-md): built from the Debian source archive that
# `scripts/install-lammps.sh pack` writes, cached in build-gpu.
if [ -n "${EQUIFUSE_LAMMPS_SOURCE_ARCHIVE:-}" ]; then
  eval "$(EQUIFUSE_CACHE=$PWD/build-gpu/cache scripts/install-lammps.sh 2>"$OUT/lammps-build.log" | grep '^LAMMPS_')" ||
    { tail -30 "$OUT/lammps-build.log"; exit 1; }
  extra+=(-DEQUIFUSE_LAMMPS_SOURCE_DIR="$LAMMPS_SOURCE_DIR" -DEQUIFUSE_LAMMPS_BINARY="$LAMMPS_BINARY")
fi
# LAMMPS with KOKKOS for CUDA and its Kokkos (test-kokkos, bench-md-kokkos), cached likewise; the
# build resumes where a previous call stopped.
kokkos_options="-k on g 1 -sf kk -pk kokkos newton on neigh half"
if [ -n "${EQUIFUSE_LAMMPS_KOKKOS_SOURCE_ARCHIVE:-}" ]; then
  eval "$(EQUIFUSE_CACHE=$PWD/build-gpu/cache scripts/install-lammps.sh kokkos cuda "${EQUIFUSE_KOKKOS_ARCH:-HOPPER90}" \
    2>"$OUT/lammps-kokkos-build.log" | grep -E '^(LAMMPS_KOKKOS_|KOKKOS_DIR=)')" ||
    { tail -30 "$OUT/lammps-kokkos-build.log"; exit 1; }
  extra+=(-DEQUIFUSE_KOKKOS_DIR="$KOKKOS_DIR" -DEQUIFUSE_LAMMPS_KOKKOS_SOURCE_DIR="$LAMMPS_KOKKOS_SOURCE_DIR"
          -DEQUIFUSE_LAMMPS_KOKKOS_BINARY="$LAMMPS_KOKKOS_BINARY" "-DEQUIFUSE_KOKKOS_LAMMPS_OPTIONS=$kokkos_options")
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DEQUIFUSE_REFERENCE_PYTHON="$(command -v python3)" \
  -DEQUIFUSE_TORCH_PYTHON="$(command -v python3)" "${extra[@]}" ${EQUIFUSE_CMAKE_ARGS:-} >"$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
# EQUIFUSE_BUILD_TARGETS limits the build to what a stage needs (default: everything).
targets=()
for target in ${EQUIFUSE_BUILD_TARGETS:-}; do targets+=(--target "$target"); done
cmake --build build-gpu -j "$(nproc)" "${targets[@]}" >"$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }

{
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  nvcc --version | tail -2
  python3 - <<'PY'
import importlib.metadata as m
for name in ("torch", "e3nn", "openequivariance", "cuequivariance", "cuequivariance-torch",
             "cuequivariance-ops-torch-cu13"):
    try:
        print(name, m.version(name))
    except m.PackageNotFoundError:
        print(name, "not installed")
PY
  git log -1 --format='commit %H %cd' 2>/dev/null || true
  date -u
} >"$OUT/device.txt" 2>&1

if [ "$stage" = test ] || [ "$stage" = all ]; then
  # shellcheck disable=SC2086
  (cd build-gpu && ctest -j 8 --output-on-failure -E "cli\.tp_runs" ${EQUIFUSE_CTEST_ARGS:-} >"$OUT/tests.log" 2>&1)
  echo "tests: $(tail -n 20 "$OUT/tests.log" | grep -E 'tests passed|tests failed')"
  compute-sanitizer --tool memcheck --leak-check no build-gpu/tests/equifuse_gpu_tests \
    --gtest_filter='*uvv_uvu_unweighted_shared*:*uuw_uuu_per_sample*:*mace_small*:*nequip_l1_32*:*uvw_shared_atomic*' \
    >"$OUT/memcheck.log" 2>&1
  echo "memcheck: $(grep -E 'ERROR SUMMARY' "$OUT/memcheck.log" | tail -1)"
fi

if [ "$stage" = bench-models ]; then
  # shellcheck disable=SC2086
  python3 bench/write_benchmark_structures.py "$OUT/structures" ${EQUIFUSE_MODEL_SIZES:-1000 10000 100000} >"$OUT/structures.log"
  # shellcheck disable=SC2086
  python3 bench/model_timing.py --equifuse build-gpu/cli/equifuse --potentials ${EQUIFUSE_BENCH_POTENTIALS} \
    --structures "$OUT"/structures/*.extxyz --devices cuda --out "$OUT/models.jsonl" \
    ${EQUIFUSE_MODEL_TIMING_ARGS:-} >"$OUT/models.log" 2>&1
  echo "bench-models: $(grep -c '"ms"' "$OUT/models.jsonl") timings, $(grep -c '"error"' "$OUT/models.jsonl") errors"
fi

# MD with pair_style equifuse (needs EQUIFUSE_LAMMPS_SOURCE_ARCHIVE): the LAMMPS tests with the
# plugin on the GPU, then MD throughput of the shipped potentials next to their upstream models
# (EQUIFUSE_UPSTREAM_SITES from provision_upstream_sites.sh, EQUIFUSE_UPSTREAM_MACE/_NEQUIP files).
if [ "$stage" = bench-model-peers ]; then
  for family in ${EQUIFUSE_PEER_FAMILIES:-mace nequip}; do
    accelerators=(--cueq)
    [ "$family" = nequip ] && accelerators+=(--oeq)
    # shellcheck disable=SC2086
    PYTHONPATH="${EQUIFUSE_UPSTREAM_SITES:+$EQUIFUSE_UPSTREAM_SITES/$family:}${EQUIFUSE_PEER_PYTHONPATH:-}" \
      TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 python3 bench/model_benchmark.py --family "$family" \
      --equifuse build-gpu/cli/equifuse --device cuda --atoms ${EQUIFUSE_MODEL_SIZES:-1000 10000 100000} \
      --repeat 3 "${accelerators[@]}" --out "$OUT/model-peers.jsonl" >>"$OUT/model-peers.log" 2>&1
  done
  echo "bench-model-peers: $(grep -c '"ms"' "$OUT/model-peers.jsonl") timings, $(grep -c '"error"' "$OUT/model-peers.jsonl") errors"
fi

# run_md_benchmark LMP PLUGIN [md_benchmark.py arguments...]: MD throughput of both shipped
# potentials next to their upstream models (EQUIFUSE_UPSTREAM_SITES, EQUIFUSE_UPSTREAM_MACE/_NEQUIP).
run_md_benchmark() {
  local lammps=$1 plugin=$2 family upstream_var
  shift 2
  for family in mace nequip; do
    upstream_var=EQUIFUSE_UPSTREAM_${family^^}
    local upstream=()
    [ -n "${!upstream_var:-}" ] && upstream=(--upstream "${!upstream_var}")
    # shellcheck disable=SC2086
    PYTHONPATH="${EQUIFUSE_UPSTREAM_SITES:+$EQUIFUSE_UPSTREAM_SITES/$family}" TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 \
      python3 bench/md_benchmark.py --family "$family" --lammps "$lammps" --plugin "$plugin" "$@" \
      --out "$OUT/md.jsonl" --device cuda ${EQUIFUSE_MD_ARGS:-} "${upstream[@]}" >>"$OUT/md.log" 2>&1
  done
}

if [ "$stage" = bench-md ]; then
  (cd build-gpu && ctest -j 4 --output-on-failure -R 'lammps\.|pair_style\.' >"$OUT/lammps-tests.log" 2>&1)
  echo "lammps tests: $(grep -E 'tests passed|tests failed' "$OUT/lammps-tests.log")"
  run_md_benchmark "$LAMMPS_BINARY" build-gpu/pair_style/equifuseplugin.so --equifuse build-gpu/cli/equifuse
  echo "bench-md: $(grep -c '"atom_steps_per_s"' "$OUT/md.jsonl") rows, $(grep -c '"error"' "$OUT/md.jsonl") errors"
fi

if [ "$stage" = test-kokkos ]; then
  (cd build-gpu && ctest -j 4 --output-on-failure -R 'lammps\.kokkos|pair_style\.kokkos' >"$OUT/kokkos-tests.log" 2>&1)
  echo "equifuse/kk tests: $(grep -E 'tests passed|tests failed' "$OUT/kokkos-tests.log")"
  # Host <-> device traffic per step of a 108,000-atom MD run (MACE, float32) through equifuse/kk,
  # equifuse and, for what LAMMPS itself copies, lj/cut/kk on the same atoms: CUPTI activity
  # records (bench/cuda_transfer_counter.cpp) and Kokkos allocations by label; the "-rebuild10" runs
  # rebuild the lists every 10 steps, to show what comes with rebuilding.
  for run in kk host lj-kk kk-rebuild10 lj-kk-rebuild10; do
    style=${run%-rebuild10}
    options=()
    deck=examples/cuau-throughput.in
    # shellcheck disable=SC2206
    [ "$style" != host ] && options=($kokkos_options)
    [ "$style" = lj-kk ] && deck=bench/lj-throughput.in
    rebuild=0
    [ "$run" != "$style" ] && rebuild=10
    python3 bench/transfers_per_step.py --lammps "$LAMMPS_KOKKOS_BINARY" --deck "$deck" --rebuild-every $rebuild \
      --counter build-gpu/bench/libequifuse_cuda_transfer_counter.so \
      --kokkos-tool build-gpu/bench/libequifuse_kokkos_allocation_counter.so --out "$OUT/transfers-$run.json" -- \
      "${options[@]}" -var plugin "$PWD/build-gpu/pair_style/equifusekkplugin.so" \
      -var potential "$PWD/potentials/cuau-mace-small.eqf" -var cells 30 -var precision float32 -var device cuda \
      >"$OUT/transfers-$run.log" 2>&1
    echo "transfers per step ($run): $(tail -1 "$OUT/transfers-$run.log")"
  done
  python3 bench/transfers_report.py "$OUT"/transfers-*.json >"$OUT/transfers.md"
fi

if [ "$stage" = bench-md-kokkos ]; then
  run_md_benchmark "$LAMMPS_KOKKOS_BINARY" build-gpu/pair_style/equifusekkplugin.so --kokkos "-k on g 1"
  echo "bench-md-kokkos: $(grep -c '"atom_steps_per_s"' "$OUT/md.jsonl") rows, $(grep -c '"error"' "$OUT/md.jsonl") errors"
fi

# Extra benchmark arguments (e.g. --skip high-l6-32) come from EQUIFUSE_BENCH_ARGS.
if [ "$stage" = bench ] || [ "$stage" = bench-equifuse ] || [ "$stage" = all ]; then
  # shellcheck disable=SC2086
  build-gpu/bench/equifuse_tp_benchmark --batch 50000 --repeat 10 ${EQUIFUSE_BENCH_ARGS:-} \
    >>"$OUT/equifuse.jsonl" 2>>"$OUT/bench.err"
fi
if [ "$stage" = bench ] || [ "$stage" = bench-peers ] || [ "$stage" = all ]; then
  # shellcheck disable=SC2086
  PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/build-gpu/python${PYTHONPATH:+:$PYTHONPATH}" \
    python3 bench/peer_benchmark.py --batch 50000 --repeat 5 ${EQUIFUSE_PEER_ARGS:-} \
    >>"$OUT/peers.jsonl" 2>>"$OUT/bench.err"
fi
if [ "$stage" = bench-conv ] || [ "$stage" = all ]; then
  # shellcheck disable=SC2086
  PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/build-gpu/python${PYTHONPATH:+:$PYTHONPATH}" \
    python3 bench/convolution_benchmark.py ${EQUIFUSE_CONV_ARGS:-} >>"$OUT/convolution.jsonl" 2>>"$OUT/bench.err"
  python3 bench/convolution_report.py "$OUT/convolution.jsonl" >"$OUT/convolution.md" && head -c 4000 "$OUT/convolution.md"
fi
if [ -s "$OUT/equifuse.jsonl" ] && [ -s "$OUT/peers.jsonl" ]; then
  python3 bench/report.py --model "$OUT/equifuse.jsonl" "$OUT/peers.jsonl" --plot "$OUT/speedup.png" >"$OUT/report.md"
  head -c 6000 "$OUT/report.md"
fi
