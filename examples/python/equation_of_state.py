#!/usr/bin/env python3
"""Equation of state and bulk modulus of fcc Cu with an equifuse potential, next to ASE's EMT (the
reference the shipped Cu-Au potentials were trained on): energies of a strained cubic cell, a
Birch-Murnaghan fit, the lattice parameter and bulk modulus of each, and a plot.

    python examples/python/equation_of_state.py [--potential FILE.eqf] [--output-dir DIR] [--small]
"""

import argparse
import os

import numpy as np
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.eos import EquationOfState
from ase.units import GPa

from equifuse.ase import EquifuseCalculator

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "potentials", "cuau-mace-small.eqf")


def equation_of_state(calc, scales):
    """Volumes and energies per atom of cubic fcc Cu (4 atoms) scaled from a = 3.61 A, and the fit."""
    volumes, energies = [], []
    for scale in scales:
        atoms = bulk("Cu", "fcc", a=3.61 * scale, cubic=True)
        atoms.calc = calc
        volumes.append(atoms.get_volume() / len(atoms))
        energies.append(atoms.get_potential_energy() / len(atoms))
    fit = EquationOfState(volumes, energies, eos="birchmurnaghan")
    fit.fit()
    return np.array(volumes), np.array(energies), fit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--potential", default=SHIPPED)
    parser.add_argument("--output-dir", default=".")
    parser.add_argument("--small", action="store_true", help="7 volumes instead of 15")
    args = parser.parse_args()
    scales = np.linspace(0.96, 1.04, 7 if args.small else 15)
    name = os.path.splitext(os.path.basename(args.potential))[0]
    results = {name: equation_of_state(EquifuseCalculator(args.potential), scales),
               "EMT": equation_of_state(EMT(), scales)}

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    print(f"{'fcc Cu':<18} {'a0 (A)':>8} {'V0 (A^3/atom)':>14} {'E0 (eV/atom)':>13} {'B (GPa)':>8}")
    for label, (volumes, energies, fit) in results.items():
        a0 = (4 * fit.v0) ** (1 / 3)
        print(f"{label:<18} {a0:8.4f} {fit.v0:14.4f} {fit.e0:13.4f} {fit.B / GPa:8.1f}")
        v = np.linspace(volumes.min(), volumes.max(), 100)
        line = ax.plot(v, fit.func(v, *fit.eos_parameters), label=f"{label}: B = {fit.B / GPa:.0f} GPa")[0]
        ax.plot(volumes, energies, "o", color=line.get_color(), ms=4)
    ax.set_xlabel("volume (A^3/atom)")
    ax.set_ylabel("energy (eV/atom)")
    ax.set_title("fcc Cu equation of state (Birch-Murnaghan)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "equation_of_state.png")
    fig.savefig(path, dpi=150)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
