#!/usr/bin/env python3
"""Writes the model benchmark's structures as extended XYZ (needs only torch): fcc Cu and liquid
water boxes (bench/atomic_graphs.py) of about the given atom counts.

    write_benchmark_structures.py OUTDIR 1000 10000 100000
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomic_graphs import fcc_copper, water_box  # noqa: E402


def write(path, symbols, positions, box):
    with open(path, "w") as out:
        out.write(f"{len(symbols)}\n")
        out.write(f'Lattice="{box} 0 0 0 {box} 0 0 0 {box}" Properties=species:S:1:pos:R:3 pbc="T T T"\n')
        for symbol, (x, y, z) in zip(symbols, positions.tolist()):
            out.write(f"{symbol} {x:.8f} {y:.8f} {z:.8f}\n")


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for target in (int(a) for a in sys.argv[2:]):
        cells = max(1, round((target / 4) ** (1 / 3)))
        positions, box = fcc_copper(cells)
        write(os.path.join(outdir, f"{target:07d}-fcc-Cu.extxyz"), ["Cu"] * len(positions), positions, box)
        side = max(1, round((target / 3) ** (1 / 3)))
        positions, box = water_box(side)
        write(os.path.join(outdir, f"{target:07d}-water.extxyz"), ["O", "H", "H"] * (len(positions) // 3), positions, box)
        print(f"{target}: fcc {4 * cells ** 3} atoms, water {3 * side ** 3} atoms")


if __name__ == "__main__":
    main()
