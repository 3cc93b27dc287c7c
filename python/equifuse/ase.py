"""equifuse.ase.EquifuseCalculator: an equifuse potential as an ASE calculator.

    from equifuse.ase import EquifuseCalculator
    atoms.calc = EquifuseCalculator("potentials/cuau-mace-small.eqf")   # device="auto"
    atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()

Properties: energy, free_energy (= energy), energies (per atom), forces, and for fully periodic
structures stress and stresses (per atom), in ASE's conventions: eV, eV/A, eV/A^3, stress =
-virial / volume (positive under tension), Voigt order xx yy zz yz xz xy. Non-periodic or partly
periodic structures (molecules, slabs) have no volume and so no stress, as with `equifuse eval`.

The neighbour list is kept between calls: built with r_max + skin (default 1 A) and reused while
the atoms, cell and periodicity are the same and no atom has moved more than skin / 2 since it
was built. Results are those of a fresh list, bit for bit; a larger skin rebuilds less often and
filters more pairs per call.
"""

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from .potential import Potential

# Voigt order xx yy zz yz xz xy, from the upper triangle (virials are symmetric).
_VOIGT = (np.array([0, 1, 2, 1, 0, 0]), np.array([0, 1, 2, 2, 2, 1]))


def voigt(stress):
    """[..., 3, 3] -> [..., 6] in ASE's order xx yy zz yz xz xy."""
    return np.ascontiguousarray(stress[..., _VOIGT[0], _VOIGT[1]])


class EquifuseCalculator(Calculator):
    """ASE calculator over an equifuse potential (a path, or an equifuse.Potential already loaded,
    in which case device, precision, head, total_charge and total_spin are its own). head picks one
    head of a multi-head model; total_charge and total_spin (multiplicity) are the structure's for
    models that embed them (MACE-OMOL); see equifuse.Potential."""

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress", "stresses"]

    def __init__(self, potential, device="auto", precision="float64", head=None, skin=1.0,
                 total_charge=0.0, total_spin=1.0, **kwargs):
        super().__init__(**kwargs)
        self.potential = potential if isinstance(potential, Potential) else Potential(
            potential, device=device, precision=precision, head=head, total_charge=total_charge,
            total_spin=total_spin)
        self.skin = float(skin)
        self.neighbor_list = self.potential.neighbor_list(self.skin)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        a = self.atoms
        result = self.potential.evaluate(a.numbers, a.positions, a.cell.array, a.pbc,
                                         neighbor_list=self.neighbor_list)
        self.results = {"energy": result.energy, "free_energy": result.energy,
                        "energies": result.energies, "forces": result.forces}
        if result.stress is not None:
            self.results["stress"] = voigt(result.stress)
            self.results["stresses"] = voigt(result.stresses)
