#!/usr/bin/env bash
# PROCESSES processes start at once on an empty kernel cache, as the ranks of a job do: together
# they compile each kernel once (one compiles, the others wait and read its file), every process
# ends with every kernel, and the cache holds complete files only. Then a file cut short is
# compiled again, and the warm cache compiles nothing. `equifuse precompile` runs NVRTC without a
# GPU; exit 77 (skipped) where the build has no CUDA backend.
#   kernel_cache_processes.sh EQUIFUSE POTENTIAL CACHE_DIR [PROCESSES]
set -euo pipefail
equifuse=$1 potential=$2 cache=$3 processes=${4:-4}
out="$cache.logs"
rm -rf "$cache" "$out"
mkdir -p "$out"
export EQUIFUSE_KERNEL_CACHE=$cache
precompile() { "$equifuse" precompile --arch sm_90 --precision float32 --potential "$potential"; }
fail() {
  echo "FAILED: $*"
  tail -n +1 "$out"/*
  exit 1
}

pids=()
for p in $(seq "$processes"); do
  precompile >"$out/$p" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
if grep -q "has no CUDA backend" "$out/1"; then
  echo "SKIPPED: this build of equifuse has no CUDA backend"
  exit 77
fi
kernels=$(grep -c ' sm_90 ' "$out/1")
[ "$kernels" -gt 0 ] || fail "process 1 reported no kernel"
for p in $(seq "$processes"); do
  [ "$(grep -c ' sm_90 ' "$out/$p")" -eq "$kernels" ] || fail "process $p did not get every kernel"
  # The same binaries everywhere: the sizes each process reports, kernel by kernel.
  [ "$(awk '/ sm_90 /{print $3, $5}' "$out/$p")" = "$(awk '/ sm_90 /{print $3, $5}' "$out/1")" ] ||
    fail "process $p got other binaries than process 1"
done
compiled=$(cat "$out"/[0-9]* | grep -c ' compiled$' || true)
[ "$compiled" -eq "$kernels" ] || fail "$compiled compilations of $kernels kernels"
[ "$(find "$cache" -name '*.cubin' | wc -l)" -eq "$kernels" ] || fail "not $kernels cache files"
[ -z "$(find "$cache" -name '*.tmp.*')" ] || fail "temporary files left in the cache"

# A file cut short (a writer that died, a full disk) is not used: compiled again, and replaced.
victim=$(find "$cache" -name '*.cubin' | head -1)
truncate -s 1000 "$victim"
precompile >"$out/truncated" 2>&1 || fail "precompile after truncation"
grep -q "(1 compiled here, $((kernels - 1)) read from it)" "$out/truncated" ||
  fail "a truncated file was not compiled again"
precompile >"$out/warm" 2>&1 || fail "precompile on the warm cache"
grep -q "(0 compiled here, $kernels read from it)" "$out/warm" || fail "the warm cache compiled"
echo "$processes processes on an empty cache: $kernels kernels, compiled $compiled times in all;" \
  "a truncated file compiled again; the warm cache compiled nothing"
