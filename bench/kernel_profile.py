#!/usr/bin/env python3
"""GPU time by kernel of one repetition of a command: runs it twice under the CUPTI kernel
profiler (cuda_kernel_profiler.cpp), with {repeat} in its arguments replaced by two counts, and
divides the difference by the difference of the counts, so that set-up, compilation and the
first call drop out. Prints a table (markdown) and, with --out, writes the rows as JSON.

    kernel_profile.py --profiler build-gpu/bench/libequifuse_cuda_kernel_profiler.so \\
        --repeats 1 5 --out profile.json -- \\
        build-gpu/cli/equifuse eval model.eqf cell.extxyz --device cuda --precision float32 --repeat {repeat}
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile


def run_profiled(profiler, command, repeat):
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, CUDA_INJECTION64_PATH=os.path.abspath(profiler),
                   EQUIFUSE_KERNEL_PROFILE=os.path.join(scratch, "kernels"))
        args = [a.replace("{repeat}", str(repeat)) for a in command]
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"kernel_profile: {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
        totals = {}
        for path in glob.glob(os.path.join(scratch, "kernels.*")):  # one file per process
            with open(path) as f:
                for name, (launches, ns) in json.load(f).items():
                    t = totals.setdefault(name, [0, 0])
                    t[0] += launches
                    t[1] += ns
        if not totals:
            sys.exit("kernel_profile: the profiler wrote nothing (is CUPTI loadable, did the command use CUDA?)")
        return totals, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiler", required=True, help="libequifuse_cuda_kernel_profiler.so")
    parser.add_argument("--repeats", type=int, nargs=2, default=[1, 5], metavar=("FEW", "MANY"))
    parser.add_argument("--label", default="", help="what was run, for the table's title")
    parser.add_argument("--out", help="JSON rows")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    few, many = args.repeats
    if not command or many <= few:
        parser.error("give a command after -- and two repeat counts, the second larger")
    base, _ = run_profiled(args.profiler, command, few)
    more, stdout = run_profiled(args.profiler, command, many)
    reps = many - few
    rows = []
    for name, (launches, ns) in more.items():
        b = base.get(name, [0, 0])
        rows.append({"kernel": name, "launches": (launches - b[0]) / reps, "ms": (ns - b[1]) / reps / 1e6})
    rows.sort(key=lambda r: -r["ms"])
    total = sum(r["ms"] for r in rows)
    print(f"## GPU time per repetition{': ' + args.label if args.label else ''}\n")
    print(f"{total:.2f} ms of kernels per repetition ({many} minus {few} repetitions)\n")
    print("| kernel | launches | ms | share |")
    print("|---|---:|---:|---:|")
    for r in rows:
        if r["ms"] <= 0.001 * total:
            continue
        print(f"| `{r['kernel'][:90]}` | {r['launches']:.0f} | {r['ms']:.3f} | {100 * r['ms'] / total:.1f}% |")
    timing = [line for line in stdout.splitlines() if "timing:" in line or "memory:" in line]
    if timing:
        print("\n```\n" + "\n".join(timing) + "\n```")
    if args.out:
        with open(args.out, "a") as f:
            f.write(json.dumps({"label": args.label, "kernel_ms_total": total, "rows": rows}) + "\n")


if __name__ == "__main__":
    main()
