#!/usr/bin/env python3
"""What `comm layer` and `comm shell` cost pair_style equifuse on several MPI ranks: nodes and edges
each rank computes, bytes the layer exchange packs per step, and the time of an MD step.

    comm_benchmark.py run --lammps LMP --plugin PLUGIN.so --out OUT.jsonl
                      [--models NAME=FILE ...] [--cells 7 14] [--ranks 1 2 3 4] [--steps 2]
                      [--timed-ranks 2] [--large-cells 30] [--large-models NAME ...]
    comm_benchmark.py report OUT.jsonl > README-table.md   (and comm_nodes.png beside OUT)

LMP must be a LAMMPS whose Pair has finish() (2023 or newer; the KOKKOS build of
scripts/install-lammps.sh is one): the pair style's end-of-run report gives the per-rank counts.
The deck is examples/cuau-throughput.in's fcc Cu-Au (cells^3 x 4 atoms) with `run 0` (counts) and,
on --timed-ranks, `run --steps` (LAMMPS's loop time per step; NVE from 600 K). One thread per rank
(OMP_NUM_THREADS=1), ranks as `mpiexec -n` slabs of LAMMPS's default grid.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")

DECK = """units metal
atom_style atomic
lattice fcc 3.75
region box block 0 ${cells} 0 ${cells} 0 ${cells}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.25 8241
mass 1 63.546
mass 2 196.967
plugin load ${plugin}
pair_style equifuse comm ${comm}
pair_coeff * * ${potential} Cu Au
neighbor 1.0 bin
velocity all create 600 4928 mom yes rot yes dist gaussian
fix integrate all nve
timestep 0.002
run 0
"""

DEFAULT_MODELS = [
    "cuau-mace-small=" + os.path.join(ROOT, "potentials", "cuau-mace-small.eqf"),
    "cuau-nequip-small=" + os.path.join(ROOT, "potentials", "cuau-nequip-small.eqf"),
    "mp0a-medium-shaped=" + os.path.join(ROOT, "tests", "data", "models", "foundation", "mp0a_medium.eqf"),
    "nequip-oam-l-shaped=" + os.path.join(ROOT, "tests", "data", "models", "foundation", "nequip_oam_l.eqf"),
]

REPORT = re.compile(r"per rank \(min/ave/max over (\d+) ranks\), last step: local atoms (\S+)/(\S+)/(\S+), "
                    r"nodes computed (\S+)/(\S+)/(\S+), edges (\S+)/(\S+)/(\S+)")
PACKED = re.compile(r"comm layer packed (\S+)/(\S+)/(\S+) bytes per rank per step")
SETUP = re.compile(r"r_max (\S+) Angstrom, (\d+) interaction layers")
GHOST = re.compile(r"(\d+) bytes per ghost atom per step")
LOOP = re.compile(r"Loop time of (\S+) on \d+ procs for (\d+) steps")


def one_run(args, name, potential, cells, ranks, comm, steps):
    row = {"model": name, "atoms": 4 * cells ** 3, "cells": cells, "ranks": ranks, "comm": comm}
    deck = DECK + ("run %d\n" % steps if steps > 0 else "")
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "in.lammps"), "w") as f:
            f.write(deck)
        env = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
                   OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
        command = [args.mpiexec, "-n", str(ranks), args.lammps, "-in", "in.lammps", "-log", "log.lammps",
                   "-screen", "none", "-var", "plugin", args.plugin, "-var", "potential", potential,
                   "-var", "cells", str(cells), "-var", "comm", comm]
        try:
            done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            row["error"] = "timeout after %d s" % args.timeout
            return row
        log = open(os.path.join(work, "log.lammps")).read() if os.path.exists(
            os.path.join(work, "log.lammps")) else ""
        if done.returncode != 0:
            row["error"] = (re.findall(r"ERROR.*", log) or [done.stderr[-300:]])[-1][:300]
            return row
    setup = SETUP.search(log)
    row["r_max"], row["layers"] = float(setup.group(1)), int(setup.group(2))
    ghost = GHOST.search(log)
    if ghost:
        row["bytes_per_ghost_each_way"] = int(ghost.group(1))
    reports = REPORT.findall(log)
    first = [float(v) for v in reports[0][1:]]  # run 0: the counts
    for k, key in enumerate(("local", "nodes", "edges")):
        row[key] = dict(zip(("min", "ave", "max"), first[3 * k:3 * k + 3]))
    packed = PACKED.findall(log)
    row["bytes_per_rank_per_step"] = dict(zip(("min", "ave", "max"), map(float, packed[0]))) if packed else None
    loops = LOOP.findall(log)
    if steps > 0:
        seconds, n = loops[-1]
        row["seconds_per_step"] = float(seconds) / int(n)
        row["steps"] = int(n)
    return row


def run(args):
    models = {name: os.path.abspath(path) for name, path in
              (m.split("=", 1) for m in (args.models or DEFAULT_MODELS))}
    args.plugin = os.path.abspath(args.plugin)
    jobs = []
    for name, potential in models.items():
        for cells in args.cells:
            for ranks in args.ranks:
                for comm in ("layer", "shell") if ranks > 1 else ("layer",):
                    jobs.append((name, potential, cells, ranks, comm,
                                 args.steps if ranks in args.timed_ranks else 0))
        if name in (args.large_models or []):
            for cells in args.large_cells:
                for ranks in (2, 4):
                    for comm in ("layer", "shell"):
                        jobs.append((name, potential, cells, ranks, comm, 0))
    with open(args.out, "a") as out:
        for job in jobs:
            row = one_run(args, *job)
            print(json.dumps(row), file=out, flush=True)
            print(json.dumps(row), file=sys.stderr, flush=True)


def report(args):
    rows = [json.loads(line) for line in open(args.results) if line.strip()]
    print("| model | K | r_max | atoms | ranks | comm | local atoms per rank (ave) | nodes computed per rank "
          "(ave / max) | nodes / local | edges per rank (ave) | bytes packed per rank per step (ave) | "
          "s per step |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if "error" in r:
            print("| %s | | | %d | %d | %s | %s | | | | | |" % (r["model"], r["atoms"], r["ranks"], r["comm"],
                                                               r["error"]))
            continue
        packed = r.get("bytes_per_rank_per_step")
        print("| %s | %d | %g | %d | %d | %s | %.0f | %.0f / %.0f | %.2f | %.0f | %s | %s |" % (
            r["model"], r["layers"], r["r_max"], r["atoms"], r["ranks"], r["comm"], r["local"]["ave"],
            r["nodes"]["ave"], r["nodes"]["max"], r["nodes"]["ave"] / max(r["local"]["ave"], 1),
            r["edges"]["ave"], "%.3g" % packed["ave"] if packed else "0",
            "%.3f" % r["seconds_per_step"] if "seconds_per_step" in r else ""))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    models = sorted({r["model"] for r in rows})
    fig, axes = plt.subplots(1, len(models), figsize=(4 * len(models), 3.5), squeeze=False)
    for ax, model in zip(axes[0], models):
        for comm, style in (("layer", "-o"), ("shell", "--s")):
            for ranks in sorted({r["ranks"] for r in rows if r["ranks"] > 1}):
                pts = sorted((r["atoms"], r["nodes"]["ave"] / max(r["local"]["ave"], 1)) for r in rows
                             if r["model"] == model and r["comm"] == comm and r["ranks"] == ranks
                             and "error" not in r)
                if pts:
                    ax.plot(*zip(*pts), style, label="%s, %d ranks" % (comm, ranks))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(model, fontsize=9)
        ax.set_xlabel("atoms")
        ax.set_ylabel("nodes computed / local atoms")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(os.path.dirname(os.path.abspath(args.results)), "comm_nodes.png"), dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--lammps", required=True)
    r.add_argument("--plugin", required=True)
    r.add_argument("--mpiexec", default="mpiexec")
    r.add_argument("--out", required=True)
    r.add_argument("--models", nargs="*")
    r.add_argument("--cells", nargs="*", type=int, default=[7, 14])
    r.add_argument("--ranks", nargs="*", type=int, default=[1, 2, 3, 4])
    r.add_argument("--timed-ranks", nargs="*", type=int, default=[2])
    r.add_argument("--steps", type=int, default=2)
    r.add_argument("--large-cells", nargs="*", type=int, default=[30])
    r.add_argument("--large-models", nargs="*", default=["cuau-mace-small", "cuau-nequip-small"])
    r.add_argument("--timeout", type=int, default=1800)
    p = sub.add_parser("report")
    p.add_argument("results")
    args = parser.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()
