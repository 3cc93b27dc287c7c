"""Forces and stress are the derivatives of the calculator's energy: they match ASE's central
finite differences of it (float64; forces on a few atoms, to keep the test short)."""

import numpy as np
import pytest
from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress

from conftest import POTENTIALS, STRUCTURES
from equifuse.ase import EquifuseCalculator

CHECKED_ATOMS = [0, 6, 19]  # Cu and Au, surface and inner layers of the slab


@pytest.mark.parametrize("family", sorted(POTENTIALS))
@pytest.mark.parametrize("kind", ["periodic", "slab", "molecule"])
def test_forces_match_finite_differences(family, kind):
    atoms = STRUCTURES[kind]()
    atoms.calc = EquifuseCalculator(POTENTIALS[family], device="cpu")
    checked = [a for a in CHECKED_ATOMS if a < len(atoms)]
    numerical = calculate_numerical_forces(atoms, eps=1e-4, iatoms=checked)
    np.testing.assert_allclose(atoms.get_forces()[checked], numerical, atol=2e-6)
    assert np.abs(numerical).max() > 0.1  # forces worth checking


@pytest.mark.parametrize("family", sorted(POTENTIALS))
def test_stress_matches_finite_differences(family):
    atoms = STRUCTURES["periodic"]()
    atoms.calc = EquifuseCalculator(POTENTIALS[family], device="cpu")
    numerical = calculate_numerical_stress(atoms, eps=1e-5, voigt=True)
    np.testing.assert_allclose(atoms.get_stress(), numerical, atol=2e-7)
    assert np.abs(numerical).max() > 1e-3
    np.testing.assert_allclose(atoms.get_stresses().sum(axis=0), atoms.get_stress(), atol=1e-12)
