#!/usr/bin/env bash
# Runs one libFuzzer harness for a bounded time from the committed seeds and reports what it did:
#   fuzz/run_fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# The corpus grows in WORK_DIR/corpus (the committed seeds stay as they are); a failing input is
# saved in WORK_DIR (crash-*, leak-*, timeout-*, oom-*) and the exit status is non-zero.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
name=$(basename "$fuzzer" _fuzzer)
rm -rf "$work"
mkdir -p "$work/corpus"
# The format's keywords, where fuzz/dictionaries has them, let mutations reach past the syntax.
dictionary=()
dict_file="$(dirname "$0")/dictionaries/$name.dict"
[ -f "$dict_file" ] && dictionary=(-dict="$dict_file")
start=$SECONDS
# Fixed seed; one input may take 10 s and 2 GB at most (more is a bug: a file that hangs a reader).
set +e
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 "$fuzzer" -seed=1 \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "${dictionary[@]}" -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
set -e
runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log") inputs"
coverage=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | cut -d' ' -f2)
corpus=$(find "$work/corpus" -type f | wc -l)
seeds_count=$(find "$seeds" -type f | wc -l)
if [ "$status" -ne 0 ]; then
  tail -n 60 "$work/log"
  echo "fuzz $name: FAILED (exit $status) after $runs; input saved:" \
    "$(ls "$work" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' || echo none)"
  echo "replay: $fuzzer <saved input>; once fixed, commit the input to fuzz/regressions/$name/"
  exit 1
fi
# The summary is also left in WORK_DIR/summary, for the test command to print after ctest.
echo "fuzz $name: $runs in $((SECONDS - start)) s, corpus $corpus inputs (from $seeds_count" \
  "seeds), $coverage coverage points; no crash, leak, sanitizer report or timeout" |
  tee "$work/summary"
