#!/usr/bin/env python3
"""MD throughput of pair_style equifuse in LAMMPS with the shipped Cu-Au potentials, next to the
upstream model's own evaluation speed on the same structures, measured in the same run.

    md_benchmark.py --family mace|nequip --lammps LMP --plugin equifuseplugin.so --out OUT.jsonl
                    [--cells 7 14 30] [--steps 50] [--device cuda|cpu] [--upstream MODEL_FILE]
                    [--equifuse PATH/TO/equifuse] [--kokkos "-k on g 1"]
                    [--potential FILE.eqf --shape NAME]

LAMMPS runs examples/cuau-throughput.in (fcc Cu-Au, 25% Au, cells^3 x 4 atoms, NVE from 600 K,
2 fs steps, 10 warm-up steps, then --steps timed): atom-steps/s and ns/day of the whole MD step
(neighbour lists, communication, integration included), float64 and float32. With --upstream (the
mace-torch .model or nequip checkpoint the .eqf was exported from; run with a Python that has the
package) the upstream model's energy + forces time on a prebuilt graph of a structure of the same
size and composition is recorded too: what one MD step would cost it at best (no neighbour list,
no MD engine). With --kokkos (LMP and the plugin built with the KOKKOS package), each LAMMPS run is
repeated with those Kokkos options, -sf kk and newton on: pair_style equifuse/kk, rows
"equifuse-kk-lammps". With --equifuse, `equifuse eval`'s model time on those structures separates the
model from the MD step. --potential runs another potential with Cu and Au instead of the shipped
one (a foundation-shaped export, e.g. `streamed_edges_benchmark.py export`), its rows tagged with
--shape. Each row: who, family, shape, precision, atoms, device and rates.
"""

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
DECK = os.path.join(ROOT, "examples", "cuau-throughput.in")
TIMESTEP_PS = 0.002


def lammps_rows(args, potential):
    # pair_style equifuse, then (--kokkos) the same runs through LAMMPS's KOKKOS package: equifuse/kk.
    styles = [("equifuse-lammps", [])]
    if args.kokkos:
        styles.append(("equifuse-kk-lammps",
                       args.kokkos.split() + ["-sf", "kk", "-pk", "kokkos", "newton", "on", "neigh", "half"]))
    for cells in args.cells:
        for (who, options), precision in itertools.product(styles, args.precisions):
            with tempfile.TemporaryDirectory() as work:
                command = [args.lammps, *options, "-in", DECK, "-log", "log.lammps", "-var", "plugin", args.plugin,
                           "-var", "potential", potential, "-var", "cells", str(cells), "-var", "steps",
                           str(args.steps), "-var", "precision", precision, "-var", "device", args.device]
                row = {"who": who, "family": args.family, "shape": args.shape, "precision": precision,
                       "cells": cells, "device": args.device, "steps": args.steps}
                # LAMMPS's host threads (the pair style's graph building uses them): all cores unless set.
                env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", str(os.cpu_count())))
                row["threads"] = int(env["OMP_NUM_THREADS"])
                done = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env)
                log = open(os.path.join(work, "log.lammps")).read() if os.path.exists(
                    os.path.join(work, "log.lammps")) else done.stdout
                if done.returncode != 0:
                    row["error"] = (re.findall(r"ERROR.*", log) or [done.stderr[-300:]])[-1][:300]
                else:
                    # The last thermo line of the timed run: step temp pe etotal cpu atom-steps/s ns/day.
                    lines = re.findall(r"^\s+%d\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$" % args.steps,
                                       log, re.M)
                    cpu, rate, ns_day = (float(v) for v in lines[-1][3:6])
                    atoms = int(re.findall(r"Created (\d+) atoms", log)[-1])
                    row.update({"atoms": atoms, "seconds": cpu, "ms_per_step": 1e3 * cpu / args.steps,
                                "atom_steps_per_s": rate, "ns_per_day": ns_day})
                    # LAMMPS's timing breakdown of the timed run (average seconds per section).
                    for section, seconds in re.findall(r"^(Pair|Neigh|Comm|Output|Modify|Other)\s*\|\s*(?:\S+\s*\|\s*)?([0-9.eE+-]+)",
                                                       log.split("Loop time")[-1], re.M):
                        row[f"{section.lower()}_s"] = float(seconds)
                print(json.dumps(row), flush=True)
                yield row


def alloy(cells):
    """fcc Cu-Au like the deck's: 25% Au at random, slightly displaced."""
    import numpy as np
    import ase.build
    atoms = ase.build.bulk("Cu", "fcc", a=3.75, cubic=True).repeat(cells)
    rng = np.random.default_rng(8241)
    symbols = np.array(atoms.get_chemical_symbols())
    symbols[rng.random(len(atoms)) < 0.25] = "Au"
    atoms.set_chemical_symbols(symbols.tolist())
    atoms.rattle(0.05, seed=1)
    return atoms


def model_benchmark():
    """bench/model_benchmark.py, whose upstream runners and equifuse timing this script reuses."""
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import model_benchmark as module
    return module


