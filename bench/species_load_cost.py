#!/usr/bin/env python3
"""What the 89 elements of a foundation model cost a run that needs two: `equifuse eval` of a
small Cu-Au cell with an OMAT-0-medium-shaped MACE (random weights) exported with all 89
elements, and with only Cu and Au, same architecture. Prints a JSON row per file: file size,
wall time of the whole command (load + one evaluation) and its peak resident memory.

    species_load_cost.py --equifuse PATH/TO/equifuse [--repeat 3]

Run it with a Python that has mace-torch (the models are built there and exported).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model_benchmark as benchmark  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--equifuse", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import ase.build
    import ase.io
    import torch
    from equifuse_export.mace_export import export_mace

    torch.set_default_dtype(torch.float64)
    atoms = ase.build.bulk("Cu", "fcc", a=3.7, cubic=True)
    atoms.numbers[1] = 79
    with tempfile.TemporaryDirectory() as work:
        xyz = os.path.join(work, "cuau.extxyz")
        ase.io.write(xyz, atoms)
        for name, elements in (("89 elements", benchmark.FOUNDATION_ELEMENTS), ("Cu Au only", [29, 79])):
            benchmark.FOUNDATION_ELEMENTS = elements
            eqf = os.path.join(work, f"omat0-medium-{len(elements)}.eqf")
            export_mace(benchmark.mace_foundation_model("omat0-medium"), eqf)
            walls, rss = [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                _, peak = benchmark.run_measured([args.equifuse, "eval", eqf, xyz, "--quiet"])
                walls.append(time.perf_counter() - start)
                rss.append(peak)
            print(json.dumps({"model": "omat0-medium", "elements": name, "file_mib": os.path.getsize(eqf) / 2**20,
                              "atoms": len(atoms), "wall_s": statistics.median(walls),
                              "peak_rss_mib": statistics.median(rss)}), flush=True)


if __name__ == "__main__":
    main()
