"""The calculator in an ASE NVE run (velocity Verlet) conserves the total energy: bounded drift
over 200 steps of 2 fs from 800 K, with the neighbour list rebuilt along the way."""

import numpy as np
from ase import units
from ase.md.velocitydistribution import Stationary, thermalize_momenta
from ase.md.verlet import VelocityVerlet

from conftest import POTENTIALS, STRUCTURES
from equifuse.ase import EquifuseCalculator


def test_nve_conserves_energy():
    atoms = STRUCTURES["periodic"]()
    atoms.calc = EquifuseCalculator(POTENTIALS["nequip"], device="cpu", skin=0.3)
    thermalize_momenta(atoms, temperature_K=800, rng=np.random.default_rng(6))
    Stationary(atoms)
    dynamics = VelocityVerlet(atoms, timestep=2.0 * units.fs)
    total, kinetic = [], []
    dynamics.attach(lambda: (total.append(atoms.get_total_energy()), kinetic.append(atoms.get_kinetic_energy())))
    dynamics.run(200)
    total, kinetic, n = np.array(total), np.array(kinetic), len(atoms)
    drift = np.abs(total - total[0]).max() / n
    builds = atoms.calc.neighbor_list.builds
    print(f"NVE: {len(total)} samples, max |E - E0| = {1e3 * drift:.3f} meV/atom while the kinetic energy "
          f"spans {1e3 * np.ptp(kinetic) / n:.1f} meV/atom; {builds} neighbour list builds")
    assert drift < 1e-3  # eV/atom
    assert np.ptp(kinetic) / n > 0.02
    assert 1 < builds < 100
