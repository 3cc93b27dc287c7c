#!/usr/bin/env python3
"""Host <-> device traffic per MD step of a LAMMPS run, from CUPTI activity records.

    transfers_per_step.py --lammps LMP [--counter libequifuse_cuda_transfer_counter.so]
                          [--kokkos-tool libequifuse_kokkos_allocation_counter.so]
                          --out OUT.json [--steps 10 40] [--deck IN] [--rebuild-every N]
                          -- LMP_OPTIONS_AND_VARIABLES...

Runs examples/cuau-throughput.in (or --deck: bench/lj-throughput.in is the same run with LAMMPS's
lj/cut, the baseline of what LAMMPS itself copies) twice, for the two numbers of timed steps (the
same set-up and warm-up each time), with the counter injected into the process
(CUDA_INJECTION64_PATH); the difference of the two totals divided by the difference of the steps
is what one step moves: copies host -> device and device -> host with their bytes, device ->
device copies, memsets and kernels; with --kokkos-tool, Kokkos allocations by memory space and
label. Both totals are written too, with the neighbour list builds of each timed run (copies that
come with reneighbouring show as fractions per step; --rebuild-every fixes their rate).
"""

import argparse
import glob
import json
import os
import re
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DECK = os.path.join(HERE, "..", "examples", "cuau-throughput.in")


def totals(args, steps):
    with tempfile.TemporaryDirectory() as work:
        prefix = os.path.join(work, "counts")
        env = dict(os.environ, EQUIFUSE_TRANSFER_COUNTS=prefix)
        if args.counter:
            env["CUDA_INJECTION64_PATH"] = os.path.abspath(args.counter)
        if args.kokkos_tool:
            env["KOKKOS_TOOLS_LIBS"] = os.path.abspath(args.kokkos_tool)
        deck = os.path.abspath(args.deck)
        if args.rebuild_every:
            # The same input with LAMMPS's lists rebuilt every N steps, needed or not: copies that
            # come with rebuilding then recur at a known rate.
            with open(deck) as f:
                text = f.read()
            text, found = re.subn(r"^(neighbor .*)$", r"\1\nneigh_modify every %d delay 0 check no"
                                  % args.rebuild_every, text, count=1, flags=re.M)
            if not found:
                raise RuntimeError(f"no neighbor command in {deck}")
            deck = os.path.join(work, "input.in")
            with open(deck, "w") as f:
                f.write(text)
        command = [args.lammps, *args.lammps_args, "-in", deck, "-log", "log.lammps",
                   "-var", "steps", str(steps)]
        run = subprocess.run(command, cwd=work, env=env, check=True, capture_output=True, text=True)
        # LAMMPS prints one line per run; the last is the timed run's.
        builds = re.findall(r"Neighbor list builds = (\d+)", run.stdout)
        # One file per process that loaded CUDA (lmp may start helpers): their sum.
        total = {}
        for path in glob.glob(prefix + ".*"):
            with open(path) as f:
                for key, value in json.load(f).items():
                    total[key] = total.get(key, 0) + value
        if not total:
            raise RuntimeError("no counts written (is CUPTI usable here? is Kokkos built with libdl?)")
        total["neighbor_list_builds"] = int(builds[-1]) if builds else -1
        return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lammps", required=True)
    parser.add_argument("--counter", help="libequifuse_cuda_transfer_counter.so (copies, CUDA)")
    parser.add_argument("--kokkos-tool", help="libequifuse_kokkos_allocation_counter.so (Kokkos allocations by label)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, nargs=2, default=[10, 40])
    parser.add_argument("--deck", default=DECK)
    parser.add_argument("--rebuild-every", type=int, default=0,
                        help="rebuild the neighbour lists every N steps (default: when needed)")
    parser.add_argument("lammps_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.lammps_args[:1] == ["--"]:
        args.lammps_args = args.lammps_args[1:]
    short, long = args.steps
    first, second = totals(args, short), totals(args, long)
    # Keys (copy sizes) present in one run only count as 0 in the other; sizes that do not recur
    # per step are left out.
    per_step = {key: (second.get(key, 0) - first.get(key, 0)) / (long - short)
                for key in sorted(set(first) | set(second))}
    per_step = {key: value for key, value in per_step.items() if value or "_of_" not in key}
    result = {"command": [args.lammps, *args.lammps_args, "-in", os.path.basename(args.deck)],
              "rebuild_every": args.rebuild_every or "when needed", "steps": [short, long],
              "totals": [first, second], "per_step": per_step}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(per_step))


if __name__ == "__main__":
    main()