def eval_rows(args, potential):
    """`equifuse eval --repeat` on the same structures: the model alone, without LAMMPS."""
    import ase.io
    run_equifuse = model_benchmark().run_equifuse
    for cells in args.cells:
        atoms = alloy(cells)
        with tempfile.TemporaryDirectory() as work:
            xyz = os.path.join(work, "alloy.extxyz")
            ase.io.write(xyz, atoms)
            for precision in args.precisions:
                row = {"who": "equifuse-eval", "family": args.family, "shape": args.shape, "precision": precision,
                       "cells": cells, "atoms": len(atoms), "device": args.device}
                try:
                    result = run_equifuse(args.equifuse, potential, xyz, precision, args.repeat, args.device)
                    ms = result["ms"]
                    row.update({"edges": result["edges"], "ms_per_step": ms,
                                "neighbour_list_ms": result["neighbour_list_ms"],
                                "atom_steps_per_s": len(atoms) / (ms / 1e3), "ns_per_day": TIMESTEP_PS * 86.4 / (ms / 1e3)})
                except subprocess.CalledProcessError as error:
                    row["error"] = (error.stderr or error.stdout or str(error))[-300:]
                print(json.dumps(row), flush=True)
                yield row


def upstream_rows(args):
    import torch
    benchmark = model_benchmark()
    mace_runner, nequip_runner, time_upstream = benchmark.mace_runner, benchmark.nequip_runner, benchmark.time_upstream
    torch.set_default_dtype(torch.float64)
    if args.family == "mace":
        model = torch.load(args.upstream, map_location="cpu", weights_only=False).eval()
        variants = [("float64", "", lambda a: mace_runner(model, a, args.device, torch.float64)),
                    ("float32", "", lambda a: mace_runner(model, a, args.device, torch.float32))]
        if args.cueq:
            # The same model converted to cuEquivariance by mace-torch's own tool.
            from mace.cli.convert_e3nn_cueq import run as to_cueq
            try:
                cueq_model = to_cueq(model, device=args.device, return_model=True).eval()
                variants += [(p, "-cuequivariance", lambda a, d=d: mace_runner(cueq_model, a, args.device, d))
                             for p, d in (("float64", torch.float64), ("float32", torch.float32))]
            except Exception as error:
                print(json.dumps({"who": "mace-upstream-cuequivariance", "error": f"{type(error).__name__}: {error}"[:300]}))
    else:
        from nequip.model.saved_models.load_utils import load_saved_model
        from nequip.utils.global_state import set_global_state
        set_global_state()
        model = load_saved_model(args.upstream, compile_mode="eager").eval()
        variants = [("float64", "", lambda a: nequip_runner(model, a, args.device, ["Cu", "Au"], 4.5))]
    for cells in args.cells:
        atoms = alloy(cells)
        for precision, flavour, runner in variants:
            row = {"who": f"{args.family}-upstream{flavour}", "family": args.family, "precision": precision,
                   "cells": cells, "atoms": len(atoms), "device": args.device}
            try:
                run, edges = runner(atoms)
                ms = time_upstream(run, args.device, args.repeat)
                row.update({"edges": edges, "ms_per_step": ms, "atom_steps_per_s": len(atoms) / (ms / 1e3),
                            "ns_per_day": TIMESTEP_PS * 86.4 / (ms / 1e3)})
            except Exception as error:  # record, do not hide, a failing peer (out of memory at 10^5 atoms)
                row["error"] = f"{type(error).__name__}: {error}"[:300]
            finally:
                if args.device == "cuda":
                    torch.cuda.empty_cache()
            print(json.dumps(row), flush=True)
            yield row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=["mace", "nequip"], required=True)
    parser.add_argument("--lammps", help="lmp executable (LAMMPS with the PLUGIN package)")
    parser.add_argument("--plugin", help="equifuseplugin.so")
    parser.add_argument("--out", required=True)
    parser.add_argument("--cells", type=int, nargs="+", default=[7, 14, 30])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--upstream", help="the upstream model file the shipped .eqf came from")
    parser.add_argument("--cueq", action="store_true",
                        help="MACE: also the upstream model converted to cuEquivariance (mace.cli.convert_e3nn_cueq)")
    parser.add_argument("--equifuse", help="the equifuse CLI: also time `equifuse eval` on the same structures")
    parser.add_argument("--kokkos", help="LAMMPS Kokkos options (e.g. '-k on g 1'): also run pair_style equifuse/kk")
    parser.add_argument("--potential", help="a potential with Cu and Au to run instead of the shipped one")
    parser.add_argument("--shape", help="the name its rows carry (default: the shipped potential's)")
    parser.add_argument("--precisions", nargs="+", default=["float64", "float32"], choices=["float64", "float32"])
    args = parser.parse_args()
    shipped = os.path.join(ROOT, "potentials", f"cuau-{args.family}-small.eqf")
    potential = os.path.abspath(args.potential or shipped)
    args.shape = args.shape or os.path.basename(potential).removesuffix(".eqf")
    # LAMMPS runs in a scratch folder: paths given relative to here are made absolute (a bare
    # command name is left to PATH).
    if args.plugin:
        args.plugin = os.path.abspath(args.plugin)
    if args.lammps and os.sep in args.lammps:
        args.lammps = os.path.abspath(args.lammps)
    with open(args.out, "a") as sink:
        if args.lammps:
            for row in lammps_rows(args, potential):
                sink.write(json.dumps(row) + "\n")
                sink.flush()  # a run stopped by a time limit keeps the rows it has
        if args.equifuse:
            for row in eval_rows(args, potential):
                sink.write(json.dumps(row) + "\n")
        if args.upstream:
            for row in upstream_rows(args):
                sink.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
