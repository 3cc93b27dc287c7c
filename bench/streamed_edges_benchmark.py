#!/usr/bin/env python3
"""Bytes per atom and time per evaluation of streamed edges against one block (and, optionally, a
build from before streamed edges), for MACE foundation architectures at full size on fcc Cu.

    streamed_edges_benchmark.py export --out DIR [--shapes mp0a-medium omat0-medium]
    streamed_edges_benchmark.py run --equifuse PATH --models DIR --out OUT.jsonl
                                [--shapes ...] [--atoms 1000 10000 100000]
                                [--memory all 256MB 16MB] [--precision float32] [--device cpu]
                                [--before PATH --before-commit SHA] [--max-gib 16] [--work DIR] [--commit SHA]
    streamed_edges_benchmark.py report OUT.jsonl [MORE.jsonl ...] > table.md  (and memory.png
                                beside the first, where matplotlib is installed)

export needs mace-torch (bench/model_benchmark.py's full-size, randomly initialised models:
89 elements, 128x0e+128x1o, l_max 3, correlation 3, 2 layers, r_max 6, Bessel 10, radial MLP
64x3; OMAT-0 medium with Density blocks, ZBL and Agnesi) and writes DIR/<shape>.eqf. run times
`equifuse eval --repeat 1` (the model's energy, forces and virial; the neighbour list apart) for
each memory setting (`all`: one block, the layer's per-edge arrays materialised at once) and reads
the evaluation's peak working set above the weights, host or GPU, as eval reports it. --before
runs an equifuse binary from before streamed edges on the same files (its report: peak in use
since the start, weights included). A row whose estimated memory (bytes per atom of the
smallest size so far times the atoms) exceeds --max-gib is recorded as skipped, not run.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "python"))


def export(args):
    import model_benchmark
    import torch
    from equifuse_export.mace_export import export_mace

    torch.set_default_dtype(torch.float64)  # as the exporter's checks compare
    os.makedirs(args.out, exist_ok=True)
    for shape in args.shapes:
        path = os.path.join(args.out, f"{shape}.eqf")
        export_mace(model_benchmark.mace_foundation_model(shape), path,
                    source_note="randomly initialised by bench/streamed_edges_benchmark.py")
        print(path, f"{os.path.getsize(path) / 2**20:.1f} MiB")


def write_fcc(path, target):
    from atomic_graphs import fcc_copper

    cells = max(1, round((target / 4) ** (1 / 3)))
    positions, box = fcc_copper(cells)
    with open(path, "w") as out:
        out.write(f"{len(positions)}\n")
        out.write(f'Lattice="{box} 0 0 0 {box} 0 0 0 {box}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for x, y, z in positions.tolist():
            out.write(f"Cu {x:.8f} {y:.8f} {z:.8f}\n")
    return len(positions)


def parse_eval(stdout):
    row = {}
    frame = re.search(r"frame 0: (\d+) atoms, (\d+) edges", stdout)
    if frame:
        row["atoms"], row["edges"] = int(frame.group(1)), int(frame.group(2))
    timing = re.search(r"timing: model ([\d.]+) ms", stdout)
    if timing:
        row["ms"] = float(timing.group(1))
    new = re.search(r"(host|device) memory: .*evaluation peak ([\d.]+) MiB \(([\d.]+) bytes per atom\)", stdout)
    if new:
        row["space"], row["peak_mib"], row["bytes_per_atom"] = new.group(1), float(new.group(2)), float(new.group(3))
    old = re.search(r"(host|device) memory: peak in use ([\d.]+) MiB", stdout)
    if old and not new:
        row["space"], row["peak_mib"] = old.group(1), float(old.group(2))
    blocks = re.search(r"blocks of at most (\d+) edges", stdout)
    if blocks:
        row["block_edges"] = int(blocks.group(1))
    return row


def run(args):
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.out)), "structures")
    os.makedirs(work, exist_ok=True)
    versions = subprocess.run(["git", "-C", HERE, "log", "-1", "--format=%H %cd"], capture_output=True,
                              text=True).stdout.strip()
    variants = [(args.equifuse, m, args.commit or versions.split(" ")[0][:12]) for m in args.memory]
    if args.before:
        variants.append((args.before, "before", args.before_commit))
    per_atom = {}
    with open(args.out, "a") as out:
        for shape in args.shapes:
            potential = os.path.join(args.models, f"{shape}.eqf")
            for target in args.atoms:
                xyz = os.path.join(work, f"fcc-Cu-{target}.extxyz")
                atoms = write_fcc(xyz, target)
                for binary, memory, commit in variants:
                    row = {"shape": shape, "atoms": atoms, "memory": memory, "commit": commit,
                           "precision": args.precision, "device": args.device}
                    estimate = per_atom.get((shape, memory), 0) * atoms / 2**30
                    if estimate > args.max_gib:
                        row["skipped"] = f"would need about {estimate:.0f} GiB (> --max-gib {args.max_gib})"
                    else:
                        command = [binary, "eval", potential, xyz, "--precision", args.precision,
                                   "--device", args.device, "--quiet", "--repeat", "1"]
                        if memory != "before":
                            command += ["--memory", memory]
                        process = subprocess.run(command, capture_output=True, text=True)
                        if process.returncode != 0:
                            row["error"] = (process.stderr or process.stdout)[-300:] or f"exit {process.returncode}"
                        else:
                            row.update(parse_eval(process.stdout))
                            if "bytes_per_atom" not in row and "peak_mib" in row:
                                row["bytes_per_atom"] = row["peak_mib"] * 2**20 / atoms
                            if "bytes_per_atom" in row:
                                per_atom.setdefault((shape, memory), row["bytes_per_atom"])
                    print(json.dumps(row), flush=True)
                    out.write(json.dumps(row) + "\n")
                    out.flush()


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    series = {}
    for r in rows:
        if "bytes_per_atom" in r:
            label = f"{r['shape']} {r['device']} " + (f"before ({r['commit']})" if r["memory"] == "before"
                                                      else f"memory {r['memory']}")
            series.setdefault(label, []).append((r["atoms"], r["bytes_per_atom"] / 1024))
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label, points in sorted(series.items()):
        points.sort()
        axes.plot(*zip(*points), marker="o", label=label)
    axes.axhline(8, color="grey", linestyle="--", label="target: 8 KB per atom")
    axes.set(xscale="log", yscale="log", xlabel="atoms (fcc Cu)", ylabel="peak working set, KB per atom",
             title="Model working set per atom, float32 (equifuse eval)")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def report(args):
    rows = [json.loads(line) for path in args.results for line in open(path) if line.strip()]
    plot(rows, os.path.join(os.path.dirname(os.path.abspath(args.results[0])), "memory.png"))
    print("| shape | device | atoms | edges | memory | block edges | bytes per atom | model ms | µs per atom |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "skipped" in r or "error" in r:
            why = r.get("skipped") or "error: " + r["error"].strip().splitlines()[-1][:80]
            print(f"| {r['shape']} | {r['device']} | {r['atoms']} | | {r['memory']} | | {why} | | |")
            continue
        label = f"before ({r['commit']})" if r["memory"] == "before" else r["memory"]
        per_atom_us = 1000 * r["ms"] / r["atoms"]
        print(f"| {r['shape']} | {r['device']} | {r['atoms']} | {r.get('edges', '')} | {label} | {r.get('block_edges', '')} | "
              f"{r['bytes_per_atom']:,.0f} | {r['ms']:,.0f} | {per_atom_us:,.1f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("--out", required=True)
    e.add_argument("--shapes", nargs="+", default=["mp0a-medium", "omat0-medium"])
    r = sub.add_parser("run")
    r.add_argument("--equifuse", required=True)
    r.add_argument("--models", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--shapes", nargs="+", default=["mp0a-medium", "omat0-medium"])
    r.add_argument("--atoms", nargs="+", type=int, default=[1000, 10000, 100000])
    r.add_argument("--memory", nargs="*", default=["all", "256MB", "16MB"])
    r.add_argument("--precision", default="float32")
    r.add_argument("--device", default="cpu")
    r.add_argument("--commit", help="the commit --equifuse was built from (default: this tree's HEAD)")
    r.add_argument("--before")
    r.add_argument("--before-commit", default="before")
    r.add_argument("--max-gib", type=float, default=16)
    r.add_argument("--work", help="where the structures are written (default: beside --out)")
    p = sub.add_parser("report")
    p.add_argument("results", nargs="+")
    args = parser.parse_args()
    {"export": export, "run": run, "report": report}[args.command](args)


if __name__ == "__main__":
    main()
