#!/usr/bin/env python3
"""Phonon band structure of fcc Cu with phonopy (finite displacements in a supercell), with an
equifuse potential next to ASE's EMT: frequencies at X and L, the highest frequency of each, and
the bands along G-X-W-K-G-L in one plot. Needs phonopy (pip install phonopy).

    python examples/python/phonons.py [--potential FILE.eqf] [--output-dir DIR] [--small]
"""

import argparse
import os
import sys

import numpy as np
from ase import Atoms
from ase.build import bulk
from ase.calculators.emt import EMT

from equifuse.ase import EquifuseCalculator

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "potentials", "cuau-mace-small.eqf")
# The fcc Brillouin zone's path, in the primitive cell's reciprocal coordinates.
PATH = [("G", (0, 0, 0)), ("X", (0.5, 0, 0.5)), ("W", (0.5, 0.25, 0.75)), ("K", (0.375, 0.375, 0.75)),
        ("G", (0, 0, 0)), ("L", (0.5, 0.5, 0.5))]


def phonons(calc, supercell, points_per_segment):
    """Frequencies (THz) along PATH and at X and L, from phonopy's force constants."""
    from phonopy import Phonopy
    from phonopy.structure.atoms import PhonopyAtoms

    cu = bulk("Cu", "fcc", a=3.61, cubic=True)
    unit = PhonopyAtoms(symbols=cu.get_chemical_symbols(), cell=cu.cell.array, scaled_positions=cu.get_scaled_positions())
    phonon = Phonopy(unit, supercell_matrix=np.diag([supercell] * 3), primitive_matrix="F")
    phonon.generate_displacements(distance=0.01)
    forces = []
    for displaced in phonon.supercells_with_displacements:
        atoms = Atoms(displaced.symbols, cell=displaced.cell, scaled_positions=displaced.scaled_positions, pbc=True)
        atoms.calc = calc
        forces.append(atoms.get_forces())
    phonon.forces = forces
    phonon.produce_force_constants()
    qpoints, distances = [], []
    for (_, start), (_, end) in zip(PATH[:-1], PATH[1:]):
        for t in np.linspace(0, 1, points_per_segment, endpoint=False):
            qpoints.append(np.array(start) + t * (np.array(end) - np.array(start)))
    qpoints.append(np.array(PATH[-1][1], float))
    phonon.run_qpoints(qpoints)
    frequencies = phonon.qpoints.frequencies
    # distance along the path in Cartesian reciprocal space, for the plot's x axis
    reciprocal = np.linalg.inv(phonon.primitive.cell).T
    steps = np.linalg.norm(np.diff(np.array(qpoints) @ reciprocal.T, axis=0), axis=1)
    distances = np.concatenate([[0], np.cumsum(steps)])
    phonon.run_qpoints([PATH[1][1], PATH[5][1]])
    x, l = phonon.qpoints.frequencies
    return distances, frequencies, x, l, len(phonon.supercells_with_displacements)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--potential", default=SHIPPED)
    parser.add_argument("--output-dir", default=".")
    parser.add_argument("--small", action="store_true", help="2x2x2 conventional cells (32 atoms; else 3x3x3, 108)")
    args = parser.parse_args()
    try:
        import phonopy  # noqa: F401
    except ImportError:
        sys.exit("phonons.py needs phonopy: pip install phonopy")
    supercell, points = (2, 12) if args.small else (3, 30)
    name = os.path.splitext(os.path.basename(args.potential))[0]
    results = {name: phonons(EquifuseCalculator(args.potential), supercell, points),
               "EMT": phonons(EMT(), supercell, points)}

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    print(f"fcc Cu, {4 * supercell ** 3}-atom supercell, phonopy finite displacements of 0.01 A")
    print(f"{'':<18} {'X (THz)':>20} {'L (THz)':>20} {'max (THz)':>10}")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for (label, (distances, frequencies, x, l, _)), color in zip(results.items(), ("C0", "C3")):
        print(f"{label:<18} {' '.join(f'{f:6.2f}' for f in x):>20} {' '.join(f'{f:6.2f}' for f in l):>20} "
              f"{frequencies.max():10.2f}")
        for band in frequencies.T:
            ax.plot(distances, band, color=color, lw=1.2)
        ax.plot([], [], color=color, label=label)
    ticks = distances[::points]
    ax.set_xticks(ticks, [label.replace("G", "Γ") for label, _ in PATH])
    for t in ticks:
        ax.axvline(t, color="0.8", lw=0.8)
    ax.set_xlim(distances[0], distances[-1])
    ax.set_ylabel("frequency (THz)")
    ax.set_title("fcc Cu phonons (phonopy)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.output_dir, exist_ok=True)
    path = os.path.join(args.output_dir, "phonons.png")
    fig.savefig(path, dpi=150)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
