#!/usr/bin/env python3
"""Generates the training data of the shipped potentials: Cu-Au configurations labelled with
ASE's EMT calculator (energy, forces, stress).

    generate_emt_data.py OUTDIR [--seed N]

Writes OUTDIR/{train,valid,test}.extxyz (80/10/10 split, shuffled). Configurations:
  - bulk fcc Cu and random Cu-Au alloys (0-30 % Au), 32-atom cubic and 27-atom primitive cells,
    Langevin MD at 300, 800 and 1400 K, snapshots every 10 steps;
  - the same under +-4 % hydrostatic and shear strain (stress labels);
  - a vacancy and an interstitial-like close pair;
  - (111) and (100) slabs with vacuum (surfaces), MD at 600 K.
EMT is a cheap, analytic many-body potential: the point is a realistic, reproducible data set for
an fcc metal, not chemical accuracy.
"""

import argparse
import os

import numpy as np
from ase import units
from ase.build import bulk, fcc100, fcc111
from ase.calculators.emt import EMT
from ase.io import write
from ase.md.langevin import Langevin
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution


def label(atoms):
    atoms.calc = EMT()
    energy = atoms.get_potential_energy()
    forces = atoms.get_forces()
    stress = atoms.get_stress(voigt=False) if all(atoms.pbc) else None
    snapshot = atoms.copy()
    snapshot.calc = None
    # REF_ keys: ASE would turn plain "energy"/"forces" into a calculator on reading.
    snapshot.info["REF_energy"] = float(energy)
    if stress is not None:
        snapshot.info["REF_stress"] = stress
    snapshot.arrays["REF_forces"] = forces.copy()
    return snapshot


def alloy(atoms, fraction, rng):
    numbers = atoms.get_atomic_numbers()
    numbers[rng.random(len(atoms)) < fraction] = 79
    atoms.set_atomic_numbers(numbers)
    return atoms


def md_snapshots(atoms, temperature, steps, every, rng):
    atoms = atoms.copy()
    atoms.calc = EMT()
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=rng)
    dynamics = Langevin(atoms, 2.0 * units.fs, temperature_K=temperature, friction=0.02, rng=rng)
    out = []
    for _ in range(steps // every):
        dynamics.run(every)
        out.append(label(atoms))
    return out


def strained(atoms, rng):
    strain = np.eye(3) + rng.uniform(-0.04, 0.04, (3, 3)) * np.array([[1, .5, .5], [.5, 1, .5], [.5, .5, 1]])
    strain = 0.5 * (strain + strain.T)
    atoms = atoms.copy()
    atoms.set_cell(atoms.cell.array @ strain, scale_atoms=True)
    return atoms


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    configs = []
    cells = [bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2)),
             bulk("Cu", "fcc", a=3.61).repeat((3, 3, 3))]
    for cell in cells:
        for fraction in (0.0, 0.15, 0.3):
            base = alloy(cell.copy(), fraction, rng)
            for temperature in (300, 800, 1400):
                configs += md_snapshots(base, temperature, 200, 10, rng)
            for _ in range(8):
                configs += md_snapshots(strained(base, rng), 600, 40, 20, rng)
    vacancy = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    del vacancy[5]
    configs += md_snapshots(vacancy, 900, 200, 10, rng)
    close = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((2, 2, 2))
    close.positions[0] += [0.6, 0.5, 0.4]
    configs += md_snapshots(alloy(close, 0.2, rng), 300, 100, 10, rng)
    for slab in (fcc111("Cu", size=(3, 3, 4), vacuum=6.0, a=3.61), fcc100("Cu", size=(3, 3, 4), vacuum=6.0, a=3.61)):
        configs += md_snapshots(alloy(slab, 0.15, rng), 600, 150, 10, rng)
    order = rng.permutation(len(configs))
    n_valid = n_test = len(configs) // 10
    splits = {"test": order[:n_test], "valid": order[n_test:n_test + n_valid],
              "train": order[n_test + n_valid:]}
    os.makedirs(args.outdir, exist_ok=True)
    for name, indices in splits.items():
        write(os.path.join(args.outdir, f"{name}.extxyz"), [configs[i] for i in indices], format="extxyz")
        print(f"{name}: {len(indices)} configurations")


if __name__ == "__main__":
    main()
