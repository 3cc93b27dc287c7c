"""Shared fixtures of the Python package's tests (tests/CMakeLists.txt runs each file with the
package installed by scripts/run-tests.sh). EQUIFUSE_TEST_DEVICE=cuda (the GPU tests) exits with
status 77, reported by ctest as skipped, where no CUDA GPU can run."""

import os
import pathlib
import shutil

import numpy as np
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]
POTENTIALS = {family: REPOSITORY / "potentials" / f"cuau-{family}-small.eqf" for family in ("mace", "nequip")}
TEST_SPLIT = REPOSITORY / "potentials" / "data" / "cuau-emt-test.extxyz"


def pytest_sessionstart(session):
    if os.environ.get("EQUIFUSE_TEST_DEVICE") == "cuda":
        import equifuse

        if not equifuse.cuda_available():
            print("SKIPPED: no CUDA GPU here (or equifuse was built without CUDA)")
            pytest.exit("no CUDA GPU", returncode=77)


@pytest.fixture(scope="session")
def equifuse_command():
    """The installed package's `equifuse` command."""
    command = shutil.which("equifuse")
    assert command, "the equifuse command is not on PATH (pip install . puts it there)"
    return command


def periodic_structure():
    """32 atoms of a Cu-Au alloy in a sheared fcc cell, rattled."""
    from ase.build import bulk

    atoms = bulk("Cu", "fcc", a=3.63, cubic=True).repeat((2, 2, 2))
    atoms.numbers[[1, 6, 11, 12, 19, 25, 30]] = 79
    atoms.set_cell(atoms.cell.array @ np.array([[1.0, 0.02, 0.0], [0.0, 0.99, 0.03], [0.01, 0.0, 1.01]]),
                   scale_atoms=True)
    atoms.rattle(0.08, seed=3)
    return atoms


def slab_structure():
    """A Cu(111) slab with Au atoms, periodic in x and y only."""
    from ase.build import fcc111

    atoms = fcc111("Cu", size=(3, 3, 3), vacuum=6.0, a=3.61)
    atoms.numbers[[0, 4, 13, 22]] = 79
    atoms.rattle(0.05, seed=4)
    del atoms.info["adsorbate_info"]  # not writable to extended XYZ
    return atoms


def molecule_structure():
    """A 13-atom Cu-Au cluster, not periodic."""
    from ase.cluster import Icosahedron

    atoms = Icosahedron("Cu", noshells=2, latticeconstant=3.61)
    atoms.numbers[[0, 5, 9]] = 79
    atoms.rattle(0.05, seed=5)
    atoms.cell = np.zeros((3, 3))
    atoms.pbc = False
    return atoms


STRUCTURES = {"periodic": periodic_structure, "slab": slab_structure, "molecule": molecule_structure}
