#!/usr/bin/env python3
"""FIRE relaxation of a Cu-Au alloy cell with a vacancy, atoms and cell together (ASE's
FrechetCellFilter, which uses the stress), with an equifuse potential next to ASE's EMT: steps,
energy gained, final lattice parameter and pressure of each, and a plot of the relaxation.

    python examples/python/fire_relaxation.py [--potential FILE.eqf] [--output-dir DIR] [--small]
"""

import argparse
import os

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.filters import FrechetCellFilter
from ase.optimize import FIRE
from ase.units import GPa

from equifuse.ase import EquifuseCalculator

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "potentials", "cuau-mace-small.eqf")


def start_structure(repeat):
    """fcc Cu with 25 % Au at random, one vacancy, 2 % expanded and rattled."""
    atoms = bulk("Cu", "fcc", a=3.61 * 1.02, cubic=True).repeat(repeat)
    rng = np.random.default_rng(21)
    atoms.numbers[rng.choice(len(atoms), len(atoms) // 4, replace=False)] = 79
    del atoms[0]
    atoms.rattle(0.05, seed=22)
    return atoms


def relax(atoms, calc, fmax, steps):
    atoms = atoms.copy()
    atoms.calc = calc
    cell_filter = FrechetCellFilter(atoms)
    optimizer = FIRE(cell_filter, logfile=None)
    trace = []
    optimizer.attach(lambda: trace.append((atoms.get_potential_energy(),
                                           np.linalg.norm(cell_filter.get_forces(), axis=1).max())))
    converged = optimizer.run(fmax=fmax, steps=steps)
    return atoms, np.array(trace), converged


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--potential", default=SHIPPED)
    parser.add_argument("--output-dir", default=".")
    parser.add_argument("--small", action="store_true", help="31 atoms and at most 40 steps (107 atoms, 300)")
    args = parser.parse_args()
    repeat, fmax, steps = ((2, 2, 2), 0.05, 40) if args.small else ((3, 3, 3), 0.01, 300)
    start = start_structure(repeat)
    name = os.path.splitext(os.path.basename(args.potential))[0]
    print(f"{len(start)} atoms ({(start.numbers == 79).sum()} Au), FIRE on atoms and cell to fmax {fmax} eV/A")
    print(f"{'':<18} {'steps':>5} {'converged':>9} {'dE (eV)':>9} {'a (A)':>7} {'p (GPa)':>8}")
    traces = {}
    for label, calc in ((name, EquifuseCalculator(args.potential)), ("EMT", EMT())):
        final, trace, converged = relax(start, calc, fmax, steps)
        traces[label] = trace
        a = (final.get_volume() / (len(final) + 1) * 4) ** (1 / 3)  # fcc lattice parameter (one site empty)
        pressure = -final.get_stress()[:3].mean() / GPa
        print(f"{label:<18} {len(trace) - 1:5d} {str(converged):>9} {trace[-1, 0] - trace[0, 0]:9.4f} {a:7.4f} "
              f"{pressure:8.3f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (energy, force) = plt.subplots(1, 2, figsize=(8, 3.4))
    for label, trace in traces.items():
        energy.plot(trace[:, 0] - trace[0, 0], label=label)
        force.semilogy(trace[:, 1], label=label)
    energy.set_xlabel("FIRE step")
    energy.set_ylabel("energy - initial (eV)")
    force.set_xlabel("FIRE step")
    force.set_ylabel("max force incl. cell (eV/A)")
    force.axhline(fmax, color="0.6", lw=1)
    energy.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "fire_relaxation.png")
    fig.savefig(path, dpi=150)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
